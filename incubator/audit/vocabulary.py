"""The audit trail in the reader's language: actions, record types, field labels and
values (ids resolved to names, enumerations through their labels, yes/no).

The trail stores codes (``update``, ``Volunteer``, ``volunteer_id``, ``"pending"``);
this module turns a page of entries into what a person reads. Names are looked up in
one query per record type for the whole page, never per row.

Value labels are found by convention in the module that defines the record's model:
a ``LabelledEnum`` named after the field (``form`` → ``Form``, ``status`` →
``VolunteerStatus``) or a ``<FIELD>_LABELS`` table (``KIND_LABELS``). Labels that live
elsewhere (configured stages) come from ``signals.audit_value_labels``.
"""

from __future__ import annotations

import ast
import re
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Mapper

from incubator import signals
from incubator.audit.models import AuditEntry
from incubator.auth.roles import ROLE_LABELS
from incubator.extensions import Model, db
from incubator.i18n import date_filter, datetime_filter, is_chinese

ACTION_LABELS = {
    "create": _l("Created"),
    "update": _l("Changed"),
    "delete": _l("Deleted"),
    "remove": _l("Removed"),
    "archive": _l("Archived"),
    "restore": _l("Restored"),
    "cancel": _l("Cancelled"),
    "complete": _l("Completed"),
    "correct": _l("Corrected"),
    "reschedule": _l("Rescheduled"),
    "review": _l("Reviewed"),
    "stage": _l("Stage changed"),
    "transition": _l("Moved on"),
    "midterm": _l("Mid-term check"),
    "assign_reviewers": _l("Reviewers assigned"),
    "propose_plan": _l("Support plan proposed"),
    "submit": _l("Submitted"),
    "register": _l("Registered"),
    "attendance": _l("Attendance recorded"),
    "import": _l("Imported"),
    "export": _l("Exported"),
    "reveal": _l("Personal data shown"),
    "anonymize": _l("Anonymized"),
    "duplicate_hit": _l("Possible duplicate found"),
    "issue": _l("Issued"),
    "customize": _l("Customized"),
    "resend": _l("Sent again"),
    "send_reminders": _l("Reminders sent"),
    "reset_feed": _l("Calendar feed address reset"),
    "login": _l("Logged in"),
    "logout": _l("Logged out"),
    "token_issued": _l("API token issued"),
    "token_revoked": _l("API token revoked"),
    "deactivate": _l("Account deactivated"),
    "password_change": _l("Password changed"),
    "password_reset": _l("Password reset"),
    "role": _l("Role changed"),
    "username": _l("Username changed"),
}

ENTITY_LABELS = {
    "Activity": _l("Activity log"),
    "ActivityPhoto": _l("Activity photo"),
    "ApiToken": _l("API token"),
    "Assessment": _l("Capacity assessment"),
    "CadenceSetting": _l("Follow-up cadence"),
    "CaseNote": _l("Case note"),
    "Certificate": _l("Service certificate"),
    "Community": _l("Community"),
    "Compound": _l("Compound"),
    "Delivery": _l("Reminder delivery"),
    "DimensionSetting": _l("Assessment dimension"),
    "Expenditure": _l("Expenditure"),
    "FollowUp": _l("Follow-up"),
    "ImportBatch": _l("Import"),
    "Indicator": _l("Indicator"),
    "Membership": _l("Membership"),
    "Organization": _l("Organization"),
    "PlanAction": _l("Support plan action"),
    "PlanTemplate": _l("Support plan template"),
    "Project": _l("Service project"),
    "Reminder": _l("Reminder"),
    "ReminderPreference": _l("Reminder settings"),
    "Resident": _l("Resident"),
    "ResourceLink": _l("Resource"),
    "Room": _l("Room"),
    "RosterImport": _l("Roster import"),
    "ServiceRecord": _l("Service hours"),
    "SignIn": _l("Sign-in"),
    "StageSetting": _l("Stage"),
    "TrainingSession": _l("Training session"),
    "User": _l("User"),
    "Venture": _l("Micro-venture"),
    "VentureReview": _l("Venture review"),
    "VentureRound": _l("Venture round"),
    "Volunteer": _l("Volunteer"),
}

