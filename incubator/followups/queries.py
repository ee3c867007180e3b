"""Lists of follow-ups and "my work" (我的待办): a social worker's follow-ups overdue,
due this week and later, plan actions due, and sessions this week. Overdue is
worked out from today's date, so it is right the moment a day passes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import ColumnElement, Select, and_, func, select
from sqlalchemy.orm import joinedload

from incubator.activities.models import Activity, ReviewState
from incubator.activities.queries import not_own_log
from incubator.auth.models import User
from incubator.community.scope import in_scope_of
from incubator.deadlines import due_before, due_by, due_within, is_overdue, overdue
from incubator.extensions import db
from incubator.followups.models import FollowUp, FollowUpState
from incubator.i18n import local_today, local_zone
from incubator.organizations.access import org_scope
from incubator.organizations.caseload import SILENT_DAYS, CaseloadRow, caseload_rows
from incubator.organizations.models import Organization
from incubator.sessions.models import TrainingSession
from incubator.sessions.queries import sessions_query
from incubator.ventures.models import PlanAction, Venture
from incubator.ventures.plans import OPEN_FOR_PLAN


def open_and_overdue(as_of: date) -> ColumnElement[bool]:
    """Follow-ups overdue on ``as_of`` (``incubator.deadlines``)."""
    return and_(FollowUp.state == FollowUpState.OPEN, overdue(FollowUp.due_on, as_of))


def open_and_due_within(start: date, end: date) -> ColumnElement[bool]:
    """Open follow-ups due on a day of ``[start, end)``."""
    return and_(
        FollowUp.state == FollowUpState.OPEN, due_within(FollowUp.due_on, start, end)
    )


def overdue_by_assignee(as_of: date) -> dict[int | None, int]:
    """How many follow-ups each assignee has overdue on ``as_of``, in one query."""
    return _counts_by_assignee(open_and_overdue(as_of))


def due_by_assignee(start: date, end: date) -> dict[int | None, int]:
    """How many open follow-ups each assignee has due in ``[start, end)``."""
    return _counts_by_assignee(open_and_due_within(start, end))


def _counts_by_assignee(condition) -> dict[int | None, int]:
    return dict(
        db.session.execute(
            select(FollowUp.assignee_id, func.count())
            .where(condition, in_scope_of(FollowUp.community_id, FollowUp.assignee_id))
            .group_by(FollowUp.assignee_id)
        ).all()
    )


def visible_followups(user: User) -> ColumnElement[bool]:
    """A condition on ``FollowUp``: those of the organizations ``user`` may see."""
    return FollowUp.organization_id.in_(select(Organization.id).where(org_scope(user)))


def followups_query(
    *,
    state: str = "open",
    assignee_id: int | None = None,
    organization_id: int | None = None,
    user: User | None = None,
) -> Select:
    """Follow-ups by ``state``; with ``user``, only those of the organizations
    they may see (``org_scope``)."""
    stmt = select(FollowUp).options(
        joinedload(FollowUp.organization), joinedload(FollowUp.assignee)
    )
    if user is not None:
        stmt = stmt.where(visible_followups(user))
    today = local_today()
    if state == "overdue":
        stmt = stmt.where(open_and_overdue(today))
    elif state in ("open", "done"):
        stmt = stmt.where(FollowUp.state == state)
    if assignee_id:
        stmt = stmt.where(FollowUp.assignee_id == assignee_id)
    if organization_id:
        stmt = stmt.where(FollowUp.organization_id == organization_id)
    if state == "done":
        return stmt.order_by(FollowUp.done_on.desc(), FollowUp.id.desc())
    return stmt.order_by(FollowUp.due_on, FollowUp.id)


@dataclass
class FollowUpView:
    """A follow-up as its API resource shows it on ``today``: whether it is
    overdue (open and past due, ``incubator.deadlines``). Reads the follow-up's
    own columns through (``view.kind_label``)."""

    followup: FollowUp
    today: date

    def __getattr__(self, name: str):
        return getattr(self.followup, name)

    @property
    def overdue(self) -> bool:
        return self.followup.overdue(self.today)


def followup_view(followup: FollowUp, today: date | None = None) -> FollowUpView:
    """``followup`` as shown on ``today`` (default: the project's today)."""
    return FollowUpView(followup, today or local_today())


@dataclass
class MyWork:
    overdue: list = field(default_factory=list)
    this_week: list = field(default_factory=list)
    later: list = field(default_factory=list)
    plan_actions: list = field(default_factory=list)
    sessions: list = field(default_factory=list)


def week_bounds(today):
    monday = today - timedelta(days=today.weekday())
    return monday, monday + timedelta(days=7)


def my_work(user: User, *, later_days: int = 60) -> MyWork:
    """A fixed number of queries whatever the size of the caseload."""
    today = local_today()
    monday, next_monday = week_bounds(today)
    work = MyWork()
    rows = _scalars(
        select(FollowUp)
        .where(
            FollowUp.assignee_id == user.id,
            visible_followups(user),
            FollowUp.state == FollowUpState.OPEN,
            due_before(FollowUp.due_on, today + timedelta(days=later_days)),
        )
        .options(joinedload(FollowUp.organization))
        .order_by(FollowUp.due_on, FollowUp.id)
    )
    for followup in rows:
        if is_overdue(followup.due_on, today):
            work.overdue.append(followup)
        elif followup.due_on < next_monday:
            work.this_week.append(followup)
        else:
            work.later.append(followup)
    work.plan_actions = _plan_actions(user, today + timedelta(days=14))
    zone = local_zone()
    work.sessions = _scalars(
        sessions_query(
            user,
            start=datetime.combine(monday, time(0), tzinfo=zone),
            end=datetime.combine(next_monday, time(0), tzinfo=zone),
            organizer_id=user.id,
        ).where(TrainingSession.state != "cancelled")
    )
    return work


def _plan_actions(user: User, until):
    """Open plan actions of running or approved ventures of the user's caseload due
    by ``until``."""
    return _rows(_plan_actions_stmt(user, until))


def open_plan_actions(until: date, *where: ColumnElement[bool]) -> Select:
    """The open plan actions of running ventures due by ``until`` (overdue ones
    included), earliest first, as rows ``(PlanAction, venture title, organization
    name, venture id)``; ``where`` narrows the organizations (a caseload, the
    organizations a leader leads)."""
    return (
        select(PlanAction, Venture.title, Organization.name, Venture.id)
        .join(Venture, Venture.id == PlanAction.venture_id)
        .join(Organization, Organization.id == Venture.organization_id)
        .where(
            *where,
            Venture.state.in_([s.value for s in OPEN_FOR_PLAN]),
            PlanAction.done_on.is_(None),
            PlanAction.removed_at.is_(None),
            due_by(PlanAction.due_on, until),
        )
        .order_by(PlanAction.due_on, PlanAction.id)
    )


def _plan_actions_stmt(user: User, until: date) -> Select:
    return open_plan_actions(
        until, Organization.social_worker_id == user.id, org_scope(user)
    )


def _scalars(stmt) -> list:
    return list(db.session.scalars(stmt).unique())


def _rows(stmt) -> list:
    return list(db.session.execute(stmt).all())


# ---- a social worker's day (her home page) ----

# How many items each block of the day lists (the block links to the full list)
# and how far ahead "due soon" looks for plan actions.
DAY_ITEMS = 8
PLAN_ACTIONS_AHEAD = 14


@dataclass(frozen=True)
class DueFollowUp:
    """A follow-up of the day: ``days_late`` > 0 when it is overdue."""

    followup: FollowUp
    days_late: int

    @property
    def overdue(self) -> bool:
        return self.days_late > 0


@dataclass(frozen=True)
class DuePlanAction:
    """An open plan action of a venture (of a caseload, or of the organizations a
    leader leads); ``days_late`` > 0 when it is overdue, else ``days_left`` until
    it is due."""

    action: PlanAction
    venture_id: int
    venture_title: str
    organization_name: str
    days_late: int

    @property
    def overdue(self) -> bool:
        return self.days_late > 0

    @property
    def days_left(self) -> int:
        return max(0, -self.days_late)


@dataclass(frozen=True)
class WorkerDay:
    """A social worker's day, the blocks of her home page in order: her open
    follow-ups due today or overdue, the logs of her caseload waiting for her
    review (never her own: a colleague reviews those), the plan actions of her
    caseload's ventures overdue or due within ``PLAN_ACTIONS_AHEAD`` days, and the
    organizations of her caseload silent for ``SILENT_DAYS`` days (the caseload's
    rule). Each list holds at most ``DAY_ITEMS``; the ``*_total`` fields count
    them all. ``awaiting_colleague`` counts her own logs waiting for a colleague."""

    today: date
    followups: list[DueFollowUp]
    followups_total: int
    reviews: list[Activity]
    reviews_total: int
    awaiting_colleague: int
    plan_actions: list[DuePlanAction]
    plan_actions_total: int
    silent: list[CaseloadRow]
    silent_total: int
    caseload: int
    silent_days: int = SILENT_DAYS
    plan_days: int = PLAN_ACTIONS_AHEAD


def worker_day(user: User) -> WorkerDay:
    """``user``'s day in a fixed number of queries whatever the size of her
    caseload (the home page's query budget)."""
    today = local_today()
    due = and_(
        FollowUp.assignee_id == user.id,
        visible_followups(user),
        FollowUp.state == FollowUpState.OPEN,
        due_by(FollowUp.due_on, today),
    )
    followups = _scalars(
        select(FollowUp)
        .where(due)
        .options(joinedload(FollowUp.organization))
        .order_by(FollowUp.due_on, FollowUp.id)
        .limit(DAY_ITEMS)
    )
    waiting = and_(
        Organization.social_worker_id == user.id,
        Activity.review_state == ReviewState.PENDING,
    )
    reviews = _scalars(
        select(Activity)
        .join(Organization, Organization.id == Activity.organization_id)
        .where(waiting, not_own_log(user), org_scope(user))
        .options(joinedload(Activity.organization), joinedload(Activity.logged_by))
        .order_by(Activity.created_at, Activity.id)
        .limit(DAY_ITEMS)
    )
    review_counts = db.session.execute(
        select(
            func.count(Activity.id).filter(not_own_log(user)),
            func.count(Activity.id).filter(Activity.logged_by_id == user.id),
        )
        .join(Organization, Organization.id == Activity.organization_id)
        .where(waiting, org_scope(user))
    ).one()
    ahead = today + timedelta(days=PLAN_ACTIONS_AHEAD)
    caseload = db.session.scalars(
        select(Organization)
        .where(
            Organization.social_worker_id == user.id,
            Organization.archived_at.is_(None),
            org_scope(user),
        )
        .order_by(Organization.name)
    ).all()
    silent = [row for row in caseload_rows(caseload) if row.silent]
    actions = [
        DuePlanAction(action, venture_id, title, org_name, (today - action.due_on).days)
        for action, title, org_name, venture_id in _rows(
            _plan_actions_stmt(user, ahead).limit(DAY_ITEMS)
        )
    ]
    return WorkerDay(
        today=today,
        followups=[DueFollowUp(f, (today - f.due_on).days) for f in followups],
        followups_total=_count(select(func.count(FollowUp.id)).where(due)),
        reviews=reviews,
        reviews_total=review_counts[0] or 0,
        awaiting_colleague=review_counts[1] or 0,
        plan_actions=actions,
        plan_actions_total=_count(
            select(func.count()).select_from(_plan_actions_stmt(user, ahead).subquery())
        ),
        silent=silent[:DAY_ITEMS],
        silent_total=len(silent),
        caseload=len(caseload),
    )


def _count(stmt) -> int:
    return int(db.session.scalar(stmt) or 0)
