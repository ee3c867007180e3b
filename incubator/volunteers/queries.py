"""Loading volunteers and hours for pages, the API and exports, always within what
the user may see, with what the page shows loaded eagerly."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, exists, func, select
from sqlalchemy.orm import joinedload, selectinload

from incubator.auth.models import User
from incubator.normalize import clean_text, phone_text
from incubator.organizations.access import org_scope
from incubator.organizations.models import Organization
from incubator.volunteers.access import may_edit_volunteer, volunteer_scope
from incubator.volunteers.models import (
    Membership,
    ServiceRecord,
    Volunteer,
    VolunteerSkill,
)
from incubator.volunteers.privacy import (
    mask_id_number,
    mask_phone,
    may_see_personal_data,
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
    columns: Sequence[Any] | None = None,
) -> Select:
    """Service records the user may see: an org leader only their organizations'.
    With ``columns`` it selects only those (from ``ServiceRecord`` joined to
    ``Organization``) and loads nothing else, for an export that streams rows."""
    if columns is not None:
        stmt = (
            select(*columns)
            .select_from(ServiceRecord)
            .join(Organization, Organization.id == ServiceRecord.organization_id)
            .where(org_scope(user))
        )
    else:
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


@dataclass
class MembershipView:
    """A membership as the volunteer's page and the API show it: its columns read
    through, with the organization's name."""

    membership: Membership

    def __getattr__(self, name: str):
        return getattr(self.membership, name)

    @property
    def organization(self) -> str:
        return self.membership.organization.name


@dataclass
class VolunteerView:
    """A volunteer as their page and API resource show it to ``user``: the columns
    read through, the compound's name, skills, memberships, the numbers as
    ``user`` may see them, and what ``user`` may do.

    ``phone`` and ``id_number`` are full for those who may see personal data
    (``may_see_numbers``; the caller logs the reveal) and masked (``None`` when
    there is none) for everyone else; the page shows the masked ones
    (``masked_phone``, ``masked_id_number``) until staff reveal one."""

    volunteer: Volunteer
    user: User

    def __getattr__(self, name: str):
        return getattr(self.volunteer, name)

    @property
    def may_see_numbers(self) -> bool:
        return may_see_personal_data(self.user)

    @property
    def may_edit(self) -> bool:
        return may_edit_volunteer(self.user, self.volunteer)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.volunteer.phone)

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.volunteer.id_number)

    @property
    def phone(self) -> str | None:
        if self.may_see_numbers:
            return self.volunteer.phone
        return self.masked_phone or None

    @property
    def id_number(self) -> str | None:
        if self.may_see_numbers:
            return self.volunteer.id_number
        return self.masked_id_number or None

    @property
    def compound(self) -> str | None:
        compound = self.volunteer.compound
        return compound.name if compound else None

    @property
    def skills(self) -> list[str]:
        return self.volunteer.skill_names

    @property
    def availability(self) -> list[str]:
        return list(self.volunteer.availability or [])

    @property
    def memberships(self) -> list[MembershipView]:
        return [MembershipView(m) for m in self.volunteer.memberships]


@dataclass
class ServiceRecordView:
    """An entry of service hours as the API shows it: the hours as text
    (``"2.5"``) and whether it counts (not replaced by a correction)."""

    record: ServiceRecord

    def __getattr__(self, name: str):
        return getattr(self.record, name)

    @property
    def hours(self) -> str:
        return str(self.record.hours)

    @property
    def counted(self) -> bool:
        return not self.record.superseded
