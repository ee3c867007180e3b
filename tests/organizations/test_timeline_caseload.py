"""The timeline gathers every feature's events; the caseload flags silence."""

from datetime import date, timedelta

from incubator import signals
from incubator.organizations import records
from incubator.organizations.schemas import OrganizationChange
from incubator.organizations.services import update_organization
from incubator.organizations.stages import change_stage
from incubator.organizations.timeline import TimelineEvent
from tests.conftest import login


def test_timeline_lists_everything_newest_first(
    frozen_time, client, login_as, make_user, make_org, assess, db
):
    sw = make_user("social_worker")
    org = make_org("舞蹈队")
    frozen_time.shift(timedelta(days=1))
    assess(org, sw, on=date(2026, 3, 2))
    frozen_time.shift(timedelta(days=1))
    change_stage(org, "incubating", actor=sw)
    db.session.commit()
    frozen_time.shift(timedelta(days=1))
    records.add_case_note(org, actor=sw, noted_on=date(2026, 3, 4), body="回访")
    db.session.commit()
    frozen_time.shift(timedelta(days=1))
    update_organization(
        org, OrganizationChange(version=org.version, member_count=5), actor=sw
    )
    db.session.commit()
    login_as("social_worker")
    page = client.get(f"/organizations/{org.id}/timeline").get_data(as_text=True)
    order = ["资料修改", "工作记录", "阶段：萌芽 → 孵化", "能力评估，平均分", "建档"]
    positions = [page.index(label) for label in order]
    assert positions == sorted(positions), page
    assert f'href="/organizations/{org.id}/assessments/' in page
    assert "成员数" in page  # the edited field is named


def test_later_features_add_events_without_changing_this_code(
    sw_client, make_org, monkeypatch
):
    client, _sw = sw_client
    org = make_org()

    def ventures(org_, *, viewer, limit):
        return 100, [
            TimelineEvent(
                at=org_.created_at + timedelta(hours=1),
                day=None,
                kind="venture",
                title="创投立项",
                url="/ventures/1",
            )
        ]

    with signals.timeline_events.connected_to(ventures):
        page = client.get(f"/organizations/{org.id}/timeline").get_data(as_text=True)
    assert "创投立项" in page and 'href="/ventures/1"' in page


def test_viewer_timeline_has_no_case_notes(client, api_token, make_org, make_user, db):
    sw = make_user("social_worker")
    org = make_org()
    records.add_case_note(org, actor=sw, noted_on=date(2026, 1, 2), body="机密")
    db.session.commit()
    staff = client.get(
        f"/api/v1/organizations/{org.id}/timeline", headers=api_token("social_worker")
    ).get_json()
    viewer = client.get(
        f"/api/v1/organizations/{org.id}/timeline", headers=api_token("viewer")
    ).get_json()
    assert any(e["kind"] == "note" for e in staff["items"])
    assert not any(e["kind"] == "note" for e in viewer["items"])


def test_caseload_shows_own_organizations_and_flags_silence(
    frozen_time, client, login_as, make_org, make_user, db
):
    sw = make_user("social_worker")
    other = make_user("social_worker")
    make_org("安静的组织", social_worker=sw)
    busy = make_org("活跃的组织", social_worker=sw)
    make_org("别人的组织", social_worker=other)
    frozen_time.shift(timedelta(days=70))
    records.add_case_note(busy, actor=sw, noted_on=date(2026, 5, 1), body="走访")
    db.session.commit()
    login(client, sw.username)
    page = client.get("/organizations/caseload").get_data(as_text=True)
    assert "别人的组织" not in page
    assert page.index("安静的组织") < page.index("活跃的组织")  # silent first
    quiet_row = page[page.index("安静的组织") : page.index("活跃的组织")]
    assert "60 天无联系" in quiet_row
    busy_row = page[page.index("活跃的组织") :].split("</tr>")[0]
    assert "60 天无联系" not in busy_row
    assert "2026年5月1日" in busy_row


def test_admin_caseload_shows_everyone(client, login_as, make_org, make_user):
    sw1, sw2 = make_user("social_worker"), make_user("social_worker")
    make_org("甲组织", social_worker=sw1)
    make_org("乙组织", social_worker=sw2)
    login_as("admin")
    page = client.get("/organizations/caseload").get_data(as_text=True)
    assert "甲组织" in page and "乙组织" in page
    page = client.get(f"/organizations/caseload?social_worker={sw1.id}").get_data(
        as_text=True
    )
    assert "甲组织" in page and "乙组织" not in page


def test_board_has_a_column_per_stage_filterable(
    client, login_as, make_org, make_user, assess, db
):
    sw1, sw2 = make_user("social_worker", name="甲社工"), make_user("social_worker")
    org = make_org("孵化中的组织", social_worker=sw1)
    make_org("刚登记的组织", social_worker=sw2)
    assess(org, sw1)
    from incubator.organizations.stages import change_stage

    change_stage(org, "incubating", actor=sw1)
    db.session.commit()
    login_as("viewer")
    page = client.get("/organizations/board").get_data(as_text=True)
    for label in ("萌芽", "孵化", "培育", "自治", "出壳", "休眠"):
        assert f">{label}</h2>" in page
    column = page[page.index(">孵化</h2>") : page.index(">培育</h2>")]
    assert "孵化中的组织" in column and "甲社工" in column
    page = client.get(f"/organizations/board?social_worker={sw2.id}").get_data(
        as_text=True
    )
    assert "刚登记的组织" in page and "孵化中的组织" not in page
