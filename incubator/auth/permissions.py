"""Who may do what: the role decorator for routes and the one answer to "which
organizations may this user see", used by every list and record lookup."""

from __future__ import annotations

from functools import wraps
from typing import TypeGuard

from flask import abort
from flask_login import current_user
from sqlalchemy import ColumnElement, false, select, true

from incubator.auth.models import User
from incubator.auth.roles import PERSONAL_DATA_ROLES, RESIDENT_ROLES, Role
from incubator.extensions import db, login_manager
from incubator.organizations.models import Organization


def roles_required(*roles: Role):
    """Route decorator: anonymous users go to the login page, other roles get 403.

    ``@roles_required()`` with no roles admits every logged-in user.
    """
    allowed = {str(r) for r in roles}

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if allowed and current_user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        # an attribute on the view function, which mypy cannot declare
        wrapped.allowed_roles = frozenset(allowed)  # type: ignore[attr-defined]
        return wrapped

    return decorator


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


def may_see_residents(user: User | None) -> TypeGuard[User]:
    """Whether ``user`` may see individual residents (volunteers, attendees,
    members) by name at all. False for viewers, who get counts instead; pages,
    exports, the API and templates (``may_see_residents`` in Jinja) ask this."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.active
        and user.role in RESIDENT_ROLES
    )


def may_see_personal_data(user: User) -> bool:
    """Full phone and ID numbers: admins and social workers only."""
    return bool(user and user.is_authenticated and user.role in PERSONAL_DATA_ROLES)


def mask_phone(phone: str | None) -> str:
    """``13812345678`` -> ``138****5678``."""
    if not phone:
        return ""
    if len(phone) < 7:
        return "*" * len(phone)
    return f"{phone[:3]}****{phone[-4:]}"
