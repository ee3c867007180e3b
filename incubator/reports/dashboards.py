"""What each role's start pages show (issue 14: one read model per role): the home
page (``Home``), the agency's dashboard for admins and viewers
(``AgencyDashboard``) and an organization leader's home, her to-do
(``LeaderHome``, also her 报表 page); a social worker's is her day
(``followups.queries.worker_day``). One function builds each, in a fixed
number of queries whatever the data's size (the pages' query budgets); the
views only pick the model by role and render it."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from incubator.activities.models import (
    SERVICE_TYPE_LABELS,
    Activity,
    ReviewState,
    ServiceType,
    TargetGroup,
)
from incubator.auth.models import User
from incubator.community.scope import scope_ids
from incubator.database import utcnow
from incubator.extensions import db
from incubator.followups.queries import DuePlanAction, open_plan_actions
from incubator.i18n import local_today, month_label
from incubator.organizations.access import org_scope
from incubator.organizations.incubation import StageDef, stages
from incubator.organizations.models import Organization
from incubator.periods import add_months, month_key, months_before
from incubator.projects import metrics, tallies
from incubator.projects import services as project_services
from incubator.projects.models import Project
from incubator.sessions.models import SessionInvite, SessionState, TrainingSession
from incubator.ventures.models import Venture
from incubator.ventures.queries import ventures_query
from incubator.volunteers.access import manageable_organizations

# How many of "my organizations" the home page lists; how many ventures a
# leader's 报表 page lists.
HOME_ORGANIZATIONS = 20
LEADER_ITEMS = 5


def _chart(kind: str, labels: Iterable, series: Iterable[tuple]) -> str:
    """The ``data-chart`` attribute ``static/js/charts.js`` draws from. A series
    is ``(name, data)`` or ``(name, data, axis)``: a series on axis 1 is measured
    on a second y-axis at the right (counts of a different size)."""
    return json.dumps(
        {
            "type": kind,
            "labels": [str(label) for label in labels],
            "series": [
                {"name": str(one[0]), "data": list(one[1]), "axis": _axis(one)}
                for one in series
            ],
        },
        ensure_ascii=False,
    )


def _axis(series: tuple) -> int:
    return series[2] if len(series) > 2 else 0


@dataclass(frozen=True)
class Home:
    """The home page of every role: the organizations ``user`` leads or serves
    (not archived, by name, at most ``HOME_ORGANIZATIONS``) and how many
    organizations they may see."""

    org_count: int
    my_orgs: Sequence[Organization]


def home(user: User) -> Home:
    scope = org_scope(user) & Organization.archived_at.is_(None)
    org_count = db.session.scalar(
        select(func.count()).select_from(Organization).where(scope)
    )
    my_orgs = db.session.scalars(
        select(Organization)
        .where(scope)
        .where(
            (Organization.leader_user_id == user.id)
            | (Organization.social_worker_id == user.id)
        )
        .options(selectinload(Organization.compound))
        .order_by(Organization.name)
        .limit(HOME_ORGANIZATIONS)
    ).all()
    return Home(org_count=org_count or 0, my_orgs=my_orgs)


@dataclass(frozen=True)
class CentreFigures:
    """People served (服务人数, distinct residents) and the centre's use
    (使用空间场次 and the people there) of ``communities`` in ``period``: a
    project's year (the same figures as its progress and annual summary) or
    the calendar year so far."""

    period: metrics.Period
    project: Project | None
    people_served: int
    space: metrics.Space

    @property
    def rows(self) -> list[tuple[str, int]]:
        """(metric, figure) in the order the pages show them."""
        return [
            ("people_served", self.people_served),
            ("space_uses", self.space.uses),
            ("space_people", self.space.people),
        ]


def centre_figures(
    communities: metrics.Communities,
    project: Project | None = None,
    today: date | None = None,
) -> CentreFigures:
    """One query: ``project``'s period and community, else this calendar
    year (to today) of ``communities``."""
    if project is not None:
        period = project_services.project_period(project)
        communities = project_services.project_communities(project)
    else:
        today = today or local_today()
        period = date(today.year, 1, 1), today + timedelta(days=1)
    people, space = metrics.people_and_space(period, communities)
    return CentreFigures(
        period=period, project=project, people_served=people, space=space
    )


@dataclass(frozen=True)
class AgencyDashboard:
    """Admins' and viewers' dashboard: a service project's indicator progress,
    the last twelve months' activities and person-times, organizations per stage
    (dormant included), this year's activities by service type, target
    group and compound with the value of the resources linked, and people
    served and the centre's use (``centre``: the project's, else this year's)."""

    projects: Sequence[Project]
    project: Project | None
    progress: list[project_services.Progress]
    trend: list[tuple[str, int, int]]
    stages: list[StageDef]
    stage_counts: dict[str, int]
    service_types: dict[str, int]
    target_groups: dict[str, int]
    compounds: list[tuple[str, int, int]]
    resources: Decimal
    year: int
    centre: CentreFigures

    @property
    def trend_chart(self) -> str:
        return _chart(
            "line",
            [m for m, _n, _p in self.trend],
            [
                # activities (a few) and person-times (hundreds) on two axes,
                # so the activities line is not flat along the bottom
                (_("Activities"), [n for _m, n, _p in self.trend], 0),
                (_("Person-times"), [p for _m, _n, p in self.trend], 1),
            ],
        )

    @property
    def stage_chart(self) -> str:
        """Organizations per stage as bars, dormant (休眠) last: the counts are
        where organizations stand today, not a funnel of who passed where."""
        return _chart(
            "bar",
            [s.label for s in self.stages],
            [
                (
                    _("Organizations"),
                    [self.stage_counts.get(s.key, 0) for s in self.stages],
                )
            ],
        )

    @property
    def service_chart(self) -> str:
        return _chart(
            "bar",
            [SERVICE_TYPE_LABELS[ServiceType(k)] for k in self.service_types],
            [(_("Activities"), list(self.service_types.values()))],
        )


