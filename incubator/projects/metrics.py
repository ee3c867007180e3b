"""The one set of counting functions every figure comes from (monthly report,
annual summary, indicator progress, dashboards, the API and the reminders), so
they agree to the fen and the person-time.

Each works on a period [start, end) of calendar days in the project's time zone
and is an aggregate in the database: a fixed number of queries whatever the
number of rows. Only approved (reviewed) activities count.

Each takes ``communities``: the ids of the communities to count (``None``: all
of them), matched on the counted record's own ``community_id`` (the community
it belonged to when it was made, so an organization that moves to another
community moves its future figures, never its past ones; organizations
themselves by their current one). The ``*_per_community`` functions give the
same figure for each community in one ``GROUP BY`` query, so the rows add up
exactly to the total -- except people served (distinct residents): a resident
signed in to records of two communities counts once in each and once overall.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime, time
from decimal import Decimal
from enum import StrEnum
from typing import Any, NamedTuple

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    exists,
    false,
    func,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.orm import InstrumentedAttribute

from incubator.activities.models import (
    Activity,
    Form,
    ResourceLink,
    ReviewState,
    ServiceType,
    TargetGroup,
)
from incubator.bookings.models import Booking, BookingState
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
from incubator.signins.models import SignIn
from incubator.ventures.models import Venture
from incubator.volunteers.models import ServiceRecord

Period = tuple[date, date]
# The communities a figure counts (their ids), or None for every community.
Communities = frozenset[int] | None

# The stages at or past 孵化 (incubating) on the line: "incubated" means an
# organization was in one of them at some time in the period.
INCUBATED = ("incubating", "cultivating", "self_governing", "graduated")


def moment(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=local_zone())


def within(column, communities: Communities) -> ColumnElement[bool]:
    """True for a ``community_id`` in ``communities`` (always, for None)."""
    if communities is None:
        return true()
    if not communities:
        return false()
    return column.in_(sorted(communities))


def _one(stmt: Select, column, communities: Communities):
    return db.session.scalar(stmt.where(within(column, communities)))


def _grouped(stmt: Select, column, communities: Communities) -> dict[int, Any]:
    """``{community_id: value}`` of the one-aggregate ``stmt``, per community of
    ``column`` (communities with nothing to count are absent)."""
    rows = db.session.execute(
        stmt.add_columns(column).where(within(column, communities)).group_by(column)
    ).all()
    return {community_id: value for value, community_id in rows}


def _approved(period: Period):
    start, end = period
    return (
        Activity.review_state == ReviewState.APPROVED,
        Activity.held_on >= start,
        Activity.held_on < end,
    )


def _activities_stmt(period: Period, form: str | None = None) -> Select:
    stmt = select(func.count(Activity.id)).where(*_approved(period))
    if form:
        stmt = stmt.where(Activity.form == form)
    return stmt


def activities(
    period: Period, form: str | None = None, communities: Communities = None
) -> int:
    return int(_one(_activities_stmt(period, form), Activity.community_id, communities))


def activities_per_community(
    period: Period, communities: Communities = None
) -> dict[int, int]:
    rows = _grouped(_activities_stmt(period), Activity.community_id, communities)
    return {k: int(v) for k, v in rows.items()}


def group_activities(period: Period, communities: Communities = None) -> int:
    return activities(period, Form.GROUP, communities)


def community_activities(period: Period, communities: Communities = None) -> int:
    return activities(period, Form.COMMUNITY, communities)


def service_sessions(period: Period, communities: Communities = None) -> int:
    """Approved activities of the centre's 13 service types (every type is one)."""
    stmt = select(func.count(Activity.id)).where(
        *_approved(period),
        Activity.service_type.in_([t.value for t in ServiceType]),
    )
    return int(_one(stmt, Activity.community_id, communities))


def _person_times_stmt(period: Period) -> Select:
    return select(func.coalesce(func.sum(Activity.person_times), 0)).where(
        *_approved(period)
    )


