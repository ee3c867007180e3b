"""Managing user accounts. Pages, the API and the CLI all call these.

Services flush and announce what the audit trail records (signals.account_changed);
they never commit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from incubator import signals
from incubator.auth.models import User
from incubator.auth.passwords import (
    check_password_policy,
    hash_password,
    verify_password,
)
from incubator.auth.roles import Role
from incubator.auth.sessions import normalize_username, revoke_all_sessions
from incubator.changes import pending_changes
from incubator.database import utcnow
from incubator.errors import StaleRecord, ValidationFailed
from incubator.extensions import db


def _announce(action: str, user: User, *, actor, changes: dict | None = None) -> None:
    signals.account_changed.send(user, action=action, actor=actor, changes=changes)


USERNAME_RE = re.compile(r"[a-z0-9][a-z0-9_.-]{2,31}")


def _check_role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise ValidationFailed(
            _l(
                "Unknown role %(role)s; choose one of: %(roles)s.",
                role=role,
                roles=", ".join(r.value for r in Role),
            ),
            field="role",
        ) from None


def _check_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_l("Please enter the name."), field="name")
    if len(name) > 64:
        raise ValidationFailed(
            _l("The name may have at most %(n)d characters.", n=64), field="name"
        )
    return name


def create_user(
    username: str,
    *,
    name: str,
    role: str,
    password: str,
    actor: User | None,
    organization_ids: Iterable[int] = (),
    community_ids: Iterable[int] | None = None,
    community_names: Iterable[str] | None = None,
    email: str = "",
) -> User:
    """Create an account. Raises ``ValidationFailed`` for a bad or taken
    username, an unknown role, an empty name or a weak password.
    ``community_ids`` (or ``community_names``) is its scope, checked and set by
    the community layer; none means every community."""
    username = normalize_username(username)
    if not USERNAME_RE.fullmatch(username):
        raise ValidationFailed(
            _l(
                "A username has 3 to 32 characters: lowercase letters, digits, "
                "dot, dash or underscore, starting with a letter or digit."
            ),
            field="username",
        )
    role_enum = _check_role(role)
    name = _check_name(name)
    if db.session.scalar(select(User.id).where(User.username == username)):
        raise ValidationFailed(
            _l("The username %(u)s is already taken.", u=username), field="username"
        )
    check_password_policy(password, username=username)
    user = User(
        username=username,
        name=name,
        role=role_enum.value,
        password_hash=hash_password(password),
        email=_check_email(email),
        active=True,
    )
    changes = pending_changes(user)
    try:
        with db.session.begin_nested():
            db.session.add(user)
            db.session.flush()
    except IntegrityError:
        # Created by someone else between the check above and now.
        raise ValidationFailed(
            _l("The username %(u)s is already taken.", u=username), field="username"
        ) from None
    _announce("create", user, actor=actor, changes=changes)
    signals.organizations_led.send(
        user, organization_ids=organization_ids, actor=actor or user
    )
    _send_scope(user, actor, community_ids, community_names)
    db.session.flush()
    return user


def _send_scope(user, actor, community_ids, community_names) -> None:
    if community_names is not None:
        signals.community_scope_set.send(
            user, actor=actor, community_names=list(community_names)
        )
    elif community_ids is not None:
        signals.community_scope_set.send(
            user, actor=actor, community_ids=list(community_ids)
        )


def _check_email(email: str | None) -> str:
    email = (email or "").strip()
    if len(email) > 254 or (email and "@" not in email):
        raise ValidationFailed(_l("Please enter a valid email."), field="email")
    return email


def update_user(
    user: User,
    *,
    actor: User,
    name: str,
    role: str,
    organization_ids: Iterable[int] = (),
    expected_version: int | None = None,
    community_ids: Iterable[int] | None = None,
    email: str | None = None,
) -> User:
    """Change the name, role, led organizations (and, when given, the email and
    the scope: ``community_ids``, empty for every community) of ``user``.

    Raises ``StaleRecord`` if ``expected_version`` is not the current version, and
    ``ValidationFailed`` when an admin would remove their own admin role.
    """
    if expected_version is not None and expected_version != user.version:
        raise StaleRecord(
            _l("Someone else changed this user meanwhile; reload and edit again.")
        )
    role_enum = _check_role(role)
    if user.id == actor.id and role_enum != Role.ADMIN and user.role == Role.ADMIN:
        raise ValidationFailed(
            _l("You cannot take away your own admin role."), field="role"
        )
    user.name = _check_name(name)
    user.role = role_enum.value
    if email is not None:
        user.email = _check_email(email)
    _announce("update", user, actor=actor)
    signals.organizations_led.send(user, organization_ids=organization_ids, actor=actor)
    _send_scope(user, actor, community_ids, None)
    try:
        db.session.flush()
    except StaleDataError:
        raise StaleRecord(
            _l("Someone else changed this user meanwhile; reload and edit again.")
        ) from None
    return user


def set_active(user: User, active: bool, *, actor: User) -> User:
    """Activate or deactivate ``user``. Deactivating ends their sessions and tokens."""
    if user.id == actor.id and not active:
        raise ValidationFailed(_l("You cannot deactivate your own account."))
    if user.active == active:
        return user
    user.active = active
    _announce("activate" if active else "deactivate", user, actor=actor)
    if not active:
        revoke_all_sessions(user)
    db.session.flush()
    return user


def reset_password(user: User, new_password: str, *, actor: User) -> None:
    """An admin sets a new password; every session and token of the user ends."""
    check_password_policy(new_password, username=user.username)
    user.password_hash = hash_password(new_password)
    user.password_changed_at = utcnow()
    _announce("password_reset", user, actor=actor)
    revoke_all_sessions(user)
    db.session.flush()


def change_own_password(user: User, current: str, new_password: str) -> None:
    """The user changes their password; every session and token of theirs ends
    (the caller logs the current browser in again)."""
    if not verify_password(user.password_hash, current or ""):
        raise ValidationFailed(
            _l("The current password is wrong."), field="current_password"
        )
    check_password_policy(new_password, username=user.username, field="new_password")
    user.password_hash = hash_password(new_password)
    user.password_changed_at = utcnow()
    _announce("password_change", user, actor=user)
    revoke_all_sessions(user)
    db.session.flush()


def set_large_text(user: User, on: bool, *, actor: User) -> User:
    """Switch ``user``'s 大字 (large text) mode on or off. Audited as
    ``large_text`` with the old and new value; nothing is written when unchanged."""
    if user.large_text == on:
        return user
    user.large_text = on
    changes = pending_changes(user)
    _announce("large_text", user, actor=actor, changes=changes)
    db.session.flush()
    return user
