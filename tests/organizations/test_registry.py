"""The registry: adding, editing, listing, exporting and archiving organizations."""

from io import BytesIO

from openpyxl import load_workbook
from sqlalchemy import select

from incubator.audit.models import AuditEntry
from incubator.organizations.models import Organization


def _org(db, name):
    db.session.expire_all()
    return db.session.scalar(select(Organization).where(Organization.name == name))


def test_social_worker_registers_an_organization(sw_client, db, community, make_user):
    client, sw = sw_client
    leader = make_user("org_leader", name="吴阿姨")
    compound = community.compounds[0]
    response = client.post(
        "/organizations/new",
        data={
            "name": "禾山舞蹈队",
            "kind": "culture_sports",
            "compound_id": compound.id,
            "filing_status": "filed",
            "founded_on": "2018-05-01",
            "member_count": "28",
            "leader_user_id": leader.id,
            "social_worker_id": sw.id,
            "description": "每周三晚排练",
        },
    )
    assert response.status_code == 302
    org = _org(db, "禾山舞蹈队")
    assert (org.stage, org.member_count, org.leader_user_id) == (
        "intake",
        28,
        leader.id,
    )
    assert org.community_id == community.id
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "禾山舞蹈队" in page and "萌芽" in page and "吴阿姨" in page
    entry = db.session.scalar(
        select(AuditEntry).where(
            AuditEntry.entity_type == "Organization", AuditEntry.entity_id == org.id
        )
    )
    assert entry.action == "create" and entry.actor_id == sw.id


def test_name_is_required_and_unique_in_the_community(sw_client, make_org, db):
    client, _sw = sw_client
    make_org("禾山舞蹈队")
    for name, message in (("", "必填"), (" 禾山舞蹈队 ", "已存在")):
        response = client.post(
            "/organizations/new",
            data={"name": name, "kind": "other", "filing_status": "none"},
        )
        assert response.status_code == 200
        assert message in response.get_data(as_text=True)
    assert (
        db.session.scalar(select(Organization.id).where(Organization.name == ""))
        is None
    )


def test_future_founding_date_is_refused(frozen_time, sw_client):
    client, _sw = sw_client
    response = client.post(
        "/organizations/new",
        data={
            "name": "未来队",
            "kind": "other",
            "filing_status": "none",
            "founded_on": "2026-03-02",
        },
    )
    assert response.status_code == 200
    assert "成立日期不能晚于今天" in response.get_data(as_text=True)


def test_api_refuses_unknown_kind_and_stage_field(client, api_token):
    headers = api_token("social_worker")
    response = client.post(
        "/api/v1/organizations", json={"name": "x", "kind": "cult"}, headers=headers
    )
    assert response.status_code == 422
    assert "kind" in response.get_json()["error"]["fields"]
    response = client.post(
        "/api/v1/organizations",
        json={"name": "x", "kind": "other", "stage": "graduated"},
        headers=headers,
    )
    assert response.status_code == 422
    assert "stage" in response.get_json()["error"]["fields"]


