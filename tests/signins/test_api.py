"""``/activities|sessions|bookings/{id}/attendees``: sign-ins through the API,
counted once; names for staff and the leader of her own records, counts for
viewers; 404 outside the scope."""

from __future__ import annotations

import pytest

from tests.conftest import DEFAULT_PASSWORD

KINDS = ("activity", "session", "booking")
PATHS = {"activity": "activities", "session": "sessions", "booking": "bookings"}


def _token(client, user) -> dict:
    response = client.post(
        "/api/v1/tokens", json={"username": user.username, "password": DEFAULT_PASSWORD}
    )
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def _url(centre, kind: str) -> str:
    return f"/api/v1/{PATHS[kind]}/{centre[kind].id}/attendees"


@pytest.mark.parametrize("kind", KINDS)
def test_post_then_list_on_every_kind(centre, client, kind):
    headers = _token(client, centre["sw"])
    url = _url(centre, kind)
    created = client.post(
        url, json={"name": "王秀英", "phone": "+86 138-0013-8000"}, headers=headers
    )
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["name"] == "王秀英" and body["phone"] == "138****8000"
    assert body["source"] == "api" and body["source_label"]
    assert body["signed_at"].endswith("+08:00")
    again = client.post(
        url, json={"name": "王秀英", "phone": "13800138000"}, headers=headers
    )
    assert again.status_code == 200 and again.get_json()["id"] == body["id"]
    listed = client.get(url, headers=headers).get_json()
    assert listed["total"] == 1 and listed["items"][0]["id"] == body["id"]
    assert listed["items"][0]["phone"] == "138****8000"


def test_refusals_are_clear_and_store_nothing(centre, client):
    headers = _token(client, centre["sw"])
    url = _url(centre, "activity")
    for bad in (
        {"name": "王秀英", "phone": "123"},
        {"name": "", "phone": "13800138000"},
        {"name": "王\u0000", "phone": "13800138000"},
        {"name": "王秀英"},
        {"name": "王秀英", "phone": "13800138000", "extra": 1},
        {"name": ["王"], "phone": "13800138000"},
    ):
        response = client.post(url, json=bad, headers=headers)
        assert response.status_code == 422, (bad, response.get_json())
        assert response.get_json()["error"]["code"] == "validation_error"
    assert client.get(url, headers=headers).get_json()["total"] == 0


def test_viewers_see_only_the_total_and_may_not_post(centre, client):
    client.post(
        _url(centre, "activity"),
        json={"name": "王秀英", "phone": "13800138000"},
        headers=_token(client, centre["sw"]),
    )
    viewer = _token(client, centre["viewer"])
    listed = client.get(_url(centre, "activity"), headers=viewer).get_json()
    assert listed["total"] == 1 and listed["items"] == []
    refused = client.post(
        _url(centre, "activity"),
        json={"name": "李四", "phone": "13911112222"},
        headers=viewer,
    )
    assert refused.status_code == 403


def test_leaders_see_names_of_their_own_records_only(centre, client):
    sw = _token(client, centre["sw"])
    for kind in KINDS:
        client.post(
            _url(centre, kind),
            json={"name": "王秀英", "phone": "13800138000"},
            headers=sw,
        )
    leader = _token(client, centre["leader"])
    for kind in ("activity", "booking"):
        listed = client.get(_url(centre, kind), headers=leader).get_json()
        assert listed["items"][0]["name"] == "王秀英"
        added = client.post(
            _url(centre, kind),
            json={"name": "李四", "phone": "13911112222"},
            headers=leader,
        )
        assert added.status_code == 201
    # the session gathers several organizations: hers was not invited here
    assert client.get(_url(centre, "session"), headers=leader).status_code == 404
    other = _token(client, centre["other"])
    for kind in KINDS:
        assert client.get(_url(centre, kind), headers=other).status_code == 404
        assert (
            client.post(
                _url(centre, kind),
                json={"name": "李四", "phone": "13911112222"},
                headers=other,
            ).status_code
            == 404
        )


def test_invited_leader_sees_the_session_count_only(centre, client, db):
    from incubator.sessions.models import SessionInvite

    db.session.add(
        SessionInvite(
            session_id=centre["session"].id, organization_id=centre["dance"].id
        )
    )
    db.session.commit()
    client.post(
        _url(centre, "session"),
        json={"name": "王秀英", "phone": "13800138000"},
        headers=_token(client, centre["sw"]),
    )
    leader = _token(client, centre["leader"])
    listed = client.get(_url(centre, "session"), headers=leader).get_json()
    assert listed["total"] == 1 and listed["items"] == []
    refused = client.post(
        _url(centre, "session"),
        json={"name": "李四", "phone": "13911112222"},
        headers=leader,
    )
    assert refused.status_code == 403


