"""Capacity assessments (scores, weakest dimensions, radar) and case notes."""

from datetime import date

import pytest

from incubator.organizations.incubation import DEFAULT_DIMENSIONS, dimensions


def _scores(**overrides):
    values = {d.key: 3 for d in DEFAULT_DIMENSIONS}
    values.update(overrides)
    return values


def test_assessment_through_the_page(sw_client, make_org, db):
    client, _sw = sw_client
    org = make_org()
    data = {"assessed_on": "2026-01-10", "notes": "整体稳步提升"}
    for d in dimensions():
        data[f"score_{d.key}"] = "4"
    data["score_finance"] = "1"
    data["score_resource_mobilization"] = "2"
    response = client.post(f"/organizations/{org.id}/assessments/new", data=data)
    assert response.status_code == 302
    page = client.get(f"/organizations/{org.id}").get_data(as_text=True)
    assert "最薄弱的维度" in page
    weakest = page[page.index("最薄弱的维度") :][:200]
    assert weakest.index("财务管理") < weakest.index("资源动员")
    assert 'data-radar="' in page and "echarts.min.js" in page


def test_missing_score_is_refused_on_the_page(sw_client, make_org):
    client, _sw = sw_client
    org = make_org()
    response = client.post(
        f"/organizations/{org.id}/assessments/new", data={"assessed_on": "2026-01-10"}
    )
    assert response.status_code == 200
    assert "请评分" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "scores, field",
    [
        (_scores(governance=6), "scores.governance"),
        (_scores(governance=0), "scores.governance"),
        ({**_scores(), "charisma": 3}, "scores.charisma"),
        ({k: v for k, v in _scores().items() if k != "finance"}, "scores.finance"),
    ],
)
def test_api_refuses_bad_scores(client, api_token, make_org, scores, field):
    org = make_org()
    response = client.post(
        f"/api/v1/organizations/{org.id}/assessments",
        json={"assessed_on": "2026-01-10", "scores": scores},
        headers=api_token("social_worker"),
    )
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]


def test_api_refuses_future_date_and_reports_weakest(
    frozen_time, client, api_token, make_org
):
    headers = api_token("social_worker")
    org = make_org()
    response = client.post(
        f"/api/v1/organizations/{org.id}/assessments",
        json={"assessed_on": "2026-03-02", "scores": _scores()},
        headers=headers,
    )
    assert response.status_code == 422
    response = client.post(
        f"/api/v1/organizations/{org.id}/assessments",
        json={
            "assessed_on": "2026-02-27",
            "scores": _scores(finance=1, leadership=2, governance=2),
        },
        headers=headers,
    )
    assert response.status_code == 201
    body = response.get_json()
    assert body["weakest"] == ["finance", "governance"]  # ties: dimension order
    assert body["average"] == "2.43"  # 17 / 7


def test_leader_sees_latest_assessment_but_no_case_notes(
    client, login_as, make_org, make_user, assess, db
):
    sw = make_user("social_worker")
    leader = login_as("org_leader")
    org = make_org("我的组织", leader=leader, social_worker=sw)
    assess(org, sw, score=4)
    from incubator.organizations import records

    records.add_case_note(org, actor=sw, noted_on=date(2026, 1, 2), body="机密记录内容")
    db.session.commit()
    page = client.get(f"/organizations/{org.id}").get_data(as_text=True)
    assert "平均分 4.00" in page and "最薄弱的维度" in page
    assert "机密记录内容" not in page and "工作记录" not in page


def test_notes_for_staff_only_in_the_api(client, api_token, make_org, make_user):
    leader = make_user("org_leader")
    org = make_org(leader=leader)
    for role in ("viewer", "org_leader"):
        response = client.get(
            f"/api/v1/organizations/{org.id}/notes", headers=api_token(role)
        )
        assert response.status_code == 403
    headers = api_token("social_worker")
    response = client.post(
        f"/api/v1/organizations/{org.id}/notes",
        json={"noted_on": "2026-01-05", "body": "电话回访", "contact_kind": "phone"},
        headers=headers,
    )
    assert response.status_code == 201
    items = client.get(f"/api/v1/organizations/{org.id}/notes", headers=headers)
    assert items.get_json()["items"][0]["body"] == "电话回访"


def test_note_through_the_page(sw_client, make_org):
    client, _sw = sw_client
    org = make_org()
    response = client.post(
        f"/organizations/{org.id}/notes",
        data={
            "noted_on": "2026-01-05",
            "contact_kind": "visit",
            "body": "走访排练现场",
        },
    )
    assert response.status_code == 302
    page = client.get(f"/organizations/{org.id}").get_data(as_text=True)
    assert "走访排练现场" in page and "上门走访" in page
