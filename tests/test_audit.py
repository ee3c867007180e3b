"""The audit trail records who changed what, before and after; admins browse it."""

from sqlalchemy import select

from incubator.audit import services as audit
from incubator.audit.models import AuditEntry
from incubator.auth import services


def test_update_records_before_and_after(db, make_user):
    admin = make_user("admin")
    user = make_user("viewer", name="旧名")
    services.update_user(user, actor=admin, name="新名", role="social_worker")
    db.session.commit()
    entry = db.session.scalars(
        select(AuditEntry).where(
            AuditEntry.entity_id == user.id, AuditEntry.action == "update"
        )
    ).one()
    assert entry.actor_id == admin.id
    assert entry.changes == {
        "name": ["旧名", "新名"],
        "role": ["viewer", "social_worker"],
    }
    assert entry.at is not None


def test_unchanged_fields_are_not_recorded(db, make_user):
    admin = make_user("admin")
    user = make_user("viewer", name="同名")
    services.update_user(user, actor=admin, name="同名", role="viewer")
    db.session.commit()
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "update")
    ).one()
    assert entry.changes == {}


def test_secrets_never_appear(db, make_user):
    admin = make_user("admin")
    user = make_user()
    services.reset_password(user, "another-secret-1", actor=admin)
    db.session.commit()
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "password_reset")
    ).one()
    assert entry.changes["password_hash"] == ["***", "***"]
    assert "argon2" not in str(entry.changes)


def test_admin_page_lists_and_filters(client, login_as, make_user, db):
    admin = login_as("admin")
    target = make_user("viewer", name="被修改的人")
    services.update_user(target, actor=admin, name="改过的名字", role="viewer")
    db.session.commit()
    change = "被修改的人 → 改过的名字"

    def page(url):
        response = client.get(url)
        assert response.status_code == 200
        return response.get_data(as_text=True)

    assert change in page("/admin/audit")
    assert change not in page("/admin/audit?action=login")
    url = f"/admin/audit?actor={admin.id}&entity_type=User&entity_id={target.id}"
    assert change in page(url)
    assert change not in page(f"/admin/audit?actor={target.id}")
    assert change not in page("/admin/audit?since=2000-01-01&until=2000-01-02")
    assert client.get("/admin/audit?since=not-a-date").status_code == 200


def test_audit_page_query_budget(login_as, make_user, db, assert_constant_queries):
    admin = login_as("admin")

    def grow():
        for i in range(10):
            user = make_user("viewer")
            audit.record("update", user, actor=admin, changes={"name": [str(i), "x"]})
        db.session.commit()

    assert_constant_queries("/admin/audit", grow, budget=8)
