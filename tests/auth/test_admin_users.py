"""An admin manages accounts in pages; every change lands in the audit trail."""

from sqlalchemy import select

from incubator.audit.models import AuditEntry
from incubator.auth.models import User
from tests.conftest import login


def _user(db, username):
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.username == username))


def test_admin_creates_an_org_leader_with_organizations(client, login_as, make_org, db):
    admin = login_as("admin")
    dance = make_org("舞蹈队")
    patrol = make_org("巡逻队")
    response = client.post(
        "/admin/users/new",
        data={
            "username": "leader_wu",
            "name": "吴阿姨",
            "role": "org_leader",
            "organization_ids": [dance.id, patrol.id],
            "password": "wu-secret-2026",
        },
    )
    assert response.status_code == 302
    user = _user(db, "leader_wu")
    assert user.role == "org_leader"
    assert sorted(o.id for o in user.led_organizations) == sorted([dance.id, patrol.id])
    entry = db.session.scalar(
        select(AuditEntry).where(
            AuditEntry.entity_type == "User", AuditEntry.entity_id == user.id
        )
    )
    assert entry.actor_id == admin.id and entry.action == "create"
    assert entry.changes["role"] == [None, "org_leader"]
    assert entry.changes["password_hash"] == [None, "***"]
    page = client.get("/admin/users").get_data(as_text=True)
    assert "吴阿姨" in page and "舞蹈队" in page
    assert (
        login(
            client.application.test_client(), "leader_wu", "wu-secret-2026"
        ).status_code
        == 302
    )


def test_taken_username_is_refused_on_the_field(client, login_as, make_user):
    login_as("admin")
    make_user(username="taken")
    response = client.post(
        "/admin/users/new",
        data={
            "username": "Taken",
            "name": "x",
            "role": "viewer",
            "password": "whatever-123",
        },
    )
    assert response.status_code == 200
    assert "用户名 taken 已被占用" in response.get_data(as_text=True)


def test_weak_password_is_refused(client, login_as):
    login_as("admin")
    response = client.post(
        "/admin/users/new",
        data={
            "username": "newbie",
            "name": "x",
            "role": "viewer",
            "password": "11111111",
        },
    )
    assert response.status_code == 200
    assert "太容易" in response.get_data(as_text=True)


def test_admin_edits_role_and_organizations(client, login_as, make_user, make_org, db):
    login_as("admin")
    org = make_org()
    user = make_user("viewer")
    response = client.post(
        f"/admin/users/{user.id}/edit",
        data={
            "name": "新名字",
            "role": "org_leader",
            "organization_ids": [org.id],
            "version": user.version,
        },
    )
    assert response.status_code == 302
    user = _user(db, user.username)
    assert (user.name, user.role) == ("新名字", "org_leader")
    assert [o.id for o in user.led_organizations] == [org.id]
    # leaving the org-leader role releases the organizations
    client.post(
        f"/admin/users/{user.id}/edit",
        data={
            "name": "新名字",
            "role": "viewer",
            "organization_ids": [org.id],
            "version": user.version,
        },
    )
    assert _user(db, user.username).led_organizations == []


def test_stale_edit_is_refused_and_changes_nothing(client, login_as, make_user, db):
    login_as("admin")
    user = make_user("viewer", name="原名")
    stale = user.version
    client.post(
        f"/admin/users/{user.id}/edit",
        data={"name": "第一次", "role": "viewer", "version": stale},
    )
    response = client.post(
        f"/admin/users/{user.id}/edit",
        data={"name": "第二次", "role": "viewer", "version": stale},
    )
    assert response.status_code == 200
    assert "其他人" in response.get_data(as_text=True)
    assert _user(db, user.username).name == "第一次"


def test_admin_cannot_demote_or_deactivate_themself(client, login_as, db):
    admin = login_as("admin")
    response = client.post(
        f"/admin/users/{admin.id}/edit",
        data={"name": "x", "role": "viewer", "version": admin.version},
    )
    assert response.status_code == 200
    client.post(f"/admin/users/{admin.id}/active")
    user = _user(db, admin.username)
    assert user.role == "admin" and user.active


def test_deactivate_and_reactivate(client, login_as, make_user, db):
    login_as("admin")
    user = make_user()
    other = client.application.test_client()
    assert login(other, user.username).status_code == 302
    client.post(f"/admin/users/{user.id}/active")
    assert _user(db, user.username).active is False
    assert other.get("/").status_code == 302  # logged out at once
    assert login(other, user.username).status_code == 200  # cannot log in
    client.post(f"/admin/users/{user.id}/active")
    assert _user(db, user.username).active is True
    assert login(other, user.username).status_code == 302


def test_admin_resets_a_password(client, login_as, make_user, db):
    login_as("admin")
    user = make_user()
    other = client.application.test_client()
    login(other, user.username)
    response = client.post(
        f"/admin/users/{user.id}/password", data={"password": "reset-by-admin-1"}
    )
    assert response.status_code == 302
    assert other.get("/").status_code == 302
    assert login(other, user.username, "reset-by-admin-1").status_code == 302


def test_users_list_filters(client, login_as, make_user):
    login_as("admin")
    make_user("viewer", name="观察员甲")
    make_user("org_leader", name="负责人乙")
    page = client.get("/admin/users?role=viewer").get_data(as_text=True)
    assert "观察员甲" in page and "负责人乙" not in page
    page = client.get("/admin/users?q=负责人").get_data(as_text=True)
    assert "负责人乙" in page and "观察员甲" not in page


def test_users_list_query_budget(
    login_as, make_user, make_org, assert_constant_queries
):
    login_as("admin")

    def grow():
        for _ in range(8):
            leader = make_user("org_leader")
            make_org(leader=leader)
            make_org(leader=leader)

    assert_constant_queries("/admin/users", grow, budget=8)
