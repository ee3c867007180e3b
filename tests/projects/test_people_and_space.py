"""People served (服务人数, distinct residents) and space use (使用空间场次 and the
people at the centre) against sums computed by hand and by Python over the rows
(tests/centre_rows.py): a person signed in twice is one, a person in two
communities is one in each and one overall, unreviewed activities, cancelled,
unused or unrecorded bookings and sessions not held do not count, an activity
linked to a used booking is one use; each figure a fixed number of queries."""

from incubator.periods import month_range
from incubator.projects import metrics
from tests.centre_rows import YEAR_2026, expected, february

FEB = month_range("2026-02")


def test_february_by_hand(frozen_time, db, make_org, community):
    made = february(db, make_org, community)
    here, there = community.id, made["second"].id
    assert metrics.people_served(FEB) == 7
    assert metrics.people_served(FEB, frozenset({here})) == 6
    assert metrics.people_served(FEB, frozenset({there})) == 2
    assert metrics.people_served(FEB, frozenset({here, there})) == 7
    assert metrics.people_served(FEB, frozenset()) == 0
    # per community: 1 in each, so the rows add up to more than the total
    assert metrics.people_served_per_community(FEB) == {here: 6, there: 2}
    assert metrics.space_uses(FEB) == 7
    assert metrics.space_uses_per_community(FEB) == {here: 5, there: 2}
    assert metrics.space_people(FEB) == 76
    assert metrics.space_people_per_community(FEB) == {here: 55, there: 21}
    assert metrics.space_people(FEB, frozenset({there})) == 21
    assert metrics.space(FEB) == (7, 76)
    assert metrics.people_and_space(FEB) == (7, (7, 76))
    assert metrics.people_and_space(FEB, frozenset({here})) == (6, (5, 55))
    assert metrics.space_per_community(FEB, frozenset({there})) == {there: (2, 21)}
    # January: only the session held at 23:00 on 31 January (one person)
    january = month_range("2026-01")
    assert metrics.people_served(january) == 1
    assert metrics.space_uses(january) == 0
    march = month_range("2026-03")
    assert (metrics.people_served(march), metrics.space_uses(march)) == (1, 1)
    assert metrics.space_people(march) == 40
    for scope in (None, frozenset({here}), frozenset({there})):
        by_hand = expected(db, FEB, scope)
        assert metrics.people_served(FEB, scope) == by_hand["people_served"]
        assert metrics.space_uses(FEB, scope) == by_hand["space_uses"]
        assert metrics.space_people(FEB, scope) == by_hand["space_people"]
    for metric in ("people_served", "space_uses", "space_people"):
        assert metric in metrics.METRICS


def test_a_fixed_number_of_queries(frozen_time, db, make_org, community, count_queries):
    def counted() -> list[int]:
        result = []
        for figure in (
            metrics.people_served,
            metrics.people_served_per_community,
            metrics.space_uses,
            metrics.space_uses_per_community,
            metrics.space_people,
            metrics.space_people_per_community,
            metrics.space,
            metrics.space_per_community,
            metrics.people_and_space,
        ):
            with count_queries() as q:
                figure(FEB)
            result.append(q.count)
        return result

    empty = counted()
    february(db, make_org, community)
    assert counted() == empty == [1, 1, 1, 2, 1, 2, 1, 2, 1]


def test_indicators_of_the_new_metrics_by_api_and_page(
    frozen_time, db, client, make_org, community, make_user, api_token, login_as
):
    february(db, make_org, community)
    admin = api_token("admin", username="lead")
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
    project = made.get_json()["id"]
    for metric, target in (("people_served", 8338), ("space_uses", 386)):
        response = client.post(
            f"/api/v1/projects/{project}/indicators",
            headers=admin,
            json={"metric": metric, "target": target},
        )
        assert response.status_code == 201, response.get_json()
        assert response.get_json()["target"] == target
    fraction = client.post(
        f"/api/v1/projects/{project}/indicators",
        headers=admin,
        json={"metric": "space_people", "target": "1.5"},
    )
    assert fraction.status_code == 422
    login_as("admin")
    page = client.get(f"/reports/projects/{project}").get_data(as_text=True)
    assert '<option value="space_people">空间服务人次</option>' in page
    client.post(
        f"/reports/projects/{project}/indicators",
        data={"metric": "space_people", "target": "5000"},
    )
    by_hand = expected(db, YEAR_2026, frozenset({community.id}))
    body = client.get(
        f"/api/v1/projects/{project}/progress", headers=api_token("viewer")
    ).get_json()
    actual = {i["metric"]: i["actual"] for i in body["indicators"]}
    assert (
        actual
        == by_hand
        == {
            "people_served": 8,
            "space_uses": 6,
            "space_people": 95,
        }
    )
    page = client.get(f"/reports/projects/{project}").get_data(as_text=True)
    assert 'data-testid="actual-space_people">95<' in page
    assert "服务人数" in page and "签到的不同居民人数" in page  # label and rule
