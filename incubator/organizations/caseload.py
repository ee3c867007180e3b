"""My caseload (我的个案): a social worker's organizations with where each stands and
when someone last heard from it.

"Last contact" and "last activity" come from sources that features register, each
answering for many organizations in one query::

    register_last_contact_source(lambda org_ids: {org_id: date, ...})
    register_last_activity_source(lambda org_ids: {org_id: date, ...})

Features also flag what needs attention (e.g. overdue plan actions)::

    register_caseload_flag(lambda org_ids: {org_id: "2 plan actions overdue", ...})
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select

from incubator.extensions import db
from incubator.i18n import local_date, local_today
from incubator.organizations.models import CaseNote, Organization
from incubator.periods import months_between

SILENT_DAYS = 60

Source = Callable[[list[int]], dict[int, date]]
LAST_CONTACT_SOURCES: list[Source] = []
LAST_ACTIVITY_SOURCES: list[Source] = []
FlagSource = Callable[[list[int]], dict[int, str]]
FLAG_SOURCES: list[FlagSource] = []


def register_last_contact_source(source: Source) -> Source:
    if source not in LAST_CONTACT_SOURCES:
        LAST_CONTACT_SOURCES.append(source)
    return source


def register_last_activity_source(source: Source) -> Source:
    if source not in LAST_ACTIVITY_SOURCES:
        LAST_ACTIVITY_SOURCES.append(source)
    return source


def register_caseload_flag(source: FlagSource) -> FlagSource:
    if source not in FLAG_SOURCES:
        FLAG_SOURCES.append(source)
    return source


@register_last_contact_source
def _last_case_note(org_ids: list[int]) -> dict[int, date]:
    rows = db.session.execute(
        select(CaseNote.organization_id, func.max(CaseNote.noted_on))
        .where(CaseNote.organization_id.in_(org_ids))
        .group_by(CaseNote.organization_id)
    )
    return {org_id: day for org_id, day in rows}


def _latest(sources: Iterable[Source], org_ids: list[int]) -> dict[int, date]:
    latest: dict[int, date] = {}
    if not org_ids:
        return latest
    for source in sources:
        for org_id, day in source(org_ids).items():
            if day is not None and (org_id not in latest or day > latest[org_id]):
                latest[org_id] = day
    return latest


@dataclass(frozen=True)
class CaseloadRow:
    org: Organization
    months_in_stage: int
    last_contact: date | None
    last_activity: date | None
    silent: bool
    flags: tuple[str, ...] = ()


def caseload_rows(orgs: Sequence[Organization]) -> list[CaseloadRow]:
    """Rows for ``orgs``: one query per registered source, whatever their number."""
    ids = [o.id for o in orgs]
    contacts = _latest(LAST_CONTACT_SOURCES, ids)
    activities = _latest(LAST_ACTIVITY_SOURCES, ids)
    flags: dict[int, list[str]] = {}
    for source in FLAG_SOURCES if ids else ():
        for org_id, text in source(ids).items():
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
