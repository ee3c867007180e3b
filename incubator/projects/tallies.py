"""The figures of a period for each community in one pass per table (issue 18):
what the monthly report and the annual summary show, counted exactly as the
single-figure functions of ``projects.metrics`` count them (the tests compare
both), but with one grouped query per table instead of one query per figure.

Every function returns ``{community_id: value}`` for the communities with
something to count (absent: nothing); the rows add up exactly to the whole
except people served (distinct residents, see ``metrics.people_served``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import and_, case, func, literal, or_, select, union_all

from incubator.activities.models import Activity, ServiceType
from incubator.bookings.models import Booking
from incubator.extensions import db
from incubator.followups.models import FollowUp, FollowUpState
from incubator.i18n import local_today
from incubator.projects.metrics import (
    Communities,
    Period,
    Space,
    approved_in,
    centre_activities_in,
    held_in,
    used_bookings_in,
    within,
)
from incubator.sessions.models import SessionInvite, TrainingSession

SERVICE_TYPES = frozenset(t.value for t in ServiceType)


@dataclass
class ActivityTally:
    """Approved activities of a period in one community: ``total``, their
    ``person_times`` and the count per form, service type and target group
    (keys absent when zero)."""

    total: int = 0
    person_times: int = 0
    by_form: Counter[str] = field(default_factory=Counter)
    by_service_type: Counter[str] = field(default_factory=Counter)
    by_target_group: Counter[str] = field(default_factory=Counter)

    def add(self, other: ActivityTally) -> None:
        self.total += other.total
        self.person_times += other.person_times
        self.by_form.update(other.by_form)
        self.by_service_type.update(other.by_service_type)
        self.by_target_group.update(other.by_target_group)

    @property
    def service_sessions(self) -> int:
        """Activities of the 13 service types (``metrics.service_sessions``)."""
        return sum(n for k, n in self.by_service_type.items() if k in SERVICE_TYPES)


def activity_tallies(
    period: Period, communities: Communities = None
) -> dict[int, ActivityTally]:
    """One query (read from ``ix_activity_figures`` or, for a few communities,
    ``ix_activity_community_figures`` alone): approved activities grouped by
    community, form, service type and target group."""
    result: dict[int, ActivityTally] = {}
    for community_id, form, service, target, n, people in db.session.execute(
        select(
            Activity.community_id,
            Activity.form,
            Activity.service_type,
            Activity.target_group,
            func.count(),
            func.coalesce(func.sum(Activity.person_times), 0),
        )
        .where(*approved_in(period), within(Activity.community_id, communities))
        .group_by(
            Activity.community_id,
            Activity.form,
            Activity.service_type,
            Activity.target_group,
        )
    ):
        tally = result.setdefault(community_id, ActivityTally())
        n, people = int(n), int(people or 0)
        tally.total += n
        tally.person_times += people
        tally.by_form[form] += n
        tally.by_service_type[service] += n
        tally.by_target_group[target] += n
    return result


def followups(
    period: Period, communities: Communities = None
) -> dict[int, tuple[int, int]]:
    """``(done, overdue)`` per community in one query: follow-ups done in the
    period, and those overdue when it ended (``metrics.followups_overdue``)."""
    start, end = period
    cutoff = min(end, local_today())
    done = and_(
        FollowUp.state == FollowUpState.DONE,
        FollowUp.done_on >= start,
        FollowUp.done_on < end,
    )
    late = and_(
        FollowUp.due_on < cutoff,
        or_(
            FollowUp.state == FollowUpState.OPEN,
            and_(FollowUp.state == FollowUpState.DONE, FollowUp.done_on >= cutoff),
        ),
    )
    rows = db.session.execute(
        select(
            FollowUp.community_id,
            func.count(case((done, 1))),
            func.count(case((late, 1))),
        )
        .where(or_(done, late), within(FollowUp.community_id, communities))
        .group_by(FollowUp.community_id)
    )
    return {c: (int(d), int(o)) for c, d, o in rows}


def sessions(
    period: Period, communities: Communities = None
) -> dict[int, tuple[int, int]]:
    """``(held, attendees)`` per community in one query: capacity sessions held
    in the period and their attendees (invited organizations' plus walk-ins)."""
    invited = (
        select(func.coalesce(func.sum(SessionInvite.attendees), 0))
        .where(SessionInvite.session_id == TrainingSession.id)
        .correlate(TrainingSession)
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(
            TrainingSession.community_id,
            func.count(TrainingSession.id),
            func.coalesce(func.sum(TrainingSession.walk_ins), 0),
            func.coalesce(func.sum(invited), 0),
        )
        .where(*held_in(period), within(TrainingSession.community_id, communities))
        .group_by(TrainingSession.community_id)
    )
    return {c: (int(n), int(w or 0) + int(i or 0)) for c, n, w, i in rows}


def space(period: Period, communities: Communities = None) -> dict[int, Space]:
    """``metrics.space`` per community in one query (used bookings and the
    centre activities no used booking links, added up)."""
    both = union_all(
        select(
            Booking.community_id.label("community_id"),
            literal(1).label("n"),
            func.coalesce(Booking.people, 0).label("people"),
        ).where(*used_bookings_in(period), within(Booking.community_id, communities)),
        select(
            Activity.community_id,
            literal(1),
            Activity.person_times,
        ).where(
            *centre_activities_in(period), within(Activity.community_id, communities)
        ),
    ).subquery()
    rows = db.session.execute(
        select(
            both.c.community_id,
            func.count(),
            func.coalesce(func.sum(both.c.people), 0),
        ).group_by(both.c.community_id)
    )
    return {c: Space(int(n), int(p or 0)) for c, n, p in rows}


def activity_months(
    period: Period, communities: Communities = None
) -> dict[tuple[int, int], ActivityTally]:
    """Approved activities of ``communities`` per month ``(year, month)`` of
    ``period``, with their person-times and counts per service type and target
    group (not per form), in one query: what the dashboards' trend and their
    breakdowns of the year count (``metrics.monthly_trend``,
    ``metrics.by_service_type``, ``metrics.by_target_group``)."""
    month = _month_of(Activity.held_on)
    result: dict[tuple[int, int], ActivityTally] = {}
    for key, service, target, n, people in db.session.execute(
        select(
            month,
            Activity.service_type,
            Activity.target_group,
            func.count(),
            func.coalesce(func.sum(Activity.person_times), 0),
        )
        .where(*approved_in(period), within(Activity.community_id, communities))
        .group_by(month, Activity.service_type, Activity.target_group)
    ):
        y, m = str(key).split("-")[:2]
        tally = result.setdefault((int(y), int(m)), ActivityTally())
        n, people = int(n), int(people or 0)
        tally.total += n
        tally.person_times += people
        tally.by_service_type[service] += n
        tally.by_target_group[target] += n
    return result


def _month_of(day_column):
    """``YYYY-MM`` of a date column: SQLite keeps dates as ISO text, where the
    first seven characters are the month (cheaper than ``strftime`` per row)."""
    if db.session.get_bind().dialect.name == "sqlite":
        return func.substr(day_column, 1, 7)
    return func.to_char(day_column, "YYYY-MM")
