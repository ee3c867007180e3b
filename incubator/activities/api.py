"""API: activity logs and their review, and the ledger of resources linked."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from flask import abort
from pydantic import BaseModel, Field, field_validator

from incubator.activities import services
from incubator.activities.models import (
    Activity,
    Form,
    ResourceLink,
    ReviewState,
    ServiceType,
    TargetGroup,
)
from incubator.activities.queries import activities_query, activity_view
from incubator.activities.resource_views import ledger_query
from incubator.activities.schemas import (
    NOT_NULL,
    ActivityChange,
    ActivityLog,
    ActivityReview,
    ResourceEntry,
)
from incubator.api.core import Id, PageQuery, current_api_user, endpoint, paginate
from incubator.api.fields import sent_values
from incubator.auth.roles import Role
from incubator.community.queries import resolve_compound
from incubator.extensions import db
from incubator.money import money_text
from incubator.organizations.access import (
    can_see_organization,
    get_visible_organization_or_404,
)
from incubator.periods import month_range
from incubator.transaction import settle

TAG = "activities"
LOGGERS = (Role.ADMIN, Role.SOCIAL_WORKER, Role.ORG_LEADER)


class VolunteerHoursOut(BaseModel):
    volunteer_id: int
    name: str
    hours: str
    service_record_id: int | None

    @field_validator("hours", mode="before")
    @classmethod
    def _hours(cls, value):
        return str(value) if isinstance(value, Decimal) else value


class ActivityOut(BaseModel):
    id: int
    organization_id: int
    title: str
    form: str
    form_label: str
    service_type: str
    service_type_label: str
    target_group: str
    target_group_label: str
    starts_at: datetime
    ends_at: datetime
    overnight: bool
    held_on: date
    compound_id: int | None
    room_id: int | None
    place: str
    person_times: int
    summary: str
    volunteer_hours: list[VolunteerHoursOut] | None = Field(
        description="Who served and how long; null for viewers, who see no resident"
    )
    volunteer_count: int
    photo_count: int
    review_state: str
    review_state_label: str
    return_reason: str
    version: int


def _out(activity: Activity) -> ActivityOut:
    """The resource, validated from the read model the activity's page shows
    (``incubator.activities.queries.ActivityView``)."""
    return ActivityOut.model_validate(
        activity_view(current_api_user(), activity), from_attributes=True
    )


class ActivityQuery(PageQuery):
    organization_id: Id | None = None
    month: str | None = Field(default=None, pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$")
    form: Form | None = None
    service_type: ServiceType | None = None
    target_group: TargetGroup | None = None
    compound_id: Id | None = None
    review_state: ReviewState | None = None


class ActivityPage(BaseModel):
    items: list[ActivityOut]
    page: int
    per_page: int
    total: int


def _resolved(body: ActivityLog) -> ActivityLog:
    """``body`` with a compound sent by name turned into its id."""
    if "compound" not in body.model_fields_set:
        return body
    values = resolve_compound(
        {"compound": body.compound, "compound_id": body.compound_id}
    )
    return body.model_copy(
        update={"compound_id": values["compound_id"], "compound": None}
    )


def _load(activity_id: int) -> Activity:
    activity = db.session.get(Activity, activity_id)
    if activity is None or not can_see_organization(
        current_api_user(), activity.organization
    ):
        abort(404)
    return activity


@endpoint(
    "/activities",
    summary="Activity logs, newest first",
    tag=TAG,
    query=ActivityQuery,
    response=ActivityPage,
)
def list_activities(query: ActivityQuery):
    stmt = activities_query(
        current_api_user(),
        organization_id=query.organization_id,
        month=month_range(query.month),
        form=query.form.value if query.form else None,
        service_type=query.service_type.value if query.service_type else None,
        target_group=query.target_group.value if query.target_group else None,
        compound_id=query.compound_id,
        review_state=query.review_state.value if query.review_state else None,
    )
    return paginate(stmt, query, _out)


@endpoint(
    "/activities",
    "POST",
    summary="Log an activity (it waits for review)",
    tag=TAG,
    body=ActivityLog,
    response=ActivityOut,
    status=201,
    roles=LOGGERS,
    errors=(403, 404, 409),
)
def create_activity(body: ActivityLog):
    org = get_visible_organization_or_404(current_api_user(), body.organization_id)
    activity = services.log_activity(org, _resolved(body), actor=current_api_user())
    settle()
    return _out(activity)


@endpoint(
    "/activities/<int:activity_id>",
    summary="One activity log",
    tag=TAG,
    response=ActivityOut,
    errors=(404,),
)
def get_activity(activity_id: int):
    return _out(_load(activity_id))


@endpoint(
    "/activities/<int:activity_id>",
    "PATCH",
    summary="Change fields of a log (the others stay); it goes back to review",
    tag=TAG,
    body=ActivityChange,
    response=ActivityOut,
    roles=LOGGERS,
    errors=(403, 404, 409),
)
def patch_activity(activity_id: int, body: ActivityChange):
    activity = _load(activity_id)
    values = resolve_compound(
        sent_values(body, exclude=("version", "volunteer_hours"), not_null=NOT_NULL),
        current=activity.compound_id,
    )
    if "compound_id" in values:
        body = body.model_copy(update={"compound_id": values["compound_id"]})
    services.update_activity(activity, body, actor=current_api_user())
    settle()
    return _out(activity)


@endpoint(
    "/activities/<int:activity_id>/review",
    "POST",
    summary="Approve a log, or return it with a reason",
    tag=TAG,
    body=ActivityReview,
    response=ActivityOut,
    roles=(Role.ADMIN, Role.SOCIAL_WORKER),
    errors=(404, 409),
)
def review_activity(activity_id: int, body: ActivityReview):
    activity = _load(activity_id)
    services.review_activity(activity, body, actor=current_api_user())
    settle()
    return _out(activity)


class ResourceOut(BaseModel):
    id: int
    partner: str
    kind: str
    kind_label: str
    description: str
    value: str
    valuation_basis: str
    received_on: date
    organization_id: int | None
    activity_id: int | None

    # Validated from the ledger line: money in yuan as text.
    @field_validator("value", mode="before")
    @classmethod
    def _money(cls, value):
        return money_text(value) if isinstance(value, Decimal) else value


def _resource_out(line: ResourceLink) -> ResourceOut:
    return ResourceOut.model_validate(line, from_attributes=True)


class ResourceQuery(PageQuery):
    month: str | None = Field(default=None, pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$")


class ResourcePage(BaseModel):
    items: list[ResourceOut]
    page: int
    per_page: int
    total: int


@endpoint(
    "/resources",
    summary="The ledger of resources linked",
    tag=TAG,
    query=ResourceQuery,
    response=ResourcePage,
)
def list_resources(query: ResourceQuery):
    return paginate(
        ledger_query(current_api_user(), month_range(query.month)),
        query,
        _resource_out,
    )


@endpoint(
    "/resources",
    "POST",
    summary="Add a ledger line",
    tag=TAG,
    body=ResourceEntry,
    response=ResourceOut,
    status=201,
    roles=LOGGERS,
    errors=(403, 404),
)
def create_resource(body: ResourceEntry):
    user = current_api_user()
    org = (
        get_visible_organization_or_404(user, body.organization_id)
        if body.organization_id
        else None
    )
    activity = _load(body.activity_id) if body.activity_id else None
    line = services.record_resource(
        body, actor=user, organization=org, activity=activity
    )
    settle()
    return _resource_out(line)
