"""Service hours (服务时长) by the national rules for volunteer service records:
actual service time without travel, in steps of half an hour, at most 24 hours a
day for one person. A recorded entry is never edited: a correction is a new entry
that replaces it, with a reason, and both stay in the history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from incubator.audit import services as audit
from incubator.auth.models import User
from incubator.database import serialize_on
from incubator.errors import NotPermitted, RuleViolation
from incubator.extensions import db
from incubator.organizations.models import Organization
from incubator.volunteers.access import may_manage_roster
from incubator.volunteers.models import Membership, ServiceRecord, Volunteer
from incubator.volunteers.schemas import (
    DAY_LIMIT,
    clean_hours,
    clean_reason,
    clean_served_on,
    clean_service,
)

# Star levels by cumulative hours (一星 ... 五星).
STARS = (
    (5, Decimal(1500)),
    (4, Decimal(1000)),
    (3, Decimal(600)),
    (2, Decimal(300)),
    (1, Decimal(100)),
)
STAR_NAMES = {1: "一星", 2: "二星", 3: "三星", 4: "四星", 5: "五星"}
# What a page shows, in the reader's language.
STAR_LABELS = {
    1: _l("One-star"),
    2: _l("Two-star"),
    3: _l("Three-star"),
    4: _l("Four-star"),
    5: _l("Five-star"),
}


def hours_on_day(
    volunteer_id: int, day: date, *, excluding: int | None = None
) -> Decimal:
    query = select(func.coalesce(func.sum(ServiceRecord.hours), 0)).where(
        ServiceRecord.volunteer_id == volunteer_id,
        ServiceRecord.served_on == day,
        ServiceRecord.superseded.is_(False),
    )
    if excluding is not None:
        query = query.where(ServiceRecord.id != excluding)
    return Decimal(db.session.scalars(query).one())


def _check_day(volunteer: Volunteer, day: date, hours: Decimal, *, excluding=None):
    serialize_on(f"hours:{volunteer.id}:{day.isoformat()}")
    already = hours_on_day(volunteer.id, day, excluding=excluding)
    if already + hours > DAY_LIMIT:
        raise RuleViolation(
            _l(
                "Volunteer %(no)s already has %(done)s hours on %(day)s; a day holds "
                "at most 24 hours.",
                no=volunteer.number,
                done=already,
                day=day.isoformat(),
            ),
            field="hours",
        )


def _check_member(volunteer: Volunteer, org: Organization, day: date) -> None:
    """The volunteer was on the organization's roster that day (a membership that
    had not ended by then), and has not been anonymized."""
    if volunteer.anonymized_at is not None:
        raise RuleViolation(_l("An anonymized volunteer gets no new hours."))
    member = db.session.scalar(
        select(Membership.id)
        .where(
            Membership.volunteer_id == volunteer.id,
            Membership.organization_id == org.id,
            (Membership.left_on.is_(None)) | (Membership.left_on >= day),
        )
        .limit(1)
    )
    if member is None:
        raise RuleViolation(
            _l(
                "Volunteer %(no)s is not on the roster of %(org)s; add them first.",
                no=volunteer.number,
                org=org.name,
            ),
            field="volunteer_id",
        )


def record_service(
    volunteer: Volunteer,
    organization: Organization,
    *,
    actor: User,
    served_on: date,
    hours,
    service: str,
    activity_id: int | None = None,
) -> ServiceRecord:
    """Record hours of service. Raises ``ValidationFailed`` for bad hours or dates,
    ``RuleViolation`` past 24 hours on the day or for a non-member, and
    ``NotPermitted`` when ``actor`` does not manage the organization's roster."""
    if not may_manage_roster(actor, organization):
        raise NotPermitted(_l("You may manage only your own organization's roster."))
    hours = clean_hours(hours)
    served_on = clean_served_on(served_on)
    service = clean_service(service)
    _check_member(volunteer, organization, served_on)
    _check_day(volunteer, served_on, hours)
    entry = ServiceRecord(
        volunteer_id=volunteer.id,
        organization_id=organization.id,
        service=service,
        served_on=served_on,
        hours=hours,
        recorded_by_id=actor.id,
        activity_id=activity_id,
    )
    db.session.add(entry)
    audit.record("create", entry, actor=actor)
    db.session.flush()
    return entry


def correct_service(
    entry: ServiceRecord,
    *,
    actor: User,
    reason: str,
    hours=None,
    served_on: date | None = None,
    service: str | None = None,
) -> ServiceRecord:
    """Replace ``entry`` by a new record (0 hours voids it). The old record stays,
    marked superseded; the new one names it and the reason."""
    if not may_manage_roster(actor, entry.organization):
        raise NotPermitted(_l("You may manage only your own organization's roster."))
    if entry.superseded:
        raise RuleViolation(
            _l("This entry was already corrected; correct the latest entry instead.")
        )
    reason = clean_reason(reason)
    new_hours = clean_hours(entry.hours if hours is None else hours, allow_zero=True)
    day = clean_served_on(served_on or entry.served_on)
    text = clean_service(service if service is not None else entry.service)
    _check_day(entry.volunteer, day, new_hours, excluding=entry.id)
    entry.superseded = True
    correction = ServiceRecord(
        volunteer_id=entry.volunteer_id,
        organization_id=entry.organization_id,
        service=text,
        served_on=day,
        hours=new_hours,
        recorded_by_id=actor.id,
        activity_id=entry.activity_id,
        corrects_id=entry.id,
        correction_reason=reason[:500],
    )
    db.session.add(correction)
    audit.record("correct", correction, actor=actor, summary=reason[:255])
    db.session.flush()
    return correction


# ---- totals ----


def counted():
    """The condition for records that count in totals (not replaced by a
    correction)."""
    return ServiceRecord.superseded.is_(False)


def total_hours(volunteer_ids: list[int]) -> dict[int, Decimal]:
    if not volunteer_ids:
        return {}
    rows = db.session.execute(
        select(ServiceRecord.volunteer_id, func.sum(ServiceRecord.hours))
        .where(ServiceRecord.volunteer_id.in_(volunteer_ids), counted())
        .group_by(ServiceRecord.volunteer_id)
    )
    return {vid: Decimal(total) for vid, total in rows}


def star_level(total: Decimal) -> int:
    for level, threshold in STARS:
        if total >= threshold:
            return level
    return 0


@dataclass(frozen=True)
class StarProgress:
    level: int
    name: str
    next_name: str | None
    hours_to_next: Decimal | None

    @property
    def label(self) -> str:
        """``一星``/``One-star`` (empty below the first star)."""
        return str(STAR_LABELS.get(self.level, ""))

    @property
    def next_label(self) -> str:
        return str(STAR_LABELS[self.level + 1]) if self.level < 5 else ""


def star_progress(total: Decimal) -> StarProgress:
    level = star_level(total)
    thresholds = {lvl: t for lvl, t in STARS}
    if level == 5:
        return StarProgress(5, STAR_NAMES[5], None, None)
    nxt = level + 1
    return StarProgress(
        level, STAR_NAMES.get(level, ""), STAR_NAMES[nxt], thresholds[nxt] - total
    )
