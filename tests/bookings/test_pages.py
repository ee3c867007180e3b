"""The pages that name a centre room: the session form books it (a clash shows
on the form, nothing saved), the activity form offers its community's rooms,
and the community page sets a room's opening hours."""

from __future__ import annotations

from datetime import time

from sqlalchemy import func, select

from incubator.bookings.models import Booking
from incubator.community.models import Room
from incubator.sessions.models import TrainingSession
from tests.conftest import login

from .conftest import at

FORM = {
    "title": "议事规则培训",
    "dimension": "",
    "day": "2026-03-10",
    "start_time": "09:00",
    "end_time": "11:00",
    "capacity": "30",
    "freq": "",
}


def _count(db, model) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model))


def test_session_form_books_the_room_and_shows_a_clash(centre, client, db, book):
    login(client, "bk_sw")
    page = client.get("/sessions/new").get_data(as_text=True)
    assert "多功能厅" in page
    hall = centre["hall"].id
    response = client.post("/sessions/new", data={**FORM, "room_id": str(hall)})
    assert response.status_code == 302
    booking = db.session.scalar(select(Booking))
    assert booking.session_id is not None and booking.state == "confirmed"
    book(centre["sw"], centre["studio"], at("2026-03-11", 10), at("2026-03-11", 12))
    response = client.post(
        "/sessions/new",
        data={**FORM, "day": "2026-03-11", "room_id": str(centre["studio"].id)},
    )
    assert response.status_code == 200
    assert "已被" in response.get_data(as_text=True)
    assert _count(db, TrainingSession) == 1
    assert _count(db, Booking) == 2


def test_activity_form_offers_the_rooms(centre, client, db):
    login(client, "bk_leader")
    page = client.get(f"/activities/new?org={centre['dance'].id}").get_data(
        as_text=True
    )
    assert 'name="room_id"' in page and "舞蹈室" in page


def test_community_page_sets_opening_hours(centre, client, db, make_user):
    make_user("admin", username="bk_boss")
    login(client, "bk_boss")
    community_id = centre["community"].id
    page = client.get(f"/admin/communities/{community_id}")
    assert 'name="opens_at"' in page.get_data(as_text=True)
    token = page.get_data(as_text=True).split('name="csrf_token" type="hidden" value="')
    csrf = token[1].split('"')[0] if len(token) > 1 else ""
    room = centre["studio"]
    response = client.post(
        f"/admin/communities/{community_id}/rooms/{room.id}",
        data={
            "csrf_token": csrf,
            "edit": "1",
            "name": room.name,
            "capacity": "20",
            "equipment": "镜子",
            "opens_at": "09:00",
            "closes_at": "20:30",
            "needs_approval": "1",
            "position": "1",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    room = db.session.get(Room, room.id)
    assert (room.opens_at, room.closes_at) == (time(9), time(20, 30))
    response = client.post(
        f"/admin/communities/{community_id}/rooms/{room.id}",
        data={
            "csrf_token": csrf,
            "edit": "1",
            "name": room.name,
            "opens_at": "21:00",
            "closes_at": "20:30",
        },
        follow_redirects=True,
    )
    assert "关门时间须晚于开门时间" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Room, room.id).opens_at == time(9)
