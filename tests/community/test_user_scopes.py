"""Every account has a scope: the communities it serves, or all of them."""

from __future__ import annotations

from sqlalchemy import select

from incubator.audit.models import AuditEntry
from incubator.community.models import Community
from incubator.community.scope import set_scope
from incubator.database import utcnow
from tests.conftest import DEFAULT_PASSWORD, login


def _two(db, community):
    other = Community(name="第二社区", district="湖里区", city="厦门市", position=1)
    db.session.add(other)
    db.session.commit()
    return community, other


def test_admin_creates_and_changes_a_scoped_user_through_the_api(
    client, db, community, api_token
):
    a, b = _two(db, community)
    headers = api_token("admin")
    created = client.post(
        "/api/v1/users",
        headers=headers,
        json={
            "username": "sw_a",
            "name": "甲社工",
            "role": "social_worker",
            "password": "a-long-password",
            "email": "a@example.org",
            "community_ids": [a.id],
        },
    )
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["community_ids"] == [a.id] and body["email"] == "a@example.org"

    patched = client.patch(
        f"/api/v1/users/{body['id']}",
        headers=headers,
        json={"community_ids": [a.id, b.id], "role": "viewer"},
    )
    assert patched.status_code == 200, patched.get_json()
    assert patched.get_json()["community_ids"] == [a.id, b.id]
    assert patched.get_json()["role"] == "viewer"
    entry = db.session.scalar(
        select(AuditEntry)
        .where(
            AuditEntry.entity_type == "User",
            AuditEntry.entity_id == body["id"],
            AuditEntry.summary == "scope",
        )
        .order_by(AuditEntry.id.desc())
    )
    assert entry is not None and entry.changes["community_ids"] == [
        [a.id],
        [a.id, b.id],
    ]

    listed = client.get("/api/v1/users?q=sw_a", headers=headers).get_json()
    assert listed["items"][0]["community_ids"] == [a.id, b.id]
    assert client.get(f"/api/v1/users/{body['id']}", headers=headers).status_code == 200


def test_unknown_or_archived_community_is_422_in_chinese(
    client, db, community, api_token, make_user
):
    a, b = _two(db, community)
    b.archived_at = utcnow()
    db.session.commit()
    headers = api_token("admin")
    user = make_user("social_worker")
    for ids in ([b.id], [99999]):
        response = client.patch(
            f"/api/v1/users/{user.id}", headers=headers, json={"community_ids": ids}
        )
        assert response.status_code == 422
        assert "社区" in response.get_json()["error"]["message"]


def test_only_admins_read_others_and_write(client, make_user, api_token):
    other = make_user("viewer")
    headers = api_token("social_worker", username="sw_self")
    me = client.get("/api/v1/me", headers=headers).get_json()
    assert client.get(f"/api/v1/users/{me['id']}", headers=headers).status_code == 200
    assert client.get(f"/api/v1/users/{other.id}", headers=headers).status_code == 404
    assert (
        client.patch(
            f"/api/v1/users/{other.id}", headers=headers, json={"name": "x"}
        ).status_code
        == 403
    )


def test_a_scoped_admin_sees_and_gives_only_their_communities(
    client, db, community, make_user
):
    a, b = _two(db, community)
    admin = make_user("admin", username="admin_a")
    set_scope(admin, [a.id])
    in_b = make_user("social_worker", username="sw_b", name="乙社工")
    set_scope(in_b, [b.id])
    db.session.commit()
    token = client.post(
        "/api/v1/tokens", json={"username": "admin_a", "password": DEFAULT_PASSWORD}
    ).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    listed = client.get("/api/v1/users", headers=headers).get_json()
    assert "sw_b" not in {u["username"] for u in listed["items"]}
    assert client.get(f"/api/v1/users/{in_b.id}", headers=headers).status_code == 404
    response = client.post(
        "/api/v1/users",
        headers=headers,
        json={
            "username": "everywhere",
            "name": "全域",
            "role": "viewer",
            "password": "a-long-password",
            "community_ids": [b.id],
        },
    )
    assert response.status_code == 422


def test_user_pages_show_and_set_the_scope(client, db, community, make_user):
    a, b = _two(db, community)
    make_user("admin", username="boss")
    login(client, "boss")
    target = make_user("social_worker", username="sw_page", name="页面社工")
    page = client.get("/admin/users").get_data(as_text=True)
    assert "社区范围" in page and "全部社区" in page
    form = client.get(f"/admin/users/{target.id}/edit").get_data(as_text=True)
    assert 'name="community_ids"' in form and "第二社区" in form
    response = client.post(
        f"/admin/users/{target.id}/edit",
        data={
            "name": "页面社工",
            "role": "social_worker",
            "community_ids": [str(b.id)],
            "version": str(target.version),
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    page = client.get("/admin/users?q=sw_page").get_data(as_text=True)
    assert "第二社区" in page and "全部社区" not in page.split("sw_page", 1)[1]


def test_cli_creates_a_user_scoped_by_community_name(app, db, community):
    a, b = _two(db, community)
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "users",
            "create",
            "cli_sw",
            "--role",
            "social_worker",
            "--password",
            "a-long-password",
            "--community",
            "第二社区",
        ]
    )
    assert result.exit_code == 0, result.output
    bad = runner.invoke(
        args=[
            "users",
            "create",
            "cli_sw2",
            "--role",
            "social_worker",
            "--password",
            "a-long-password",
            "--community",
            "没有的社区",
        ]
    )
    assert bad.exit_code != 0 and "没有的社区" in bad.output
