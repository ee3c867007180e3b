"""API: the monthly report, from the shared counting functions."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, Field

from incubator.api.core import endpoint
from incubator.auth.roles import Role
from incubator.errors import ValidationFailed
from incubator.periods import month_range
from incubator.reports.monthly import monthly_report as monthly_figures

TAG = "reports"
READERS = (Role.ADMIN, Role.SOCIAL_WORKER, Role.VIEWER)


class MonthQuery(BaseModel):
    model_config = {"extra": "forbid"}

    month: str = Field(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$", description="YYYY-MM")


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


class MonthlyReport(BaseModel):
    month: str
    activities: ActivityFigures
    person_times: int
    volunteer_hours: str
    resources_value: str
    organizations: OrganizationFigures
    followups: FollowUpFigures
    sessions: SessionFigures


@endpoint(
    "/reports/monthly",
    summary="A month's figures (only reviewed activities count)",
    tag=TAG,
    query=MonthQuery,
    response=MonthlyReport,
    roles=READERS,
    errors=(422,),
)
def monthly_report(query: MonthQuery):
    period = month_range(query.month)
    if period is None:
        raise ValidationFailed(_l("A month as YYYY-MM."), field="month")
    return monthly_figures(period, query.month)
