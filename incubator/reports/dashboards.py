"""What each role's start pages show (issue 14: one read model per role): the home
page (``Home``), the agency's dashboard for admins and viewers
(``AgencyDashboard``) and an organization leader's (``LeaderDashboard``); a
social worker's is her day (``followups.queries.worker_day``). One function
builds each, in a fixed number of queries whatever the data's size (the pages'
query budgets); the views only pick the model by role and render it."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from incubator.activities.models import (
    SERVICE_TYPE_LABELS,
    Activity,
    ServiceType,
)
from incubator.auth.models import User
from incubator.community.scope import scope_ids
from incubator.database import utcnow
from incubator.extensions import db
from incubator.i18n import local_today
from incubator.organizations.access import org_scope
from incubator.organizations.incubation import StageDef, stages
from incubator.organizations.models import Organization
from incubator.periods import months_before
from incubator.projects import metrics
from incubator.projects import services as project_services
from incubator.projects.models import Project
from incubator.sessions.models import TrainingSession
from incubator.sessions.queries import sessions_query
from incubator.ventures.models import Venture
from incubator.ventures.queries import ventures_query
from incubator.volunteers.access import manageable_organizations

# How many of "my organizations" the home page lists; how many coming sessions
# and ventures a leader's dashboard lists.
HOME_ORGANIZATIONS = 20
LEADER_ITEMS = 5


def _chart(kind: str, labels: Iterable, series: Iterable[tuple]) -> str:
    """The ``data-chart`` attribute ``static/js/charts.js`` draws from."""
    return json.dumps(
        {
            "type": kind,
            "labels": [str(label) for label in labels],
            "series": [{"name": str(n), "data": list(d)} for n, d in series],
        },
        ensure_ascii=False,
    )


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
class AgencyDashboard:
    """Admins' and viewers' dashboard: a service project's indicator progress,
    the last twelve months' activities and person-times, organizations per stage
    of the incubation line, and this year's activities by service type, target
    group and compound with the value of the resources linked."""

    projects: Sequence[Project]
    project: Project | None
    progress: list[project_services.Progress]
    trend: list[tuple[str, int, int]]
    line: list[StageDef]
    stage_counts: dict[str, int]
    service_types: dict[str, int]
    target_groups: dict[str, int]
    compounds: list[tuple[str, int, int]]
    resources: Decimal
    year: int

    @property
    def trend_chart(self) -> str:
        return _chart(
            "line",
            [m for m, _n, _p in self.trend],
            [
                (_("Activities"), [n for _m, n, _p in self.trend]),
                (_("Person-times"), [p for _m, _n, p in self.trend]),
            ],
        )

    @property
    def funnel_chart(self) -> str:
        return _chart(
            "funnel",
            [s.label for s in self.line],
            [
                (
                    _("Organizations"),
                    [self.stage_counts.get(s.key, 0) for s in self.line],
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
    trend = metrics.monthly_trend(last_year, communities)
    stage_counts = metrics.organizations_by_stage(communities)
    return AgencyDashboard(
        projects=projects,
        project=project,
        progress=progress,
        trend=trend,
        line=[s for s in stages() if s.on_line],
        stage_counts=stage_counts,
        service_types=metrics.by_service_type(this_year, communities),
        target_groups=metrics.by_target_group(this_year, communities),
        compounds=metrics.by_compound(this_year, communities),
        resources=metrics.resources_value(this_year, communities),
        year=today.year,
    )


@dataclass(frozen=True)
class LeaderDashboard:
    """An organization leader's dashboard: the organizations they manage and
    which of them logged an activity this month (``logged``: their ids), the
    coming sessions and the micro-ventures they may see (the first
    ``LEADER_ITEMS`` of each)."""

    orgs: list[Organization]
    logged: set[int]
    sessions: Sequence[TrainingSession]
    ventures: Sequence[Venture]
    month: str


def leader_dashboard(user: User) -> LeaderDashboard:
    today = local_today()
    orgs = manageable_organizations(user)
    start = today.replace(day=1)
    logged = set(
        db.session.scalars(
            select(Activity.organization_id).where(
                Activity.organization_id.in_([o.id for o in orgs] or [0]),
                Activity.held_on >= start,
            )
        )
    )
    sessions = (
        db.session.scalars(sessions_query(user, start=utcnow()).limit(LEADER_ITEMS))
        .unique()
        .all()
    )
    ventures = (
        db.session.scalars(ventures_query(user).limit(LEADER_ITEMS)).unique().all()
    )
    return LeaderDashboard(
        orgs=orgs,
        logged=logged,
        sessions=sessions,
        ventures=ventures,
        month=f"{today.year}年{today.month}月",
    )
