"""The timeline (时间线) of an organization: everything that happened to it, newest
first, from every feature.

A feature adds its events by answering ``incubator.signals.timeline_events`` (and
``timeline_event_count``); this module never needs to know about it. A receiver
returns ``(order, events)``: at most ``limit`` of its newest events for ``org`` as
``viewer`` may see them, in a fixed number of queries, so the page's query count
does not grow with the number of events.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from incubator import signals
from incubator.audit.models import AuditEntry
from incubator.auth.models import User
from incubator.auth.roles import STAFF_ROLES
from incubator.extensions import db
from incubator.i18n import local_date, local_noon
from incubator.organizations.incubation import stage_label
from incubator.organizations.models import (
    Assessment,
    CaseNote,
    Organization,
    StageChange,
)


@dataclass(frozen=True)
class TimelineEvent:
    at: datetime  # when, for ordering (aware)
    day: date | None  # set for events that are a calendar day, not a moment
    kind: str  # a short key: created, updated, stage, assessment, note, ...
    title: str
    detail: str = ""
    url: str | None = None
    actor: str | None = None
    record_type: str = ""
    record_id: int | None = None


def dated_moment(day: date, recorded_at: datetime) -> datetime:
    """When a dated record (an assessment, a note) sorts among timed events: the
    moment it was recorded if that was on its day, else noon of its day."""
    if local_date(recorded_at) == day:
        return recorded_at
    return local_noon(day)


def timeline_total(org: Organization, viewer: User) -> int:
    return sum(signals.values(signals.timeline_event_count.send(org, viewer=viewer)))


def timeline_source(
    order: int,
    events: Callable[[Organization, User, int], list[TimelineEvent]],
    count: Callable[[Organization, User], int],
) -> None:
    """Add a source of events to every organization's timeline: ``events(org,
    viewer, limit)`` listed at ``order`` (see ``signals.timeline_events``) and
    ``count(org, viewer)`` for the total. Called once, when the source's module is
    imported."""

    def listed(org, *, viewer, limit):
        return order, events(org, viewer, limit)

    def counted(org, *, viewer):
        return count(org, viewer)

    signals.timeline_events.connect(listed, weak=False)
    signals.timeline_event_count.connect(counted, weak=False)


def count_owned_events(event, owner_key, owner, org: Organization) -> int:
    """How many ``event`` rows belong, through ``owner_key`` (the event's column
    holding its ``owner``'s id), to the records ``owner`` of ``org``."""
    return db.session.scalars(
        select(func.count())
        .select_from(event)
        .join(owner, owner.id == owner_key)
        .where(owner.organization_id == org.id)
    ).one()


def _count(model, *conditions) -> int:
    return (
        db.session.scalar(select(func.count()).select_from(model).where(*conditions))
        or 0
    )


def timeline_for(
    org: Organization, viewer: User, *, page: int = 1, per_page: int = 50
) -> tuple[list[TimelineEvent], bool]:
    """One page of events, newest first, and whether there are more."""
    wanted = page * per_page + 1
    events: list[TimelineEvent] = []
    for found in signals.ordered(
        signals.timeline_events.send(org, viewer=viewer, limit=wanted)
    ):
        events.extend(found)
    events.sort(key=lambda e: (e.at, e.record_id or 0), reverse=True)
    start = (page - 1) * per_page
    return events[start : start + per_page], len(events) > start + per_page


# ---- this feature's own events ----

FIELD_LABELS = {
    "name": _l("name"),
    "kind": _l("kind"),
    "compound_id": _l("compound"),
    "filing_status": _l("filing status"),
    "founded_on": _l("founding date"),
    "member_count": _l("member count"),
    "description": _l("description"),
    "social_worker_id": _l("owning social worker"),
    "leader_user_id": _l("leader"),
    "archived_at": _l("archived"),
}

AUDIT_TITLES = {
    "create": _l("Added to the registry"),
    "update": _l("Profile edited"),
    "archive": _l("Archived"),
    "restore": _l("Restored from the archive"),
}


def _profile_events(org, viewer, limit):
    rows = db.session.scalars(
        select(AuditEntry)
        .where(
            AuditEntry.entity_type == "Organization",
            AuditEntry.entity_id == org.id,
            AuditEntry.action.in_(tuple(AUDIT_TITLES)),
        )
        .options(selectinload(AuditEntry.actor))
        .order_by(AuditEntry.at.desc())
        .limit(limit)
    )
    events = []
    for entry in rows:
        fields = [str(FIELD_LABELS.get(k, k)) for k in entry.changes or {}]
        detail = "、".join(fields) if entry.action == "update" else entry.summary
        events.append(
            TimelineEvent(
                at=entry.at,
                day=None,
                kind="created" if entry.action == "create" else entry.action,
                title=str(AUDIT_TITLES[entry.action]),
                detail=detail,
                url=url_for("organizations.detail", org_id=org.id),
                actor=entry.actor.name if entry.actor else None,
                record_type="Organization",
                record_id=entry.id,
            )
        )
    return events


def _stage_events(org, viewer, limit):
    rows = db.session.scalars(
        select(StageChange)
        .where(StageChange.organization_id == org.id)
        .options(selectinload(StageChange.actor))
        .order_by(StageChange.changed_at.desc())
        .limit(limit)
    )
    events = []
    for change in rows:
        if change.from_stage is None:
            title = _l(
                "Stage: %(to)s", to=change.to_label or stage_label(change.to_stage)
            )
        else:
            title = _l(
                "Stage: %(from)s → %(to)s",
                **{"from": change.from_label, "to": change.to_label},
            )
        events.append(
            TimelineEvent(
                at=change.changed_at,
                day=None,
                kind="stage",
                title=str(title),
                detail=change.reason,
                url=url_for("organizations.detail", org_id=org.id, _anchor="stages"),
                actor=change.actor.name if change.actor else None,
                record_type="StageChange",
                record_id=change.id,
            )
        )
    return events


def _assessment_events(org, viewer, limit):
    rows = db.session.scalars(
        select(Assessment)
        .where(Assessment.organization_id == org.id)
        .options(selectinload(Assessment.assessor))
        .order_by(Assessment.assessed_on.desc(), Assessment.id.desc())
        .limit(limit)
    )
    return [
        TimelineEvent(
            at=dated_moment(a.assessed_on, a.created_at),
            day=a.assessed_on,
            kind="assessment",
            title=str(_l("Capacity assessment, average %(avg)s", avg=a.average)),
            detail=a.notes,
            url=url_for("organizations.assessment", org_id=org.id, assessment_id=a.id),
            actor=a.assessor.name if a.assessor else None,
            record_type="Assessment",
            record_id=a.id,
        )
        for a in rows
    ]


def _note_events(org, viewer, limit):
    if viewer.role not in STAFF_ROLES:
        return []  # case notes are for admins and social workers only
    rows = db.session.scalars(
        select(CaseNote)
        .where(CaseNote.organization_id == org.id)
        .options(selectinload(CaseNote.author))
        .order_by(CaseNote.noted_on.desc(), CaseNote.id.desc())
        .limit(limit)
    )
    return [
        TimelineEvent(
            at=dated_moment(n.noted_on, n.created_at),
            day=n.noted_on,
            kind="note",
            title=str(_l("Case note (%(kind)s)", kind=n.contact_kind_label)),
            detail=n.body,
            url=url_for("organizations.detail", org_id=org.id, _anchor=f"note-{n.id}"),
            actor=n.author.name if n.author else None,
            record_type="CaseNote",
            record_id=n.id,
        )
        for n in rows
    ]


# ---- this feature's own events on its timeline (orders: see incubator.signals) ----


def _profile_count(org, viewer):
    return _count(
        AuditEntry,
        AuditEntry.entity_type == "Organization",
        AuditEntry.entity_id == org.id,
        AuditEntry.action.in_(tuple(AUDIT_TITLES)),
    )


def _stage_count(org, viewer):
    return _count(StageChange, StageChange.organization_id == org.id)


def _assessment_count(org, viewer):
    return _count(Assessment, Assessment.organization_id == org.id)


def _note_count(org, viewer):
    if viewer.role not in STAFF_ROLES:
        return 0
    return _count(CaseNote, CaseNote.organization_id == org.id)


timeline_source(10, _profile_events, _profile_count)
timeline_source(20, _stage_events, _stage_count)
timeline_source(30, _assessment_events, _assessment_count)
timeline_source(40, _note_events, _note_count)
