"""Adding, editing, anonymizing volunteers and managing memberships. Pages, the API
and the Excel import all go through these; they flush and audit, never commit."""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm.exc import StaleDataError

from incubator.audit import services as audit
from incubator.audit.models import AuditEntry
from incubator.auth.models import User
from incubator.auth.roles import STAFF_ROLES
from incubator.community.models import Compound
from incubator.community.scope import community_for_new
from incubator.database import utcnow
from incubator.errors import NotPermitted, RuleViolation, StaleRecord, ValidationFailed
from incubator.extensions import db
from incubator.i18n import local_today
from incubator.organizations.models import Organization
from incubator.volunteers.access import may_edit_volunteer, may_manage_roster
from incubator.volunteers.models import (
    Certificate,
    MemberRole,
    Membership,
    Volunteer,
    VolunteerSkill,
    VolunteerStatus,
)
from incubator.volunteers.schemas import (
    FIELDS,
    VolunteerRegistration,
    clean_past_date,
    volunteer_rules,
)


def clean_volunteer_fields(values: dict, *, current: Volunteer | None = None) -> dict:
    """``values`` checked (``schemas.volunteer_rules``) as the volunteer will be:
    missing keys keep ``current``'s values; and the compound must exist."""

    def pick(key):
        if key in values:
            return values[key]
        if current is None:
            return None
        return current.skill_names if key == "skills" else getattr(current, key)

    clean = volunteer_rules({key: pick(key) for key in FIELDS})
    _check_compound(clean["compound_id"])
    return clean


def _check_compound(compound_id: int | None) -> None:
    if compound_id is not None and db.session.get(Compound, compound_id) is None:
        raise ValidationFailed(_l("Unknown compound."), field="compound_id")


PROBE_LIMIT = 10
PROBE_WINDOW = timedelta(hours=24)


def _check_unique(clean: dict, *, exclude: int | None, actor: User) -> None:
    """Refuse a phone or ID number already on the roster, never repeating the
    number. Staff learn which volunteer has it; an organization leader only that
    it is taken, and each such answer is logged: after ten in a day the leader is
    sent to a social worker, so the form cannot be used to look numbers up."""
    for field in ("phone", "id_number"):
        value = clean.get(field)
        if not value:
            continue
        query = select(Volunteer.number).where(getattr(Volunteer, field) == value)
        if exclude is not None:
            query = query.where(Volunteer.id != exclude)
        found = db.session.scalar(query.limit(1))
        if found is None:
            continue
        if actor.role not in STAFF_ROLES:
            raise _probe_refusal(actor, field)
        if field == "phone":
            message = _l(
                "This phone number is already on the roster (volunteer %(no)s).",
                no=found,
            )
        else:
            message = _l(
                "This ID number is already on the roster (volunteer %(no)s).", no=found
            )
        raise ValidationFailed(message, field=field)


def _probe_refusal(actor: User, field: str) -> ValidationFailed:
    since = utcnow() - PROBE_WINDOW
    hits = db.session.scalar(
        select(func.count())
        .select_from(AuditEntry)
        .where(
            AuditEntry.actor_id == actor.id,
            AuditEntry.action == "duplicate_hit",
            AuditEntry.at > since,
        )
    )
    if (hits or 0) >= PROBE_LIMIT:
        error = ValidationFailed(
            _l(
                "Too many numbers already on the roster today; please ask your social "
                "worker to add these volunteers."
            ),
            field=field,
        )
    else:
        error = ValidationFailed(
            _l(
                "This number is already registered; ask your social worker to add the "
                "volunteer to your organization."
            ),
            field=field,
        )
    actor_id = actor.id
    error.after_rollback.append(
        lambda: audit.record_event(
            "duplicate_hit", "Volunteer", actor=_Actor(actor_id), summary=field
        )
    )
    return error


class _Actor:
    def __init__(self, actor_id: int):
        self.id = actor_id


def _set_skills(volunteer: Volunteer, skills: list[str]) -> None:
    existing = {s.skill: s for s in volunteer.skills}
    volunteer.skills = [
        existing.get(name) or VolunteerSkill(skill=name) for name in skills
    ]


def create_volunteer(
    registration: VolunteerRegistration,
    *,
    actor: User,
    organization: Organization | None = None,
) -> Volunteer:
    """Add a volunteer to the roster (and, when given, to ``organization`` as
    ``registration.role``); ``registration`` was checked when it was built.

    An organization leader must name one of their organizations. Raises
    ``ValidationFailed`` for an unknown compound or a phone or ID number already
    on the roster.
    """
    if organization is None and actor.role == "org_leader":
        raise ValidationFailed(
            _l("Choose the organization the volunteer joins."), field="organization_id"
        )
    if organization is not None and not may_manage_roster(actor, organization):
        raise NotPermitted(_l("You may manage only your own organization's roster."))
    clean = registration.values()
    _check_compound(clean["compound_id"])
    _check_unique(clean, exclude=None, actor=actor)
    skills = clean.pop("skills")
    volunteer = Volunteer(**clean)
    if organization is not None:
        volunteer.community_id = organization.community_id
    elif clean.get("compound_id") is None:
        volunteer.community_id = community_for_new(actor, registration.community_id)
    _set_skills(volunteer, skills)
    db.session.add(volunteer)
    changes = audit.pending_changes(volunteer)
    db.session.flush()
    volunteer.number = f"V{volunteer.id:06d}"
    changes["number"] = [None, volunteer.number]
    changes["skills"] = [None, skills]
    audit.record("create", volunteer, actor=actor, changes=changes)
    if organization is not None:
        add_membership(
            volunteer,
            organization,
            actor=actor,
            role=registration.role.value,
            joined_on=clean["joined_on"] or local_today(),
        )
    db.session.flush()
    return volunteer


