"""The bookings API: create, list, decide, change, cancel, use; errors as JSON."""

from incubator.bookings.models import Booking

from .conftest import at


def _body(
    room, start="2026-03-03T10:00:00+08:00", end="2026-03-03T11:00:00+08:00", **kw
):
    body = {
        "room_id": room.id,
        "starts_at": start,
        "ends_at": end,
        "purpose": "排练",
        "service_type": "routine_training",
        "expected_people": 8,
    }
    body.update(kw)
    return body


def test_create_list_get(centre, client, token_for, db):
    sw = token_for(centre["sw"])
    r = client.post("/api/v1/bookings", json=_body(centre["hall"]), headers=sw)
    assert r.status_code == 201, r.get_json()
    out = r.get_json()
    assert out["state"] == "confirmed"
    assert out["room"] == "多功能厅"
    assert out["starts_at"].startswith("2026-03-03T10:00:00+08:00")
    assert out["service_type_label"]
    assert out["warnings"] == []
    r = client.get("/api/v1/bookings?from=2026-03-01&to=2026-03-31", headers=sw)
    assert r.status_code == 200
    assert r.get_json()["total"] == 1
    r = client.get(f"/api/v1/bookings/{out['id']}", headers=sw)
    assert r.get_json()["id"] == out["id"]


def test_overlap_is_409_booking_conflict(centre, client, token_for):
    sw = token_for(centre["sw"])
    assert (
        client.post(
            "/api/v1/bookings", json=_body(centre["hall"]), headers=sw
        ).status_code
        == 201
    )
    r = client.post(
        "/api/v1/bookings",
        json=_body(
            centre["hall"],
            start="2026-03-03T10:30:00+08:00",
            end="2026-03-03T12:00:00+08:00",
        ),
        headers=sw,
    )
    assert r.status_code == 409
    assert r.get_json()["error"]["code"] == "booking_conflict"
    assert "舞蹈队" not in r.get_json()["error"]["message"]
    r = client.post(
        "/api/v1/bookings",
        json=_body(
            centre["hall"], start="2026-03-03T11:00:00", end="2026-03-03T12:00:00"
        ),
        headers=sw,
    )
    assert r.status_code == 201, r.get_json()


def test_leader_books_for_own_org_only_and_lists_own(centre, client, token_for, book):
    leader = token_for(centre["leader"])
    r = client.post(
        "/api/v1/bookings",
        json=_body(centre["studio"], organization_id=centre["patrol"].id),
        headers=leader,
    )
    assert r.status_code == 403
    r = client.post(
        "/api/v1/bookings",
        json=_body(centre["studio"], organization_id=centre["dance"].id),
        headers=leader,
    )
    assert r.status_code == 201, r.get_json()
    mine = r.get_json()
    assert mine["state"] == "requested"
    [other] = book(
        centre["other"],
        centre["hall"],
        at("2026-03-05", 9),
        at("2026-03-05", 10),
        organization_id=centre["patrol"].id,
    )
    listed = client.get("/api/v1/bookings", headers=leader).get_json()
    assert [b["id"] for b in listed["items"]] == [mine["id"]]
    assert client.get(f"/api/v1/bookings/{other.id}", headers=leader).status_code == 404
    # viewers read every booking of their communities, and change none
    viewer = token_for(centre["viewer"])
    assert client.get("/api/v1/bookings", headers=viewer).get_json()["total"] == 2
    r = client.post(f"/api/v1/bookings/{other.id}/cancel", json={}, headers=viewer)
    assert r.status_code == 403


def test_decision_cancel_use_through_the_api(centre, client, token_for, frozen_time):
    leader, sw = token_for(centre["leader"]), token_for(centre["sw"])
    made = client.post(
        "/api/v1/bookings",
        json=_body(
            centre["studio"],
            start="2026-03-02T09:00:00+08:00",
            end="2026-03-02T10:00:00+08:00",
            organization_id=centre["dance"].id,
        ),
        headers=leader,
    ).get_json()
    url = f"/api/v1/bookings/{made['id']}"
    r = client.post(f"{url}/decision", json={"decision": "refuse"}, headers=sw)
    assert r.status_code == 422
    assert "reason" in r.get_json()["error"]["fields"]
    r = client.post(f"{url}/decision", json={"decision": "approve"}, headers=leader)
    assert r.status_code == 403
    r = client.post(f"{url}/decision", json={"decision": "approve"}, headers=sw)
    assert r.status_code == 200 and r.get_json()["state"] == "confirmed"
    r = client.post(f"{url}/use", json={"held": True, "people": 5}, headers=leader)
    assert r.status_code == 409  # not begun yet
    frozen_time.move_to("2026-03-02T02:30:00+00:00")
    r = client.post(f"{url}/use", json={"held": True}, headers=leader)
    assert r.status_code == 422
    r = client.post(f"{url}/use", json={"held": True, "people": 5}, headers=leader)
    assert r.status_code == 200, r.get_json()
    assert (r.get_json()["held"], r.get_json()["people"]) == (True, 5)
    r = client.post(f"{url}/cancel", json={}, headers=leader)
    assert r.status_code == 409  # the use is on record
    r = client.patch(url, json={"purpose": "改", "version": 1}, headers=leader)
    assert r.status_code == 409
    assert r.get_json()["error"]["code"] in ("stale_version", "rule_violation")


