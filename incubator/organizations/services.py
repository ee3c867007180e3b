"""The rules of the organization registry. Pages, the API, the CLI and the demo
seed all change organizations through these functions.

Every function flushes and writes the audit trail; none commits.
"""

from __future__ import annotations

import logging

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from incubator import signals
from incubator.audit import services as audit
from incubator.auth.models import User
from incubator.auth.roles import Role
from incubator.community.models import Community, Compound
from incubator.community.queries import community_for, resolve_compound
from incubator.community.scope import may_see_community
from incubator.database import utcnow
from incubator.errors import NotPermitted, RuleViolation, StaleRecord, ValidationFailed
from incubator.extensions import db
from incubator.normalize import name_key as normalized_name_key
from incubator.organizations.incubation import INTAKE, stage_map
from incubator.organizations.models import (
    Organization,
    StageChange,
)
from incubator.organizations.schemas import OrganizationChange, OrganizationRegistration

logger = logging.getLogger(__name__)

EDITABLE_FIELDS = (
    "name",
    "kind",
    "compound_id",
    "filing_status",
    "founded_on",
    "member_count",
    "description",
    "social_worker_id",
    "leader_user_id",
)
# What an organization's own leader may change.
LEADER_FIELDS = frozenset({"description", "member_count"})


def _check_references(values: dict) -> dict:
    """The compound and the accounts ``values`` name exist and may be named
    (``ValidationFailed`` on the field otherwise); the other rules are the input
    model's (``incubator.organizations.schemas``)."""
    if "compound_id" in values:
        compound_id = values["compound_id"]
        if compound_id is not None and db.session.get(Compound, compound_id) is None:
            raise ValidationFailed(_l("Unknown compound."), field="compound_id")
    if "social_worker_id" in values:
        _check_user(
            values["social_worker_id"],
            {Role.SOCIAL_WORKER, Role.ADMIN},
            "social_worker_id",
            _l("The owning social worker must be an active social worker."),
        )
    if "leader_user_id" in values:
        _check_user(
            values["leader_user_id"],
            {Role.ORG_LEADER},
            "leader_user_id",
            _l("The leader account must be an active organization leader."),
        )
    return values


def _check_user(user_id, roles, field, message):
    if user_id is None:
        return None
    user = db.session.get(User, user_id)
    if user is None or not user.active or user.role not in {str(r) for r in roles}:
        raise ValidationFailed(message, field=field)
    return user_id


def _name_taken(name: str) -> RuleViolation:
    return RuleViolation(
        _l(
            "The name is taken: an organization named %(name)s already exists in "
            "this community (names differing only in case or full-width letters "
            "count as the same).",
            name=name,
        ),
        field="name",
    )


def _check_unique_name(name: str, community_id: int, *, exclude: int | None) -> None:
    """``RuleViolation`` (409, on ``name``) when another organization of the
    community has the same ``name_key`` (NFKC + casefold)."""
    query = select(Organization.id).where(
        Organization.community_id == community_id,
        Organization.name_key == normalized_name_key(name)[:200],
    )
    if exclude is not None:
        query = query.where(Organization.id != exclude)
    if db.session.scalar(query.limit(1)) is not None:
        raise _name_taken(name)


def _flush_or_name_taken(org: Organization) -> None:
    """Flush; a concurrent insert of the same name key that slipped past
    ``_check_unique_name`` is the same 409, not a 500."""
    try:
        db.session.flush()
    except IntegrityError as exc:
        # The failed flush has already ended the session's transaction; the
        # request's boundary rolls back on the domain error raised here.
        message = str(exc.orig)
        if (
            "organization.name" in message
            or "organization_community_id_name" in message
        ):
            raise _name_taken(org.name) from None
        raise


def create_organization(
    registration: OrganizationRegistration,
    *,
    actor: User | None,
    community_id: int | None = None,
) -> Organization:
    """Register an organization at the first stage (萌芽), with its first stage
    record. A compound may be named by ``compound`` (its name) instead of its id
    (``ValidationFailed`` when unknown or ambiguous). ``community_id`` (the
    import's) stands for ``registration.community_id``; without either the
    organization joins its compound's community, else the only open one."""
    chosen = community_id if community_id is not None else registration.community_id
    values = registration.values()
    named = bool(values.get("compound"))
    clean = _check_references(resolve_compound(values, community_id=chosen))
    compound = (
        db.session.get(Compound, clean["compound_id"])
        if clean.get("compound_id")
        else None
    )
    community = community_for(
        compound,
        chosen,
        compound_field="compound" if named else "compound_id",
    )
    _check_unique_name(clean["name"], community.id, exclude=None)
    now = utcnow()
    org = Organization(
        community_id=community.id,
        stage=INTAKE,
        stage_since=now,
        created_at=now,
        **clean,
    )
    db.session.add(org)
    _flush_or_name_taken(org)
    audit.record("create", org, actor=actor)
    stage = stage_map()[INTAKE]
    db.session.add(
        StageChange(
            organization_id=org.id,
            changed_at=now,
            from_stage=None,
            to_stage=INTAKE,
            to_label=stage.label_zh,
            direction="initial",
            actor_id=getattr(actor, "id", None),
        )
    )
    _flush_or_name_taken(org)
    return org