FIELD_LABELS = {
    "action": _l("Action"),
    "actions": _l("Plan actions"),
    "active": _l("Active"),
    "activity_id": _l("Activity"),
    "agency": _l("Agency"),
    "amount": _l("Amount"),
    "applied_by_id": _l("Applied by"),
    "approved_amount": _l("Approved amount"),
    "archived_at": _l("Archived at"),
    "assessed_on": _l("Assessed on"),
    "assignee_id": _l("Assigned to"),
    "attendees": _l("Attendance"),
    "author_id": _l("Author"),
    "availability": _l("Availability"),
    "birth_year": _l("Year of birth"),
    "body": _l("Text"),
    "budget": _l("Budget"),
    "budget_lines": _l("Budget lines"),
    "cadence": _l("Cadence"),
    "cancel_reason": _l("Reason for cancelling"),
    "city": _l("City"),
    "closed_on": _l("Closed on"),
    "closes_on": _l("Closes on"),
    "closing_grade": _l("Closing grade"),
    "community_id": _l("Community"),
    "community_ids": _l("Communities"),
    "compound_id": _l("Compound"),
    "contact_kind": _l("Contact"),
    "created_by_id": _l("Created by"),
    "criteria": _l("Criteria"),
    "decided_on": _l("Decided on"),
    "decision_note": _l("Decision note"),
    "description": _l("Description"),
    "detached": _l("Taken out of its series"),
    "dimension": _l("Dimension"),
    "district": _l("District"),
    "done_note": _l("Done note"),
    "done_on": _l("Done on"),
    "due_days": _l("Due after (days)"),
    "due_on": _l("Due on"),
    "email": _l("Email"),
    "ends_at": _l("Ends"),
    "ends_on": _l("Ends on"),
    "expected_outputs": _l("Expected outputs"),
    "feedback_score": _l("Feedback score"),
    "filing_status": _l("Filing status"),
    "form": _l("Form"),
    "gender": _l("Gender"),
    "goal": _l("Goal"),
    "guardian_consent_on": _l("Guardian consent on"),
    "guardian_name": _l("Guardian"),
    "held_on": _l("Held on"),
    "hours": _l("Hours"),
    "joined_on": _l("Joined on"),
    "kind": _l("Kind"),
    "leader_id": _l("Leader"),
    "lessons": _l("Lessons learned"),
    "logged_by_id": _l("Logged by"),
    "metric": _l("Metric"),
    "midterm_note": _l("Mid-term note"),
    "midterm_on": _l("Mid-term check on"),
    "name": _l("Name"),
    "need": _l("Need"),
    "notes": _l("Notes"),
    "noted_on": _l("Noted on"),
    "number": _l("Number"),
    "opens_on": _l("Opens on"),
    "organization_id": _l("Organization"),
    "organization_ids": _l("Organizations"),
    "origin": _l("Origin"),
    "outcome": _l("Outcome"),
    "outputs_achieved": _l("Outputs achieved"),
    "owner": _l("Owner"),
    "partner": _l("Partner"),
    "password_hash": _l("Password"),
    "person_times": _l("Person-times"),
    "phone": _l("Phone"),
    "place": _l("Place"),
    "planned_activities": _l("Planned activities"),
    "position": _l("Position"),
    "project_id": _l("Service project"),
    "purpose": _l("Purpose"),
    "received_on": _l("Received on"),
    "recorded_by_id": _l("Recorded by"),
    "registered": _l("Registrations"),
    "renewal": _l("Renewal"),
    "requested_amount": _l("Requested amount"),
    "return_reason": _l("Reason for returning"),
    "review_state": _l("Review"),
    "reviewers": _l("Reviewers"),
    "role": _l("Role"),
    "round_id": _l("Venture round"),
    "runs_from": _l("Runs from"),
    "runs_until": _l("Runs until"),
    "scores": _l("Scores"),
    "series_id": _l("Series"),
    "served_on": _l("Served on"),
    "service": _l("Service"),
    "service_type": _l("Service type"),
    "skills": _l("Skills"),
    "sponsor_id": _l("Sponsor"),
    "spent_on": _l("Spent on"),
    "stage": _l("Stage"),
    "stage_before_dormant": _l("Stage before dormant"),
    "stage_since": _l("In this stage since"),
    "starts_at": _l("Starts"),
    "starts_on": _l("Starts on"),
    "state": _l("State"),
    "state_since": _l("In this state since"),
    "status": _l("Status"),
    "street": _l("Street"),
    "summary": _l("Summary"),
    "target": _l("Target"),
    "target_group": _l("Target group"),
    "termination_reason": _l("Reason for terminating"),
    "title": _l("Title"),
    "total": _l("Total"),
    "total_hours": _l("Total hours"),
    "username": _l("Username"),
    "users": _l("Users"),
    "valuation_basis": _l("Valuation basis"),
    "value": _l("Value"),
    "venture_id": _l("Micro-venture"),
    "volunteer_id": _l("Volunteer"),
    "volunteer_ids": _l("Volunteers"),
    "walk_ins": _l("Walk-ins"),
    "year": _l("Project year"),
}

