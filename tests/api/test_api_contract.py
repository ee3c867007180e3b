"""The API keeps its own contract (API.md): partial PATCH everywhere, compounds by
name or id, 401 for every wrong login, strict query parameters, 405 with Allow,
ids past a database integer answer 404, and Idempotency-Key on every create."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from incubator.activities.models import Activity, ResourceLink
from incubator.api.core import ROUTES
from incubator.api.idempotency import prune_idempotency_keys
from incubator.api.models import IdempotencyKey
from incubator.auth.models import LoginFailure
from incubator.community.models import Compound
from incubator.database import utcnow
from incubator.demo.seed import DEMO_PASSWORD
from incubator.i18n import local_today
from incubator.ventures.models import Expenditure
from incubator.volunteers.models import ServiceRecord, Volunteer
from tests.conftest import DEFAULT_PASSWORD

API = "/api/v1"


@pytest.fixture
def demo(db, client, demo_today):
    """The demo data and bearer headers for its admin and one org leader."""

    def headers(username: str) -> dict[str, str]:
        response = client.post(
            f"{API}/tokens", json={"username": username, "password": DEMO_PASSWORD}
        )
        assert response.status_code == 201
        return {"Authorization": f"Bearer {response.get_json()['token']}"}

    return {
        "admin": headers("admin"),
        "leader": headers("leader_wu"),
        # The demo holds two communities: the admin's new records name 禾山社区.
        "community_id": _first(client, f"{API}/communities", headers("admin"))["id"],
    }


def _first(client, url, headers) -> dict:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, (url, response.get_json())
    items = response.get_json()["items"]
    assert items, f"the demo data has nothing at {url}"
    return items[0]


# ---- PATCH is partial on every resource ----


def _activity(client, h):
    item = _first(client, f"{API}/activities?review_state=approved", h)
    return f"{API}/activities/{item['id']}", f"{API}/activities/{item['id']}"


def _organization(client, h):
    item = _first(client, f"{API}/organizations", h)
    return f"{API}/organizations/{item['id']}", f"{API}/organizations/{item['id']}"


def _round(client, h):
    item = _first(client, f"{API}/rounds", h)
    return f"{API}/rounds/{item['id']}", f"{API}/rounds/{item['id']}"


def _session(client, h):
    items = _items(client, f"{API}/sessions?per_page=200", h)
    item = next(s for s in items if s["state"] == "scheduled")
    return f"{API}/sessions/{item['id']}", f"{API}/sessions/{item['id']}"


def _venture(client, h):
    item = _first(client, f"{API}/ventures?state=applied", h)
    return f"{API}/ventures/{item['id']}", f"{API}/ventures/{item['id']}"


def _action(client, h):
    venture = _first(client, f"{API}/ventures?state=running", h)
    actions = f"{API}/ventures/{venture['id']}/actions"
    action = next(a for a in _items(client, actions, h) if not a["done"])
    return f"{actions}/{action['id']}", (actions, action["id"])


def _volunteer(client, h):
    item = _first(client, f"{API}/volunteers", h)
    return f"{API}/volunteers/{item['id']}", f"{API}/volunteers/{item['id']}"


def _community(client, h):
    item = _first(client, f"{API}/communities", h)
    return f"{API}/communities/{item['id']}", f"{API}/communities/{item['id']}"


def _compound(client, h):
    place = _first(client, f"{API}/communities", h)
    compounds = f"{API}/communities/{place['id']}/compounds"
    item = _items(client, compounds, h)[0]
    return f"{compounds}/{item['id']}", (compounds, item["id"])


def _room(client, h):
    from incubator.community.models import Room
    from incubator.extensions import db

    place = _first(client, f"{API}/communities", h)
    db.session.add(Room(community_id=place["id"], name="契约活动室", capacity=10))
    db.session.commit()
    rooms = f"{API}/communities/{place['id']}/rooms"
    item = _items(client, rooms, h)[0]
    return f"{rooms}/{item['id']}", (rooms, item["id"])


def _any_room(client, h, name="契约会议室"):
    place = _first(client, f"{API}/communities", h)
    made = client.post(
        f"{API}/rooms",
        json={"community_id": place["id"], "name": name, "capacity": 12},
        headers=h,
    )
    assert made.status_code == 201, made.get_json()
    url = f"{API}/rooms/{made.get_json()['id']}"
    return url, url


def _booking(client, h):
    room_url, _where = _any_room(client, h, "契约预约室")
    room = client.get(room_url, headers=h).get_json()
    day = (local_today() + timedelta(days=3)).isoformat()
    made = client.post(
        f"{API}/bookings",
        json={
            "room_id": room["id"],
            "starts_at": f"{day}T10:00:00+08:00",
            "ends_at": f"{day}T11:00:00+08:00",
            "purpose": "契约测试",
            "service_type": "other",
        },
        headers=h,
    )
    assert made.status_code == 201, made.get_json()
    url = f"{API}/bookings/{made.get_json()['id']}"
    return url, url


def _user(client, h):
    item = _first(client, f"{API}/users?role=social_worker", h)
    return f"{API}/users/{item['id']}", f"{API}/users/{item['id']}"


def _items(client, url, h) -> list[dict]:
    return client.get(url, headers=h).get_json()["items"]


# Every PATCH route of the API: how to find a record, the one field sent, its new
# value, and a field that must stay as it was.
PATCHES = {
    "/api/v1/activities/<int:activity_id>": (_activity, "summary", "补充照片", "title"),
    "/api/v1/organizations/<int:org_id>": (
        _organization,
        "description",
        "新的简介",
        "name",
    ),
    "/api/v1/rounds/<int:round_id>": (_round, "description", "新的说明", "budget"),
    "/api/v1/sessions/<int:session_id>": (_session, "trainer", "王老师", "title"),
    "/api/v1/ventures/<int:venture_id>": (_venture, "need", "新的需求说明", "title"),
    "/api/v1/ventures/<int:venture_id>/actions/<int:action_id>": (
        _action,
        "owner",
        "李社工",
        "goal",
    ),
    "/api/v1/users/<int:user_id>": (_user, "email", "lin@example.org", "name"),
    "/api/v1/volunteers/<int:volunteer_id>": (
        _volunteer,
        "joined_on",
        "2020-03-01",
        "name",
    ),
    # communities, compounds and rooms have no version: the last write wins
    "/api/v1/communities/<int:community_id>": (
        _community,
        "street",
        "禾山街道",
        "name",
    ),
    "/api/v1/communities/<int:community_id>/compounds/<int:compound_id>": (
        _compound,
        "position",
        7,
        "name",
    ),
    "/api/v1/rooms/<int:room_id>": (_any_room, "opens_at", "08:30", "name"),
    "/api/v1/bookings/<int:booking_id>": (
        _booking,
        "purpose",
        "新的用途",
        "service_type",
    ),
    "/api/v1/communities/<int:community_id>/rooms/<int:room_id>": (
        _room,
        "equipment",
        "投影仪",
        "name",
    ),
}


def test_every_patch_route_is_walked(app):
    served = {
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith(API) and "PATCH" in rule.methods
    }
    assert served == set(PATCHES), "give each PATCH route an entry in PATCHES"


def _read(client, where, h) -> dict:
    if isinstance(where, tuple):
        url, record_id = where
        return next(a for a in _items(client, url, h) if a["id"] == record_id)
    record = client.get(where, headers=h).get_json()
    for entry in record.get("volunteer_hours", ()):
        # A log sent back to review withdraws its hours until approved again.
        entry.pop("service_record_id")
    return record


def test_patch_with_one_field_changes_it_and_keeps_the_others(client, demo):
    h = demo["admin"]
    for rule, (find, field, value, other) in PATCHES.items():
        url, where = find(client, h)
        before = _read(client, where, h)
        versioned = "version" in before
        sent = {field: value, **({"version": before["version"]} if versioned else {})}
        response = client.patch(url, json=sent, headers=h)
        assert response.status_code == 200, (rule, response.get_json())
        after = _read(client, where, h)
        assert after[field] == value, rule
        assert after[other] == before[other], rule
        if versioned:
            assert after["version"] > before["version"], rule
        unchanged = {
            k
            for k in before
            if k not in (field, "version", "review_state", "review_state_label")
            and before[k] != after[k]
        }
        assert not unchanged, (rule, unchanged)


@pytest.mark.parametrize("state", ["approved", "returned"])
def test_patching_only_the_summary_sends_the_log_back_to_review(client, demo, state):
    h = demo["admin"]
    item = _first(client, f"{API}/activities?review_state=approved", h)
    url = f"{API}/activities/{item['id']}"
    if state == "returned":
        edited = client.patch(
            url, json={"place": "活动室", "version": item["version"]}, headers=h
        )
        assert edited.status_code == 200
        returned = client.post(
            f"{url}/review", json={"decision": "return", "reason": "缺照片"}, headers=h
        )
        assert returned.status_code == 200, returned.get_json()
        item = returned.get_json()
        assert item["review_state"] == "returned"
    response = client.patch(
        url, json={"summary": "补充照片", "version": item["version"]}, headers=h
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["summary"] == "补充照片"
    assert body["review_state"] == "pending"
    for key in ("title", "place", "starts_at", "person_times"):
        assert body[key] == item[key]
    # Its hours stay listed; they count again once the log is approved again.
    assert [(v["volunteer_id"], v["hours"]) for v in body["volunteer_hours"]] == [
        (v["volunteer_id"], v["hours"]) for v in item["volunteer_hours"]
    ]


def test_patch_with_a_stale_version_is_409_and_changes_nothing(client, demo):
    h = demo["admin"]
    item = _first(client, f"{API}/activities", h)
    url = f"{API}/activities/{item['id']}"
    response = client.patch(
        url, json={"summary": "旧版本", "version": item["version"] - 1}, headers=h
    )
    assert response.status_code == 409
    assert client.get(url, headers=h).get_json()["summary"] == item["summary"]


def test_patch_cannot_empty_a_required_field(client, demo):
    h = demo["admin"]
    item = _first(client, f"{API}/activities", h)
    response = client.patch(
        f"{API}/activities/{item['id']}",
        json={"title": None, "version": item["version"]},
        headers=h,
    )
    assert response.status_code == 422
    assert "title" in response.get_json()["error"]["fields"]
    # and the document says so: title may be left out, not sent as null
    document = client.get(f"{API}/openapi.json").get_json()
    title = document["components"]["schemas"]["ActivityPatch"]["properties"]["title"]
    assert title["type"] == "string"
    assert "anyOf" not in title


# ---- a volunteer's compound by name or by id ----


def test_volunteer_compound_by_name_or_id(client, db, api_token, community):
    h = api_token("admin")
    jia = db.session.scalar(select(Compound).where(Compound.name == "甲小区"))
    yi = db.session.scalar(select(Compound).where(Compound.name == "乙小区"))
    by_name = client.post(
        f"{API}/volunteers",
        json={
            "name": "王阿姨",
            "birth_year": 1958,
            "phone": "13912340001",
            "compound": "甲小区",
        },
        headers=h,
    )
    assert by_name.status_code == 201, by_name.get_json()
    assert by_name.get_json()["compound_id"] == jia.id
    assert by_name.get_json()["compound"] == "甲小区"
    by_id = client.post(
        f"{API}/volunteers",
        json={
            "name": "李叔",
            "birth_year": 1955,
            "phone": "13912340002",
            "compound_id": yi.id,
        },
        headers=h,
    )
    assert by_id.status_code == 201
    assert by_id.get_json()["compound"] == "乙小区"
    moved = client.patch(
        f"{API}/volunteers/{by_id.get_json()['id']}",
        json={"compound": "甲小区", "version": by_id.get_json()["version"]},
        headers=h,
    )
    assert moved.status_code == 200
    assert moved.get_json()["compound_id"] == jia.id
    unknown = client.post(
        f"{API}/volunteers",
        json={
            "name": "赵姐",
            "birth_year": 1970,
            "phone": "13912340003",
            "compound": "不存在小区",
        },
        headers=h,
    )
    assert unknown.status_code == 422
    assert "compound" in unknown.get_json()["error"]["fields"]


# ---- wrong credentials ----


@pytest.mark.parametrize(
    "username, password",
    [
        ("right", "x"),  # short
        ("right", ""),  # empty
        ("right", "p" * 500),  # long
        ("", "whatever"),
        ("n" * 300, DEFAULT_PASSWORD),
        ("nobody", DEFAULT_PASSWORD),
    ],
)
def test_any_wrong_credential_is_401_and_counted(
    client, db, make_user, username, password
):
    user = make_user(username="right")
    name = user.username if username == "right" else username
    response = client.post(
        f"{API}/tokens", json={"username": name, "password": password}
    )
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "wrong_credentials"
    assert db.session.scalar(select(func.count()).select_from(LoginFailure)) == 1


def test_five_short_wrong_passwords_throttle_like_any_other(client, make_user):
    user = make_user()
    for password in ("a", "b", "", "d", "e"):
        response = client.post(
            f"{API}/tokens", json={"username": user.username, "password": password}
        )
        assert response.status_code == 401
    response = client.post(
        f"{API}/tokens", json={"username": user.username, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 429


def test_a_long_wrong_password_on_the_login_page_is_counted(client, db, make_user):
    user = make_user()
    response = client.post(
        "/login", data={"username": user.username, "password": "p" * 300}
    )
    assert response.status_code == 200
    assert db.session.scalar(select(func.count()).select_from(LoginFailure)) == 1


# ---- what the server enforces, the document says ----


def test_document_marks_what_the_server_requires(client, demo):
    document = client.get(f"{API}/openapi.json").get_json()
    schemas = document["components"]["schemas"]
    assert "place" in schemas["ActivityCreate"]["required"]
    h = demo["admin"]
    org = _first(client, f"{API}/organizations", h)
    response = client.post(
        f"{API}/activities",
        json={
            "organization_id": org["id"],
            "title": "读书会",
            "form": "group",
            "service_type": "public_class",
            "target_group": "elders",
            "starts_at": "2026-01-05T09:00:00+08:00",
            "ends_at": "2026-01-05T10:00:00+08:00",
            "person_times": 10,
        },
        headers=h,
    )
    assert response.status_code == 422
    assert "place" in response.get_json()["error"]["fields"]


def test_readme_filters_exist(client, demo, db):
    h = demo["admin"]
    volunteer = db.session.scalars(select(Volunteer).limit(1)).one()
    tail = volunteer.phone[-4:]
    response = client.get(f"{API}/volunteers?phone_tail={tail}", headers=h)
    assert response.status_code == 200
    items = response.get_json()["items"]
    assert volunteer.id in [v["id"] for v in items]
    assert all(v["phone"].endswith(tail) for v in items)


@pytest.mark.parametrize(
    "url",
    [
        "/volunteers?phone_tial=0098",
        "/activities?page=1&sort=title",
        "/reports/monthly?month=2026-01&commmunity_id=1",
        "/me?x=1",
        "/sessions?from=2026-01-01&untill=2026-02-01",
    ],
)
def test_unknown_query_parameters_answer_422_naming_them(client, api_token, url):
    response = client.get(API + url, headers=api_token("admin"))
    assert response.status_code == 422
    name = url.rsplit("&", 1)[-1].split("?")[-1].split("=")[0]
    assert name in response.get_json()["error"]["fields"]


def test_method_not_allowed_names_the_allowed_methods(client, api_token):
    response = client.delete(f"{API}/activities", headers=api_token("admin"))
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "POST"}
    assert response.get_json()["error"]["code"] == "method_not_allowed"


def test_every_route_answers_404_for_an_id_past_a_database_integer(
    client, api_token, app
):
    h = api_token("admin")
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(API) or "<int:" not in rule.rule:
            continue
        url = rule.rule
        for name in rule.arguments:
            url = url.replace(f"<int:{name}>", str(2**31))
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            response = client.open(url, method=method, json={}, headers=h)
            assert response.status_code == 404, (method, url, response.get_json())


@pytest.mark.parametrize(
    "url",
    [
        "/activities?organization_id=2147483648",
        "/volunteers?compound_id=99999999999999999999",
        "/hours?volunteer_id=-1",
    ],
)
def test_ids_out_of_range_in_filters_are_422(client, api_token, url):
    response = client.get(API + url, headers=api_token("admin"))
    assert response.status_code == 422


# ---- Idempotency-Key on every create ----


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _creates(client, h):
    """(url, body, model) for creates named in the issue, on demo data; a
    volunteer or ledger line with no organization names the first community."""
    community_id = _first(client, f"{API}/communities", h)["id"]
    org = _first(client, f"{API}/organizations", h)
    volunteer = _first(client, f"{API}/volunteers?organization_id={org['id']}", h)
    running = _first(client, f"{API}/ventures?state=running", h)
    return [
        (
            "/hours",
            {
                "volunteer_id": volunteer["id"],
                "organization_id": org["id"],
                "served_on": (utcnow().date() - timedelta(days=3)).isoformat(),
                "hours": "1.5",
                "service": "清扫楼道",
            },
            ServiceRecord,
        ),
        (
            "/activities",
            {
                "organization_id": org["id"],
                "title": "重阳节茶话会",
                "form": "community",
                "service_type": "public_class",
                "target_group": "elders",
                "starts_at": "2026-01-05T09:00:00+08:00",
                "ends_at": "2026-01-05T11:00:00+08:00",
                "place": "社区活动室",
                "person_times": 30,
            },
            Activity,
        ),
        (
            "/volunteers",
            {
                "name": "周阿姨",
                "birth_year": 1962,
                "phone": "13955550001",
                "community_id": community_id,
            },
            Volunteer,
        ),
        (
            "/resources",
            {
                "partner": "爱心超市",
                "kind": "goods",
                "value": "300.00",
                "received_on": "2026-01-05",
                "community_id": community_id,
            },
            ResourceLink,
        ),
        (
            f"/ventures/{running['id']}/expenditures",
            {
                "spent_on": local_today().isoformat(),
                "amount": "10.00",
                "purpose": "打印",
            },
            Expenditure,
        ),
    ]


def test_a_retried_create_answers_the_first_result_and_creates_nothing(
    client, db, demo
):
    h = demo["admin"]
    for n, (url, body, model) in enumerate(_creates(client, h)):
        headers = {**h, "Idempotency-Key": f"retry-{n}"}
        first = client.post(API + url, json=body, headers=headers)
        assert first.status_code == 201, (url, first.get_json())
        count = _count(db, model)
        again = client.post(API + url, json=body, headers=headers)
        assert again.status_code == 201, url
        assert again.get_json() == first.get_json(), url
        assert again.headers["Idempotent-Replayed"] == "true"
        assert _count(db, model) == count, url


def test_the_same_key_with_another_body_is_refused(client, db, demo):
    h = demo["admin"]
    for n, (url, body, model) in enumerate(_creates(client, h)):
        headers = {**h, "Idempotency-Key": f"k-{n}"}
        first = client.post(API + url, json=body, headers=headers)
        assert first.status_code == 201, url
        count = _count(db, model)
        other = dict(body)
        key = next(
            k for k in ("service", "title", "name", "partner", "purpose") if k in body
        )
        other[key] = "另一件事"
        response = client.post(API + url, json=other, headers=headers)
        assert response.status_code == 422, url
        assert response.get_json()["error"]["code"] == "idempotency_key_reused"
        assert _count(db, model) == count, url
        # the first request, retried, still answers as the first time
        again = client.post(API + url, json=body, headers=headers)
        assert again.get_json() == first.get_json(), url


def test_keys_are_per_user_and_a_new_key_creates_again(client, db, demo):
    h = demo["admin"]
    url, body, _model = _creates(client, h)[3]  # resources
    first = client.post(API + url, json=body, headers={**h, "Idempotency-Key": "a"})
    second = client.post(API + url, json=body, headers={**h, "Idempotency-Key": "b"})
    assert first.status_code == second.status_code == 201
    assert first.get_json()["id"] != second.get_json()["id"]
    leader = {**demo["leader"], "Idempotency-Key": "a"}
    org = _first(client, f"{API}/organizations", demo["leader"])
    theirs = client.post(
        API + url, json={**body, "organization_id": org["id"]}, headers=leader
    )
    assert theirs.status_code == 201
    assert theirs.get_json()["id"] not in (first.get_json()["id"],)


def test_a_refused_create_stores_no_key(client, db, demo):
    h = {**demo["admin"], "Idempotency-Key": "refused"}
    body = {
        "partner": "爱心超市",
        "kind": "goods",
        "value": "-1",
        "received_on": "2026-01-05",
        "community_id": demo["community_id"],
    }
    assert client.post(f"{API}/resources", json=body, headers=h).status_code == 422
    assert _count(db, IdempotencyKey) == 0
    body["value"] = "5.00"
    assert client.post(f"{API}/resources", json=body, headers=h).status_code == 201
    assert _count(db, IdempotencyKey) == 1


@pytest.mark.parametrize("key", ["k" * 129, "two words", "键", "tab\tkey"])
def test_a_malformed_key_is_422(client, api_token, key):
    h = {**api_token("admin"), "Idempotency-Key": key}
    body = {
        "partner": "爱心超市",
        "kind": "goods",
        "value": "5",
        "received_on": "2026-01-05",
    }
    response = client.post(f"{API}/resources", json=body, headers=h)
    assert response.status_code == 422
    assert "Idempotency-Key" in response.get_json()["error"]["fields"]


def test_expired_keys_are_pruned_and_reusable(client, db, demo, app):
    h = {**demo["admin"], "Idempotency-Key": "old"}
    body = {
        "partner": "爱心超市",
        "kind": "goods",
        "value": "5",
        "received_on": "2026-01-05",
        "community_id": demo["community_id"],
    }
    first = client.post(f"{API}/resources", json=body, headers=h)
    row = db.session.scalars(select(IdempotencyKey)).one()
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    again = client.post(f"{API}/resources", json=body, headers=h)
    assert again.status_code == 201
    assert again.get_json()["id"] != first.get_json()["id"]
    assert _count(db, IdempotencyKey) == 1
    db.session.scalars(select(IdempotencyKey)).one().expires_at = utcnow()
    assert prune_idempotency_keys() == 1


def test_concurrent_duplicates_create_once(app, client, db, demo):
    h = {**demo["admin"], "Idempotency-Key": "together"}
    body = {
        "partner": "爱心超市",
        "kind": "goods",
        "value": "5",
        "received_on": "2026-01-05",
        "community_id": demo["community_id"],
    }
    before = _count(db, ResourceLink)
    db.session.commit()  # the test's own transaction must not hold the lock
    db.session.remove()
    answers = []
    barrier = threading.Barrier(4)

    def post():
        own = FlaskClient(app)
        barrier.wait()
        answers.append(own.post(f"{API}/resources", json=body, headers=h))

    threads = [threading.Thread(target=post) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert [r.status_code for r in answers] == [201] * 4
    assert len({r.get_json()["id"] for r in answers}) == 1
    db.session.rollback()
    assert _count(db, ResourceLink) == before + 1


def test_the_document_offers_the_header_on_every_create(client):
    document = client.get(f"{API}/openapi.json").get_json()
    creates = [r for r in ROUTES if r.idempotent]
    assert len(creates) > 15
    for route in creates:
        path = API + route.rule.replace("<int:", "{").replace(">", "}")
        params = document["paths"][path]["post"]["parameters"]
        assert any(
            p["name"] == "Idempotency-Key" and p["in"] == "header" for p in params
        ), path


def test_unknown_body_fields_answer_422_naming_them_nested_too(client, api_token):
    h = api_token("admin")
    response = client.post(
        f"{API}/sessions",
        json={
            "title": "骨干培训",
            "starts_at": "2026-05-05T09:00:00+08:00",
            "ends_at": "2026-05-05T11:00:00+08:00",
            "capacity": 20,
            "recurrence": {"freq": "weekly", "count": 3, "until": "2026-06-01"},
            "colour": "red",
        },
        headers=h,
    )
    assert response.status_code == 422
    fields = response.get_json()["error"]["fields"]
    assert set(fields) == {"recurrence.until", "colour"}
    assert fields["colour"] == ["未知字段。"]


def test_each_operation_documents_its_own_body(client):
    document = client.get(f"{API}/openapi.json").get_json()
    schemas = document["components"]["schemas"]

    def body(path):
        op = document["paths"][API + path]["post"]
        ref = op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        return schemas[ref.rsplit("/", 1)[1]]

    assert "scores" in body("/ventures/{venture_id}/reviews")["properties"]
    assert "decision" in body("/activities/{activity_id}/review")["properties"]


def test_json_false_is_not_a_page_number(client, api_token):
    response = client.post(
        f"{API}/volunteers/search", json={"per_page": False}, headers=api_token("admin")
    )
    assert response.status_code == 422
    assert "per_page" in response.get_json()["error"]["fields"]
