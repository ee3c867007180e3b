"""Booking rules beyond the overlap: who books what, requests and decisions,
series with "this one / this and the rest", warnings, use and activity links."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from incubator.activities import services as activity_services
from incubator.activities.schemas import ActivityChange, ActivityLog
from incubator.audit.models import AuditEntry
from incubator.bookings import services
from incubator.bookings.models import Booking
from incubator.bookings.schemas import (
    BookingCancel,
    BookingChange,
    BookingDecision,
    BookingIn,
    BookingUse,
)
from incubator.errors import (
    NotPermitted,
    RuleViolation,
    StaleRecord,
    ValidationFailed,
)

from .conftest import at


def test_refusal_needs_a_reason_and_keeps_it(centre, book, db):
    with pytest.raises(ValidationFailed) as caught:
        BookingDecision(decision="refuse")
    assert caught.value.field == "reason"
    [request] = book(
        centre["leader"],
        centre["studio"],
        at("2026-03-04", 19),
        at("2026-03-04", 21),
        organization_id=centre["dance"].id,
    )
    services.decide_booking(
        request,
        BookingDecision(decision="refuse", reason="当天有社区会议"),
        actor=centre["sw"],
    )
    db.session.commit()
    assert request.state == "refused"
    assert request.decision_reason == "当天有社区会议"
    # a refused request neither holds the room nor can be decided again
    book(centre["sw"], centre["studio"], at("2026-03-04", 19), at("2026-03-04", 20))
    with pytest.raises(RuleViolation):
        services.decide_booking(
            request, BookingDecision(decision="approve"), actor=centre["sw"]
        )


def test_only_staff_decide(centre, book):
    [request] = book(
        centre["leader"],
        centre["studio"],
        at("2026-03-04", 19),
        at("2026-03-04", 21),
        organization_id=centre["dance"].id,
    )
    with pytest.raises(NotPermitted):
        services.decide_booking(
            request, BookingDecision(decision="approve"), actor=centre["leader"]
        )


def test_approval_rechecks_the_room(centre, book, db):
    [request] = book(
        centre["leader"],
        centre["studio"],
        at("2026-03-04", 19),
        at("2026-03-04", 21),
        organization_id=centre["dance"].id,
    )
    # staff took the room meanwhile: a request may overlap a confirmed booking
    # only until someone tries to approve it
    book(centre["sw"], centre["studio"], at("2026-03-04", 20), at("2026-03-04", 21))
    with pytest.raises(services.BookingConflict):
        services.decide_booking(
            request, BookingDecision(decision="approve"), actor=centre["sw"]
        )
    db.session.rollback()
    assert db.session.get(Booking, request.id).state == "requested"


def test_a_request_overlapping_a_confirmed_booking_is_refused(centre, book):
    book(centre["sw"], centre["studio"], at("2026-03-04", 19), at("2026-03-04", 21))
    with pytest.raises(services.BookingConflict):
        book(
            centre["leader"],
            centre["studio"],
            at("2026-03-04", 20),
            at("2026-03-04", 22),
            organization_id=centre["dance"].id,
        )


def test_leader_rules(centre, book):
    leader, hall = centre["leader"], centre["hall"]
    with pytest.raises(ValidationFailed) as caught:
        book(leader, hall, at("2026-03-04", 9), at("2026-03-04", 10))
    assert caught.value.field == "organization_id"
    with pytest.raises(ValidationFailed) as caught:
        book(
            leader,
            hall,
            at("2026-02-27", 9),
            at("2026-02-27", 10),
            organization_id=centre["dance"].id,
        )
    assert caught.value.field == "starts_at"
    # a room that needs no approval: the leader's booking is confirmed at once
    [made] = book(
        leader,
        hall,
        at("2026-03-04", 9),
        at("2026-03-04", 10),
        organization_id=centre["dance"].id,
    )
    assert made.state == "confirmed"
    # staff may enter a past booking afterwards
    [past] = book(centre["sw"], hall, at("2026-02-27", 9), at("2026-02-27", 10))
    assert past.state == "confirmed"


def test_viewers_do_not_book(centre, book):
    with pytest.raises(NotPermitted):
        book(
            centre["viewer"], centre["hall"], at("2026-03-04", 9), at("2026-03-04", 10)
        )


def test_outside_unit_only_for_receptions(centre, book):
    with pytest.raises(ValidationFailed) as caught:
        book(
            centre["sw"],
            centre["hall"],
            at("2026-03-04", 9),
            at("2026-03-04", 10),
            outside_unit="区民政局",
        )
    assert caught.value.field == "outside_unit"
    [made] = book(
        centre["sw"],
        centre["hall"],
        at("2026-03-04", 9),
        at("2026-03-04", 10),
        outside_unit="区民政局",
        service_type="visit_reception",
    )
    assert made.outside_unit == "区民政局" and made.organization_id is None


def test_times_checked(centre):
    base = {
        "room_id": centre["hall"].id,
        "purpose": "排练",
        "service_type": "other",
    }
    for starts, ends, field in (
        (at("2026-03-04", 10), at("2026-03-04", 10), "ends_at"),
        (at("2026-03-04", 10), at("2026-03-04", 9), "ends_at"),
        (at("2026-03-04", 20), at("2026-03-05", 8), "ends_at"),
    ):
        with pytest.raises(ValidationFailed) as caught:
            BookingIn(starts_at=starts, ends_at=ends, **base)
        assert caught.value.field == field


def test_archived_rooms_cannot_be_booked(centre, book, db):
    from incubator.database import utcnow

    centre["hall"].archived_at = utcnow()
    db.session.commit()
    with pytest.raises(ValidationFailed) as caught:
        book(centre["sw"], centre["hall"], at("2026-03-04", 9), at("2026-03-04", 10))
    assert caught.value.field == "room_id"


def test_room_by_name(centre, db):
    made = services.book_room(
        BookingIn(
            room="多功能厅",
            starts_at="2026-03-04T09:00:00",
            ends_at="2026-03-04T10:00:00",
            purpose="会议",
            service_type="other",
        ),
        actor=centre["sw"],
    )
    assert made[0].room_id == centre["hall"].id
    # without an offset: Shanghai's time
    assert made[0].starts_at == at("2026-03-04", 9)


def test_warnings_closed_hours_and_holidays(centre):
    hall = centre["hall"]
    assert (
        services.booking_warnings(hall, at("2026-03-03", 9), at("2026-03-03", 11)) == []
    )
    early = services.booking_warnings(hall, at("2026-03-03", 7), at("2026-03-03", 9))
    assert len(early) == 1 and "08:30" in early[0]
    late = services.booking_warnings(hall, at("2026-03-03", 20), at("2026-03-03", 22))
    assert len(late) == 1 and "21:00" in late[0]
    holiday = services.booking_warnings(hall, at("2026-05-01", 9), at("2026-05-01", 10))
    assert len(holiday) == 1 and "2026-05-01" in holiday[0]
    weekend = services.booking_warnings(hall, at("2026-03-07", 9), at("2026-03-07", 10))
    assert len(weekend) == 1
    # a room without hours warns about nothing but the day
    assert (
        services.booking_warnings(
            centre["studio"], at("2026-03-03", 6), at("2026-03-03", 23)
        )
        == []
    )


def test_series_change_rest_and_this(centre, book, db):
    sw, hall = centre["sw"], centre["hall"]
    made = book(
        sw,
        hall,
        at("2026-03-03", 19),
        at("2026-03-03", 20),
        recurrence={"freq": "weekly", "count": 5},
    )
    assert [str(b.held_on) for b in made] == [
        "2026-03-03",
        "2026-03-10",
        "2026-03-17",
        "2026-03-24",
        "2026-03-31",
    ]
    # the 4th moves on its own: the series' later changes leave it alone
    services.change_booking(
        made[3],
        BookingChange(
            starts_at=at("2026-03-25", 19),
            ends_at=at("2026-03-25", 20),
            version=made[3].version,
        ),
        actor=sw,
    )
    db.session.commit()
    # from the 2nd on, an hour earlier and longer
    changed = services.change_booking(
        made[1],
        BookingChange(
            starts_at=at("2026-03-10", 18),
            ends_at=at("2026-03-10", 20),
            purpose="加练",
            version=made[1].version,
        ),
        actor=sw,
        scope="rest",
    )
    db.session.commit()
    assert [b.sequence for b in changed] == [2, 3, 5]
    assert made[0].starts_at == at("2026-03-03", 19)
    assert made[2].starts_at == at("2026-03-17", 18)
    assert made[2].ends_at == at("2026-03-17", 20)
    assert made[4].purpose == "加练"
    assert made[3].starts_at == at("2026-03-25", 19)
    assert made[3].purpose == "排练"


def test_series_change_all_or_nothing(centre, book, db):
    sw, hall = centre["sw"], centre["hall"]
    made = book(
        sw,
        hall,
        at("2026-03-03", 19),
        at("2026-03-03", 20),
        recurrence={"freq": "weekly", "count": 3},
    )
    book(sw, hall, at("2026-03-17", 18), at("2026-03-17", 19))
    with pytest.raises(services.BookingConflict) as caught:
        services.change_booking(
            made[0],
            BookingChange(
                starts_at=at("2026-03-03", 18),
                ends_at=at("2026-03-03", 19),
                version=made[0].version,
            ),
            actor=sw,
            scope="rest",
        )
    db.session.rollback()
    assert "3" in caught.value.message
    assert db.session.get(Booking, made[0].id).starts_at == at("2026-03-03", 19)


def test_stale_version(centre, book):
    [made] = book(
        centre["sw"], centre["hall"], at("2026-03-04", 9), at("2026-03-04", 10)
    )
    with pytest.raises(StaleRecord):
        services.change_booking(
            made,
            BookingChange(purpose="改", version=made.version + 5),
            actor=centre["sw"],
        )


def test_cancel_frees_the_slot_and_leaders_cancel_their_own(centre, book, db):
    hall = centre["hall"]
    [made] = book(
        centre["leader"],
        hall,
        at("2026-03-04", 9),
        at("2026-03-04", 10),
        organization_id=centre["dance"].id,
    )
    with pytest.raises(NotPermitted):
        services.cancel_booking(made, BookingCancel(), actor=centre["other"])
    services.cancel_booking(made, BookingCancel(reason="下雨"), actor=centre["leader"])
    db.session.commit()
    assert made.state == "cancelled" and made.cancel_reason == "下雨"
    [again] = book(centre["sw"], hall, at("2026-03-04", 9), at("2026-03-04", 10))
    assert again.state == "confirmed"
    entries = db.session.scalar(
        select(func.count())
        .select_from(AuditEntry)
        .where(AuditEntry.entity_type == "Booking", AuditEntry.entity_id == made.id)
    )
    assert entries == 2  # made, cancelled


def test_a_leader_moving_a_booking_of_an_approval_room_asks_again(centre, book, db):
    [made] = book(
        centre["leader"],
        centre["studio"],
        at("2026-03-04", 19),
        at("2026-03-04", 20),
        organization_id=centre["dance"].id,
    )
    services.decide_booking(
        made, BookingDecision(decision="approve"), actor=centre["sw"]
    )
    db.session.commit()
    services.change_booking(
        made,
        BookingChange(
            starts_at=at("2026-03-05", 19),
            ends_at=at("2026-03-05", 20),
            version=made.version,
        ),
        actor=centre["leader"],
    )
    db.session.commit()
    assert made.state == "requested"


# ---- use and the activity log of the same time ----


def _log(centre, starts, ends, **fields):
    values = {
        "organization_id": centre["dance"].id,
        "title": "排练",
        "form": "group",
        "service_type": "routine_training",
        "target_group": "elders",
        "starts_at": starts,
        "ends_at": ends,
        "place": "",
        "room_id": centre["hall"].id,
        "person_times": 15,
    }
    values.update(fields)
    return activity_services.log_activity(
        centre["dance"], ActivityLog(**values), actor=centre["leader"]
    )


def test_use_is_recorded_after_the_slot_by_staff_or_the_leader(
    centre, book, db, frozen_time
):
    [made] = book(
        centre["leader"],
        centre["hall"],
        at("2026-03-02", 9),
        at("2026-03-02", 11),
        organization_id=centre["dance"].id,
    )
    with pytest.raises(RuleViolation):
        services.record_use(made, BookingUse(held=True, people=3), actor=centre["sw"])
    frozen_time.move_to(at("2026-03-02", 9, 30))
    with pytest.raises(NotPermitted):
        services.record_use(
            made, BookingUse(held=True, people=3), actor=centre["other"]
        )
    with pytest.raises(ValidationFailed):
        BookingUse(held=True)
    services.record_use(made, BookingUse(held=False), actor=centre["leader"])
    db.session.commit()
    assert made.held is False and made.people is None and not made.used
    services.record_use(made, BookingUse(held=True, people=14), actor=centre["sw"])
    db.session.commit()
    assert made.used and made.people == 14


def test_use_links_the_activity_logged_before(centre, book, db, frozen_time):
    [made] = book(
        centre["sw"],
        centre["hall"],
        at("2026-03-02", 9),
        at("2026-03-02", 11),
        organization_id=centre["dance"].id,
    )
    frozen_time.move_to(at("2026-03-02", 12))
    activity = _log(centre, at("2026-03-02", 9, 30), at("2026-03-02", 11))
    db.session.commit()
    # the activity linked itself at once (a confirmed booking of its time)
    assert made.activity_id == activity.id
    services.record_use(made, BookingUse(held=True, people=15), actor=centre["sw"])
    db.session.commit()
    assert made.activity_id == activity.id


def test_activity_logged_after_the_use_links_once(centre, book, db, frozen_time):
    hall = centre["hall"]
    [first] = book(
        centre["sw"],
        hall,
        at("2026-03-02", 9),
        at("2026-03-02", 10),
        organization_id=centre["dance"].id,
    )
    [second] = book(
        centre["sw"],
        centre["studio"],
        at("2026-03-02", 9),
        at("2026-03-02", 10),
        organization_id=centre["dance"].id,
    )
    frozen_time.move_to(at("2026-03-02", 12))
    for booking in (first, second):
        services.record_use(
            booking, BookingUse(held=True, people=8), actor=centre["sw"]
        )
    db.session.commit()
    activity = _log(centre, at("2026-03-02", 9), at("2026-03-02", 10))
    db.session.commit()
    linked = db.session.scalars(
        select(Booking).where(Booking.activity_id == activity.id)
    ).all()
    assert [b.id for b in linked] == [first.id]
    # another organization's activity at the same time links nothing
    other = activity_services.log_activity(
        centre["patrol"],
        ActivityLog(
            organization_id=centre["patrol"].id,
            title="巡逻",
            form="community",
            service_type="other",
            target_group="all_residents",
            starts_at=at("2026-03-02", 9),
            ends_at=at("2026-03-02", 10),
            place="小区",
            person_times=4,
        ),
        actor=centre["other"],
    )
    db.session.commit()
    assert (
        db.session.scalar(select(Booking).where(Booking.activity_id == other.id))
        is None
    )
    # the activity moved away: the link goes
    activity_services.update_activity(
        activity,
        ActivityChange(
            starts_at=at("2026-03-02", 14),
            ends_at=at("2026-03-02", 15),
            version=activity.version,
        ),
        actor=centre["leader"],
    )
    db.session.commit()
    assert db.session.get(Booking, first.id).activity_id is None


def test_activity_room_must_be_an_open_room_of_its_community(
    centre, db, frozen_time, make_org
):
    from incubator.community.models import Community, Room

    elsewhere = Community(name="别的社区")
    db.session.add(elsewhere)
    db.session.flush()
    far = Room(community_id=elsewhere.id, name="远处活动室")
    db.session.add(far)
    db.session.commit()
    with pytest.raises(ValidationFailed) as caught:
        _log(centre, at("2026-02-28", 9), at("2026-02-28", 10), room_id=far.id)
    assert caught.value.field == "room_id"
    db.session.rollback()
    activity = _log(centre, at("2026-02-28", 9), at("2026-02-28", 10))
    db.session.commit()
    assert activity.room_id == centre["hall"].id


def test_moving_or_cancelling_a_booking_frees_its_activity(
    centre, book, db, frozen_time
):
    [made] = book(
        centre["sw"],
        centre["hall"],
        at("2026-03-02", 9),
        at("2026-03-02", 11),
        organization_id=centre["dance"].id,
    )
    frozen_time.move_to(at("2026-03-02", 12))
    activity = _log(centre, at("2026-03-02", 9), at("2026-03-02", 11))
    db.session.commit()
    assert made.activity_id == activity.id
    services.change_booking(
        made,
        BookingChange(
            starts_at=at("2026-03-02", 10),
            ends_at=at("2026-03-02", 11),
            version=made.version,
        ),
        actor=centre["sw"],
    )
    db.session.commit()
    assert made.activity_id == activity.id  # still overlapping
    services.change_booking(
        made,
        BookingChange(
            starts_at=at("2026-03-02", 14),
            ends_at=at("2026-03-02", 15),
            version=made.version,
        ),
        actor=centre["sw"],
    )
    db.session.commit()
    assert made.activity_id is None
    [other] = book(
        centre["sw"],
        centre["studio"],
        at("2026-03-02", 9),
        at("2026-03-02", 10),
        organization_id=centre["dance"].id,
    )
    activity_services.update_activity(
        activity,
        ActivityChange(summary="补记", version=activity.version),
        actor=centre["sw"],
    )
    db.session.commit()
    assert other.activity_id == activity.id
    services.cancel_booking(other, BookingCancel(), actor=centre["sw"])
    db.session.commit()
    assert other.activity_id is None