def update_organization(
    org: Organization, change: OrganizationChange, *, actor: User
) -> Organization:
    """Change the fields of ``org`` that ``change`` sent.

    Raises ``StaleRecord`` (with the current values in ``details``) when
    ``change.version`` is not the saved version, ``NotPermitted`` when an
    organization leader touches a field other than description and member count,
    and ``ValidationFailed`` for a field sent empty that may not be, or an unknown
    compound or account. Archived organizations are read-only.
    """
    sent = change.sent()
    target = sent.pop("community_id", None)
    moving = target is not None and target != org.community_id
    values = resolve_compound(
        sent,
        community_id=target if moving else org.community_id,
        current=org.compound_id,
    )
    if org.archived:
        raise RuleViolation(_l("An archived organization cannot be edited."))
    if change.version != org.version:
        raise StaleRecord(
            _l(
                "Someone else saved this organization after you opened it. "
                "Check the current values below, then save again."
            ),
            details={"current": current_values(org), "version": org.version},
        )
    clean = _check_references(values)
    changed = {k: v for k, v in clean.items() if getattr(org, k) != v}
    if actor.role == Role.ORG_LEADER and set(changed) - LEADER_FIELDS:
        raise NotPermitted(
            _l(
                "Organization leaders may change only the description and the "
                "member count."
            ),
            field=sorted(set(changed) - LEADER_FIELDS)[0],
        )
    community_id = org.community_id
    if moving:
        assert target is not None
        community_id = _move_target(target, actor)
        if org.compound_id is not None and "compound_id" not in changed:
            changed["compound_id"] = None  # the old compound is in the old community
        changed["community_id"] = target
    if "name" in changed or moving:
        _check_unique_name(changed.get("name", org.name), community_id, exclude=org.id)
    if changed.get("compound_id") is not None:
        # it exists: _clean checked it
        compound = db.session.get_one(Compound, changed["compound_id"])
        if compound.community_id != community_id:
            raise ValidationFailed(
                _l("That compound belongs to another community."), field="compound_id"
            )
    before = org.community_id
    for key, value in changed.items():
        setattr(org, key, value)
    if changed:
        audit.record("update", org, actor=actor)
        _flush_or_stale(org)
    if moving:
        signals.organization_moved.send(org, from_community_id=before, actor=actor)
    return org


def _move_target(community_id: int, actor: User) -> int:
    """The community an organization moves to: admins only, an open community
    in their scope. Raises ``NotPermitted`` or ``ValidationFailed``
    (``community_id``)."""
    if actor.role != Role.ADMIN:
        raise NotPermitted(
            _l("Only an admin may move an organization to another community."),
            field="community_id",
        )
    place = db.session.get(Community, community_id)
    if place is None or place.archived or not may_see_community(actor, place.id):
        raise ValidationFailed(
            _l("Unknown or archived community selected."), field="community_id"
        )
    return place.id


def _flush_or_stale(org: Organization) -> None:
    try:
        _flush_or_name_taken(org)
    except StaleDataError:
        db.session.rollback()
        raise StaleRecord(
            _l(
                "Someone else saved this organization at the same moment; "
                "reload and try again."
            )
        ) from None


def current_values(org: Organization) -> dict:
    """The saved editable fields, plus the stage and archive state, which also
    move the version."""
    values = {key: getattr(org, key) for key in EDITABLE_FIELDS}
    values["stage"] = org.stage
    values["archived"] = org.archived
    return values


def archive_organization(org: Organization, *, actor: User, reason: str = "") -> None:
    """Take ``org`` out of every list; its records and history stay."""
    if org.archived:
        return
    org.archived_at = utcnow()
    audit.record("archive", org, actor=actor, summary=reason[:255])
    _flush_or_stale(org)


def restore_organization(org: Organization, *, actor: User) -> None:
    if not org.archived:
        return
    org.archived_at = None
    audit.record("restore", org, actor=actor)
    _flush_or_stale(org)
