"""A user's scope: the communities they serve or oversee (``user_community``).

No row means every community: the deployment's administrator, a district
viewer. Every list, record, figure and job filters through ``in_scope`` (for
organizations, through ``incubator.organizations.access.org_scope``, which
builds on it), so a record outside the scope is never shown and answers 404.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import g, has_app_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, delete, exists, insert, select, true

from incubator.auth.models import User
from incubator.community.models import Community, user_community
from incubator.errors import ValidationFailed
from incubator.extensions import db


def scope_ids(user: User | None) -> frozenset[int] | None:
    """The ids of the communities in ``user``'s scope, or ``None`` for all of
    them. Read once per request (cached on ``flask.g``)."""
    if user is None or not getattr(user, "id", None):
        return None
    cache = g.setdefault("_community_scopes", {}) if has_app_context() else {}
    if user.id not in cache:
        ids = db.session.scalars(
            select(user_community.c.community_id).where(
                user_community.c.user_id == user.id
            )
        ).all()
        cache[user.id] = frozenset(ids) or None
    return cache[user.id]


def in_scope(column, user: User | None) -> ColumnElement[bool]:
    """A condition on a ``community_id`` column: true for every community in
    ``user``'s scope (always true for an all-communities user)."""
    ids = scope_ids(user)
    if ids is None:
        return true()
    return column.in_(sorted(ids))


def users_sharing_scope(user: User | None) -> ColumnElement[bool]:
    """A condition on ``User``: the colleagues ``user`` may see and pick (an
    assignee, a social worker): everyone for an all-communities user, else
    those serving one of their communities or every community."""
    ids = scope_ids(user)
    if ids is None:
        return true()
    scoped = exists().where(user_community.c.user_id == User.id)
    shared = exists().where(
        user_community.c.user_id == User.id,
        user_community.c.community_id.in_(sorted(ids)),
    )
    return ~scoped | shared


def in_scope_of(column, user_id_column) -> ColumnElement[bool]:
    """A condition true when the community ``column`` lies in the scope of the
    user whose id is ``user_id_column`` (a row's assignee, organizer, social
    worker): for counts over many users at once, in one query (the jobs)."""
    scoped = exists().where(user_community.c.user_id == user_id_column)
    inside = exists().where(
        user_community.c.user_id == user_id_column,
        user_community.c.community_id == column,
    )
    return ~scoped | inside


def may_see_community(user: User | None, community_id: int | None) -> bool:
    ids = scope_ids(user)
    return ids is None or community_id in ids


def set_scope(user: User, community_ids: Iterable[int]) -> None:
    """Replace ``user``'s scope (empty means every community). The caller
    checks the ids exist and writes the audit trail."""
    ids = sorted(set(community_ids))
    db.session.execute(
        delete(user_community).where(user_community.c.user_id == user.id)
    )
    if ids:
        db.session.execute(
            insert(user_community),
            [{"user_id": user.id, "community_id": i} for i in ids],
        )
    if has_app_context():
        g.setdefault("_community_scopes", {}).pop(user.id, None)


def scope_communities(user: User | None) -> list[Community]:
    """The open communities in ``user``'s scope, in their display order."""
    stmt = select(Community).where(Community.archived_at.is_(None))
    stmt = stmt.where(in_scope(Community.id, user))
    return list(db.session.scalars(stmt.order_by(Community.position, Community.id)))


def community_for_new(user: User | None, community_id: int | None) -> int | None:
    """The community a new record of ``user``'s (a session, a ledger line, a
    volunteer) belongs to: ``community_id`` when given, which must be an open
    community in the scope (else ``ValidationFailed`` on ``community_id``);
    otherwise the user's one community, or ``None`` to leave it to the flush
    hook (the deployment's only open community)."""
    if community_id is not None:
        found = db.session.scalar(
            select(Community.id).where(
                Community.id == community_id, Community.archived_at.is_(None)
            )
        )
        if found is None or not may_see_community(user, community_id):
            raise ValidationFailed(
                _l("Unknown or archived community selected."), field="community_id"
            )
        return community_id
    ids = scope_ids(user)
    if ids is not None and len(ids) == 1:
        return next(iter(ids))
    return None
