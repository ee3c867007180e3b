"""A community centre with rooms, staff and two leaders' organizations, at frozen
time (2026-03-01 09:00 Asia/Shanghai, a Sunday)."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from incubator.bookings import services
from incubator.bookings.schemas import BookingIn
from incubator.community.models import Room

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: str, hour: int, minute: int = 0) -> datetime:
    """A local (Asia/Shanghai) moment on ``day`` (YYYY-MM-DD)."""
    y, m, d = (int(p) for p in day.split("-"))
    return datetime(y, m, d, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def centre(frozen_time, db, community, make_user, make_org):
    sw = make_user("social_worker", username="bk_sw", name="林社工")
    admin = make_user("admin", username="bk_admin", name="陈主管")
    viewer = make_user("viewer", username="bk_viewer", name="街道")
    leader = make_user("org_leader", username="bk_leader", name="吴阿姨")
    other = make_user("org_leader", username="bk_other", name="郑叔")
    dance = make_org("舞蹈队", leader=leader, social_worker=sw)
    patrol = make_org("巡逻队", leader=other, social_worker=sw)
    hall = Room(
        community_id=community.id,
        name="多功能厅",
        capacity=40,
        opens_at=time(8, 30),
        closes_at=time(21, 0),
    )
    studio = Room(
        community_id=community.id, name="舞蹈室", capacity=20, needs_approval=True
    )
    db.session.add_all([hall, studio])
    db.session.commit()
    return {
        "sw": sw,
        "admin": admin,
        "viewer": viewer,
        "leader": leader,
        "other": other,
        "dance": dance,
        "patrol": patrol,
        "hall": hall,
        "studio": studio,
        "community": community,
    }


@pytest.fixture
def book(db):
    """Book through the service and commit; returns the bookings."""

    def do(actor, room, starts_at, ends_at, **fields):
        values = {
            "room_id": room.id,
            "starts_at": starts_at,
            "ends_at": ends_at,
            "purpose": "排练",
            "service_type": "routine_training",
            "expected_people": 10,
        }
        values.update(fields)
        made = services.book_room(BookingIn(**values), actor=actor)
        db.session.commit()
        return made

    return do


@pytest.fixture
def token_for(client):
    """Bearer headers for an existing user (password: the factories' default)."""
    from tests.conftest import DEFAULT_PASSWORD

    def do(user) -> dict[str, str]:
        response = client.post(
            "/api/v1/tokens",
            json={"username": user.username, "password": DEFAULT_PASSWORD},
        )
        assert response.status_code == 201, response.get_json()
        return {"Authorization": f"Bearer {response.get_json()['token']}"}

    return do
