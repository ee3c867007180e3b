"""API: the volunteer roster, memberships and service hours. Phone and ID numbers
are masked unless the caller is an admin or social worker; each full-number answer
is logged like a reveal on the pages."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from incubator.api.core import Id, PageQuery, current_api_user, endpoint, paginate
from incubator.api.fields import sent_values
from incubator.auth.roles import RESIDENT_ROLES, Role
from incubator.community.queries import resolve_compound
from incubator.errors import NotPermitted, ValidationFailed
from incubator.extensions import db
from incubator.organizations.access import get_visible_organization_or_404
from incubator.periods import month_range
from incubator.transaction import settle
from incubator.volunteers import hours as hours_service
from incubator.volunteers import services
from incubator.volunteers.access import get_visible_volunteer_or_404
from incubator.volunteers.models import (
    Membership,
    ServiceRecord,
    Volunteer,
    VolunteerStatus,
)
from incubator.volunteers.privacy import (
    log_export,
    log_reveal,
    may_see_personal_data,
)
from incubator.volunteers.queries import (
    MembershipView,
    ServiceRecordView,
    VolunteerView,
    hours_query,
    volunteers_query,
)
from incubator.volunteers.schemas import (
    VOLUNTEER_NOT_NULL,
    HoursCorrection,
    HoursEntry,
    MembershipEntry,
    VolunteerChange,
    VolunteerRegistration,
    VolunteerSearch,
)

TAG = "volunteers"
EDITORS = (Role.ADMIN, Role.SOCIAL_WORKER, Role.ORG_LEADER)
# Viewers see no resident: every route here answers them 403 (issue 13).
READERS = tuple(RESIDENT_ROLES)


class MembershipOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    volunteer_id: int
    organization_id: int
    organization: str
    role: str
    role_label: str
    joined_on: date
    left_on: date | None


class VolunteerOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    number: str | None
    name: str
    gender: str
    gender_label: str
    birth_year: int
    phone: str | None = Field(description="Masked unless the caller is staff")
    id_number: str | None = Field(description="Masked unless the caller is staff")
    compound_id: int | None
    compound: str | None = Field(description="The compound's name")
    skills: list[str]
    availability: list[str]
    joined_on: date | None
    status: str
    status_label: str
    left_on: date | None
    memberships: list[MembershipOut]
    version: int


class VolunteerQuery(PageQuery):
    skill: str | None = Field(default=None, max_length=32)
    compound_id: Id | None = None
    organization_id: Id | None = None
    status: VolunteerStatus | None = None
    phone_tail: str | None = Field(
        default=None,
        pattern=r"^[0-9]{4}$",
        description="The last 4 digits of the phone",
    )


class VolunteerPage(BaseModel):
    items: list[VolunteerOut]
    page: int
    per_page: int
    total: int


def _full() -> bool:
    return may_see_personal_data(current_api_user())


def _out(volunteer: Volunteer) -> VolunteerOut:
    """The volunteer as the caller may see them (``VolunteerView``)."""
    return VolunteerOut.model_validate(VolunteerView(volunteer, current_api_user()))


def _membership_out(membership: Membership) -> MembershipOut:
    return MembershipOut.model_validate(MembershipView(membership))


def _page_of(stmt, query) -> dict:
    full = _full()
    page = paginate(stmt, query, _out)
    if full and page["items"]:
        log_export(
            "api volunteer list",
            [item["id"] for item in page["items"]],
            actor=current_api_user(),
            full=True,
        )
        settle()
    return page


@endpoint(
    "/volunteers",
    summary="The roster (numbers masked unless staff)",
    tag=TAG,
    query=VolunteerQuery,
    response=VolunteerPage,
    roles=READERS,
)
def list_volunteers(query: VolunteerQuery):
    stmt = volunteers_query(
        current_api_user(),
        skill=query.skill,
        compound_id=query.compound_id,
        organization_id=query.organization_id,
        status=query.status.value if query.status else None,
        phone_tail=query.phone_tail,
    )
    return _page_of(stmt, query)


@endpoint(
    "/volunteers/search",
    "POST",
    summary="Search the roster by name (in the body, not the URL)",
    tag=TAG,
    body=VolunteerSearch,
    response=VolunteerPage,
    roles=READERS,
)
def search_volunteers(body: VolunteerSearch):
    stmt = volunteers_query(
        current_api_user(), name=body.name, phone_tail=body.phone_tail
    )
    return _page_of(
        stmt, PageQuery(page=body.page, per_page=body.per_page, after=body.after)
    )


def _show(volunteer: Volunteer) -> VolunteerOut:
    full = _full()
    if full and (volunteer.phone or volunteer.id_number):
        log_reveal(volunteer, "api", actor=current_api_user())
        settle()
    return _out(volunteer)


@endpoint(
    "/volunteers",
    "POST",
    summary="Add a volunteer",
    tag=TAG,
    body=VolunteerRegistration,
    response=VolunteerOut,
    status=201,
    roles=EDITORS,
    errors=(403, 404),
)
def create_volunteer(body: VolunteerRegistration):
    where = {"compound": body.compound, "compound_id": body.compound_id}
    body = body.with_compound_id(resolve_compound(where)["compound_id"])
    org_id = body.organization_id
    org = (
        get_visible_organization_or_404(current_api_user(), org_id) if org_id else None
    )
    volunteer = services.create_volunteer(
        body, actor=current_api_user(), organization=org
    )
    settle()
    return _out(volunteer)


@endpoint(
    "/volunteers/<int:volunteer_id>",
    summary="One volunteer",
    tag=TAG,
    response=VolunteerOut,
    errors=(404,),
    roles=READERS,
)
def get_volunteer(volunteer_id: int):
    return _show(get_visible_volunteer_or_404(current_api_user(), volunteer_id))


@endpoint(
    "/volunteers/<int:volunteer_id>",
    "PATCH",
    summary="Change a volunteer (409 on a stale version)",
    tag=TAG,
    body=VolunteerChange,
    response=VolunteerOut,
    roles=EDITORS,
    errors=(403, 404, 409),
)
def patch_volunteer(volunteer_id: int, body: VolunteerChange):
    volunteer = get_visible_volunteer_or_404(current_api_user(), volunteer_id)
    data = resolve_compound(
        sent_values(body, not_null=VOLUNTEER_NOT_NULL), current=volunteer.compound_id
    )
    services.update_volunteer(
        volunteer, actor=current_api_user(), expected_version=body.version, **data
    )
    settle()
    return _out(volunteer)


class MemberPage(BaseModel):
    items: list[MembershipOut]
    page: int
    per_page: int
    total: int


@endpoint(
    "/organizations/<int:org_id>/members",
    summary="An organization's roster",
    tag=TAG,
    query=PageQuery,
    response=MemberPage,
    errors=(404,),
    roles=READERS,
)
def list_members(org_id: int, query: PageQuery):
    org = get_visible_organization_or_404(current_api_user(), org_id)
    stmt = (
        select(Membership)
        .where(Membership.organization_id == org.id)
        .options(joinedload(Membership.organization))
        .order_by(Membership.left_on.is_not(None), Membership.joined_on, Membership.id)
    )
    return paginate(stmt, query, _membership_out)


@endpoint(
    "/organizations/<int:org_id>/members",
    "POST",
    summary="Add a volunteer to an organization",
    tag=TAG,
    body=MembershipEntry,
    response=MembershipOut,
    status=201,
    roles=EDITORS,
    errors=(403, 404, 409),
)
def add_member(org_id: int, body: MembershipEntry):
    org = get_visible_organization_or_404(current_api_user(), org_id)
    volunteer = db.session.get(Volunteer, body.volunteer_id)
    if volunteer is None:
        raise ValidationFailed(_l("Unknown volunteer."), field="volunteer_id")
    membership = services.add_membership(
        volunteer,
        org,
        actor=current_api_user(),
        role=body.role.value,
        joined_on=body.joined_on,
    )
    settle()
    return _membership_out(membership)


class HoursOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    volunteer_id: int
    organization_id: int
    service: str
    served_on: date
    hours: str
    recorded_by_id: int | None
    recorded_at: datetime
    activity_id: int | None
    corrects_id: int | None
    correction_reason: str
    counted: bool


def _hours_out(record: ServiceRecord) -> HoursOut:
    return HoursOut.model_validate(ServiceRecordView(record))


class HoursQuery(PageQuery):
    volunteer_id: Id | None = None
    organization_id: Id | None = None
    month: str | None = Field(default=None, pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$")


class HoursPage(BaseModel):
    items: list[HoursOut]
    page: int
    per_page: int
    total: int


@endpoint(
    "/hours",
    summary="Service hours, newest first",
    tag=TAG,
    query=HoursQuery,
    response=HoursPage,
    roles=READERS,
)
def list_hours(query: HoursQuery):
    stmt = hours_query(
        current_api_user(),
        volunteer_id=query.volunteer_id,
        organization_id=query.organization_id,
        month=month_range(query.month),
    )
    return paginate(stmt, query, _hours_out)


@endpoint(
    "/hours",
    "POST",
    summary="Record service hours",
    tag=TAG,
    body=HoursEntry,
    response=HoursOut,
    status=201,
    roles=EDITORS,
    errors=(403, 404, 409),
)
def create_hours(body: HoursEntry):
    user = current_api_user()
    volunteer = get_visible_volunteer_or_404(user, body.volunteer_id)
    org = get_visible_organization_or_404(user, body.organization_id)
    record = hours_service.record_service(
        volunteer,
        org,
        actor=user,
        served_on=body.served_on,
        hours=body.hours,
        service=body.service,
    )
    settle()
    return _hours_out(record)


@endpoint(
    "/hours/<int:record_id>/corrections",
    "POST",
    summary="Correct an entry: a new entry replaces it, both are kept",
    tag=TAG,
    body=HoursCorrection,
    response=HoursOut,
    status=201,
    roles=EDITORS,
    errors=(403, 404, 409),
)
def correct_hours(record_id: int, body: HoursCorrection):
    user = current_api_user()
    record = db.session.get(ServiceRecord, record_id)
    if record is None:
        from flask import abort

        abort(404)
    get_visible_volunteer_or_404(user, record.volunteer_id)
    get_visible_organization_or_404(user, record.organization_id)
    if user.role not in EDITORS:
        raise NotPermitted(_l("You are not allowed to do this."))
    correction = hours_service.correct_service(
        record,
        actor=user,
        reason=body.reason,
        hours=body.hours,
        served_on=body.served_on,
        service=body.service,
    )
    settle()
    return _hours_out(correction)
