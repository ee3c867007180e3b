"""The bookings API: create, list, decide, change, cancel, use; errors as JSON."""

from incubator.bookings.models import Booking


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
