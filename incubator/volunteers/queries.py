"""Loading volunteers and hours for pages, the API and exports, always within what
the user may see, with what the page shows loaded eagerly."""

from __future__ import annotations

from sqlalchemy import Select, exists, func, select
from sqlalchemy.orm import joinedload, selectinload

from incubator.auth.models import User
from incubator.normalize import clean_text, phone_text
from incubator.organizations.access import org_scope
from incubator.organizations.models import Organization
from incubator.volunteers.access import volunteer_scope
from incubator.volunteers.models import (
    Membership,
    ServiceRecord,
    Volunteer,
    VolunteerSkill,
)


def volunteers_query(
    user: User,
    *,
    name: str | None = None,
    phone_tail: str | None = None,
    skill: str | None = None,
    compound_id: int | None = None,
    organization_id: int | None = None,
    status: str | None = None,
) -> Select:
    stmt = (
        select(Volunteer)
        .where(volunteer_scope(user))
        .options(
            joinedload(Volunteer.compound),
            selectinload(Volunteer.skills),
            selectinload(Volunteer.memberships).joinedload(Membership.organization),
        )
    )
    name = clean_text(name) if name else None
    if name:
        stmt = stmt.where(
            func.lower(Volunteer.name).contains(name.lower(), autoescape=True)
        )
    phone_tail = phone_text(phone_tail) if phone_tail else None
    if phone_tail:
        stmt = stmt.where(Volunteer.phone.endswith(phone_tail, autoescape=True))
    if skill:
        stmt = stmt.where(
            exists(
                select(VolunteerSkill.id).where(
                    VolunteerSkill.volunteer_id == Volunteer.id,
                    func.lower(VolunteerSkill.skill) == skill.lower(),
                )
            )
        )
    if compound_id:
        stmt = stmt.where(Volunteer.compound_id == compound_id)
    if organization_id:
        stmt = stmt.where(
            exists(
                select(Membership.id).where(
                    Membership.volunteer_id == Volunteer.id,
                    Membership.organization_id == organization_id,
                    Membership.left_on.is_(None),
                )
            )
        )
    if status:
        stmt = stmt.where(Volunteer.status == status)
    return stmt.order_by(Volunteer.name, Volunteer.id)


def hours_query(
    user: User,
    *,
    volunteer_id: int | None = None,
    organization_id: int | None = None,
    month=None,
) -> Select:
    """Service records the user may see: an org leader only their organizations'."""
    stmt = (
        select(ServiceRecord)
        .join(Organization, Organization.id == ServiceRecord.organization_id)
        .where(org_scope(user))
        .options(
            joinedload(ServiceRecord.volunteer),
            joinedload(ServiceRecord.organization),
            joinedload(ServiceRecord.recorded_by),
        )
    )
    if volunteer_id:
        stmt = stmt.where(ServiceRecord.volunteer_id == volunteer_id)
    if organization_id:
        stmt = stmt.where(ServiceRecord.organization_id == organization_id)
    if month is not None:
        start, end = month
        stmt = stmt.where(
            ServiceRecord.served_on >= start, ServiceRecord.served_on < end
        )
    return stmt.order_by(ServiceRecord.served_on.desc(), ServiceRecord.id.desc())
