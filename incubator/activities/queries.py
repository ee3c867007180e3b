"""Loading activities within what the user may see, and the read model an
activity's page and its API resource share (``ActivityView``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cached_property
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    func,
    literal_column,
    select,
    true,
    union_all,
)
from sqlalchemy.orm import joinedload, selectinload

from incubator.activities.models import (
    Activity,
    ActivityEvent,
    ActivityVolunteer,
    ResourceLink,
    ReviewState,
)
from incubator.activities.services import (
    REVIEW_DECISIONS,
    is_own_log,
    runs_overnight,
)
from incubator.auth.models import User
from incubator.auth.permissions import may_see_residents
from incubator.auth.roles import STAFF_ROLES, Role
from incubator.community.scope import in_scope_of, scope_ids
from incubator.extensions import db
from incubator.organizations.access import org_scope
from incubator.organizations.models import Organization
from incubator.workflow import ACTIVITY_REVIEW, Transition


def activities_query(
    user: User,
    *,
    organization_id: int | None = None,
    month: tuple[date, date] | None = None,
    form: str | None = None,
    service_type: str | None = None,
    target_group: str | None = None,
    compound_id: int | None = None,
    review_state: str | None = None,
    organization_ids: list[int] | None = None,
    day: date | None = None,
    social_worker_id: int | None = None,
    columns: Sequence[Any] | None = None,
) -> Select:
    """The activities ``user`` may see, filtered, newest first. With ``columns``
    it selects only those (from ``Activity`` joined to ``Organization``), loading
    nothing else: an export streams such rows instead of ORM objects."""
    if columns is not None:
        stmt = (
            select(*columns)
            .select_from(Activity)
            .join(Organization, Organization.id == Activity.organization_id)
            .where(org_scope(user))
        )
    else:
        stmt = (
            select(Activity)
            .join(Organization, Organization.id == Activity.organization_id)
            .where(org_scope(user))
            .options(
                joinedload(Activity.organization),
                joinedload(Activity.compound),
                joinedload(Activity.logged_by),
                selectinload(Activity.photos),
                selectinload(Activity.volunteers).joinedload(
                    ActivityVolunteer.volunteer
                ),
            )
        )
    if organization_id:
        stmt = stmt.where(Activity.organization_id == organization_id)
    if organization_ids is not None:
        stmt = stmt.where(Activity.organization_id.in_(organization_ids))
    if month is not None:
        stmt = stmt.where(Activity.held_on >= month[0], Activity.held_on < month[1])
    if day is not None:
        stmt = stmt.where(Activity.held_on == day)
    if social_worker_id:
        stmt = stmt.where(Organization.social_worker_id == social_worker_id)
    for column, value in (
        (Activity.form, form),
        (Activity.service_type, service_type),
        (Activity.target_group, target_group),
        (Activity.compound_id, compound_id),
    ):
        if value:
            stmt = stmt.where(column == value)
    if review_state:
        stmt = stmt.where(_review_state_is(review_state))
    return stmt.order_by(Activity.starts_at.desc(), Activity.id.desc())


def _review_state_is(state: str) -> ColumnElement[bool]:
    """``Activity.review_state == state``, telling SQLite's planner that pending
    and returned logs are few (its statistics give each state a third of the
    rows, so it walked every organization's logs to find the queue's few;
    PostgreSQL's statistics know the real shares)."""
    condition = Activity.review_state == state
    if state != ReviewState.APPROVED and db.session.get_bind().dialect.name == "sqlite":
        return func.likelihood(condition, literal_column("0.05"))
    return condition


DAY_CAP = 5
SMALL_MONTH = 600  # activities a month may hold to be read whole (then capped)


@dataclass(frozen=True)
class DayItem:
    """One activity as a calendar cell shows it: no volunteers, photos or
    resources, only what the cell prints and links to."""

    id: int
    title: str
    held_on: date
    starts_at: datetime
    organization_name: str


def activities_by_day(
    user: User,
    start: date,
    end: date,
    *,
    social_worker_id: int | None = None,
    cap: int = DAY_CAP,
) -> tuple[dict[date, list[DayItem]], dict[date, int]]:
    """The first ``cap`` activities (by start) of each day in ``[start, end)``
    that ``user`` may see (only organizations of ``social_worker_id``'s caseload
    when given), and how many each day holds in all: ``(items by day, total by
    day)``. Two queries whatever the month holds: one grouped COUNT, then the
    first ``cap`` of each day (a UNION ALL of one LIMITed select a day, each a
    short walk of the index on day and start), with only the columns shown."""

    everything = (
        user.role != Role.ORG_LEADER
        and scope_ids(user) is None
        and not social_worker_id
    )

    def narrowed(stmt: Select) -> Select:
        if everything:  # every organization: the activity's own index answers
            return stmt
        stmt = stmt.join(
            Organization, Organization.id == Activity.organization_id
        ).where(org_scope(user))
        if social_worker_id:
            stmt = stmt.where(Organization.social_worker_id == social_worker_id)
        return stmt

    totals: dict[date, int] = {
        day: n
        for day, n in db.session.execute(
            narrowed(select(Activity.held_on, func.count()))
            .where(Activity.held_on >= start, Activity.held_on < end)
            .group_by(Activity.held_on)
        )
    }
    items: dict[date, list[DayItem]] = {}
    if not totals:
        return items, totals
    if sum(totals.values()) <= SMALL_MONTH:
        # A caseload's month: all of it, found through the organizations' index
        # (a walk of each day by start would pass the whole district's day).
        shown = (
            narrowed(select(Activity.id))
            .where(Activity.held_on >= start, Activity.held_on < end)
            .scalar_subquery()
        )
    else:
        firsts = [
            narrowed(select(Activity.id))
            .where(Activity.held_on == day)
            .order_by(Activity.starts_at, Activity.id)
            .limit(cap)
            .subquery()
            for day in sorted(totals)
        ]
        shown = union_all(*(select(first.c.id) for first in firsts)).scalar_subquery()
    rows = db.session.execute(
        select(
            Activity.id,
            Activity.title,
            Activity.held_on,
            Activity.starts_at,
            Organization.name.label("organization_name"),
        )
        .join(Organization, Organization.id == Activity.organization_id)
        .where(Activity.id.in_(shown))
        .order_by(Activity.held_on, Activity.starts_at, Activity.id)
    )
    for row in rows:
        if len(items.get(row.held_on, ())) >= cap:
            continue
        items.setdefault(row.held_on, []).append(
            DayItem(
                id=row.id,
                title=row.title,
                held_on=row.held_on,
                starts_at=row.starts_at,
                organization_name=row.organization_name,
            )
        )
    return items, totals


def not_own_log(user: User) -> ColumnElement[bool]:
    """A condition on ``Activity``: the logs ``user`` may review, i.e. not the
    ones they wrote themselves (``services.is_own_log``; admins review any)."""
    if user.role == Role.ADMIN:
        return true()
    return Activity.logged_by_id.is_distinct_from(user.id)


def organizations_that_logged(start: date, end: date) -> Select:
    """The ids of organizations with an activity held in ``[start, end)``, as a
    subquery (for "who logged nothing")."""
    return (
        select(Activity.organization_id)
        .where(Activity.held_on >= start, Activity.held_on < end)
        .distinct()
    )


def pending_reviews_by_worker() -> dict[int | None, int]:
    """How many logs wait for review in each social worker's caseload, leaving
    out the ones they wrote themselves (a colleague reviews those)."""
    return dict(
        db.session.execute(
            select(Organization.social_worker_id, func.count(Activity.id))
            .join(Organization, Organization.id == Activity.organization_id)
            .where(
                Activity.review_state == ReviewState.PENDING,
                Activity.logged_by_id.is_distinct_from(Organization.social_worker_id),
                in_scope_of(Organization.community_id, Organization.social_worker_id),
            )
            .group_by(Organization.social_worker_id)
        ).all()
    )


@dataclass(frozen=True)
class VolunteerHours:
    """A volunteer who served at an activity, and how long."""

    volunteer_id: int
    name: str
    hours: Decimal
    service_record_id: int | None


@dataclass(frozen=True)
class ActivityView:
    """An activity log as its page and its API resource show it to ``user``: who
    served and how long (``None`` for a caller who sees no resident: viewers),
    whether it runs past midnight, and what the caller may do: edit it (and its
    photos and resources linked) and the review steps the workflow
    (``incubator.workflow.ACTIVITY_REVIEW``) offers them now.
    Reads the activity's own columns through (``view.title``). Each figure is
    worked out once, when first asked (the API asks no ``may_*`` flag, so it
    loads nothing for them)."""

    activity: Activity
    user: User

    def __getattr__(self, name: str):
        return getattr(self.activity, name)

    @cached_property
    def volunteer_hours(self) -> list[VolunteerHours] | None:
        if not may_see_residents(self.user):
            return None
        return [
            VolunteerHours(
                volunteer_id=h.volunteer_id,
                name=h.volunteer.name,
                hours=h.hours,
                service_record_id=h.service_record_id,
            )
            for h in self.activity.volunteers
        ]

    @cached_property
    def may_edit(self) -> bool:
        """Staff, or the leader of the activity's organization."""
        return self.user.role in STAFF_ROLES or (
            self.user.role == Role.ORG_LEADER
            and self.activity.organization.leader_user_id == self.user.id
        )

    @cached_property
    def review_steps(self) -> tuple[Transition, ...]:
        """The review buttons the workflow offers the caller (approve, return);
        none on a log they wrote themselves (``awaits_colleague``)."""
        if self.awaits_colleague:
            return ()
        return tuple(
            step
            for step in ACTIVITY_REVIEW.allowed(
                self.activity.review_state, self.user.role
            )
            if step.target in REVIEW_DECISIONS.values()
        )

    @property
    def awaits_colleague(self) -> bool:
        """The caller's own log waiting for review: a colleague reviews it."""
        return self.activity.review_state == ReviewState.PENDING and is_own_log(
            self.activity, self.user
        )

    @property
    def may_review(self) -> bool:
        return bool(self.review_steps)

    @property
    def overnight(self) -> bool:
        return runs_overnight(self.activity.starts_at, self.activity.ends_at)

    @property
    def volunteer_count(self) -> int:
        return len(self.activity.volunteers)

    @property
    def photo_count(self) -> int:
        return len(self.activity.photos)


def activity_view(user: User, activity: Activity) -> ActivityView:
    """``activity`` as ``user`` sees it. Reads its volunteers and photos (and,
    for the ``may_*`` flags, its organization): load them with it
    (``activities_query`` does) or they cost a query each."""
    return ActivityView(activity=activity, user=user)


def activity_history(activity: Activity) -> Sequence[ActivityEvent]:
    """What happened to ``activity`` (logged, changed, reviewed), oldest first."""
    return db.session.scalars(
        select(ActivityEvent)
        .where(ActivityEvent.activity_id == activity.id)
        .options(joinedload(ActivityEvent.actor))
        .order_by(ActivityEvent.at, ActivityEvent.id)
    ).all()


def activity_ledger(activity: Activity) -> Sequence[ResourceLink]:
    """The resources linked to ``activity``, in the order they were received."""
    return db.session.scalars(
        select(ResourceLink)
        .where(ResourceLink.activity_id == activity.id)
        .order_by(ResourceLink.received_on, ResourceLink.id)
    ).all()
