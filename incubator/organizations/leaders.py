"""Which organizations an organization leader's account leads: set when an admin
creates or edits the account (auth announces it with ``signals.organizations_led``,
since auth sits below organizations)."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, true

from incubator import signals
from incubator.audit import services as audit
from incubator.auth.models import User
from incubator.auth.roles import Role
from incubator.errors import ValidationFailed
from incubator.extensions import db
from incubator.organizations.access import org_scope
from incubator.organizations.models import Organization


@signals.organizations_led.connect
def set_led_organizations(
    user: User, *, organization_ids: Iterable[int], actor: User
) -> None:
    """Make ``user`` the leader of exactly these organizations (none unless the
    user is an organization leader). Raises ``ValidationFailed`` on
    ``organization_ids`` for an unknown organization."""
    wanted = set(organization_ids) if user.role == Role.ORG_LEADER else set()
    orgs = db.session.scalars(
        select(Organization).where(
            (Organization.id.in_(wanted)) | (Organization.leader_user_id == user.id)
        )
    ).all()
    unknown = wanted - {o.id for o in orgs}
    if unknown:
        raise ValidationFailed(
            _l("Unknown organization selected."), field="organization_ids"
        )
    for org in orgs:
        new = user.id if org.id in wanted else None
        if org.leader_user_id != new:
            org.leader_user_id = new
            audit.record("update", org, actor=actor, summary="leader")


@signals.leadable_organizations.connect
def leadable_organizations(actor=None) -> list[tuple[int, str]]:
    """The organizations not archived (in ``actor``'s scope when given), by
    name: what a leader may lead."""
    rows = db.session.execute(
        select(Organization.id, Organization.name)
        .where(
            Organization.archived_at.is_(None),
            org_scope(actor) if actor is not None else true(),
        )
        .order_by(Organization.name)
    ).all()
    return [(row.id, row.name) for row in rows]
