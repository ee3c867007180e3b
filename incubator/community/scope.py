"""A user's scope: the communities they serve or oversee.

Stored as rows of ``user_community`` (for questions about many users at once, in
SQL) and copied on the user row (``User.community_scope``, the ids comma
separated), so reading one's own scope costs no query. No community means every
community: the deployment's administrator, a district viewer. ``set_scope``
writes both. Every list, record, figure and job filters through ``in_scope``
(for organizations through ``incubator.organizations.access.org_scope``, which
builds on it), so a record outside the scope is never shown and answers 404.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, delete, exists, insert, select, true

from incubator.auth.models import User
from incubator.community.models import Community, user_community
from incubator.errors import ValidationFailed
from incubator.extensions import db


def scope_ids(user: User | None) -> frozenset[int] | None:
    """The ids of the communities in ``user``'s scope, or ``None`` for all."""
    text = getattr(user, "community_scope", "") or ""
    ids = frozenset(int(part) for part in text.split(",") if part.strip().isdigit())
    return ids or None


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
    """Replace ``user``'s scope (empty means every community), in the table and
    on the user row. The caller checks the ids and writes the audit trail."""
    ids = sorted(set(community_ids))
    if user.id is None:
        db.session.flush()
    db.session.execute(
        delete(user_community).where(user_community.c.user_id == user.id)
    )
    if ids:
        db.session.execute(
            insert(user_community),
            [{"user_id": user.id, "community_id": i} for i in ids],
        )
    user.community_scope = ",".join(str(i) for i in ids)


def scope_communities(user: User | None) -> list[Community]:
    """The open communities in ``user``'s scope, in their display order."""
    stmt = select(Community).where(
        Community.archived_at.is_(None), in_scope(Community.id, user)
    )
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
