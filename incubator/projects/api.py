"""API: service projects and their contract indicators, with each indicator's
progress from the shared counting functions."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from flask import abort
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from incubator.api.core import Id, PageQuery, current_api_user, endpoint, paginate
from incubator.auth.roles import Role
from incubator.community.scope import in_scope, may_see_community
from incubator.extensions import db
from incubator.money import money_text
from incubator.projects import metrics
from incubator.projects import services as project_services
from incubator.projects.models import Project
from incubator.transaction import settle

# In the document's "reports" section, where they have always been.
TAG = "reports"
READERS = (Role.ADMIN, Role.SOCIAL_WORKER, Role.VIEWER)

SAFE_DAY: dict[str, Any] = {"ge": date(2000, 1, 1), "le": date(2100, 12, 31)}


class ProjectIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    community: str | None = Field(
        default=None, min_length=1, max_length=64, description="Its name"
    )
    community_id: Id | None = Field(
        default=None, description="Its id (or community, its name)"
    )
    agency: str = Field(
        default="", max_length=200, description="承接机构, the agency holding it"
    )
    year: StrictInt = Field(
        ge=1, le=50, description="The project's year, 1 for a first year"
    )
    kind: str = Field(pattern="^(comprehensive|single)$")
    renewal: StrictBool = False
    budget: str = Field(max_length=20, description='Yuan with fen, e.g. "200000.00"')
    starts_on: date = Field(**SAFE_DAY)
    ends_on: date = Field(**SAFE_DAY)
    description: str = Field(default="", max_length=5000)


class IndicatorIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    metric: str = Field(
        pattern="^(" + "|".join(metrics.METRICS) + ")$",
        description="One of the indicator metrics of API.md",
    )
    target: StrictInt | StrictStr = Field(
        description="A whole number; money (resources_value) as a yuan string"
    )


class IndicatorOut(BaseModel):
    id: int
    metric: str
    target: int | str


class ProjectOut(BaseModel):
    id: int
    name: str
    agency: str
    community: str
    year: int
    kind: str
    renewal: bool
    budget: str
    starts_on: date
    ends_on: date
    description: str
    indicators: list[IndicatorOut]

    @classmethod
    def of(cls, p: Project) -> ProjectOut:
        return cls(
            id=p.id,
            name=p.name,
            agency=p.agency,
            community=p.community.name,
            year=p.year,
            kind=p.kind,
            renewal=p.renewal,
            budget=money_text(p.budget),
            starts_on=p.starts_on,
            ends_on=p.ends_on,
            description=p.description,
            indicators=[
                IndicatorOut(
                    id=i.id, metric=i.metric, target=_figure(i.metric, i.target)
                )
                for i in p.indicators
            ],
        )


def _figure(metric: str, value):
    if metric in metrics.MONEY_METRICS:
        return money_text(value)
    if metric in metrics.HOURS_METRICS:
        return str(value.quantize(Decimal("0.1")))
    return int(value)


class ProjectPage(BaseModel):
    items: list[ProjectOut]
    page: int
    per_page: int
    total: int


def _load_project(project_id: int) -> Project:
    project = db.session.scalar(
        select(Project)
        .where(Project.id == project_id)
        .options(joinedload(Project.community), selectinload(Project.indicators))
    )
    if project is None or not may_see_community(
        current_api_user(), project.community_id
    ):
        abort(404)
    return project


@endpoint(
    "/projects",
    summary="Service projects",
    tag=TAG,
    query=PageQuery,
    response=ProjectPage,
    roles=READERS,
)
def list_projects(query: PageQuery):
    stmt = (
        select(Project)
        .where(in_scope(Project.community_id, current_api_user()))
        .options(joinedload(Project.community), selectinload(Project.indicators))
        .order_by(Project.starts_on.desc(), Project.id.desc())
    )
    return paginate(stmt, query, ProjectOut.of)


@endpoint(
    "/projects",
    "POST",
    summary="Record a purchased service project (project lead)",
    tag=TAG,
    body=ProjectIn,
    response=ProjectOut,
    status=201,
    roles=(Role.ADMIN,),
    errors=(409,),
)
def create_project(body: ProjectIn):
    project = project_services.create_project(
        actor=current_api_user(), **body.model_dump(mode="python")
    )
    settle()
    return ProjectOut.of(_load_project(project.id))


class IndicatorList(BaseModel):
    items: list[IndicatorOut]


@endpoint(
    "/projects/<int:project_id>/indicators",
    summary="A project's contract indicators",
    tag=TAG,
    response=IndicatorList,
    roles=READERS,
    errors=(404,),
)
def list_indicators(project_id: int):
    project = _load_project(project_id)
    return IndicatorList(items=ProjectOut.of(project).indicators)


@endpoint(
    "/projects/<int:project_id>/indicators",
    "POST",
    summary="Add an indicator: a metric and its target",
    tag=TAG,
    body=IndicatorIn,
    response=IndicatorOut,
    status=201,
    roles=(Role.ADMIN,),
    errors=(404, 409),
)
def create_indicator(project_id: int, body: IndicatorIn):
    project = _load_project(project_id)
    indicator = project_services.add_indicator(
        project, actor=current_api_user(), metric=body.metric, target=body.target
    )
    settle()
    return IndicatorOut(
        id=indicator.id,
        metric=indicator.metric,
        target=_figure(indicator.metric, indicator.target),
    )


class ProgressOut(BaseModel):
    metric: str
    target: int | str
    actual: int | str
    expected_by_today: int | str | float
    percent: float
    lagging: bool
    previous_actual: int | str | None = Field(
        default=None,
        description="A renewal's previous project (the same community's) actual "
        "figure; only when there is a previous project",
    )


class ProjectProgress(BaseModel):
    project_id: int
    indicators: list[ProgressOut]


@endpoint(
    "/projects/<int:project_id>/progress",
    summary="Each indicator's target, actual (from the records), the share expected "
    "by today and whether it lags",
    tag=TAG,
    response=ProjectProgress,
    roles=READERS,
    errors=(404,),
)
def project_progress(project_id: int):
    project = _load_project(project_id)
    rows = project_services.progress(project)
    answer = ProjectProgress(
        project_id=project.id,
        indicators=[
            ProgressOut(
                metric=r.metric,
                target=_figure(r.metric, r.target),
                actual=_figure(r.metric, r.actual),
                expected_by_today=_figure(r.metric, r.expected_by_today)
                if r.metric in metrics.MONEY_METRICS | metrics.HOURS_METRICS
                else float(r.expected_by_today),
                percent=float(r.percent),
                lagging=r.lagging,
                previous_actual=_figure(r.metric, r.previous_actual)
                if r.previous_actual is not None
                else None,
            )
            for r in rows
        ],
    )
    return answer.model_dump(mode="json", exclude_none=True)
