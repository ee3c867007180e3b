"""My caseload (我的个案): a social worker's organizations with where each stands and
when someone last heard from it.

"Last contact" and "last activity" come from the features' answers to
``incubator.signals.caseload_last_contact`` and ``caseload_last_activity``
(``{org_id: date}``), each for many organizations in one query. Features also flag
what needs attention (e.g. overdue plan actions) by answering
``signals.caseload_flags`` with ``(order, {org_id: "2 plan actions overdue"})``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select

from incubator import signals
from incubator.extensions import db
from incubator.i18n import local_date, local_today
from incubator.organizations.models import CaseNote, Organization
from incubator.periods import months_between

SILENT_DAYS = 60


def _last_case_note(org_ids: list[int]) -> dict[int, date]:
    rows = db.session.execute(
        select(CaseNote.organization_id, func.max(CaseNote.noted_on))
        .where(CaseNote.organization_id.in_(org_ids))
        .group_by(CaseNote.organization_id)
    )
    return {org_id: day for org_id, day in rows}


def _latest(answers: list[dict[int, date]]) -> dict[int, date]:
    latest: dict[int, date] = {}
    for answer in answers:
        for org_id, day in answer.items():
            if day is not None and (org_id not in latest or day > latest[org_id]):
                latest[org_id] = day
    return latest


@signals.caseload_last_contact.connect
def _case_notes_contact(_sender, *, org_ids: list[int]) -> dict[int, date]:
    return _last_case_note(org_ids)


@dataclass(frozen=True)
class CaseloadRow:
    org: Organization
    months_in_stage: int
    last_contact: date | None
    last_activity: date | None
    silent: bool
    flags: tuple[str, ...] = ()


def caseload_rows(orgs: Sequence[Organization]) -> list[CaseloadRow]:
    """Rows for ``orgs``: one query per answering feature, whatever their number."""
    ids = [o.id for o in orgs]
    contacts: dict[int, date] = {}
    activities: dict[int, date] = {}
    flags: dict[int, list[str]] = {}
    if ids:
        contact_answers = signals.caseload_last_contact.send(org_ids=ids)
        activity_answers = signals.caseload_last_activity.send(org_ids=ids)
        contacts = _latest(signals.values(contact_answers))
        activities = _latest(signals.values(activity_answers))
        for answer in signals.ordered(signals.caseload_flags.send(org_ids=ids)):
            for org_id, text in answer.items():
                flags.setdefault(org_id, []).append(text)
    today = local_today()
    cutoff = today - timedelta(days=SILENT_DAYS)
    rows = []
    for org in orgs:
        contact, activity = contacts.get(org.id), activities.get(org.id)
        heard = max(
            (d for d in (contact, activity, local_date(org.created_at)) if d),
            default=None,
        )
        rows.append(
            CaseloadRow(
                org=org,
                months_in_stage=months_between(local_date(org.stage_since), today),
                last_contact=contact,
                last_activity=activity,
                silent=heard is None or heard < cutoff,
                flags=tuple(flags.get(org.id, ())),
            )
        )
    return rows