# Summaries that are codes rather than text, by action.
SUMMARY_LABELS = {
    "approve": _l("Approved"),
    "return": _l("Returned"),
    "this": _l("This session only"),
    "following": _l("This and the following sessions"),
    "scope": _l("Communities"),
    "leader": _l("Leader"),
}
# Summaries naming a value of a field: a venture's new state, a plan's dimensions.
SUMMARY_FIELDS = {"transition": "state", "propose_plan": "dimension"}
_CODES = re.compile(r"\A[a-z_]+(,[a-z_]+)*\Z")

# Fields holding lists of ids, and the record type they name.
ID_LISTS = {
    "community_ids": "Community",
    "organization_ids": "Organization",
    "reviewers": "User",
    "volunteer_ids": "Volunteer",
    "users": "User",
}

# Fields holding a table keyed by ids (organization id → count).
ID_KEYS = {"attendees": "Organization", "registered": "Organization"}

# Columns a record is called by, in order of preference.
NAME_COLUMNS = ("name", "title", "number", "username")

_ISO_DATE = re.compile(r"\A\d{4}-\d{2}-\d{2}\Z")
_ISO_MOMENT = re.compile(r"\A\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


@dataclass
class Change:
    label: str
    before: str
    after: str


@dataclass
class ReadableEntry:
    """One audit entry as a person reads it."""

    entry: AuditEntry
    actor: str
    action: str
    record_type: str
    record_name: str
    summary: str
    changes: list[Change] = field(default_factory=list)


def action_label(action: str) -> str:
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action


def entity_label(entity_type: str) -> str:
    label = ENTITY_LABELS.get(entity_type)
    return str(label) if label is not None else entity_type


def field_label(name: str) -> str:
    label = FIELD_LABELS.get(name)
    if label is not None:
        return str(label)
    return name.removesuffix("_id").replace("_", " ").capitalize()


def _mappers() -> dict[str, Mapper]:
    return {m.class_.__name__: m for m in Model.registry.mappers}


def _name_column(mapper: Mapper):
    for name in NAME_COLUMNS:
        if name in mapper.columns:
            return mapper.columns[name]
    return None


def _target_type(mapper: Mapper | None, field_name: str, by_table: dict) -> str | None:
    """The record type a field's value names: its foreign key's table, or a list."""
    if field_name in ID_LISTS:
        return ID_LISTS[field_name]
    if field_name in ID_KEYS:
        return ID_KEYS[field_name]
    if mapper is None or field_name not in mapper.columns:
        return None
    for fk in mapper.columns[field_name].foreign_keys:
        target = by_table.get(fk.column.table.name)
        if target is not None:
            return target
    # An id kept without a foreign key (a service record's activity).
    if field_name.endswith("_id"):
        guess = _camel(field_name.removesuffix("_id"))
        if guess in by_table.values():
            return guess
    return None


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


def _conventional_labels(mapper: Mapper | None, field_name: str) -> dict | None:
    """Labels declared beside the model: ``Form``/``VolunteerStatus`` enums or a
    ``KIND_LABELS`` table in the model's module."""
    if mapper is None:
        return None
    module = sys.modules.get(mapper.class_.__module__)
    if module is None:
        return None
    table = getattr(module, f"{field_name.upper()}_LABELS", None)
    if isinstance(table, dict):
        return table
    camel = _camel(field_name)
    enums = [
        value
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, Enum)
        and value.__name__.endswith(camel)
        and all(hasattr(member, "label") for member in value)
    ]
    enums.sort(key=lambda enum: enum.__name__ != camel)  # the exact name first
    if enums:
        return {member.value: member.label for member in enums[0]}  # type: ignore[attr-defined]
    return None


