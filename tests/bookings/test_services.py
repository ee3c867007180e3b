"""The booking rules at the service level: overlap, series, decisions, use."""

import pytest

from incubator.bookings import services
from incubator.bookings.models import Booking
from incubator.bookings.schemas import (
    BookingCancel,
    BookingChange,
    BookingDecision,
    BookingUse,
)
from incubator.errors import NotPermitted, ValidationFailed

from .conftest import at


def test_touching_bookings_are_allowed_overlapping_refused(centre, book, db):
    hall, sw = centre["hall"], centre["sw"]
    [first] = book(sw, hall, at("2026-03-03", 10), at("2026-03-03", 11))
    assert first.state == "confirmed"
    assert first.community_id == hall.community_id
    assert str(first.held_on) == "2026-03-03"
    book(sw, hall, at("2026-03-03", 11), at("2026-03-03", 12))
    with pytest.raises(services.BookingConflict) as caught:
        book(sw, hall, at("2026-03-03", 10, 30), at("2026-03-03", 11, 30))
    db.session.rollback()
    assert "2026-03-03 10:00" in caught.value.message
    assert db.session.query(Booking).count() == 2


def test_leader_request_needs_approval_then_confirmed(centre, book, db):
    studio, leader, sw = centre["studio"], centre["leader"], centre["sw"]
    [request] = book(
        leader,
        studio,
        at("2026-03-04", 19),
        at("2026-03-04", 21),
        organization_id=centre["dance"].id,
    )
    assert request.state == "requested"
    services.decide_booking(request, BookingDecision(decision="approve"), actor=sw)
    db.session.commit()
    assert request.state == "confirmed"


def test_leader_cannot_book_for_another_org(centre, book, db):
    with pytest.raises(NotPermitted):
        book(
            centre["leader"],
            centre["hall"],
            at("2026-03-04", 9),
            at("2026-03-04", 10),
            organization_id=centre["patrol"].id,
        )


def test_capacity_refused(centre, book, db):
    with pytest.raises(ValidationFailed) as caught:
        book(
            centre["sw"],
            centre["studio"],
            at("2026-03-04", 9),
            at("2026-03-04", 10),
            expected_people=21,
        )
    assert caught.value.field == "expected_people"


def test_series_all_or_nothing_and_rest(centre, book, db):
    hall, sw = centre["hall"], centre["sw"]
    book(sw, hall, at("2026-03-17", 19), at("2026-03-17", 20))
    with pytest.raises(services.BookingConflict) as caught:
        book(
            sw,
            hall,
            at("2026-03-03", 19),
            at("2026-03-03", 21),
            recurrence={"freq": "weekly", "count": 4},
        )
    db.session.rollback()
    assert "3" in caught.value.message
    assert db.session.query(Booking).count() == 1
    made = book(
        sw,
        hall,
        at("2026-03-03", 8),
        at("2026-03-03", 9),
        recurrence={"freq": "weekly", "count": 4},
    )
    assert [b.sequence for b in made] == [1, 2, 3, 4]
    assert len({b.series_id for b in made}) == 1
    services.change_booking(
        made[1],
        BookingChange(
            starts_at=at("2026-03-10", 9),
            ends_at=at("2026-03-10", 10),
            version=made[1].version,
        ),
        actor=sw,
    )
    db.session.commit()
    assert made[1].detached
    cancelled = services.cancel_booking(made[0], BookingCancel(scope="rest"), actor=sw)
    db.session.commit()
    assert [b.sequence for b in cancelled] == [1, 3, 4]
    assert made[1].state == "confirmed"


def test_use_links_activity(centre, book, db, frozen_time):
    hall, sw = centre["hall"], centre["sw"]
    [b] = book(
        sw,
        hall,
        at("2026-03-02", 9),
        at("2026-03-02", 11),
        organization_id=centre["dance"].id,
    )
    frozen_time.move_to(at("2026-03-02", 12))
    services.record_use(b, BookingUse(held=True, people=12), actor=centre["leader"])
    db.session.commit()
    assert b.held and b.people == 12
