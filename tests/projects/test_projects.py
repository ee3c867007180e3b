"""Projects and indicators through the API: progress computed from the records,
the pace expected by today, and a lagging indicator."""

from datetime import UTC, date, datetime

from incubator.activities import services as activity_services
from incubator.activities.schemas import ActivityReview, ResourceEntry


def test_progress_from_the_records(frozen_time, team, log, db, client, api_token):
    admin = api_token("admin")
    made = client.post(
        "/api/v1/projects",
        headers=admin,
        json={
            "name": "幸福禾立方",
            "community": "测试社区",
            "year": 1,
            "kind": "single",
            "renewal": False,
            "budget": "200000.00",
            "starts_on": "2026-01-01",
            "ends_on": "2026-12-31",
        },
    )
    assert made.status_code == 201, made.get_json()
    project = made.get_json()["id"]
    for metric, target in (
        ("person_times", 3000),
        ("resources_value", "40000.00"),
        ("group_activities", 7),
    ):
        response = client.post(
            f"/api/v1/projects/{project}/indicators",
            headers=admin,
            json={"metric": metric, "target": target},
        )
        assert response.status_code == 201, response.get_json()
    twice = client.post(
        f"/api/v1/projects/{project}/indicators",
        headers=admin,
        json={"metric": "person_times", "target": 1},
    )
    assert twice.status_code == 409
    unknown = client.post(
        f"/api/v1/projects/{project}/indicators",
        headers=admin,
        json={"metric": "smiles", "target": 1},
    )
    assert unknown.status_code == 422
    activity = log(
        team["org"],
        team["leader"],
        form="group",
        person_times=120,
        starts_at=datetime(2026, 2, 10, 6, tzinfo=UTC),
        ends_at=datetime(2026, 2, 10, 8, tzinfo=UTC),
    )
    log(team["org"], team["leader"], person_times=999)  # not reviewed: not counted
    activity_services.review_activity(
        activity, ActivityReview(decision="approve"), actor=team["sw"]
    )
    activity_services.record_resource(
        ResourceEntry(
            partner="银行", kind="money", value="1234.56", received_on=date(2026, 2, 1)
        ),
        actor=team["sw"],
    )
    db.session.commit()
    body = client.get(
        f"/api/v1/projects/{project}/progress", headers=api_token("viewer")
    ).get_json()
    by_metric = {i["metric"]: i for i in body["indicators"]}
    person = by_metric["person_times"]
    # 1 March: 60 of 365 days have passed
    assert (person["target"], person["actual"]) == (3000, 120)
    assert person["expected_by_today"] == round(3000 * 60 / 365, 1)
    assert person["percent"] == 4.0 and person["lagging"] is True
    money = by_metric["resources_value"]
    assert (money["actual"], money["target"]) == ("1234.56", "40000.00")
    assert by_metric["group_activities"]["actual"] == 1
    assert (
        client.get(
            f"/api/v1/projects/{project}/progress", headers=api_token("org_leader")
        ).status_code
        == 403
    )
