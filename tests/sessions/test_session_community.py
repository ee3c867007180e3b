"""A session serves one community: chosen on the page or in the API when the
user's scope has several, else the user's one community."""

from __future__ import annotations

from sqlalchemy import select

from incubator.community.models import Community
from incubator.community.scope import set_scope
from incubator.sessions.models import TrainingSession
from tests.conftest import login

FORM = {
    "title": "乙社区培训",
    "dimension": "",
    "day": "2026-03-10",
    "start_time": "09:00",
    "end_time": "11:00",
    "capacity": "30",
    "freq": "",
}


def _second(db):
    other = Community(name="第二社区", district="湖里区", city="厦门市", position=1)
    db.session.add(other)
    db.session.commit()
    return other


def test_the_page_asks_for_the_community_only_when_there_are_several(
    frozen_time, db, client, community, make_user
):
    make_user("admin", username="boss")
    login(client, "boss")
    assert 'name="community_id"' not in client.get("/sessions/new").get_data(
        as_text=True
    )
    other = _second(db)
    page = client.get("/sessions/new").get_data(as_text=True)
    assert 'name="community_id"' in page and "第二社区" in page
    response = client.post(
        "/sessions/new", data={**FORM, "community_id": str(other.id)}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert db.session.scalar(select(TrainingSession.community_id)) == other.id


def test_a_single_community_user_gets_theirs_and_no_other(
    frozen_time, db, client, community, make_user, api_token
):
    other = _second(db)
    sw = make_user("social_worker", username="sw_two")
    set_scope(sw, [other.id])
    db.session.commit()
    login(client, "sw_two")
    assert 'name="community_id"' not in client.get("/sessions/new").get_data(
        as_text=True
    )
    assert client.post("/sessions/new", data=FORM).status_code == 302
    assert db.session.scalar(select(TrainingSession.community_id)) == other.id
    token = client.post(
        "/api/v1/tokens", json={"username": "sw_two", "password": "correct-horse-9"}
    ).get_json()["token"]
    response = client.post(
        "/api/v1/sessions",
        headers={"Authorization": f"Bearer {token}"},
        json={
            "title": "越界培训",
            "starts_at": "2026-03-12T09:00:00+08:00",
            "ends_at": "2026-03-12T11:00:00+08:00",
            "capacity": 10,
            "community_id": community.id,
        },
    )
    assert response.status_code == 422
    assert "社区" in response.get_json()["error"]["message"]