def test_outside_the_scope_is_404(centre, client, make_user, db):
    from incubator.community.models import Community
    from incubator.community.scope import set_scope

    elsewhere = Community(name="别的社区")
    db.session.add(elsewhere)
    db.session.flush()
    outsider = make_user("social_worker", username="si_outsider")
    set_scope(outsider, [elsewhere.id])
    db.session.commit()
    headers = _token(client, outsider)
    for kind in KINDS:
        assert client.get(_url(centre, kind), headers=headers).status_code == 404
    assert (
        client.get("/api/v1/activities/999999/attendees", headers=headers).status_code
        == 404
    )


def test_delete_a_sign_in(centre, client):
    sw = _token(client, centre["sw"])
    url = _url(centre, "booking")
    row = client.post(url, json={"name": "王秀英", "phone": "13800138000"}, headers=sw)
    sign_in_id = row.get_json()["id"]
    other = _token(client, centre["viewer"])
    assert client.delete(f"{url}/{sign_in_id}", headers=other).status_code == 403
    # the id under another record is not found
    wrong = _url(centre, "activity")
    assert client.delete(f"{wrong}/{sign_in_id}", headers=sw).status_code == 404
    assert client.delete(f"{url}/{sign_in_id}", headers=sw).status_code == 204
    assert client.get(url, headers=sw).get_json()["total"] == 0


def test_idempotency_key_answers_the_first_result(centre, client):
    headers = {**_token(client, centre["sw"]), "Idempotency-Key": "k-1"}
    body = {"name": "王秀英", "phone": "13800138000"}
    first = client.post(_url(centre, "activity"), json=body, headers=headers)
    second = client.post(_url(centre, "activity"), json=body, headers=headers)
    assert first.status_code == 201 and second.status_code == 201
    assert first.get_json() == second.get_json()


@pytest.mark.parametrize("kind", KINDS)
def test_list_query_budget(centre, client, assert_constant_queries, db, kind):
    from incubator.signins import services
    from incubator.signins.models import SignInSource
    from incubator.signins.schemas import AttendeeIn

    headers = _token(client, centre["sw"])
    record = centre[kind]
    n = iter(range(100))

    def grow():
        for _ in range(5):
            services.sign_in(
                record,
                AttendeeIn(name="居民", phone=f"1390000{next(n):04d}"),
                source=SignInSource.PAPER,
                actor=centre["sw"],
            )
        db.session.commit()

    grow()
    assert_constant_queries(_url(centre, kind), grow, headers=headers, budget=8)


@pytest.mark.config(RESIDENT_PHONE_STORAGE="encrypted")
def test_staff_reveal_a_number_and_it_is_audited(centre, client, db):
    from sqlalchemy import select

    from incubator.audit.models import AuditEntry

    sw = _token(client, centre["sw"])
    url = _url(centre, "activity")
    row = client.post(url, json={"name": "王秀英", "phone": "13800138000"}, headers=sw)
    sign_in_id = row.get_json()["id"]
    assert row.get_json()["phone"] == "138****8000"
    revealed = client.post(f"{url}/{sign_in_id}/phone", headers=sw)
    assert revealed.status_code == 200
    assert revealed.get_json() == {"id": sign_in_id, "phone": "13800138000"}
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "reveal"))
    assert entry.entity_type == "Resident" and entry.actor_id == centre["sw"].id
    leader = _token(client, centre["leader"])
    assert client.post(f"{url}/{sign_in_id}/phone", headers=leader).status_code == 403


def test_no_reveal_where_only_masked_numbers_are_kept(centre, client):
    sw = _token(client, centre["sw"])
    url = _url(centre, "activity")
    row = client.post(url, json={"name": "王秀英", "phone": "13800138000"}, headers=sw)
    refused = client.post(f"{url}/{row.get_json()['id']}/phone", headers=sw)
    assert refused.status_code == 409
    assert "13800138000" not in refused.get_data(as_text=True)


def test_the_organizer_gets_the_code_and_a_resident_signs_in_with_it(centre, client):
    """The list answers the record's sign-in code and link to those who organize
    it (staff, the org's leader), null to viewers; the link is the public page
    a resident signs in on, and her sign-in shows in the list."""
    url = _url(centre, "activity")
    staff = client.get(url, headers=_token(client, centre["sw"])).get_json()
    code = staff["sign_in"]
    assert code["url"].endswith(f"/signin/{code['code']}")
    assert code["opens_at"] < code["closes_at"]
    viewer = client.get(url, headers=_token(client, centre["viewer"])).get_json()
    assert viewer["sign_in"] is None
    path = "/signin/" + code["code"]
    signed = client.post(
        path,
        data={"name": "王秀英", "phone": "１３８ ００１３ ８０００", "consent": "y"},
    )
    assert signed.status_code == 201
    listed = client.get(url, headers=_token(client, centre["sw"])).get_json()
    assert [row["phone"] for row in listed["items"]] == ["138****8000"]
    assert listed["items"][0]["source"] == "qr"