def person_times(period: Period, communities: Communities = None) -> int:
    return int(_one(_person_times_stmt(period), Activity.community_id, communities))


def person_times_per_community(
    period: Period, communities: Communities = None
) -> dict[int, int]:
    rows = _grouped(_person_times_stmt(period), Activity.community_id, communities)
    return {k: int(v or 0) for k, v in rows.items()}


def _breakdown(
    period: Period,
    column: InstrumentedAttribute[str],
    keys: Iterable[StrEnum],
    communities: Communities = None,
) -> dict[str, int]:
    rows: dict[str, int] = dict(
        db.session.execute(
            select(column, func.count(Activity.id))
            .where(*_approved(period), within(Activity.community_id, communities))
            .group_by(column)
        ).all()
    )
    return {k.value: int(rows.get(k.value, 0)) for k in keys}


def _breakdown_per_community(
    period: Period,
    column: InstrumentedAttribute[str],
    keys: Iterable[StrEnum],
    communities: Communities = None,
) -> dict[int, dict[str, int]]:
    counted: dict[int, dict[str, int]] = {}
    for community_id, key, n in db.session.execute(
        select(Activity.community_id, column, func.count(Activity.id))
        .where(*_approved(period), within(Activity.community_id, communities))
        .group_by(Activity.community_id, column)
    ):
        counted.setdefault(community_id, {})[key] = int(n)
    return {
        community_id: {k.value: int(rows.get(k.value, 0)) for k in keys}
        for community_id, rows in counted.items()
    }


def by_form(period: Period, communities: Communities = None) -> dict[str, int]:
    return _breakdown(period, Activity.form, Form, communities)


def by_service_type(period: Period, communities: Communities = None) -> dict[str, int]:
    return _breakdown(period, Activity.service_type, ServiceType, communities)


def by_target_group(period: Period, communities: Communities = None) -> dict[str, int]:
    return _breakdown(period, Activity.target_group, TargetGroup, communities)


def by_form_per_community(
    period: Period, communities: Communities = None
) -> dict[int, dict[str, int]]:
    return _breakdown_per_community(period, Activity.form, Form, communities)


def by_service_type_per_community(
    period: Period, communities: Communities = None
) -> dict[int, dict[str, int]]:
    return _breakdown_per_community(
        period, Activity.service_type, ServiceType, communities
    )


def by_target_group_per_community(
    period: Period, communities: Communities = None
) -> dict[int, dict[str, int]]:
    return _breakdown_per_community(
        period, Activity.target_group, TargetGroup, communities
    )


def _tenths(total) -> Decimal:
    return (Decimal(int(total or 0)) / 10).quantize(Decimal("0.1"))


def _volunteer_hours_stmt(period: Period) -> Select:
    start, end = period
    return select(
        func.coalesce(func.sum(func.round(ServiceRecord.hours * 10)), 0)
    ).where(
        ServiceRecord.superseded.is_(False),
        ServiceRecord.served_on >= start,
        ServiceRecord.served_on < end,
    )


def volunteer_hours(period: Period, communities: Communities = None) -> Decimal:
    """Service hours served in the period (corrections replace what they
    correct), from the volunteers' service records."""
    return _tenths(
        _one(_volunteer_hours_stmt(period), ServiceRecord.community_id, communities)
    )


def volunteer_hours_per_community(
    period: Period, communities: Communities = None
) -> dict[int, Decimal]:
    rows = _grouped(
        _volunteer_hours_stmt(period), ServiceRecord.community_id, communities
    )
    return {k: _tenths(v) for k, v in rows.items()}


