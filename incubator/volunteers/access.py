"""Which volunteers a user may see and whose roster they may manage.

Admins and social workers see the whole roster; an organization leader sees the
volunteers who are or were members of an organization they lead, and manages
those organizations' rosters only. Viewers (street office, civil affairs) see no
volunteer at all: a resident's name is personal data (issue 13).
"""

from __future__ import annotations

from flask import abort
from sqlalchemy import ColumnElement, exists, false, select

from incubator.auth.models import User
from incubator.auth.permissions import may_see_residents
from incubator.auth.roles import STAFF_ROLES, Role
from incubator.community.scope import in_scope, may_see_community
from incubator.extensions import db
from incubator.organizations.access import org_scope
from incubator.organizations.models import Organization
from incubator.volunteers.models import Membership, Volunteer


def volunteer_scope(user: User | None) -> ColumnElement[bool]:
    """A condition on ``Volunteer`` selecting those ``user`` may see: none for
    viewers and the inactive, a leader's members, staff the volunteers of the
    communities in their scope."""
    if not may_see_residents(user):
        return false()
    if user.role == Role.ORG_LEADER:
        return exists(
            select(Membership.id)
            .join(Organization, Organization.id == Membership.organization_id)
            .where(
                Membership.volunteer_id == Volunteer.id,
                Organization.leader_user_id == user.id,
            )
        )
    return in_scope(Volunteer.community_id, user)


def get_visible_volunteer_or_404(user: User, volunteer_id: int, *options) -> Volunteer:
    """The volunteer if ``user`` may see them (loaded with ``options``), else 404."""
    volunteer = db.session.scalar(
        select(Volunteer)
        .where(Volunteer.id == volunteer_id, volunteer_scope(user))
        .options(*options)
    )
    if volunteer is None:
        abort(404)
    return volunteer


def manageable_organizations(user: User) -> list[Organization]:
    """The organizations whose roster and hours ``user`` may change."""
    query = select(Organization).where(Organization.archived_at.is_(None))
    if user.role == Role.ORG_LEADER:
        query = query.where(Organization.leader_user_id == user.id)
    elif user.role in STAFF_ROLES:
        query = query.where(org_scope(user))
    else:
        return []
    return list(db.session.scalars(query.order_by(Organization.name)))


def may_manage_roster(user: User, org: Organization) -> bool:
    if user.role in STAFF_ROLES:
        return may_see_community(user, org.community_id)
    return user.role == Role.ORG_LEADER and org.leader_user_id == user.id


def may_edit_volunteer(user: User, volunteer: Volunteer) -> bool:
    """Staff edit anyone in their scope; a leader edits the volunteers of their
    organizations."""
    if user.role in STAFF_ROLES:
        return may_see_community(user, volunteer.community_id)
    if user.role != Role.ORG_LEADER:
        return False
    return bool(
        db.session.scalar(
            select(Membership.id)
            .join(Organization, Organization.id == Membership.organization_id)
            .where(
                Membership.volunteer_id == volunteer.id,
                Organization.leader_user_id == user.id,
            )
            .limit(1)
        )
    )
