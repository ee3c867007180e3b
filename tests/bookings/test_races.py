"""No double booking when two requests race: exactly one wins, the other gets 409
(booking_conflict), never a 500. On SQLite write transactions are serialized; on
PostgreSQL the room's advisory lock, and behind it the exclusion constraint
``booking_no_overlap`` (tested here with the services' own check switched off)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from incubator.bookings import rules
from incubator.bookings.models import Booking
from incubator.extensions import db

from .conftest import at


def _race(app, calls):
    """Run each ``(method, url, json, headers)`` in its own thread at once; the
    status codes in order."""
    # the test's own session must not hold SQLite's write lock meanwhile
    db.session.rollback()
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, method, url, body, headers):
        client = app.test_client()
        barrier.wait()
        response = client.open(url, method=method, json=body, headers=headers)
        results[index] = (response.status_code, response.get_json())
        response.close()

    threads = [
        threading.Thread(target=run, args=(i, *call)) for i, call in enumerate(calls)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def _confirmed() -> int:
    db.session.rollback()
    return db.session.scalar(
        select(func.count()).select_from(Booking).where(Booking.state == "confirmed")
    )


@pytest.fixture
def two_requests(centre, book, token_for, db):
    """Two leaders' overlapping requests for the room that needs approval."""
    studio = centre["studio"]
    [first] = book(
        centre["leader"],
        studio,
        at("2026-03-05", 19),
        at("2026-03-05", 21),
        organization_id=centre["dance"].id,
    )
    [second] = book(
        centre["other"],
        studio,
        at("2026-03-05", 20),
        at("2026-03-05", 22),
        organization_id=centre["patrol"].id,
    )
    return first.id, second.id, token_for(centre["sw"]), token_for(centre["admin"])


def _approve_both(app, two_requests):
    first, second, sw, admin = two_requests
    body = {"decision": "approve"}
    return _race(
        app,
        [
            ("POST", f"/api/v1/bookings/{first}/decision", body, sw),
            ("POST", f"/api/v1/bookings/{second}/decision", body, admin),
        ],
    )


def test_two_racing_approvals_one_wins_one_409(app, two_requests):
    results = _approve_both(app, two_requests)
    codes = sorted(code for code, _body in results)
    assert codes == [200, 409], results
    loser = next(body for code, body in results if code == 409)
    assert loser["error"]["code"] == "booking_conflict"
    assert _confirmed() == 1


def test_two_racing_staff_bookings_one_wins(app, centre, token_for):
    sw, admin = token_for(centre["sw"]), token_for(centre["admin"])

    def body(start, end):
        return {
            "room_id": centre["hall"].id,
            "starts_at": f"2026-03-06T{start}:00+08:00",
            "ends_at": f"2026-03-06T{end}:00+08:00",
            "purpose": "会议",
            "service_type": "meeting_reception",
            "outside_unit": "区民政局",
        }

    results = _race(
        app,
        [
            ("POST", "/api/v1/bookings", body("09", "11"), sw),
            ("POST", "/api/v1/bookings", body("10", "12"), admin),
        ],
    )
    assert sorted(code for code, _ in results) == [201, 409], results
    assert _confirmed() == 1


def test_the_exclusion_constraint_answers_409_not_500(
    app, two_requests, monkeypatch, database_url
):
    """PostgreSQL: with the services' check out of the way, the constraint
    refuses the loser, and the savepoint turns it into BookingConflict."""
    if not database_url.startswith("postgresql"):
        pytest.skip("the exclusion constraint is PostgreSQL's")
    monkeypatch.setattr(rules, "overlapping", lambda *args, **kwargs: None)
    results = _approve_both(app, two_requests)
    assert sorted(code for code, _ in results) == [200, 409], results
    loser = next(body for code, body in results if code == 409)
    assert loser["error"]["code"] == "booking_conflict"
    assert _confirmed() == 1
