"""The one answer to "which organizations may this user see", used by every list
and record lookup: admins, social workers and viewers see every organization, an
organization leader the ones they lead."""

from __future__ import annotations

from flask import abort
from sqlalchemy import ColumnElement, false, select, true

from incubator.auth.models import User
from incubator.auth.roles import Role
from incubator.extensions import db
from incubator.organizations.models import Organization


def org_scope(user: User | None) -> ColumnElement[bool]:
    """A condition on ``Organization`` selecting the organizations ``user`` may see.

    Admins, social workers and viewers see every organization (viewers without
    its residents: see ``may_see_residents``); an organization leader sees only
    the ones they lead.
    """
    if user is None or not user.is_authenticated or not user.active:
        return false()
    if user.role == Role.ORG_LEADER:
        return Organization.leader_user_id == user.id
    return true()


def visible_organization_ids(user: User) -> list[int]:
    return list(db.session.scalars(select(Organization.id).where(org_scope(user))))


def can_see_organization(user: User, org: Organization) -> bool:
    if user is None or not user.is_authenticated or not user.active:
        return False
    if user.role == Role.ORG_LEADER:
        return org.leader_user_id == user.id
    return True


def get_visible_organization_or_404(user: User, org_id: int) -> Organization:
    """The organization if ``user`` may see it; 404 otherwise (never 403, which would
    confirm that it exists)."""
    org = db.session.get(Organization, org_id)
    if org is None or not can_see_organization(user, org):
        abort(404)
    return org
