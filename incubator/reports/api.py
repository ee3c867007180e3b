"""API: the monthly report, from the shared counting functions."""

from __future__ import annotations

from typing import Literal

from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, Field

from incubator.api.core import Id, current_api_user, endpoint
from incubator.auth.roles import Role
from incubator.errors import ValidationFailed
from incubator.periods import month_range
from incubator.reports.monthly import monthly_report as monthly_figures
from incubator.reports.monthly import report_scope

TAG = "reports"
READERS = (Role.ADMIN, Role.SOCIAL_WORKER, Role.VIEWER)


class MonthQuery(BaseModel):
    model_config = {"extra": "forbid"}

    month: str = Field(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$", description="YYYY-MM")
    community_id: Id | None = Field(
        default=None, description="Only this community (in the caller's scope)"
    )
    project_id: Id | None = Field(
        default=None,
        description="Only this project's community (the month stays the given one)",
    )
    breakdown: Literal["community"] | None = Field(
        default=None,
        description="Add by_community (given anyway when the report spans "
        "several communities)",
    )


class ActivityFigures(BaseModel):
    total: int
    by_form: dict[str, int]
    by_service_type: dict[str, int]
    by_target_group: dict[str, int]


class OrganizationFigures(BaseModel):
    new: int
    stage_moves: int


class FollowUpFigures(BaseModel):
    done: int
    overdue: int


class SessionFigures(BaseModel):
    held: int
    attendees: int


class SpaceFigures(BaseModel):
    uses: int = Field(
        description="使用空间场次: used bookings of the centre's rooms (confirmed, "
        "held) plus reviewed activities in a centre room without such a booking, "
        "each once"
    )
    people: int = Field(
        description="People recorded on those bookings plus the person-times of "
        "those activities"
    )


class Figures(BaseModel):
    activities: ActivityFigures
    person_times: int
    volunteer_hours: str
    resources_value: str
    organizations: OrganizationFigures
    followups: FollowUpFigures
    sessions: SessionFigures
    people_served: int = Field(
        description="服务人数: distinct residents signed in to reviewed activities, "
        "held sessions and used bookings (a resident of two communities counts "
        "once in each community's row and once in the total)"
    )
    space: SpaceFigures


class CommunityFigures(Figures):
    community_id: int
    name: str


class MonthlyReport(Figures):
    month: str
    by_community: list[CommunityFigures] | None = Field(
        default=None,
        description="Per community; the rows add up to the total, except "
        "people_served (distinct residents per row). Only with "
        "breakdown=community or when the report spans several communities",
    )


@endpoint(
    "/reports/monthly",
    summary="A month's figures (only reviewed activities count) for the caller's "
    "scope, a community or a project's community",
    tag=TAG,
    query=MonthQuery,
    response=MonthlyReport,
    roles=READERS,
    errors=(404, 422),
)
def monthly_report(query: MonthQuery):
    period = month_range(query.month)
    if period is None:
        raise ValidationFailed(_l("A month as YYYY-MM."), field="month")
    scope = report_scope(current_api_user(), query.community_id, query.project_id)
    wanted = query.breakdown == "community" or scope.several
    return monthly_figures(
        period,
        query.month,
        scope.communities,
        breakdown=scope.rows if wanted else None,
    )
