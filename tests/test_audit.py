"""The audit trail records who changed what, before and after; admins browse it."""

import re

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

    # one query more than the list itself: the names of the users changed
    assert_constant_queries("/admin/audit", grow, budget=9)


CJK = re.compile(r"[\u3400-\u9fff]")


def _audit_page(client, url="/admin/audit") -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_audit_log_reads_in_chinese(client, login_as, make_org, make_volunteer, db):
    """Actions, record types, field labels and values in words, not codes."""
    admin = login_as("admin", name="陈主管")
    org = make_org("夕阳红舞蹈队")
    volunteer = make_volunteer(org, actor=admin, name="郭雅婷", gender="female")
    audit.record_event(
        "create",
        "ServiceRecord",
        actor=admin,
        entity_id=7,
        changes={"volunteer_id": [None, volunteer.id], "hours": [None, "2.0"]},
    )
    audit.record_event(
        "update",
        "User",
        actor=admin,
        entity_id=admin.id,
        changes={"active": [False, True], "role": ["viewer", "social_worker"]},
    )
    audit.record_event(
        "create",
        "FollowUp",
        actor=admin,
        entity_id=3,
        changes={"origin": [None, "manual"]},
    )
    db.session.commit()
    page = _audit_page(client).split("<table", 1)[1]
    assert "来源</span>: — → 手动安排" in page  # how a follow-up came to be, in words
    for raw in ("volunteer_id", "<code>login</code>", "User #", "ServiceRecord"):
        assert raw not in page
    assert "登录" in page  # the admin's own login
    assert "志愿者</span>: — → 郭雅婷" in page  # the id resolved to the name
    assert "性别</span>: — → 女" in page  # the enumeration by its label
    assert "正常</span>: 否 → 是" in page  # booleans as 是/否
    assert "角色</span>: 观察员 → 社工" in page.replace("街道/民政观察员", "观察员")
    assert "服务时长" in page and "用户</span> 陈主管" in page
    assert '<td class="audit-who" data-label="操作人">陈主管</td>' in page


def test_audit_log_in_english_has_no_chinese_of_its_own(
    client, login_as, make_org, make_volunteer, community, db
):
    admin = login_as("admin", name="Chen")
    make_volunteer(make_org("Dancers"), actor=admin, name="Guo", gender="female")
    client.get("/language/en")
    page = _audit_page(client)
    assert "Logged in" in page and "Volunteer" in page and "Female" in page
    # the entries' own words; the test community's name is data
    body = page.split("<table", 1)[1].split("</table>")[0]
    body = body.replace(community.name, "")
    assert not CJK.findall(body), CJK.findall(body)[:20]


def test_audit_log_names_cost_one_query_per_type(
    login_as, make_org, db, assert_constant_queries
):
    admin = login_as("admin")
    org = make_org()

    def grow():
        for i in range(10):
            other = make_org()
            audit.record_event(
                "update",
                "Organization",
                actor=admin,
                entity_id=other.id,
                changes={"organization_id": [org.id, other.id], "active": [i, 1]},
            )
        db.session.commit()

    assert_constant_queries("/admin/audit", grow, budget=12)
