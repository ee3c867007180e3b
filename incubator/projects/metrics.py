"""The one set of counting functions every figure comes from (monthly report,
annual summary, indicator progress, dashboards, the API and the reminders), so
they agree to the fen and the person-time.

Each works on a period [start, end) of calendar days in the project's time zone
and is an aggregate in the database: a fixed number of queries whatever the
number of rows. Only approved (reviewed) activities count.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime, time
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute

from incubator.activities.models import (
    Activity,
    Form,
    ResourceLink,
    ReviewState,
    ServiceType,
    TargetGroup,
)
from incubator.community.models import Compound
from incubator.deadlines import overdue
from incubator.extensions import db
from incubator.followups.models import FollowUp, FollowUpState
from incubator.i18n import local_today, local_zone
from incubator.money import fen_sum, from_fen
from incubator.organizations.incubation import all_stages
from incubator.organizations.models import Organization, StageChange
from incubator.periods import add_months, month_key
from incubator.sessions.models import SessionInvite, SessionState, TrainingSession
from incubator.ventures.models import Venture
from incubator.volunteers.models import ServiceRecord

Period = tuple[date, date]

# The stages at or past 孵化 (incubating) on the line: "incubated" means an
# organization was in one of them at some time in the period.
INCUBATED = ("incubating", "cultivating", "self_governing", "graduated")


def moment(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=local_zone())


def _approved(period: Period):
    start, end = period
    return (
        Activity.review_state == ReviewState.APPROVED,
        Activity.held_on >= start,
        Activity.held_on < end,
    )


def activities(period: Period, form: str | None = None) -> int:
    stmt = select(func.count(Activity.id)).where(*_approved(period))
    if form:
        stmt = stmt.where(Activity.form == form)
    return int(db.session.scalars(stmt).one())


def group_activities(period: Period) -> int:
    return activities(period, Form.GROUP)


def community_activities(period: Period) -> int:
    return activities(period, Form.COMMUNITY)


def service_sessions(period: Period) -> int:
    """Approved activities of the centre's 13 service types (every type is one)."""
    return int(
        db.session.scalars(
            select(func.count(Activity.id)).where(
                *_approved(period),
                Activity.service_type.in_([t.value for t in ServiceType]),
            )
        ).one()
    )


def person_times(period: Period) -> int:
    return int(
        db.session.scalars(
            select(func.coalesce(func.sum(Activity.person_times), 0)).where(
                *_approved(period)
            )
        ).one()
    )


def _breakdown(
    period: Period, column: InstrumentedAttribute[str], keys: Iterable[StrEnum]
) -> dict[str, int]:
    rows: dict[str, int] = dict(
        db.session.execute(
            select(column, func.count(Activity.id))
            .where(*_approved(period))
            .group_by(column)
        ).all()
    )
    return {k.value: int(rows.get(k.value, 0)) for k in keys}


def by_form(period: Period) -> dict[str, int]:
    return _breakdown(period, Activity.form, Form)


def by_service_type(period: Period) -> dict[str, int]:
    return _breakdown(period, Activity.service_type, ServiceType)


def by_target_group(period: Period) -> dict[str, int]:
    return _breakdown(period, Activity.target_group, TargetGroup)


def volunteer_hours(period: Period) -> Decimal:
    """Service hours served in the period (corrections replace what they
    correct), from the volunteers' service records."""
    start, end = period
    total = db.session.scalar(
        select(func.coalesce(func.sum(func.round(ServiceRecord.hours * 10)), 0)).where(
            ServiceRecord.superseded.is_(False),
            ServiceRecord.served_on >= start,
            ServiceRecord.served_on < end,
        )
    )
    return (Decimal(int(total or 0)) / 10).quantize(Decimal("0.1"))


def resources_value(period: Period) -> Decimal:
    """The ledger's values received in the period; a line tied to an activity
    counts only once the activity is reviewed."""
    start, end = period
    return from_fen(
        db.session.scalar(
            select(fen_sum(ResourceLink.value))
            .outerjoin(Activity, Activity.id == ResourceLink.activity_id)
            .where(
                ResourceLink.received_on >= start,
                ResourceLink.received_on < end,
                or_(
                    ResourceLink.activity_id.is_(None),
                    Activity.review_state == ReviewState.APPROVED,
                ),
            )
        )
    )


def organizations_new(period: Period) -> int:
    start, end = period
    return int(
        db.session.scalars(
            select(func.count(Organization.id)).where(
                Organization.created_at >= moment(start),
                Organization.created_at < moment(end),
            )
        ).one()
    )


def stage_moves(period: Period) -> int:
    start, end = period
    return int(
        db.session.scalars(
            select(func.count(StageChange.id)).where(
                StageChange.from_stage.is_not(None),
                StageChange.changed_at >= moment(start),
                StageChange.changed_at < moment(end),
            )
        ).one()
    )


def stages_from(first: str) -> tuple[str, ...]:
    """The configured stages on the line at or after ``first`` (an admin may add
    or reorder stages)."""
    line = [s for s in all_stages() if s.on_line]
    anchor = next((s.position for s in line if s.key == first), None)
    if anchor is None:
        return INCUBATED
    return tuple(s.key for s in line if s.position >= anchor)