def agency_dashboard(
    project_id: int | None = None, user: User | None = None
) -> AgencyDashboard:
    """The dashboard of ``user``'s scope (every community for None) with the
    progress of project ``project_id`` (the latest project of the scope when
    that one does not exist or is outside it)."""
    today = local_today()
    communities = scope_ids(user)
    projects = db.session.scalars(
        select(Project)
        .where(metrics.within(Project.community_id, communities))
        .options(selectinload(Project.indicators))
        .order_by(Project.starts_on.desc(), Project.id.desc())
    ).all()
    project = next((p for p in projects if p.id == project_id), None) or (
        projects[0] if projects else None
    )
    progress = project_services.progress(project, today) if project else []
    last_year = (months_before(today.replace(day=1), 11), today + timedelta(days=1))
    this_year = date(today.year, 1, 1), today + timedelta(days=1)
    # one pass over the last twelve months gives the trend and this year's
    # breakdowns (this year starts on a month's first day, within them)
    months = tallies.activity_months(last_year, communities)
    trend, first = [], last_year[0]
    while first < last_year[1]:
        month = months.get((first.year, first.month), tallies.ActivityTally())
        trend.append((month_key(first), month.total, month.person_times))
        first = add_months(first, 1)
    of_year = tallies.ActivityTally()
    for (year, _month), tally in months.items():
        if year == today.year:
            of_year.add(tally)
    stage_counts = metrics.organizations_by_stage(communities)
    return AgencyDashboard(
        projects=projects,
        project=project,
        progress=progress,
        trend=trend,
        stages=stages(),
        stage_counts=stage_counts,
        service_types={k.value: of_year.by_service_type[k.value] for k in ServiceType},
        target_groups={k.value: of_year.by_target_group[k.value] for k in TargetGroup},
        compounds=metrics.by_compound(this_year, communities),
        resources=metrics.resources_value(this_year, communities),
        year=today.year,
        centre=centre_figures(communities, project, today),
    )


