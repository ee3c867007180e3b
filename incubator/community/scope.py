"""A user's scope: the communities they serve or oversee.

Kept on the user row (``User.community_scope``, the ids comma separated; empty
means every community: the deployment's administrator, a district viewer), so
knowing it costs no query. Every list, record, figure and job filters through
``in_scope`` (for organizations through ``incubator.organizations.access.
org_scope``, which builds on it), so a record outside the scope is never shown
and answers 404.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, select, true

from incubator.auth.models import User
from incubator.community.models import Community
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


def may_see_community(user: User | None, community_id: int | None) -> bool:
    ids = scope_ids(user)
    return ids is None or community_id in ids


def set_scope(user: User, community_ids: Iterable[int]) -> None:
    """Replace ``user``'s scope (empty means every community). The caller
    checks the ids name existing communities and writes the audit trail."""
    user.community_scope = ",".join(str(i) for i in sorted(set(community_ids)))


def scope_communities(user: User | None) -> list[Community]:
    """The open communities in ``user``'s scope, in their display order."""
    stmt = select(Community).where(
        Community.archived_at.is_(None), in_scope(Community.id, user)
    )
    return list(db.session.scalars(stmt.order_by(Community.position, Community.id)))
