"""What links a booking to the records of the layers below: the activity log
of the same organization at the same time (one space use, counted once), and
the booking a capacity-building session held in a centre room makes for
itself. Called by ``incubator.bookings.hooks`` when activities and sessions
announce a change; they flush and audit, never commit."""

from __future__ import annotations

from sqlalchemy import select

from incubator.activities.models import Activity, ServiceType
from incubator.audit import services as audit
from incubator.auth.models import User
from incubator.bookings.models import Booking, BookingState
from incubator.bookings.rules import (
    ACTIVE,
    check_free,
    flush_bookings,
    local_day,
    lock_room,
)
from incubator.bookings.services import cancel_one, create_bookings, mark_use
from incubator.community.models import Room
from incubator.extensions import db
from incubator.sessions.models import SessionState, TrainingSession


def link_activity(activity: Activity, *, actor: User | None = None) -> Booking | None:
    """After an activity log was saved: keep or make its link to a confirmed
    booking of the same organization whose time overlaps (one not linked yet);
    drop a link that no longer fits. Returns the booking linked, if any."""
    with db.session.no_autoflush:
        current = db.session.scalar(
            select(Booking).where(Booking.activity_id == activity.id)
        )
    if current is not None:
        if (
            current.organization_id == activity.organization_id
            and current.state == BookingState.CONFIRMED
            and current.starts_at < activity.ends_at
            and current.ends_at > activity.starts_at
        ):
            return current
        current.activity_id = None
        audit.record("unlink", current, actor=actor)
        db.session.flush()
    with db.session.no_autoflush:
        booking = db.session.scalar(
            select(Booking)
            .where(
                Booking.organization_id == activity.organization_id,
                Booking.state == BookingState.CONFIRMED,
                Booking.activity_id.is_(None),
                Booking.held.is_not(False),
                Booking.starts_at < activity.ends_at,
                Booking.ends_at > activity.starts_at,
            )
            .order_by(Booking.starts_at, Booking.id)
            .limit(1)
        )
    if booking is None:
        return None
    booking.activity_id = activity.id
    audit.record("link", booking, actor=actor)
    flush_bookings()
    return booking


# ---- a capacity-building session's own booking ----


def session_booking(session: TrainingSession) -> Booking | None:
    with db.session.no_autoflush:
        return db.session.scalar(
            select(Booking).where(Booking.session_id == session.id)
        )


def sync_session_booking(
    session: TrainingSession, *, actor: User | None
) -> Booking | None:
    """Make the booking of a scheduled session held in a centre room match it
    (room, times, title), create it, or cancel it when the session left the
    room or was cancelled. A clash with a confirmed booking refuses the session
    change (``BookingConflict``)."""
    booking = session_booking(session)
    wanted = session.room_id is not None and session.state != SessionState.CANCELLED
    if not wanted:
        if booking is not None and booking.state in ACTIVE and booking.held is None:
            cancel_one(
                booking, session.cancel_reason or "", actor=actor, summary="session"
            )
            flush_bookings()
        return booking
    room = db.session.get_one(Room, session.room_id)
    people = session.capacity
    if room.capacity is not None:
        people = min(people, room.capacity)
    slot = (session.starts_at, session.ends_at)
    if booking is None or booking.state not in ACTIVE:
        lock_room(room.id)
        check_free(room.id, [slot], exclude=[booking.id] if booking else [])
        if booking is not None:
            # A session cancelled and scheduled again: its booking is revived.
            booking.state = BookingState.CONFIRMED
        else:
            [created] = create_bookings(
                room,
                [slot],
                state=BookingState.CONFIRMED,
                actor=actor,
                series=False,
                session_id=session.id,
                organization_id=None,
                outside_unit="",
                purpose=session.title[:200],
                service_type=ServiceType.CAPACITY.value,
                expected_people=people,
            )
            return created
    if (booking.room_id, booking.starts_at, booking.ends_at) != (room.id, *slot):
        lock_room(room.id)
        check_free(room.id, [slot], exclude=[booking.id])
    booking.room_id = room.id
    booking.community_id = room.community_id
    booking.starts_at, booking.ends_at = slot
    booking.held_on = local_day(slot[0])
    booking.purpose = session.title[:200]
    booking.expected_people = people
    changes = audit.pending_changes(booking)
    if changes:
        audit.record("update", booking, actor=actor, changes=changes, summary="session")
    flush_bookings()
    return booking


def record_session_use(
    session: TrainingSession, *, actor: User | None
) -> Booking | None:
    """A session held (attendance recorded): its booking is used by the
    session's attendance total."""
    booking = session_booking(session)
    if booking is None or booking.state != BookingState.CONFIRMED:
        return booking
    return mark_use(booking, True, session.attendance_total, actor=actor)