def orgs_incubated(period: Period, stages: tuple[str, ...] | None = None) -> int:
    """Distinct organizations at 孵化 or later at any time in the period: those
    that were there when it began, and those that moved there during it (not
    those archived before the period began)."""
    stages = stages or stages_from("incubating")
    start, end = period
    latest_before = (
        select(
            StageChange.organization_id.label("org_id"),
            StageChange.to_stage.label("stage"),
            func.row_number()
            .over(
                partition_by=StageChange.organization_id,
                order_by=(StageChange.changed_at.desc(), StageChange.id.desc()),
            )
            .label("rank"),
        )
        .where(StageChange.changed_at < moment(start))
        .subquery()
    )
    at_start = select(latest_before.c.org_id).where(
        latest_before.c.rank == 1, latest_before.c.stage.in_(stages)
    )
    moved_in = select(StageChange.organization_id).where(
        StageChange.to_stage.in_(stages),
        StageChange.changed_at >= moment(start),
        StageChange.changed_at < moment(end),
    )
    both = at_start.union(moved_in).subquery()
    return int(
        db.session.scalars(
            select(func.count())
            .select_from(both)
            .join(Organization, Organization.id == both.c[0])
            .where(
                or_(
                    Organization.archived_at.is_(None),
                    Organization.archived_at >= moment(start),
                )
            )
        ).one()
    )


def ventures_supported(period: Period) -> int:
    """Ventures approved (立项) in the period, whatever became of them after."""
    start, end = period
    return int(
        db.session.scalars(
            select(func.count(Venture.id)).where(
                Venture.approved_amount.is_not(None),
                Venture.decided_on >= start,
                Venture.decided_on < end,
            )
        ).one()
    )


def capacity_sessions(period: Period) -> int:
    start, end = period
    return int(
        db.session.scalars(
            select(func.count(TrainingSession.id)).where(
                TrainingSession.state == SessionState.HELD,
                TrainingSession.starts_at >= moment(start),
                TrainingSession.starts_at < moment(end),
            )
        ).one()
    )


def session_attendees(period: Period) -> int:
    start, end = period
    held = (
        TrainingSession.state == SessionState.HELD,
        TrainingSession.starts_at >= moment(start),
        TrainingSession.starts_at < moment(end),
    )
    invited = db.session.scalar(
        select(func.coalesce(func.sum(SessionInvite.attendees), 0))
        .join(TrainingSession, TrainingSession.id == SessionInvite.session_id)
        .where(*held)
    )
    walk_ins = db.session.scalar(
        select(func.coalesce(func.sum(TrainingSession.walk_ins), 0)).where(*held)
    )
    return int(invited or 0) + int(walk_ins or 0)


def followups_done(period: Period) -> int:
    start, end = period
    return int(
        db.session.scalars(
            select(func.count(FollowUp.id)).where(
                FollowUp.state == FollowUpState.DONE,
                FollowUp.done_on >= start,
                FollowUp.done_on < end,
            )
        ).one()
    )


def followups_overdue(period: Period) -> int:
    """Follow-ups overdue when the period ended (or today, for the current one):
    due before then and not done by then."""
    _start, end = period
    cutoff = min(end, local_today())
    return int(
        db.session.scalars(
            select(func.count(FollowUp.id)).where(
                overdue(FollowUp.due_on, cutoff),
                or_(
                    FollowUp.state == FollowUpState.OPEN,
                    and_(
                        FollowUp.state == FollowUpState.DONE,
                        FollowUp.done_on >= cutoff,
                    ),
                ),
            )
        ).one()
    )


# The indicator metrics of API.md and how each is counted.
METRICS: dict[str, Callable[[Period], int | Decimal]] = {
    "orgs_incubated": orgs_incubated,
    "ventures_supported": ventures_supported,
    "group_activities": group_activities,
    "community_activities": community_activities,
    "person_times": person_times,
    "service_sessions": service_sessions,
    "resources_value": resources_value,
    "volunteer_hours": volunteer_hours,
    "capacity_sessions": capacity_sessions,
    "followups_done": followups_done,
}
MONEY_METRICS = frozenset({"resources_value"})
HOURS_METRICS = frozenset({"volunteer_hours"})


def monthly_trend(period: Period) -> list[tuple[str, int, int]]:
    """[(YYYY-MM, activities, person-times)] for every month of the period."""
    year = func.extract("year", Activity.held_on)
    month = func.extract("month", Activity.held_on)
    rows = {
        (int(y), int(m)): (int(n), int(p))
        for y, m, n, p in db.session.execute(
            select(
                year,
                month,
                func.count(Activity.id),
                func.coalesce(func.sum(Activity.person_times), 0),
            )
            .where(*_approved(period))
            .group_by(year, month)
        )
    }
    start, end = period
    result, first = [], start.replace(day=1)
    while first < end:
        n, p = rows.get((first.year, first.month), (0, 0))
        result.append((month_key(first), n, p))
        first = add_months(first, 1)
    return result


def by_compound(period: Period) -> list[tuple[str, int, int]]:
    """[(compound name or "", activities, person-times)], largest first."""
    rows = db.session.execute(
        select(
            func.coalesce(Compound.name, ""),
            func.count(Activity.id),
            func.coalesce(func.sum(Activity.person_times), 0),
        )
        .select_from(Activity)
        .outerjoin(Compound, Compound.id == Activity.compound_id)
        .where(*_approved(period))
        .group_by(Compound.name)
        .order_by(func.count(Activity.id).desc())
    ).all()
    return [(name, int(n), int(p)) for name, n, p in rows]


def organizations_by_stage() -> dict[str, int]:
    """Organizations (not archived) per stage now, for the funnel."""
    return dict(
        db.session.execute(
            select(Organization.stage, func.count(Organization.id))
            .where(Organization.archived_at.is_(None))
            .group_by(Organization.stage)
        ).all()
    )


def orgs_cultivated(period: Period) -> int:
    """Distinct organizations at 培育 or later at any time in the period."""
    return orgs_incubated(period, stages_from("cultivating"))
