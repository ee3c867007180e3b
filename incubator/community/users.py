"""A user's scope, set where accounts are administered: the account pages, the
API and the CLI (auth announces it with ``signals.community_scope_set``, since
auth sits below community), and the accounts a scoped admin may administer."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, exists, select, true

from incubator import signals
from incubator.audit import services as audit
from incubator.auth.models import User
from incubator.community.models import Community, user_community
from incubator.community.scope import scope_ids, set_scope
from incubator.errors import ValidationFailed
from incubator.extensions import db


def _unknown() -> ValidationFailed:
    return ValidationFailed(
        _l("Unknown or archived community selected."), field="community_ids"
    )


def check_community_ids(ids: Iterable[int], *, actor: User | None) -> list[int]:
    """The ids, checked: every one an open community within ``actor``'s scope
    (the shell, ``actor=None``, may name any). An actor with a limited scope may
    not give every community (an empty list). Raises ``ValidationFailed`` on
    ``community_ids``."""
    wanted = sorted(set(ids))
    allowed = scope_ids(actor) if actor is not None else None
    if not wanted and allowed is not None:
        raise ValidationFailed(
            _l("You may only give a scope within your own communities."),
            field="community_ids",
        )
    if wanted:
        found = set(
            db.session.scalars(
                select(Community.id).where(
                    Community.id.in_(wanted), Community.archived_at.is_(None)
                )
            )
        )
        if found != set(wanted):
            raise _unknown()
        if allowed is not None and not set(wanted) <= allowed:
            raise _unknown()
    return wanted


def community_ids_named(names: Iterable[str]) -> list[int]:
    """The ids of the open communities of these names. Raises
    ``ValidationFailed`` on ``community_ids`` for an unknown name."""
    wanted = {" ".join(n.split()) for n in names}
    if not wanted:
        return []
    rows = dict(
        db.session.execute(
            select(Community.name, Community.id).where(
                Community.name.in_(wanted), Community.archived_at.is_(None)
            )
        ).all()
    )
    missing = wanted - set(rows)
    if missing:
        raise ValidationFailed(
            _l("Unknown community: %(name)s.", name="、".join(sorted(missing))),
            field="community_ids",
        )
    return sorted(rows.values())


def community_ids_of(user: User) -> list[int]:
    return sorted(
        db.session.scalars(
            select(user_community.c.community_id).where(
                user_community.c.user_id == user.id
            )
        )
    )


def scopes_of(user_ids: Iterable[int]) -> dict[int, list[int]]:
    """``{user_id: [community id]}`` in one query; users serving every
    community are missing."""
    ids = list(user_ids)
    out: dict[int, list[int]] = {}
    if not ids:
        return out
    rows = db.session.execute(
        select(user_community.c.user_id, user_community.c.community_id)
        .where(user_community.c.user_id.in_(ids))
        .order_by(user_community.c.community_id)
    )
    for user_id, community_id in rows:
        out.setdefault(user_id, []).append(community_id)
    return out


@signals.community_scope_set.connect
def change_scope(
    user: User,
    *,
    actor: User | None,
    community_ids: Iterable[int] | None = None,
    community_names: Iterable[str] | None = None,
) -> None:
    """Replace ``user``'s scope and audit the change (nothing when unchanged)."""
    if community_names is not None:
        wanted = community_ids_named(community_names)
        wanted = check_community_ids(wanted, actor=actor)
    else:
        wanted = check_community_ids(community_ids or (), actor=actor)
    before = community_ids_of(user)
    if before == wanted:
        return
    set_scope(user, wanted)
    audit.record(
        "update",
        user,
        actor=actor or user,
        changes={"community_ids": [before, wanted]},
        summary="scope",
    )


@signals.scope_choices.connect
def scope_choices(actor=None) -> list[tuple[int, str]]:
    """The open communities ``actor`` may give, in display order."""
    stmt = select(Community.id, Community.name).where(Community.archived_at.is_(None))
    allowed = scope_ids(actor)
    if allowed is not None:
        stmt = stmt.where(Community.id.in_(sorted(allowed)))
    rows = db.session.execute(stmt.order_by(Community.position, Community.id))
    return [(row.id, row.name) for row in rows]


@signals.user_scopes.connect
def user_scopes(_sender=None, *, user_ids: Iterable[int]) -> dict:
    ids = scopes_of(user_ids)
    if not ids:
        return {}
    names = dict(
        db.session.execute(
            select(Community.id, Community.name).where(
                Community.id.in_({i for v in ids.values() for i in v})
            )
        ).all()
    )
    return {uid: (cids, [names[c] for c in cids]) for uid, cids in ids.items()}


def users_visible_to(actor: User | None) -> ColumnElement[bool]:
    """A condition on ``User``: the accounts ``actor`` may administer. An
    all-communities admin sees every account; an admin of some communities the
    accounts scoped within them (and their own)."""
    allowed = scope_ids(actor)
    if allowed is None:
        return true()
    inside = exists().where(
        user_community.c.user_id == User.id,
        user_community.c.community_id.in_(sorted(allowed)),
    )
    return inside | (User.id == actor.id) if actor is not None else inside


@signals.visible_users.connect
def visible_users(actor) -> ColumnElement[bool]:
    return users_visible_to(actor)


@signals.scope_limited.connect
def scope_limited(user) -> bool:
    return scope_ids(user) is not None