def _resources_stmt(period: Period) -> Select:
    start, end = period
    return (
        select(fen_sum(ResourceLink.value))
        .select_from(ResourceLink)
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


def resources_value(period: Period, communities: Communities = None) -> Decimal:
    """The ledger's values received in the period; a line tied to an activity
    counts only once the activity is reviewed."""
    return from_fen(
        _one(_resources_stmt(period), ResourceLink.community_id, communities)
    )


def resources_value_per_community(
    period: Period, communities: Communities = None
) -> dict[int, Decimal]:
    rows = _grouped(_resources_stmt(period), ResourceLink.community_id, communities)
    return {k: from_fen(v) for k, v in rows.items()}


def _organizations_new_stmt(period: Period) -> Select:
    start, end = period
    return select(func.count(Organization.id)).where(
        Organization.created_at >= moment(start),
        Organization.created_at < moment(end),
    )


def organizations_new(period: Period, communities: Communities = None) -> int:
    return int(
        _one(_organizations_new_stmt(period), Organization.community_id, communities)
    )


def organizations_new_per_community(
    period: Period, communities: Communities = None
) -> dict[int, int]:
    rows = _grouped(
        _organizations_new_stmt(period), Organization.community_id, communities
    )
    return {k: int(v) for k, v in rows.items()}


def _stage_moves_stmt(period: Period) -> Select:
    start, end = period
    return select(func.count(StageChange.id)).where(
        StageChange.from_stage.is_not(None),
        StageChange.changed_at >= moment(start),
        StageChange.changed_at < moment(end),
    )


def stage_moves(period: Period, communities: Communities = None) -> int:
    return int(_one(_stage_moves_stmt(period), StageChange.community_id, communities))


def stage_moves_per_community(
    period: Period, communities: Communities = None
) -> dict[int, int]:
    rows = _grouped(_stage_moves_stmt(period), StageChange.community_id, communities)
    return {k: int(v) for k, v in rows.items()}


def stages_from(first: str) -> tuple[str, ...]:
    """The configured stages on the line at or after ``first`` (an admin may add
    or reorder stages)."""
    line = [s for s in all_stages() if s.on_line]
    anchor = next((s.position for s in line if s.key == first), None)
    if anchor is None:
        return INCUBATED
    return tuple(s.key for s in line if s.position >= anchor)


def orgs_incubated(
    period: Period,
    stages: tuple[str, ...] | None = None,
    communities: Communities = None,
) -> int:
    """Distinct organizations at 孵化 or later at any time in the period: those
    that were there when it began, and those that moved there during it (not
    those archived before the period began). Each in the community of the stage
    change that put it there."""
    stages = stages or stages_from("incubating")
    start, end = period
    latest_before = (
        select(
            StageChange.organization_id.label("org_id"),
            StageChange.to_stage.label("stage"),
            StageChange.community_id.label("community_id"),
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
        latest_before.c.rank == 1,
        latest_before.c.stage.in_(stages),
        within(latest_before.c.community_id, communities),
    )
    moved_in = select(StageChange.organization_id).where(
        StageChange.to_stage.in_(stages),
        StageChange.changed_at >= moment(start),
        StageChange.changed_at < moment(end),
        within(StageChange.community_id, communities),
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


def ventures_supported(period: Period, communities: Communities = None) -> int:
    """Ventures approved (立项) in the period, whatever became of them after."""
    start, end = period
    stmt = select(func.count(Venture.id)).where(
        Venture.approved_amount.is_not(None),
        Venture.decided_on >= start,
        Venture.decided_on < end,
    )
    return int(_one(stmt, Venture.community_id, communities))


def _held(period: Period):
    start, end = period
    return (
        TrainingSession.state == SessionState.HELD,
        TrainingSession.starts_at >= moment(start),
        TrainingSession.starts_at < moment(end),
    )


def _sessions_stmt(period: Period) -> Select:
    return select(func.count(TrainingSession.id)).where(*_held(period))


def capacity_sessions(period: Period, communities: Communities = None) -> int:
    return int(_one(_sessions_stmt(period), TrainingSession.community_id, communities))


def capacity_sessions_per_community(
    period: Period, communities: Communities = None
) -> dict[int, int]:
    rows = _grouped(_sessions_stmt(period), TrainingSession.community_id, communities)
    return {k: int(v) for k, v in rows.items()}


def _attendee_stmts(period: Period) -> tuple[Select, Select]:
    invited = (
        select(func.coalesce(func.sum(SessionInvite.attendees), 0))
        .select_from(SessionInvite)
        .join(TrainingSession, TrainingSession.id == SessionInvite.session_id)
        .where(*_held(period))
    )
    walk_ins = select(func.coalesce(func.sum(TrainingSession.walk_ins), 0)).where(
        *_held(period)
    )
    return invited, walk_ins


def session_attendees(period: Period, communities: Communities = None) -> int:
    invited, walk_ins = _attendee_stmts(period)
    column = TrainingSession.community_id
    return int(_one(invited, column, communities) or 0) + int(
        _one(walk_ins, column, communities) or 0
    )


def session_attendees_per_community(
    period: Period, communities: Communities = None
) -> dict[int, int]:
    invited, walk_ins = _attendee_stmts(period)
    column = TrainingSession.community_id
    result: dict[int, int] = {}
    for stmt in (invited, walk_ins):
        for k, v in _grouped(stmt, column, communities).items():
            result[k] = result.get(k, 0) + int(v or 0)
    return result


def _followups_done_stmt(period: Period) -> Select:
    start, end = period
    return select(func.count(FollowUp.id)).where(
        FollowUp.state == FollowUpState.DONE,
        FollowUp.done_on >= start,
        FollowUp.done_on < end,
    )


def followups_done(period: Period, communities: Communities = None) -> int:
    return int(_one(_followups_done_stmt(period), FollowUp.community_id, communities))


def followups_done_per_community(
    period: Period, communities: Communities = None
) -> dict[int, int]:
    rows = _grouped(_followups_done_stmt(period), FollowUp.community_id, communities)
    return {k: int(v) for k, v in rows.items()}


def _followups_overdue_stmt(period: Period) -> Select:
    _start, end = period
    cutoff = min(end, local_today())
    return select(func.count(FollowUp.id)).where(
        overdue(FollowUp.due_on, cutoff),
        or_(
            FollowUp.state == FollowUpState.OPEN,
            and_(
                FollowUp.state == FollowUpState.DONE,
                FollowUp.done_on >= cutoff,
            ),
        ),
    )


def followups_overdue(period: Period, communities: Communities = None) -> int:
    """Follow-ups overdue when the period ended (or today, for the current one):
    due before then and not done by then."""
    return int(
        _one(_followups_overdue_stmt(period), FollowUp.community_id, communities)
    )


def followups_overdue_per_community(
    period: Period, communities: Communities = None
) -> dict[int, int]:
    rows = _grouped(_followups_overdue_stmt(period), FollowUp.community_id, communities)
    return {k: int(v) for k, v in rows.items()}


# ---- people served (服务人数) and space use (使用空间场次) ----


def _used() -> tuple[ColumnElement[bool], ...]:
    """A used booking: confirmed and recorded as held (``Booking.used``)."""
    return (Booking.state == BookingState.CONFIRMED, Booking.held.is_(True))


def _used_bookings(period: Period) -> tuple[ColumnElement[bool], ...]:
    start, end = period
    return (*_used(), Booking.held_on >= start, Booking.held_on < end)


def _signed_in(period: Period, communities: Communities):
    """(community_id, resident_id) of the sign-ins to approved activities, held
    capacity sessions and used bookings of the period, of ``communities`` (by
    the sign-in's own community): each kind of record joined to its sign-ins,
    so only the period's records are read (not every sign-in ever made)."""
    of = (SignIn.community_id.label("community_id"), SignIn.resident_id)
    scoped = within(SignIn.community_id, communities)
    # A sign-in's community is its record's, copied when it is made (and a
    # record keeps its community): the record's is tested too, so that one
    # community's figures start from its own records' index.
    return union_all(
        select(*of)
        .join(Activity, Activity.id == SignIn.activity_id)
        .where(*_approved(period), scoped, within(Activity.community_id, communities)),
        select(*of)
        .join(TrainingSession, TrainingSession.id == SignIn.session_id)
        .where(
            *_held(period),
            scoped,
            within(TrainingSession.community_id, communities),
        ),
        select(*of)
        .join(Booking, Booking.id == SignIn.booking_id)
        .where(
            *_used_bookings(period), scoped, within(Booking.community_id, communities)
        ),
    ).subquery()


def _people_served_stmt(period: Period, communities: Communities) -> Select:
    """Distinct residents signed in (see ``people_served``)."""
    signed = _signed_in(period, communities)
    return select(func.count(func.distinct(signed.c.resident_id)))


def people_served(period: Period, communities: Communities = None) -> int:
    """服务人数: distinct residents signed in to approved activities, held
    capacity-building sessions and used bookings of the period (signing in to
    ten activities is one person; an erased resident still counts). Matched on
    the sign-in's ``community_id`` (its record's): a resident signed in to
    records of two communities counts once in each and once here, so
    ``people_served_per_community`` does not add up to this."""
    return int(db.session.scalar(_people_served_stmt(period, communities)) or 0)


def people_served_per_community(
    period: Period, communities: Communities = None
) -> dict[int, int]:
    """People served in each community (see ``people_served``: the rows may add
    up to more than the total, never to less)."""
    signed = _signed_in(period, communities)
    rows = db.session.execute(
        select(
            signed.c.community_id, func.count(func.distinct(signed.c.resident_id))
        ).group_by(signed.c.community_id)
    )
    return {k: int(v) for k, v in rows}


def _centre_activities(period: Period) -> tuple[ColumnElement[bool], ...]:
    """Approved activities held in a centre room that no used booking links
    (a linked one is counted through its booking, once)."""
    linked = exists().where(Booking.activity_id == Activity.id, *_used())
    return (*_approved(period), Activity.room_id.is_not(None), ~linked)


class Space(NamedTuple):
    """The centre's use in a period: ``uses`` (使用空间场次) and ``people``
    there (see ``space_uses`` and ``space_people``)."""

    uses: int
    people: int


def _space_stmts(period: Period) -> tuple[tuple[Select, Any], ...]:
    """(uses, people) of the used bookings and of the unlinked centre
    activities, each with the community column it is scoped by."""
    return (
        (
            select(
                func.count(Booking.id),
                func.coalesce(func.sum(func.coalesce(Booking.people, 0)), 0),
            ).where(*_used_bookings(period)),
            Booking.community_id,
        ),
        (
            select(
                func.count(Activity.id),
                func.coalesce(func.sum(Activity.person_times), 0),
            ).where(*_centre_activities(period)),
            Activity.community_id,
        ),
    )


def _space_columns(period: Period, communities: Communities) -> list:
    """The four scalar subqueries of ``space``: uses and people of the used
    bookings, then of the unlinked centre activities."""
    columns = []
    for stmt, column in _space_stmts(period):
        scoped = stmt.where(within(column, communities))
        for one in scoped.selected_columns:
            columns.append(scoped.with_only_columns(one).scalar_subquery())
    return columns


def _space_of(values) -> Space:
    used_n, used_p, centre_n, centre_p = (int(v or 0) for v in values)
    return Space(used_n + centre_n, used_p + centre_p)


def space(period: Period, communities: Communities = None) -> Space:
    """Uses and people of the centre in one query (what ``space_uses`` and
    ``space_people`` give one at a time)."""
    return _space_of(
        db.session.execute(select(*_space_columns(period, communities))).one()
    )


def people_and_space(
    period: Period, communities: Communities = None
) -> tuple[int, Space]:
    """``people_served`` and ``space`` together, in one query (for pages with a
    tight query budget)."""
    people = _people_served_stmt(period, communities).scalar_subquery()
    row = db.session.execute(select(people, *_space_columns(period, communities))).one()
    return int(row[0] or 0), _space_of(row[1:])


def space_per_community(
    period: Period, communities: Communities = None
) -> dict[int, Space]:
    """``space`` for each community with a use, in two ``GROUP BY`` queries (the
    rows add up to the total)."""
    result: dict[int, Space] = {}
    for stmt, column in _space_stmts(period):
        for n, p, community_id in db.session.execute(
            stmt.add_columns(column).where(within(column, communities)).group_by(column)
        ):
            had = result.get(community_id, Space(0, 0))
            result[community_id] = Space(
                had.uses + int(n or 0), had.people + int(p or 0)
            )
    return result


def space_uses(period: Period, communities: Communities = None) -> int:
    """使用空间场次: used bookings of the centre's rooms in the period
    (confirmed and recorded as held; a capacity session held in a room comes
    through its own booking) plus approved activities held in a centre room
    that no used booking links, each once."""
    return space(period, communities).uses


def space_uses_per_community(
    period: Period, communities: Communities = None
) -> dict[int, int]:
    return {k: v.uses for k, v in space_per_community(period, communities).items()}


def space_people(period: Period, communities: Communities = None) -> int:
    """People at the centre: the people recorded on the used bookings plus the
    person-times of the centre activities no used booking links (the same
    uses ``space_uses`` counts)."""
    return space(period, communities).people


def space_people_per_community(
    period: Period, communities: Communities = None
) -> dict[int, int]:
    return {k: v.people for k, v in space_per_community(period, communities).items()}


def _incubated(period: Period, communities: Communities = None) -> int:
    return orgs_incubated(period, None, communities)


# The indicator metrics of API.md and how each is counted.
METRICS: dict[str, Callable[[Period, Communities], int | Decimal]] = {
    "orgs_incubated": _incubated,
    "ventures_supported": ventures_supported,
    "group_activities": group_activities,
    "community_activities": community_activities,
    "person_times": person_times,
    "service_sessions": service_sessions,
    "resources_value": resources_value,
    "volunteer_hours": volunteer_hours,
    "capacity_sessions": capacity_sessions,
    "followups_done": followups_done,
    "people_served": people_served,
    "space_uses": space_uses,
    "space_people": space_people,
}
MONEY_METRICS = frozenset({"resources_value"})
HOURS_METRICS = frozenset({"volunteer_hours"})


def monthly_trend(
    period: Period, communities: Communities = None
) -> list[tuple[str, int, int]]:
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
            .where(*_approved(period), within(Activity.community_id, communities))
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


def by_compound(
    period: Period, communities: Communities = None
) -> list[tuple[str, int, int]]:
    """[(compound name or "", activities, person-times)], largest first.
    Counted per compound from the activities' index first, then named (two
    compounds of one name are one row)."""
    per_compound = (
        select(
            Activity.compound_id.label("compound_id"),
            func.count(Activity.id).label("n"),
            func.coalesce(func.sum(Activity.person_times), 0).label("people"),
        )
        .where(*_approved(period), within(Activity.community_id, communities))
        .group_by(Activity.compound_id)
        .subquery()
    )
    n = func.sum(per_compound.c.n)
    rows = db.session.execute(
        select(func.coalesce(Compound.name, ""), n, func.sum(per_compound.c.people))
        .select_from(per_compound)
        .outerjoin(Compound, Compound.id == per_compound.c.compound_id)
        .group_by(Compound.name)
        .order_by(n.desc())
    ).all()
    return [(name, int(n), int(p)) for name, n, p in rows]


def organizations_by_stage(communities: Communities = None) -> dict[str, int]:
    """Organizations (not archived) per stage now, for the funnel."""
    return dict(
        db.session.execute(
            select(Organization.stage, func.count(Organization.id))
            .where(
                Organization.archived_at.is_(None),
                within(Organization.community_id, communities),
            )
            .group_by(Organization.stage)
        ).all()
    )


def orgs_cultivated(period: Period, communities: Communities = None) -> int:
    """Distinct organizations at 培育 or later at any time in the period."""
    return orgs_incubated(period, stages_from("cultivating"), communities)


# The conditions the figures share, for ``projects.tallies`` (the same figures
# counted in one pass per table): approved activities, held capacity sessions,
# used bookings, and centre activities no used booking links, of a period.
approved_in = _approved
held_in = _held
used_bookings_in = _used_bookings
centre_activities_in = _centre_activities