@dataclass(frozen=True)
class OrgMonth:
    """One organization a leader leads, this month: ``state`` is ``logged`` (a
    log waiting for review or approved), ``returned`` (only returned logs: to
    fix) or ``none``; ``returned`` lists every returned log still to fix, newest
    first, whatever its month."""

    org: Organization
    state: str
    logged: int
    returned: list[Activity]


@dataclass(frozen=True)
class LeaderHome:
    """An organization leader's home, her to-do: each organization she leads and
    whether it logged this month (``orgs``), the coming capacity-building sessions
    her organizations registered for (``registered``) or are invited to and have
    not registered for (``invited``), her ventures' open plan actions overdue or
    due within ``LEADER_DUE_DAYS`` (``actions``, overdue first) and her ventures
    (the 报表 page lists them). Unread notifications are added by the page (they
    live in reminders, above reports)."""

    month: str
    orgs: list[OrgMonth]
    registered: Sequence[SessionInvite]
    invited: Sequence[SessionInvite]
    actions: list[DuePlanAction]
    ventures: Sequence[Venture]

    @property
    def to_fix(self) -> int:
        return sum(len(o.returned) for o in self.orgs)


LEADER_DUE_DAYS = 30
LEADER_RETURNED = 20  # returned logs listed per leader (the oldest wait in 活动)


def leader_home(user: User) -> LeaderHome:
    """Seven queries whatever the number of organizations, logs, sessions and
    actions."""
    today = local_today()
    orgs = manageable_organizations(user)
    ids = [o.id for o in orgs] or [0]
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for org_id, state, n in db.session.execute(
        select(Activity.organization_id, Activity.review_state, func.count())
        .where(
            Activity.organization_id.in_(ids),
            Activity.held_on >= today.replace(day=1),
        )
        .group_by(Activity.organization_id, Activity.review_state)
    ):
        counts[org_id][state] = n
    returned: dict[int, list[Activity]] = defaultdict(list)
    for activity in db.session.scalars(
        select(Activity)
        .where(
            Activity.organization_id.in_(ids),
            Activity.review_state == ReviewState.RETURNED,
        )
        .order_by(Activity.held_on.desc(), Activity.id.desc())
        .limit(LEADER_RETURNED)
    ):
        returned[activity.organization_id].append(activity)
    rows = []
    for org in orgs:
        of_month = counts.get(org.id, {})
        logged = of_month.get(ReviewState.PENDING, 0) + of_month.get(
            ReviewState.APPROVED, 0
        )
        state = "logged" if logged else "returned" if of_month else "none"
        rows.append(OrgMonth(org, state, logged, returned.get(org.id, [])))
    invites = db.session.scalars(
        select(SessionInvite)
        .join(TrainingSession, TrainingSession.id == SessionInvite.session_id)
        .where(
            SessionInvite.organization_id.in_(ids),
            TrainingSession.starts_at >= utcnow(),
            TrainingSession.state != SessionState.CANCELLED,
        )
        .options(
            joinedload(SessionInvite.session), joinedload(SessionInvite.organization)
        )
        .order_by(TrainingSession.starts_at, TrainingSession.id)
    ).all()
    actions = [
        DuePlanAction(action, venture_id, title, org_name, (today - action.due_on).days)
        for action, title, org_name, venture_id in db.session.execute(
            open_plan_actions(
                today + timedelta(days=LEADER_DUE_DAYS),
                Venture.organization_id.in_(ids),
            )
        )
    ]
    ventures = (
        db.session.scalars(ventures_query(user).limit(LEADER_ITEMS)).unique().all()
    )
    return LeaderHome(
        month=month_label(today),
        orgs=rows,
        registered=[i for i in invites if i.registered],
        invited=[i for i in invites if i.registered is None],
        actions=actions,
        ventures=ventures,
    )
