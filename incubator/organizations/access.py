"""The one answer to "which organizations may this user see", used by every list
and record lookup: admins, social workers and viewers see every organization of
the communities in their scope (``incubator.community.scope``), an organization
leader the ones they lead."""

from __future__ import annotations

from flask import abort
from sqlalchemy import ColumnElement, false, select

from incubator.auth.models import User
from incubator.auth.roles import Role
from incubator.community.scope import in_scope, may_see_community
from incubator.extensions import db
from incubator.organizations.models import Organization


def org_scope(user: User | None) -> ColumnElement[bool]:
    """A condition on ``Organization`` selecting the organizations ``user`` may see.

    Admins, social workers and viewers see every organization of the
    communities in their scope (viewers without its residents: see
    ``may_see_residents``); an organization leader sees only the ones they lead.
    """
    if user is None or not user.is_authenticated or not user.active:
        return false()
    if user.role == Role.ORG_LEADER:
        return Organization.leader_user_id == user.id
    return in_scope(Organization.community_id, user)


def visible_organization_ids(user: User) -> list[int]:
    return list(db.session.scalars(select(Organization.id).where(org_scope(user))))


def can_see_organization(user: User, org: Organization) -> bool:
    if user is None or not user.is_authenticated or not user.active:
        return False
    if user.role == Role.ORG_LEADER:
        return org.leader_user_id == user.id
    return may_see_community(user, org.community_id)


def get_visible_organization_or_404(user: User, org_id: int) -> Organization:
    """The organization if ``user`` may see it; 404 otherwise (never 403, which would
    confirm that it exists)."""
    org = db.session.get(Organization, org_id)
    if org is None or not can_see_organization(user, org):
        abort(404)
    return org