def test_capacity_and_bad_input_are_422(centre, client, token_for):
    sw = token_for(centre["sw"])
    r = client.post(
        "/api/v1/bookings",
        json=_body(centre["studio"], expected_people=21),
        headers=sw,
    )
    assert r.status_code == 422
    assert "expected_people" in r.get_json()["error"]["fields"]
    for bad in (
        {"service_type": "dancing"},
        {"expected_people": -1},
        {"recurrence": {"freq": "monthly", "count": 3}},
        {"recurrence": {"freq": "weekly", "count": 53}},
        {"room_id": 99999},
        {"starts_at": "yesterday"},
        {"purpose": "  "},
        {"colour": "red"},
    ):
        r = client.post(
            "/api/v1/bookings", json=_body(centre["hall"], **bad), headers=sw
        )
        assert r.status_code == 422, (bad, r.get_json())
    assert client.get("/api/v1/bookings?state=lost", headers=sw).status_code == 422
    assert client.get("/api/v1/bookings?colour=1", headers=sw).status_code == 422


def test_series_and_rest_cancel_through_the_api(centre, client, token_for):
    sw = token_for(centre["sw"])
    r = client.post(
        "/api/v1/bookings",
        json=_body(centre["hall"], recurrence={"freq": "weekly", "count": 4}),
        headers=sw,
    )
    assert r.status_code == 201
    occurrences = r.get_json()["occurrences"]
    assert [o["sequence"] for o in occurrences] == [1, 2, 3, 4]
    series = occurrences[0]["series_id"]
    r = client.post(
        f"/api/v1/bookings/{occurrences[1]['id']}/cancel",
        json={"scope": "rest", "reason": "暑假"},
        headers=sw,
    )
    assert r.status_code == 200
    assert [b["sequence"] for b in r.get_json()["items"]] == [2, 3, 4]
    listed = client.get(
        f"/api/v1/bookings?series_id={series}&state=confirmed", headers=sw
    ).get_json()
    assert listed["total"] == 1


def test_idempotent_create(centre, client, token_for, db):
    sw = token_for(centre["sw"])
    headers = {**sw, "Idempotency-Key": "bk-1"}
    first = client.post("/api/v1/bookings", json=_body(centre["hall"]), headers=headers)
    again = client.post("/api/v1/bookings", json=_body(centre["hall"]), headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert first.get_json()["id"] == again.get_json()["id"]
    db.session.rollback()
    assert db.session.query(Booking).count() == 1


def test_list_query_budget(centre, client, token_for, assert_constant_queries, book):
    sw = token_for(centre["sw"])
    book(centre["sw"], centre["hall"], at("2026-03-03", 8), at("2026-03-03", 9))

    def grow():
        for day in range(10, 20):
            book(
                centre["leader"],
                centre["studio"],
                at(f"2026-03-{day}", 9),
                at(f"2026-03-{day}", 10),
                organization_id=centre["dance"].id,
            )
            book(
                centre["sw"],
                centre["hall"],
                at(f"2026-03-{day}", 9),
                at(f"2026-03-{day}", 10),
                outside_unit="区民政局",
                service_type="meeting_reception",
            )

    assert_constant_queries("/api/v1/bookings", grow, headers=sw)


def test_rooms_api(centre, client, token_for):
    admin, leader = token_for(centre["admin"]), token_for(centre["leader"])
    community_id = centre["community"].id
    r = client.post(
        "/api/v1/rooms",
        json={
            "community_id": community_id,
            "name": "书画室",
            "capacity": 12,
            "equipment": "长桌",
            "opens_at": "09:00",
            "closes_at": "17:30",
            "needs_approval": True,
        },
        headers=admin,
    )
    assert r.status_code == 201, r.get_json()
    room = r.get_json()
    assert (room["opens_at"], room["closes_at"]) == ("09:00", "17:30")
    assert room["community_id"] == community_id
    r = client.patch(
        f"/api/v1/rooms/{room['id']}", json={"closes_at": "08:00"}, headers=admin
    )
    assert r.status_code == 422
    r = client.patch(
        f"/api/v1/rooms/{room['id']}", json={"closes_at": None}, headers=admin
    )
    assert r.status_code == 200 and r.get_json()["closes_at"] is None
    listed = client.get(
        f"/api/v1/rooms?community_id={community_id}", headers=leader
    ).get_json()
    assert {r["name"] for r in listed["items"]} == {"多功能厅", "舞蹈室", "书画室"}
    r = client.patch(f"/api/v1/rooms/{room['id']}", json={"name": "x"}, headers=leader)
    assert r.status_code == 403
    nested = client.get(
        f"/api/v1/communities/{community_id}/rooms", headers=admin
    ).get_json()
    assert any(r["opens_at"] == "09:00" for r in nested["items"])


def test_session_and_activity_api_carry_room_id(centre, client, token_for, frozen_time):
    sw = token_for(centre["sw"])
    r = client.post(
        "/api/v1/sessions",
        json={
            "title": "培训",
            "starts_at": "2026-03-05T14:00:00+08:00",
            "ends_at": "2026-03-05T16:00:00+08:00",
            "capacity": 10,
            "room_id": centre["hall"].id,
        },
        headers=sw,
    )
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["room_id"] == centre["hall"].id
    listed = client.get(f"/api/v1/bookings?room_id={centre['hall'].id}", headers=sw)
    [booking] = listed.get_json()["items"]
    assert booking["session_id"] == r.get_json()["id"]
    r = client.post(
        "/api/v1/bookings",
        json=_body(
            centre["hall"],
            start="2026-03-05T15:00:00+08:00",
            end="2026-03-05T17:00:00+08:00",
        ),
        headers=sw,
    )
    assert r.status_code == 409
    r = client.post(
        "/api/v1/activities",
        json={
            "organization_id": centre["dance"].id,
            "title": "排练",
            "form": "group",
            "service_type": "routine_training",
            "target_group": "elders",
            "starts_at": "2026-02-28T09:00:00+08:00",
            "ends_at": "2026-02-28T10:00:00+08:00",
            "place": "",
            "room_id": centre["hall"].id,
            "person_times": 9,
        },
        headers=sw,
    )
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["room_id"] == centre["hall"].id