def update_volunteer(
    volunteer: Volunteer, *, actor: User, expected_version: int | None, **values
) -> Volunteer:
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise ValidationFailed(_l("Unknown field."), field=sorted(unknown)[0])
    if not may_edit_volunteer(actor, volunteer):
        raise NotPermitted(_l("You may manage only your own organization's roster."))
    if volunteer.anonymized_at is not None:
        raise NotPermitted(
            _l("This volunteer was anonymized and can no longer change.")
        )
    if expected_version is None or expected_version != volunteer.version:
        raise StaleRecord(
            _l(
                "Someone else saved this volunteer after you opened it; reload and "
                "edit again."
            )
        )
    clean = clean_volunteer_fields(values, current=volunteer)
    _check_unique(clean, exclude=volunteer.id, actor=actor)
    skills = clean.pop("skills")
    before = volunteer.skill_names
    for key, value in clean.items():
        if getattr(volunteer, key) != value:
            setattr(volunteer, key, value)
    changes = audit.pending_changes(volunteer)
    if skills != before:
        _set_skills(volunteer, skills)
        changes["skills"] = [before, skills]
    if changes:
        audit.record("update", volunteer, actor=actor, changes=changes)
        try:
            db.session.flush()
        except StaleDataError:
            raise StaleRecord(
                _l(
                    "Someone else saved this volunteer at the same moment; reload "
                    "and try again."
                )
            ) from None
    return volunteer


def anonymize_volunteer(volunteer: Volunteer, *, actor: User) -> None:
    """Remove a departed volunteer's identity; their hours stay in the totals.
    Admins only; the volunteer must have left."""
    if actor.role != "admin":
        raise NotPermitted(_l("Only an admin may anonymize a volunteer."))
    if volunteer.status != VolunteerStatus.LEFT:
        raise RuleViolation(
            _l(
                "Only a volunteer who has left can be anonymized; mark them as left "
                "first."
            )
        )
    if volunteer.anonymized_at is not None:
        return
    volunteer.name = f"已匿名 {volunteer.number}"
    volunteer.phone = None
    volunteer.id_number = None
    volunteer.guardian_name = None
    volunteer.guardian_consent_on = None
    volunteer.notes = ""
    volunteer.anonymized_at = utcnow()
    volunteer.skills = []
    _scrub_history(volunteer)
    audit.record(
        "anonymize", volunteer, actor=actor, changes={}, summary="identity removed"
    )
    db.session.flush()


ANONYMIZED = "（已匿名）"
IDENTITY_FIELDS = ("name", "phone", "id_number", "guardian_name", "notes")


def _scrub_history(volunteer: Volunteer) -> None:
    """Remove the identity from the audit trail and issued certificates too."""
    entries = db.session.scalars(
        select(AuditEntry).where(
            AuditEntry.entity_type == "Volunteer", AuditEntry.entity_id == volunteer.id
        )
    )
    for entry in entries:
        changes = dict(entry.changes or {})
        touched = False
        for field in IDENTITY_FIELDS:
            if field in changes:
                changes[field] = [
                    ANONYMIZED if v is not None else None for v in changes[field]
                ]
                touched = True
        if touched:
            entry.changes = changes

    for certificate in db.session.scalars(
        select(Certificate).where(Certificate.volunteer_id == volunteer.id)
    ):
        content = dict(certificate.content or {})
        content.update({"name": volunteer.name, "id_number": ""})
        certificate.content = content


# ---- memberships ----


def add_membership(
    volunteer: Volunteer,
    organization: Organization,
    *,
    actor: User,
    role: str = MemberRole.MEMBER,
    joined_on: date | None = None,
) -> Membership:
    if not may_manage_roster(actor, organization):
        raise NotPermitted(_l("You may manage only your own organization's roster."))
    if role not in {r.value for r in MemberRole}:
        raise ValidationFailed(_l("The role is member or backbone."), field="role")
    joined_on = clean_past_date(joined_on or local_today(), "joined_on")
    open_row = db.session.scalar(
        select(Membership).where(
            Membership.volunteer_id == volunteer.id,
            Membership.organization_id == organization.id,
            Membership.left_on.is_(None),
        )
    )
    if open_row is not None:
        raise RuleViolation(
            _l("The volunteer is already a member of this organization."),
            field="volunteer_id",
        )
    membership = Membership(
        volunteer_id=volunteer.id,
        organization_id=organization.id,
        role=role,
        joined_on=joined_on,
    )
    db.session.add(membership)
    audit.record("create", membership, actor=actor)
    db.session.flush()
    return membership


def change_membership(
    membership: Membership,
    *,
    actor: User,
    role: str | None = None,
    left_on: date | None = None,
) -> Membership:
    """Change the role, or end the membership on ``left_on``."""
    if not may_manage_roster(actor, membership.organization):
        raise NotPermitted(_l("You may manage only your own organization's roster."))
    if role is not None:
        if role not in {r.value for r in MemberRole}:
            raise ValidationFailed(_l("The role is member or backbone."), field="role")
        membership.role = role
    if left_on is not None:
        clean_past_date(left_on, "left_on")
        if left_on < membership.joined_on:
            raise ValidationFailed(
                _l("The leaving date is before the joining date."), field="left_on"
            )
        membership.left_on = left_on
    audit.record("update", membership, actor=actor)
    db.session.flush()
    return membership