class Reader:
    """Resolves a page of entries: collect every id first, then one query per type."""

    def __init__(self, entries: list[AuditEntry]):
        self.entries = entries
        self.mappers = _mappers()
        self.by_table = {
            getattr(m.local_table, "name", ""): n for n, m in self.mappers.items()
        }
        self.wanted: dict[str, set[int]] = defaultdict(set)
        self.names: dict[str, dict[int, str]] = {}
        self.extra_labels: dict[tuple[str, str], dict] = {}
        self._labels_cache: dict[tuple[str, str], dict | None] = {}

    def _value_labels(self, entity_type: str, field_name: str) -> dict | None:
        key = (entity_type, field_name)
        if key not in self._labels_cache:
            found = self.extra_labels.get(key)
            if found is None:
                found = self.extra_labels.get(("*", field_name))
            if found is None and field_name == "role" and entity_type == "User":
                found = ROLE_LABELS
            if found is None:
                found = _conventional_labels(self.mappers.get(entity_type), field_name)
            self._labels_cache[key] = found
        return self._labels_cache[key]

    def _collect(self) -> None:
        for entry in self.entries:
            if entry.entity_id is not None:
                self.wanted[entry.entity_type].add(entry.entity_id)
            mapper = self.mappers.get(entry.entity_type)
            for name, pair in (entry.changes or {}).items():
                target = _target_type(mapper, name, self.by_table)
                if target is None or not isinstance(pair, list | tuple):
                    continue
                for value in pair:
                    values = value if isinstance(value, list) else [value]
                    if isinstance(value, dict):
                        values = [int(k) for k in value if str(k).isdigit()]
                    for one in values:
                        if isinstance(one, int) and not isinstance(one, bool):
                            self.wanted[target].add(one)

    def _load_names(self) -> None:
        for entity_type, ids in self.wanted.items():
            mapper = self.mappers.get(entity_type)
            column = _name_column(mapper) if mapper is not None else None
            if column is None or not ids:
                continue
            key = mapper.primary_key[0]  # type: ignore[union-attr]
            rows = db.session.execute(
                select(key, column).where(key.in_(sorted(ids)))
            ).all()
            self.names[entity_type] = {row[0]: str(row[1]) for row in rows}

    def name_of(self, entity_type: str | None, ident: Any) -> str:
        if entity_type is None:
            return str(ident)
        found = self.names.get(entity_type, {}).get(ident)
        return found if found else f"#{ident}"

    def value(self, entity_type: str, field_name: str, value: Any) -> str:
        if value is None or value == "" or value == []:
            return "—"
        if isinstance(value, bool):
            return _("Yes") if value else _("No")
        mapper = self.mappers.get(entity_type)
        target = _target_type(mapper, field_name, self.by_table)
        if isinstance(value, dict):
            return self._table(entity_type, target, value)
        if target is not None:
            values = value if isinstance(value, list) else [value]
            return _sep().join(self.name_of(target, one) for one in values)
        labels = self._value_labels(entity_type, field_name)
        if labels and isinstance(value, str) and value.startswith("["):
            value = _listed(value)
        if labels:
            values = value if isinstance(value, list) else [value]
            return _sep().join(str(labels.get(one, one)) for one in values)
        if isinstance(value, str):
            return _moment(value)
        if isinstance(value, list):
            return _sep().join(str(one) for one in value)
        return str(value)

    def _table(self, entity_type: str, target: str | None, value: dict) -> str:
        """``{key: number}``: keys as organization names or dimension labels."""
        dimensions = self.extra_labels.get(("*", "dimension"), {})

        def key_name(key: Any) -> str:
            if target is not None and str(key).isdigit():
                return self.name_of(target, int(key))
            return str(dimensions.get(key, key))

        return "; ".join(
            f"{key_name(k)}: {'—' if v is None else v}" for k, v in value.items()
        )

    def summary(self, entry: AuditEntry) -> str:
        """The entry's note; a code (``approve``, ``running``) by its label."""
        text = entry.summary or ""
        if not _CODES.match(text):
            return text
        field_name = SUMMARY_FIELDS.get(entry.action)
        labels = (
            self._value_labels(entry.entity_type, field_name) if field_name else None
        )
        labels = labels or SUMMARY_LABELS
        return _sep().join(str(labels.get(code, code)) for code in text.split(","))

    def read(self) -> list[ReadableEntry]:
        self._collect()
        self._load_names()
        for answer in signals.values(signals.audit_value_labels.send(None)):
            self.extra_labels.update(answer)
        out = []
        for entry in self.entries:
            changes = [
                Change(
                    field_label(name),
                    self.value(entry.entity_type, name, pair[0]),
                    self.value(entry.entity_type, name, pair[1]),
                )
                for name, pair in (entry.changes or {}).items()
                if isinstance(pair, list | tuple) and len(pair) == 2
            ]
            out.append(
                ReadableEntry(
                    entry=entry,
                    actor=entry.actor.name if entry.actor else _("System"),
                    action=action_label(entry.action),
                    record_type=entity_label(entry.entity_type),
                    record_name=(
                        self.name_of(entry.entity_type, entry.entity_id)
                        if entry.entity_id is not None
                        else ""
                    ),
                    summary=self.summary(entry),
                    changes=changes,
                )
            )
        return out


def _sep() -> str:
    return "、" if is_chinese() else ", "


def _listed(text: str) -> list | str:
    """A list that was stored as its text (``"['weekend']"``)."""
    try:
        found = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text
    return found if isinstance(found, list) else text


def _moment(text: str) -> str:
    """ISO dates and times as the reader writes them; other text as it is."""
    try:
        if _ISO_DATE.match(text):
            return date_filter(date.fromisoformat(text))
        if _ISO_MOMENT.match(text):
            return datetime_filter(datetime.fromisoformat(text))
    except ValueError:
        return text
    return text


def readable(entries: list[AuditEntry]) -> list[ReadableEntry]:
    return Reader(entries).read()