def test_api_create_and_read(client, api_token, community):
    headers = api_token("social_worker")
    response = client.post(
        "/api/v1/organizations",
        json={
            "name": "平安巡逻队",
            "kind": "volunteer",
            "compound": "乙小区",
            "member_count": 16,
            "filing_status": "filed",
        },
        headers={**headers, "Accept-Language": "zh-CN"},
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["stage"] == "intake" and body["stage_label"] == "萌芽"
    assert body["kind_label"] == "志愿服务" and body["compound"] == "乙小区"
    again = client.get(f"/api/v1/organizations/{body['id']}", headers=headers)
    assert again.get_json()["version"] == body["version"]


def test_list_filters_sorts_and_paginates(sw_client, make_org, community, make_user):
    client, sw = sw_client
    other_sw = make_user("social_worker", name="黄社工")
    make_org(
        "甲舞蹈队",
        kind="culture_sports",
        compound_id=community.compounds[0].id,
        social_worker=sw,
    )
    make_org(
        "乙巡逻队",
        kind="volunteer",
        compound_id=community.compounds[1].id,
        social_worker=other_sw,
        description="夜间巡逻",
    )
    for i in range(30):
        make_org(f"丙组织{i:02d}", kind="other")

    def names(query):
        response = client.get(f"/organizations?{query}")
        assert response.status_code == 200
        return response.get_data(as_text=True)

    page = names("kind=volunteer")
    assert "乙巡逻队" in page and "甲舞蹈队" not in page
    page = names(f"compound={community.compounds[0].id}")
    assert "甲舞蹈队" in page and "乙巡逻队" not in page
    page = names(f"social_worker={other_sw.id}")
    assert "乙巡逻队" in page and "甲舞蹈队" not in page
    page = names("q=巡逻")
    assert "乙巡逻队" in page and "丙组织" not in page
    first = names("sort=name")
    assert "32 个组织" in first and "第 1 页，共 2 页" in first
    assert "丙组织29" not in first  # 25 per page
    assert "丙组织29" in names("sort=name&page=2")


def test_export_has_chinese_headers_and_never_formulas(client, login_as, make_org):
    login_as("social_worker")
    make_org('=HYPERLINK("http://x")', description="@SUM(A1)")
    make_org("正常组织", description="+1-2")
    response = client.get("/organizations/export.xlsx")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(BytesIO(response.data)).active
    headers = [c.value for c in sheet[1]]
    assert headers[:4] == ["名称", "类别", "小区", "阶段"]
    cells = {c.value: c.data_type for row in sheet.iter_rows(min_row=2) for c in row}
    assert cells['=HYPERLINK("http://x")'] == "s"
    assert cells["@SUM(A1)"] == "s"
    assert cells["+1-2"] == "s"


def test_archive_leaves_lists_but_keeps_history(sw_client, make_org, db):
    client, _sw = sw_client
    org = make_org("要归档的组织")
    client.post(
        f"/organizations/{org.id}/notes",
        data={"noted_on": "2026-01-01", "contact_kind": "phone", "body": "记录"},
    )
    assert client.post(f"/organizations/{org.id}/archive").status_code == 302
    listed = "<strong>要归档的组织</strong>"
    assert listed not in client.get("/organizations").get_data(as_text=True)
    assert listed in client.get("/organizations?archived=1").get_data(as_text=True)
    page = client.get(f"/organizations/{org.id}").get_data(as_text=True)
    assert "已归档" in page and "记录" in page
    timeline = client.get(f"/organizations/{org.id}/timeline").get_data(as_text=True)
    assert "已归档" in timeline
    client.post(f"/organizations/{org.id}/archive")  # restore
    assert listed in client.get("/organizations").get_data(as_text=True)
    assert _org(db, "要归档的组织") is not None  # never deleted


def test_leader_sees_only_their_organization(client, login_as, make_org, make_user):
    other = make_user("org_leader")
    leader = login_as("org_leader")
    mine = make_org("我的舞蹈队", leader=leader)
    theirs = make_org("别人的巡逻队", leader=other)
    page = client.get("/organizations").get_data(as_text=True)
    assert "我的舞蹈队" in page and "别人的巡逻队" not in page
    assert client.get(f"/organizations/{mine.id}").status_code == 200
    for url in (f"/organizations/{theirs.id}", f"/organizations/{theirs.id}/edit"):
        assert client.get(url).status_code == 404


def test_leader_edits_description_and_member_count_only(client, login_as, make_org, db):
    leader = login_as("org_leader")
    org = make_org("我的舞蹈队", leader=leader)
    page = client.get(f"/organizations/{org.id}/edit").get_data(as_text=True)
    assert 'name="name"' not in page and 'name="member_count"' in page
    response = client.post(
        f"/organizations/{org.id}/edit",
        data={
            "member_count": "30",
            "description": "新简介",
            "version": org.version,
            "name": "改名",
        },
    )
    assert response.status_code == 302
    org = _org(db, "我的舞蹈队")
    assert (org.member_count, org.description) == (30, "新简介")


def test_leader_api_patch_of_other_fields_is_403(client, make_user, make_org):
    leader = make_user("org_leader")
    org = make_org("我的舞蹈队", leader=leader)
    token = client.post(
        "/api/v1/tokens",
        json={"username": leader.username, "password": "correct-horse-9"},
    ).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    response = client.patch(
        f"/api/v1/organizations/{org.id}",
        json={"version": org.version, "name": "改名"},
        headers=headers,
    )
    assert response.status_code == 403
    response = client.patch(
        f"/api/v1/organizations/{org.id}",
        json={"version": org.version, "member_count": 31},
        headers=headers,
    )
    assert response.status_code == 200 and response.get_json()["member_count"] == 31


def test_stale_edit_is_refused_with_the_differences_and_keeps_input(
    sw_client, make_org, db
):
    client, _sw = sw_client
    org = make_org("舞蹈队", member_count=10)
    opened = org.version
    data = {
        "name": "舞蹈队",
        "kind": "culture_sports",
        "filing_status": "none",
        "member_count": "12",
        "description": "",
        "version": opened,
    }
    assert client.post(f"/organizations/{org.id}/edit", data=data).status_code == 302
    data = {**data, "member_count": "15", "description": "我的修改"}
    response = client.post(f"/organizations/{org.id}/edit", data=data)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "其他人" in page
    conflict = page[page.index("alert-warning") :]
    row = conflict[conflict.index("<td>成员数</td>") :].split("</tr>")[0]
    assert "<td>15</td><td>12</td>" in row.replace("\n", "").replace(" ", "")
    assert "我的修改" in page  # nothing typed is lost
    assert _org(db, "舞蹈队").member_count == 12


def test_stale_api_patch_is_409(client, api_token, make_org):
    headers = api_token("social_worker")
    org = make_org("舞蹈队")
    version = org.version
    ok = client.patch(
        f"/api/v1/organizations/{org.id}",
        json={"version": version, "member_count": 5},
        headers=headers,
    )
    assert ok.status_code == 200
    stale = client.patch(
        f"/api/v1/organizations/{org.id}",
        json={"version": version, "member_count": 9},
        headers=headers,
    )
    assert stale.status_code == 409
    assert stale.get_json()["error"]["code"] == "stale_version"
