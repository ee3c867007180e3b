"""Signing residents in to activities, capacity-building sessions and room
bookings, and removing residents (on request or when their retention ends).

- ``sign_in``: one resident onto one record, from the public page (``qr``), a
  paper sheet typed by staff (``paper``), an Excel import (``import``) or the
  API (``api``). Twice to one record is once (the unique constraints, and a
  SAVEPOINT for the concurrent duplicate). The resident is found by the keyed
  hash of the number or made; the name is the latest one typed (people correct
  a typo; the mobile number, not the name, says who it is).
- Which records take sign-ins: activities in any review state (counted once
  approved), sessions not cancelled, confirmed bookings. Residents sign in
  themselves only inside ``codes.window``; staff add a paper sheet any time.
- ``erase_resident``: the name, the phones and the key go; the row and its
  sign-ins stay, so the counts of past periods stay (PIPL art. 47). The person
  signing in again is a new resident.

Nothing here writes a name or a number into the audit trail or a log: entries
name the resident by id only, so erasing needs no scrubbing there.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import lazy_gettext as _l
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from incubator.activities.models import Activity
from incubator.audit import services as audit
from incubator.auth.models import User
from incubator.auth.permissions import may_see_personal_data
from incubator.auth.roles import Role
from incubator.bookings.models import Booking, BookingState
from incubator.database import utcnow
from incubator.errors import DomainError, NotPermitted, RuleViolation, ValidationFailed
from incubator.extensions import db
from incubator.normalize import clean_text
from incubator.sessions.models import SessionState, TrainingSession
from incubator.signins.codes import Record, kind_of, window
from incubator.signins.identity import (
    decrypt_phone,
    encrypt_phone,
    mask,
    normalize_mobile,
    resident_key,
)
from incubator.signins.models import Resident, SignIn, SignInSource
from incubator.signins.queries import (
    KIND_COLUMNS,
    may_add_sign_ins,
    may_see_attendee_names,
)
from incubator.signins.schemas import AttendeeIn

logger = logging.getLogger(__name__)

# The longest reason kept for an erasure.
REASON_MAX = 200


def check_accepts_sign_ins(record: Record) -> None:
    """``RuleViolation`` unless ``record`` takes sign-ins: a cancelled session or
    a booking not confirmed does not."""
    if isinstance(record, TrainingSession) and record.state == SessionState.CANCELLED:
        raise RuleViolation(_l("This session was cancelled; nobody can sign in."))
    if isinstance(record, Booking) and record.state != BookingState.CONFIRMED:
        raise RuleViolation(
            _l("This booking is not confirmed; nobody can sign in to it.")
        )


def check_window(record: Record, now=None) -> None:
    """``RuleViolation`` (with ``details`` ``opens``/``closes``) outside the
    window in which residents sign in themselves."""
    now = now or utcnow()
    opens, closes = window(record)
    if now < opens:
        raise RuleViolation(
            _l("Sign-in has not opened yet."),
            details={"opens": opens, "closes": closes},
        )
    if now >= closes:
        raise RuleViolation(
            _l("Sign-in has closed."), details={"opens": opens, "closes": closes}
        )


def _check_actor(record: Record, actor: User | None, source: SignInSource) -> None:
    if source == SignInSource.QR:
        return  # the resident herself, inside the window
    if actor is None or not may_add_sign_ins(actor, record):
        raise NotPermitted(_l("You may not add sign-ins to this record."))


def _resident_for(data: AttendeeIn, now) -> Resident:
    """The resident of ``data.phone`` (made when new), her name the latest typed."""
    key = resident_key(data.phone)
    resident = _resident_by_key(key)
    if resident is None:
        resident = Resident(
            key=key,
            name=data.name,
            phone_masked=mask(data.phone),
            phone_encrypted=encrypt_phone(data.phone),
            created_at=now,
        )
        try:
            with db.session.begin_nested():
                db.session.add(resident)
        except IntegrityError:
            # The same person signing in at the same moment elsewhere made her.
            resident = db.session.scalar(select(Resident).where(Resident.key == key))
            if resident is None:  # pragma: no cover - the key was there a moment ago
                raise
    if data.name and resident.name != data.name:
        resident.name = data.name
    if resident.phone_encrypted is None:
        resident.phone_encrypted = encrypt_phone(data.phone)
    resident.phone_masked = mask(data.phone)
    resident.last_signed_at = now
    return resident


def _resident_by_key(key: str) -> Resident | None:
    return db.session.scalar(select(Resident).where(Resident.key == key))


def _existing(resident: Resident, record: Record) -> SignIn | None:
    column = KIND_COLUMNS[kind_of(record)]
    return db.session.scalar(
        select(SignIn).where(SignIn.resident_id == resident.id, column == record.id)
    )


def sign_in(
    record: Record,
    data: AttendeeIn,
    *,
    source: SignInSource,
    actor: User | None,
    now=None,
) -> tuple[SignIn, bool]:
    """Sign the resident of ``data`` in to ``record``: ``(row, created)``,
    ``created`` False when she had signed in already (the same row).

    Raises ``RuleViolation`` when the record takes no sign-ins (or, for ``qr``,
    outside ``codes.window``) and ``NotPermitted`` when ``actor`` may not add
    sign-ins to it (every source but ``qr``). Flushes; commits nothing."""
    source = SignInSource(source)
    now = now or utcnow()
    check_accepts_sign_ins(record)
    if source == SignInSource.QR:
        check_window(record, now)
    _check_actor(record, actor, source)
    return _sign_in(record, data, source=source, actor=actor, now=now)


def _existing_before_insert(resident: Resident, record: Record) -> SignIn | None:
    """``_existing``, looked up before inserting (tests replace it to stage the
    race that the SAVEPOINT below settles)."""
    return _existing(resident, record)


def _sign_in(record, data, *, source, actor, now) -> tuple[SignIn, bool]:
    resident = _resident_for(data, now)
    db.session.flush()
    found = _existing_before_insert(resident, record)
    if found is not None:
        return found, False
    row = SignIn(
        resident_id=resident.id,
        community_id=record.community_id,
        signed_at=now,
        source=str(source),
        recorded_by_id=actor.id if actor is not None else None,
    )
    setattr(row, KIND_COLUMNS[kind_of(record)].key, record.id)
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        # A second tap of the button, racing the first: once is once.
        found = _existing(resident, record)
        if found is None:  # pragma: no cover - not a duplicate after all
            raise
        return found, False
    return row, True


@dataclass
class SheetResult:
    """What a paper sheet (typed or imported) did: the rows signed in now, the
    rows already signed in (the same person twice counts once), and the refused
    rows ``{row number (1-based): message}`` (then nothing was stored)."""

    added: list[SignIn] = field(default_factory=list)
    already: list[SignIn] = field(default_factory=list)
    errors: dict[int, str] = field(default_factory=dict)


def _attendee(row) -> AttendeeIn:
    if isinstance(row, AttendeeIn):
        return row
    if isinstance(row, dict):
        # A missing cell gets the field's own message, not pydantic's.
        row = {"name": row.get("name"), "phone": row.get("phone")}
    try:
        return AttendeeIn.model_validate(row)
    except ValidationError as exc:
        raise ValidationFailed(exc.errors()[0]["msg"]) from None


def add_sheet(
    record: Record,
    rows: list,
    *,
    actor: User,
    source: SignInSource = SignInSource.PAPER,
    now=None,
) -> SheetResult:
    """Sign in every row of a paper sign-in sheet (``AttendeeIn`` or dicts with
    ``name`` and ``phone``, e.g. read from the Excel template), any time after
    the record (no window).

    All or nothing: when a row is refused the result lists every refused row
    and ``ValidationFailed`` is raised with ``details={"rows": errors}``, so the
    caller rolls back and shows them. ``NotPermitted`` / ``RuleViolation`` as
    ``sign_in``. Audited once for the sheet, without names or numbers."""
    source = SignInSource(source)
    now = now or utcnow()
    check_accepts_sign_ins(record)
    _check_actor(record, actor, source)
    if not rows:
        raise ValidationFailed(_l("The sheet has no rows."))
    result = SheetResult()
    attendees: list[AttendeeIn] = []
    for number, row in enumerate(rows, start=1):
        try:
            attendees.append(_attendee(row))
        except DomainError as exc:
            result.errors[number] = str(exc.message)
    if result.errors:
        raise ValidationFailed(
            _l(
                "%(n)d rows of the sheet were refused; nothing was saved.",
                n=len(result.errors),
            ),
            details={"rows": result.errors},
        )
    for data in attendees:
        row, created = _sign_in(record, data, source=source, actor=actor, now=now)
        (result.added if created else result.already).append(row)
    audit.record_event(
        "import",
        "SignIn",
        actor=actor,
        entity_id=record.id,
        summary=f"{kind_of(record)} {record.id}: {len(result.added)} added, "
        f"{len(result.already)} already signed in ({source})",
    )
    db.session.flush()
    return result


def remove_sign_in(sign_in: SignIn, *, actor: User) -> None:
    """Remove one sign-in (typed onto the wrong record, say); the resident stays.
    ``NotPermitted`` unless ``actor`` may add sign-ins to its record."""
    record = record_of(sign_in)
    if not may_add_sign_ins(actor, record):
        raise NotPermitted(_l("You may not remove sign-ins of this record."))
    audit.record(
        "remove",
        sign_in,
        actor=actor,
        changes={},
        summary=f"{kind_of(record)} {record.id}, resident {sign_in.resident_id}",
    )
    db.session.delete(sign_in)
    db.session.flush()


def record_of(sign_in: SignIn) -> Record:
    """The activity, session or booking ``sign_in`` is for."""
    if sign_in.activity_id is not None:
        return db.session.get_one(Activity, sign_in.activity_id)
    if sign_in.session_id is not None:
        return db.session.get_one(TrainingSession, sign_in.session_id)
    return db.session.get_one(Booking, sign_in.booking_id)


def _erase(resident: Resident, now) -> None:
    resident.key = None
    resident.name = ""
    resident.phone_masked = ""
    resident.phone_encrypted = None
    resident.erased_at = now


def erase_resident(resident: Resident, *, actor: User, reason: str, now=None) -> None:
    """Remove one resident on her request (admins only): name, phones and key
    are cleared, her row and sign-ins stay (counts of past periods stay). Erasing
    an erased resident does nothing. ``NotPermitted`` for other roles,
    ``ValidationFailed`` without a reason."""
    if actor is None or actor.role != Role.ADMIN:
        raise NotPermitted(_l("Only an admin may erase a resident."))
    reason = " ".join(clean_text(str(reason or "")).split())
    if not reason:
        raise ValidationFailed(
            _l("Please say why (e.g. the resident asked)."), field="reason"
        )
    if resident.erased:
        return
    _erase(resident, now or utcnow())
    audit.record(
        "anonymize",
        resident,
        actor=actor,
        changes={},
        summary=f"erased on request: {reason[:REASON_MAX]}",
    )
    db.session.flush()


def erase_expired(cutoff, *, now=None) -> int:
    """Erase every resident not signed in since ``cutoff`` (the retention job);
    how many. Idempotent: erased residents have no key and are skipped."""
    now = now or utcnow()
    residents = db.session.scalars(
        select(Resident).where(
            Resident.erased_at.is_(None),
            Resident.last_signed_at < cutoff,
        )
    ).all()
    for resident in residents:
        _erase(resident, now)
    if residents:
        audit.record_event(
            "anonymize",
            "Resident",
            actor=None,
            summary=f"retention ended: {len(residents)} residents anonymized",
            changes={"resident_ids": [None, [r.id for r in residents]]},
        )
        db.session.flush()
    return len(residents)


def find_resident(phone: str) -> Resident | None:
    """The resident of a mobile number however typed (by its keyed hash), for
    the admin's erase-on-request page; ``None`` when unknown or erased.
    ``ValidationFailed`` (field ``phone``) for what is not a mobile number."""
    key = resident_key(normalize_mobile(phone))
    return db.session.scalar(select(Resident).where(Resident.key == key))


def may_reveal_phone(viewer: User | None, record: Record) -> bool:
    """Whether full numbers may be shown on ``record``'s attendee list: the
    agency keeps them encrypted and ``viewer`` may see personal data there."""
    return bool(
        current_app.config.get("RESIDENT_PHONE_STORAGE", "masked") == "encrypted"
        and viewer is not None
        and may_see_personal_data(viewer)
        and may_see_attendee_names(viewer, record)
    )


def reveal_phone(sign_in: SignIn, *, actor: User) -> str | None:
    """The full number of ``sign_in``'s resident, audited before it is returned
    (``audit.record_read``); ``None`` when none is kept (an erased resident).
    ``RuleViolation`` when the agency keeps only masked numbers,
    ``NotPermitted`` unless ``may_reveal_phone``."""
    record = record_of(sign_in)
    if current_app.config.get("RESIDENT_PHONE_STORAGE", "masked") != "encrypted":
        raise RuleViolation(
            _l("Only masked numbers are kept here (RESIDENT_PHONE_STORAGE).")
        )
    if not may_reveal_phone(actor, record):
        raise NotPermitted(_l("You may not see this phone number."))
    resident = sign_in.resident
    if not resident.phone_encrypted:
        return None
    audit.record_read(
        "reveal", "Resident", actor=actor, entity_id=resident.id, summary="phone"
    )
    return decrypt_phone(resident.phone_encrypted)
