"""A capacity-building session held in a centre room books it by itself: made,
moved and cancelled with the session, its use recorded when it is held."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from incubator.bookings import services
from incubator.bookings.models import Booking
from incubator.sessions import services as sessions
from incubator.sessions.schemas import (
    Attendance,
    SessionCancellation,
    SessionChange,
    SessionSchedule,
)

from .conftest import at


def _booking_of(db, session):
    db.session.expire_all()
    return db.session.scalar(select(Booking).where(Booking.session_id == session.id))


def _schedule(centre, starts, ends, **fields):
    values = {
        "title": "财务管理培训",
        "starts_at": starts,
        "ends_at": ends,
        "capacity": 30,
        "room_id": centre["hall"].id,
        "organization_ids": [centre["dance"].id],
    }
    values.update(fields)
    return sessions.schedule_session(SessionSchedule(**values), actor=centre["sw"])


def test_session_books_moves_and_cancels_its_room(centre, db, book):
    [session] = _schedule(centre, at("2026-03-05", 14), at("2026-03-05", 16))
    db.session.commit()
    booking = _booking_of(db, session)
    assert booking.state == "confirmed"
    assert booking.service_type == "capacity"
    assert booking.organization_id is None
    assert booking.purpose == "财务管理培训"
    assert (booking.starts_at, booking.ends_at) == (session.starts_at, session.ends_at)
    # the slot is the session's
    with pytest.raises(services.BookingConflict) as caught:
        book(centre["sw"], centre["hall"], at("2026-03-05", 15), at("2026-03-05", 17))
    assert "财务管理培训" in caught.value.message
    db.session.rollback()
    sessions.update_session(
        session,
        SessionChange(
            starts_at=at("2026-03-06", 9),
            ends_at=at("2026-03-06", 11),
            version=session.version,
        ),
        actor=centre["sw"],
    )
    db.session.commit()
    booking = _booking_of(db, session)
    assert booking.starts_at == at("2026-03-06", 9)
    assert str(booking.held_on) == "2026-03-06"
    # a booking of its own is not changed or cancelled apart from the session
    with pytest.raises(services.RuleViolation):
        services.cancel_booking(booking, services.BookingCancel(), actor=centre["sw"])
    db.session.rollback()
    session = db.session.get(type(session), session.id)
    sessions.cancel_session(
        session, SessionCancellation(reason="讲师生病"), actor=centre["sw"]
    )
    db.session.commit()
    assert _booking_of(db, session).state == "cancelled"


def test_session_leaving_the_room_frees_it(centre, db):
    [session] = _schedule(centre, at("2026-03-05", 14), at("2026-03-05", 16))
    db.session.commit()
    sessions.update_session(
        session,
        SessionChange(room_id=None, version=session.version),
        actor=centre["sw"],
    )
    db.session.commit()
    assert _booking_of(db, session).state == "cancelled"
    sessions.update_session(
        session,
        SessionChange(room_id=centre["studio"].id, version=session.version),
        actor=centre["sw"],
    )
    db.session.commit()
    booking = _booking_of(db, session)
    assert booking.state == "confirmed" and booking.room_id == centre["studio"].id
    # the studio holds 20: the session's 30 places are capped at the room's
    assert booking.expected_people == 20


def test_a_clash_refuses_the_session_change(centre, db, book):
    book(centre["sw"], centre["hall"], at("2026-03-05", 15), at("2026-03-05", 17))
    with pytest.raises(services.BookingConflict):
        _schedule(centre, at("2026-03-05", 14), at("2026-03-05", 16))
    db.session.rollback()
    [session] = _schedule(
        centre, at("2026-03-05", 9), at("2026-03-05", 11), room_id=None
    )
    db.session.commit()
    with pytest.raises(services.BookingConflict):
        sessions.update_session(
            session,
            SessionChange(
                room_id=centre["hall"].id,
                starts_at=at("2026-03-05", 16),
                ends_at=at("2026-03-05", 18),
                version=session.version,
            ),
            actor=centre["sw"],
        )
    db.session.rollback()
    assert db.session.get(type(session), session.id).room_id is None


def test_a_series_books_each_occurrence(centre, db):
    made = _schedule(
        centre,
        at("2026-03-05", 14),
        at("2026-03-05", 16),
        recurrence={"freq": "weekly", "count": 3},
    )
    db.session.commit()
    bookings = [_booking_of(db, s) for s in made]
    assert [str(b.held_on) for b in bookings] == [
        "2026-03-05",
        "2026-03-12",
        "2026-03-19",
    ]


def test_held_session_records_the_use(centre, db, frozen_time):
    [session] = _schedule(centre, at("2026-03-02", 14), at("2026-03-02", 16))
    db.session.commit()
    frozen_time.move_to(at("2026-03-02", 17))
    sessions.record_attendance(
        session,
        Attendance(organization_id=centre["dance"].id, attendees=12, walk_ins=3),
        actor=centre["sw"],
    )
    db.session.commit()
    booking = _booking_of(db, session)
    assert booking.held is True and booking.people == 15 and booking.used


def test_session_room_must_be_open_and_of_its_community(centre, db):
    from incubator.database import utcnow
    from incubator.errors import ValidationFailed

    centre["studio"].archived_at = utcnow()
    db.session.commit()
    with pytest.raises(ValidationFailed) as caught:
        _schedule(
            centre,
            at("2026-03-05", 14),
            at("2026-03-05", 16),
            room_id=centre["studio"].id,
        )
    assert caught.value.field == "room_id"
