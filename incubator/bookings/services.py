"""Booking the centre's rooms: booking once or weekly, approving or refusing a
leader's request, changing or cancelling one occurrence or the rest of a series,
and recording the use after the slot. Pages, the API and the demo call these
(the links to activities and sessions, ``incubator.bookings.links``, too); they
flush and audit, never commit. The rules they check (overlap, capacity, who
books) are in ``incubator.bookings.rules``; ``BookingConflict`` and
``booking_warnings`` are reachable from here as well."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select

from incubator.activities.models import Activity
from incubator.audit import services as audit
from incubator.auth.models import User
from incubator.auth.roles import Role
from incubator.bookings.models import Booking, BookingSeries, BookingState
from incubator.bookings.rules import (
    ACTIVE,
    BookingConflict,
    booking_warnings,
    check_capacity,
    check_free,
    check_not_past,
    check_room_for,
    find_room,
    flush_bookings,
    is_staff,
    local_day,
    lock_room,
    may_manage,
    organization_for,
)
from incubator.bookings.schemas import (
    FIELDS,
    BookingCancel,
    BookingChange,
    BookingDecision,
    BookingIn,
    BookingUse,
    check_outside_unit,
    check_times,
)
from incubator.community.models import Room
from incubator.database import utcnow
from incubator.errors import NotPermitted, RuleViolation, StaleRecord, ValidationFailed
from incubator.extensions import db
from incubator.i18n import local_zone

__all__ = [
    "ACTIVE",
    "BookingCancel",
    "BookingConflict",
    "book_room",
    "booking_warnings",
    "cancel_booking",
    "change_booking",
    "decide_booking",
    "record_use",
]


# ---- booking ----


def _occurrences(starts_at: datetime, count: int) -> list[datetime]:
    local = starts_at.astimezone(local_zone())
    return [
        datetime.combine(local.date() + timedelta(weeks=k), local.timetz()).replace(
            tzinfo=local_zone()
        )
        for k in range(count)
    ]


def book_room(data: BookingIn, *, actor: User) -> list[Booking]:
    """One booking, or one per occurrence of a weekly series (same
    ``series_id``, ``sequence`` 1..n), all or none. Staff bookings are confirmed;
    a leader's is requested when the room needs approval. Raises
    ``BookingConflict`` naming the occurrence that collides, ``ValidationFailed``
    (room, organization, capacity, times), ``NotPermitted``."""
    org = organization_for(data.organization_id, actor)
    if actor.role == Role.ORG_LEADER and data.outside_unit:
        raise ValidationFailed(_l("Book for your organization."), field="outside_unit")
    room = find_room(actor, data.room_id, data.room, data.community_id)
    check_room_for(room, org, actor)
    check_capacity(room, data.expected_people)
    check_not_past(data.starts_at, actor)
    count = data.recurrence.count if data.recurrence else 1
    length = data.ends_at - data.starts_at
    slots = [(s, s + length) for s in _occurrences(data.starts_at, count)]
    state = (
        BookingState.REQUESTED
        if actor.role == Role.ORG_LEADER and room.needs_approval
        else BookingState.CONFIRMED
    )
    lock_room(room.id)
    check_free(room.id, slots, series=count > 1)
    return create_bookings(
        room,
        slots,
        state=state,
        actor=actor,
        organization_id=org.id if org else None,
        outside_unit=data.outside_unit,
        purpose=data.purpose,
        service_type=str(data.service_type),
        expected_people=data.expected_people,
        series=count > 1,
    )


def create_bookings(
    room: Room,
    slots: list[tuple[datetime, datetime]],
    *,
    state: str,
    actor: User | None,
    series: bool,
    session_id: int | None = None,
    **fields,
) -> list[Booking]:
    series_row = None
    if series:
        series_row = BookingSeries(
            freq="weekly", count=len(slots), created_by_id=actor.id if actor else None
        )
        db.session.add(series_row)
        db.session.flush()
    bookings = []
    for sequence, (starts_at, ends_at) in enumerate(slots, start=1):
        booking = Booking(
            room_id=room.id,
            community_id=room.community_id,
            series_id=series_row.id if series_row else None,
            sequence=sequence,
            starts_at=starts_at,
            ends_at=ends_at,
            held_on=local_day(starts_at),
            state=state,
            booked_by_id=actor.id if actor else None,
            session_id=session_id,
            **fields,
        )
        if state == BookingState.CONFIRMED and actor is not None:
            booking.decided_by_id = actor.id
            booking.decided_at = utcnow()
        db.session.add(booking)
        bookings.append(booking)
    flush_bookings()
    for booking in bookings:
        audit.record(
            "create",
            booking,
            actor=actor,
            changes={
                "room_id": [None, booking.room_id],
                "starts_at": [None, booking.starts_at.isoformat()],
                "ends_at": [None, booking.ends_at.isoformat()],
                "organization_id": [None, booking.organization_id],
                "state": [None, booking.state],
                "series_id": [None, booking.series_id],
            },
        )
    db.session.flush()
    return bookings


def decide_booking(booking: Booking, data: BookingDecision, *, actor: User) -> Booking:
    """Staff approve a requested booking (confirmed, after checking the room is
    still free: ``BookingConflict`` otherwise) or refuse it with a reason."""
    if not is_staff(actor):
        raise NotPermitted(_l("Social workers approve or refuse bookings."))
    if booking.state != BookingState.REQUESTED:
        raise RuleViolation(_l("Only a booking awaiting approval can be decided."))
    if data.decision == "approve":
        lock_room(booking.room_id)
        check_free(
            booking.room_id,
            [(booking.starts_at, booking.ends_at)],
            exclude=[booking.id],
        )
        booking.state = BookingState.CONFIRMED
        booking.decision_reason = data.reason
    else:
        booking.state = BookingState.REFUSED
        booking.decision_reason = data.reason
    booking.decided_by_id = actor.id
    booking.decided_at = utcnow()
    changes: dict = {"state": [BookingState.REQUESTED.value, booking.state]}
    if data.reason:
        changes["decision_reason"] = [None, data.reason]
    audit.record(data.decision, booking, actor=actor, changes=changes)
    flush_bookings()
    return booking


def _following(booking: Booking, *, states=ACTIVE) -> list[Booking]:
    """This booking and the later occurrences of its series still requested or
    confirmed, not changed on their own."""
    if booking.series_id is None:
        return [booking]
    later = db.session.scalars(
        select(Booking)
        .where(
            Booking.series_id == booking.series_id,
            Booking.sequence > booking.sequence,
            Booking.state.in_([str(s) for s in states]),
            Booking.detached.is_(False),
        )
        .order_by(Booking.sequence)
    ).all()
    return [booking, *later]


def _check_manage(booking: Booking, actor: User) -> None:
    if not may_manage(actor, booking):
        raise NotPermitted(
            _l("Only staff or the organization's leader change this booking.")
        )
    if booking.session_id is not None:
        raise RuleViolation(
            _l(
                "This booking belongs to a capacity-building session: change or "
                "cancel the session."
            )
        )


def cancel_booking(
    booking: Booking, data: BookingCancel, *, actor: User
) -> list[Booking]:
    """Cancel a requested or confirmed booking (``scope="rest"``: with the later
    occurrences of its series not changed on their own), freeing the slot. A
    booking whose use is recorded stays."""
    _check_manage(booking, actor)
    if booking.state not in ACTIVE:
        raise RuleViolation(
            _l("Only a requested or confirmed booking can be cancelled.")
        )
    if booking.held is not None:
        raise RuleViolation(_l("The use of this booking is recorded; it stays."))
    targets = _following(booking) if data.scope == "rest" else [booking]
    targets = [t for t in targets if t.held is None]
    for target in targets:
        cancel_one(target, data.reason, actor=actor, summary=data.scope)
    flush_bookings()
    return targets


def cancel_one(
    booking: Booking, reason: str, *, actor: User | None, summary=""
) -> None:
    """Cancel one booking (the slot is free again); an activity it linked is
    free to link another booking."""
    before = booking.state
    booking.state = BookingState.CANCELLED
    booking.cancel_reason = reason[:2000]
    booking.activity_id = None
    audit.record(
        "cancel",
        booking,
        actor=actor,
        changes={"state": [before, BookingState.CANCELLED.value]},
        summary=summary,
    )


def change_booking(
    booking: Booking, data: BookingChange, *, actor: User, scope: str = "this"
) -> list[Booking]:
    """Change one booking (``scope="this"``: an occurrence moved on its own
    leaves the series' later changes) or it and the later occurrences of its
    series (``"rest"``: a new time shifts each by the same amount). ``data.scope``
    when sent wins over ``scope``. Refused: a stale ``version`` (``StaleRecord``),
    an overlap with a confirmed booking (``BookingConflict``), past capacity. A
    leader who moves a booking of a room needing approval asks again."""
    _check_manage(booking, actor)
    if "scope" in data.model_fields_set:
        scope = data.scope
    if data.version != booking.version:
        raise StaleRecord(
            _l("Someone else changed this booking after you opened it; reload it.")
        )
    if booking.state not in ACTIVE:
        raise RuleViolation(_l("Only a requested or confirmed booking can be changed."))
    if booking.held is not None:
        raise RuleViolation(_l("The use of this booking is recorded; it stays."))
    clean = {f: getattr(booking, f) for f in FIELDS}
    clean.update(data.changes())
    check_outside_unit(clean["outside_unit"], clean["service_type"])
    if clean["outside_unit"] and booking.organization_id is not None:
        raise ValidationFailed(
            _l("Book for an organization or for an outside unit, not both."),
            field="outside_unit",
        )
    if actor.role == Role.ORG_LEADER and clean["outside_unit"]:
        raise ValidationFailed(_l("Book for your organization."), field="outside_unit")
    room = booking.room
    if data.room_id is not None and data.room_id != booking.room_id:
        room = find_room(actor, data.room_id)
        if room.community_id != booking.community_id:
            raise ValidationFailed(
                _l("Choose a room of the same service centre."), field="room_id"
            )
    check_capacity(room, clean["expected_people"])
    new_start = data.starts_at or booking.starts_at
    new_end = data.ends_at or new_start + (booking.ends_at - booking.starts_at)
    check_times(new_start, new_end)
    moved = (
        new_start != booking.starts_at
        or new_end != booking.ends_at
        or room.id != booking.room_id
    )
    if moved:
        check_not_past(new_start, actor)
    shift = new_start - booking.starts_at
    length = new_end - new_start
    targets = _following(booking) if scope == "rest" else [booking]
    targets = [t for t in targets if t.held is None]
    plan = []
    for target in targets:
        starts_at = target.starts_at + shift
        plan.append((target, starts_at, starts_at + length))
    for _target, starts_at, ends_at in plan:
        check_times(starts_at, ends_at)
    to_request = moved and actor.role == Role.ORG_LEADER and room.needs_approval
    lock_room(room.id)
    check_free(
        room.id,
        [(s, e) for _t, s, e in plan],
        exclude=[t.id for t in targets],
        series=len(plan) > 1,
    )
    for target, starts_at, ends_at in plan:
        for key, value in clean.items():
            setattr(target, key, str(value) if key == "service_type" else value)
        target.room_id = room.id
        target.starts_at = starts_at
        target.ends_at = ends_at
        target.held_on = local_day(starts_at)
        if to_request and target.state == BookingState.CONFIRMED:
            target.state = BookingState.REQUESTED
        _keep_link_if_it_fits(target)
        if scope == "this" and target.series_id is not None:
            target.detached = True
        changes = audit.pending_changes(target)
        audit.record("update", target, actor=actor, changes=changes, summary=scope)
    flush_bookings()
    return targets


# ---- use ----


def record_use(booking: Booking, data: BookingUse, *, actor: User) -> Booking:
    """After the slot has begun, whether a confirmed booking was used and by how
    many people; staff or the booking's organization's leader. A used booking of
    an organization links the activity log of the same organization at the same
    time (not linked yet), so the two count once."""
    if not may_manage(actor, booking):
        raise NotPermitted(
            _l("Only staff or the organization's leader record the use.")
        )
    return mark_use(booking, data.held, data.people, actor=actor)


def mark_use(
    booking: Booking, held: bool, people: int | None, *, actor: User | None
) -> Booking:
    if booking.state != BookingState.CONFIRMED:
        raise RuleViolation(_l("Only a confirmed booking has a use to record."))
    if booking.starts_at > utcnow():
        raise RuleViolation(_l("The use is recorded once the slot has begun."))
    booking.held = held
    booking.people = people if held else None
    booking.use_recorded_by_id = actor.id if actor else None
    booking.use_recorded_at = utcnow()
    if not held:
        booking.activity_id = None
    elif booking.organization_id is not None and booking.activity_id is None:
        activity = _unlinked_activity(booking)
        if activity is not None:
            booking.activity_id = activity.id
    audit.record("use", booking, actor=actor)
    flush_bookings()
    return booking


def _keep_link_if_it_fits(booking: Booking) -> None:
    """A moved booking drops the activity it linked unless their times still
    overlap and it is still confirmed."""
    if booking.activity_id is None:
        return
    with db.session.no_autoflush:
        activity = db.session.get(Activity, booking.activity_id)
    if (
        activity is None
        or booking.state != BookingState.CONFIRMED
        or not (
            activity.starts_at < booking.ends_at
            and activity.ends_at > booking.starts_at
        )
    ):
        booking.activity_id = None


def _unlinked_activity(booking: Booking) -> Activity | None:
    """An activity log of the booking's organization whose time overlaps it and
    that no booking links yet."""
    linked = exists().where(Booking.activity_id == Activity.id)
    with db.session.no_autoflush:
        return db.session.scalar(
            select(Activity)
            .where(
                Activity.organization_id == booking.organization_id,
                Activity.starts_at < booking.ends_at,
                Activity.ends_at > booking.starts_at,
                ~linked,
            )
            .order_by(Activity.starts_at, Activity.id)
            .limit(1)
        )
