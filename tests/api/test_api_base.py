"""The API base: token flow, the JSON error format, and the OpenAPI document."""

from datetime import timedelta

import pytest
from openapi_spec_validator import validate
from sqlalchemy import select

from incubator.api.core import ROUTES
from incubator.auth import services
from incubator.auth.models import ApiToken
from tests.conftest import DEFAULT_PASSWORD


def _token(client, username, password=DEFAULT_PASSWORD):
    return client.post(
        "/api/v1/tokens", json={"username": username, "password": password}
    )


def test_script_logs_in_and_reads_me(client, make_user, make_org):
    leader = make_user("org_leader", name="吴阿姨")
    org = make_org("禾山舞蹈队", leader=leader)
    response = _token(client, leader.username)
    assert response.status_code == 201
    body = response.get_json()
    assert body["token"] and body["expires_at"]

    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200
    data = me.get_json()
    assert data["username"] == leader.username
    assert data["name"] == "吴阿姨"
    assert data["role"] == "org_leader"
    assert data["role_label"] == "组织负责人"
    assert data["organization_ids"] == [org.id]
    assert "吴阿姨" in me.get_data(as_text=True)  # unescaped UTF-8


def test_labels_follow_accept_language(client, api_token):
    headers = api_token("viewer")
    me = client.get("/api/v1/me", headers={**headers, "Accept-Language": "en"})
    assert me.get_json()["role_label"] == "Street / civil affairs observer"


def test_token_is_stored_hashed_with_expiry(client, make_user, db, app):
    user = make_user()
    raw = _token(client, user.username).get_json()["token"]
    stored = db.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    assert stored.token_hash != raw and raw not in stored.token_hash
    lifetime = stored.expires_at - stored.created_at
    assert lifetime == app.config["API_TOKEN_LIFETIME"] == timedelta(days=30)


def test_wrong_password_gives_401_json(client, make_user):
    user = make_user()
    response = _token(client, user.username, "wrong-password")
    assert response.status_code == 401
    error = response.get_json()["error"]
    assert error["code"] == "wrong_credentials"
    assert "用户名或密码错误" in error["message"]


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic abc"}],
)
def test_missing_or_bad_token_is_401_json(client, headers):
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401
    assert response.is_json
    assert response.get_json()["error"]["code"] == "unauthorized"


def test_expired_token_is_refused(client, make_user, frozen_time):
    user = make_user()
    token = _token(client, user.username).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    frozen_time.shift(timedelta(days=29))
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    frozen_time.shift(timedelta(days=1, seconds=1))
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_revoked_token_is_refused(client, make_user):
    user = make_user()
    token = _token(client, user.username).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert client.delete("/api/v1/tokens/current", headers=headers).status_code == 204
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_deactivated_user_cannot_use_a_token_or_get_one(client, make_user, db):
    admin = make_user("admin")
    user = make_user()
    token = _token(client, user.username).get_json()["token"]
    services.set_active(user, False, actor=admin)
    db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    assert _token(client, user.username).status_code == 401


def test_password_change_revokes_tokens(client, make_user, db):
    user = make_user()
    token = _token(client, user.username).get_json()["token"]
    services.change_own_password(user, DEFAULT_PASSWORD, "brand-new-pass-1")
    db.session.commit()
    assert (
        client.get(
            "/api/v1/me", headers={"Authorization": f"Bearer {token}"}
        ).status_code
        == 401
    )


@pytest.mark.parametrize(
    "data, content_type",
    [
        (b"{not json", "application/json"),
        (b"[1, 2]", "application/json"),
        (b"", "application/json"),
        (b"\xff\xfe", "application/json"),
    ],
)
def test_malformed_body_is_400_json(client, data, content_type):
    response = client.post("/api/v1/tokens", data=data, content_type=content_type)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_request"


def test_field_errors_are_422_with_fields(client):
    response = client.post("/api/v1/tokens", json={"username": "x", "extra": 1})
    assert response.status_code == 422
    fields = response.get_json()["error"]["fields"]
    assert fields["password"] == ["此项必填。"]
    assert "extra" in fields


def test_nul_byte_in_json_is_422_not_500(client):
    response = client.post(
        "/api/v1/tokens", json={"username": "ad\x00min", "password": "x"}
    )
    assert response.status_code == 422
    assert "username" in response.get_json()["error"]["fields"]


def test_nul_byte_in_query_is_400_json(client, api_token):
    response = client.get("/api/v1/me?q=%00", headers=api_token())
    assert response.status_code == 400
    assert response.is_json


def test_unknown_route_and_method_are_json(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
    response = client.get("/api/v1/tokens")
    assert response.status_code == 405
    assert response.is_json
    assert "POST" in response.headers["Allow"].split(", ")


@pytest.mark.config(MAX_CONTENT_LENGTH=1024)
def test_too_large_body_is_413_json(client):
    response = client.post(
        "/api/v1/tokens", json={"username": "a" * 5000, "password": "x"}
    )
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "too_large"


def test_max_content_length_is_set(app):
    assert app.config["MAX_CONTENT_LENGTH"] == 64 * 1024 * 1024


def test_openapi_is_valid_31_and_lists_every_route(client, app):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"].startswith("3.1")
    validate(document)
    documented = {
        (path, method.upper())
        for path, ops in document["paths"].items()
        for method in ops
    }
    served = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1"):
            continue
        path = rule.rule.replace("<int:", "{").replace("<", "{").replace(">", "}")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            served.add((path, method))
    assert served == documented


def test_openapi_schema_is_the_one_that_validates(client, api_token):
    document = client.get("/api/v1/openapi.json").get_json()
    op = document["paths"]["/api/v1/organizations"]["post"]
    ref = op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    schema = document["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert set(schema["required"]) == {"name", "kind"}
    assert schema["properties"]["name"]["maxLength"] == 100
    # the same limit is enforced
    response = client.post(
        "/api/v1/organizations",
        json={"name": "团" * 101, "kind": "charity"},
        headers=api_token("admin"),
    )
    assert response.status_code == 422
    assert "name" in response.get_json()["error"]["fields"]
    assert {r.rule for r in ROUTES} >= {"/tokens", "/me", "/openapi.json"}
