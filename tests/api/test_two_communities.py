"""Issue 15's scenario through the API only, on a fresh instance without the demo:
two communities with compounds, organizations in named compounds, a project in
each, a month of activities in each; every project figure equals the sum of what
was logged in its own community, the scoped users never reach the other
community's records, and the per-community figures add up to the agency's."""

from __future__ import annotations

import pytest

API = "/api/v1"
MONTH = "2026-10"


def _ok(response, status=200):
    assert response.status_code == status, response.get_json()
    return response.get_json()


@pytest.fixture
def world(client, api_token, make_user):
    admin = api_token("admin")
    post = lambda url, body, h=admin, status=201: _ok(  # noqa: E731
        client.post(f"{API}{url}", json=body, headers=h), status
    )
    places = {}
    for name, compounds in (
        ("东湖社区", ["一号院", "湖畔花园"]),
        ("西岭社区", ["一号院", "岭南小区"]),
    ):
        community = post(
            "/communities",
            {
                "name": name,
                "street": "和平街道",
                "district": "思明区",
                "city": "厦门市",
            },
        )
        for compound in compounds:
            post(f"/communities/{community['id']}/compounds", {"name": compound})
        places[name] = community["id"]
    east, west = places["东湖社区"], places["西岭社区"]
    orgs = {}
    for community, org_names in (
        (east, ["东湖舞蹈队", "东湖巡逻队"]),
        (west, ["西岭合唱团"]),
    ):
        for org_name in org_names:
            org = post(
                "/organizations",
                {
                    "name": org_name,
                    "kind": "culture_sports",
                    "compound": "一号院",
                    "community_id": community,
                },
            )
            orgs[org_name] = org
    projects = {}
    for community, label in ((east, "东湖"), (west, "西岭")):
        project = post(
            "/projects",
            {
                "name": f"{label}社区社会组织培育项目",
                "community_id": community,
                "year": 1,
                "kind": "single",
                "renewal": False,
                "budget": "200000.00",
                "starts_on": "2026-07-01",
                "ends_on": "2027-06-30",
            },
        )
        for metric, target in (
            ("group_activities", 40),
            ("community_activities", 20),
            ("person_times", 3000),
        ):
            post(
                f"/projects/{project['id']}/indicators",
                {"metric": metric, "target": target},
            )
        projects[community] = project
    logged = {
        east: {"group": 0, "community": 0, "person_times": 0},
        west: {"group": 0, "community": 0, "person_times": 0},
    }
    plan = [
        ("东湖舞蹈队", east, "group", 12),
        ("东湖舞蹈队", east, "community", 40),
        ("东湖巡逻队", east, "group", 7),
        ("西岭合唱团", west, "group", 25),
        ("西岭合唱团", west, "community", 60),
        ("西岭合唱团", west, "group", 9),
    ]
    for day, (org_name, community, form, people) in enumerate(plan, start=3):
        activity = post(
            "/activities",
            {
                "organization_id": orgs[org_name]["id"],
                "title": f"{org_name}十月活动{day}",
                "form": form,
                "service_type": "self_org_service",
                "target_group": "elders",
                "starts_at": f"{MONTH}-{day:02d}T09:00:00+08:00",
                "ends_at": f"{MONTH}-{day:02d}T11:00:00+08:00",
                "place": "活动室",
                "person_times": people,
                "summary": "按计划开展。",
            },
        )
        _ok(
            client.post(
                f"{API}/activities/{activity['id']}/review",
                json={"decision": "approve"},
                headers=admin,
            )
        )
        logged[community][form] += 1
        logged[community]["person_times"] += people
    return {
        "admin": admin,
        "east": east,
        "west": west,
        "orgs": orgs,
        "projects": projects,
        "logged": logged,
    }


def _token(client, username):
    body = _ok(
        client.post(
            f"{API}/tokens", json={"username": username, "password": "Scoped-pass-2026"}
        ),
        201,
    )
    return {"Authorization": f"Bearer {body['token']}"}


def _scoped(client, world, username, role, communities):
    _ok(
        client.post(
            f"{API}/users",
            json={
                "username": username,
                "name": username,
                "role": role,
                "password": "Scoped-pass-2026",
                "community_ids": communities,
            },
            headers=world["admin"],
        ),
        201,
    )
    return _token(client, username)


def test_each_project_counts_its_own_community(client, world):
    for community, project in world["projects"].items():
        logged = world["logged"][community]
        body = _ok(
            client.get(
                f"{API}/projects/{project['id']}/progress", headers=world["admin"]
            )
        )
        actual = {i["metric"]: i["actual"] for i in body["indicators"]}
        assert actual == {
            "group_activities": logged["group"],
            "community_activities": logged["community"],
            "person_times": logged["person_times"],
        }


def test_monthly_figures_per_community_add_up_to_the_agency(client, world):
    admin = world["admin"]
    whole = _ok(client.get(f"{API}/reports/monthly?month={MONTH}", headers=admin))
    totals, people = 0, 0
    for community in (world["east"], world["west"]):
        part = _ok(
            client.get(
                f"{API}/reports/monthly?month={MONTH}&community_id={community}",
                headers=admin,
            )
        )
        logged = world["logged"][community]
        assert part["activities"]["total"] == logged["group"] + logged["community"]
        assert part["person_times"] == logged["person_times"]
        by_project = _ok(
            client.get(
                f"{API}/reports/monthly?month={MONTH}&project_id={world['projects'][community]['id']}",
                headers=admin,
            )
        )
        assert by_project["activities"] == part["activities"]
        totals += part["activities"]["total"]
        people += part["person_times"]
    assert (whole["activities"]["total"], whole["person_times"]) == (totals, people)
    rows = whole["by_community"]
    assert sum(r["person_times"] for r in rows) == whole["person_times"]


def test_scoped_users_never_reach_the_other_community(client, world):
    east_org = world["orgs"]["东湖舞蹈队"]
    west_org = world["orgs"]["西岭合唱团"]
    for role in ("social_worker", "viewer", "admin"):
        headers = _scoped(
            client, world, f"east{role.replace('_', '')}", role, [world["east"]]
        )
        listed = _ok(client.get(f"{API}/organizations?per_page=200", headers=headers))
        names = {o["name"] for o in listed["items"]}
        assert names == {"东湖舞蹈队", "东湖巡逻队"}, role
        assert (
            client.get(
                f"{API}/organizations/{west_org['id']}", headers=headers
            ).status_code
            == 404
        )
        assert (
            client.get(
                f"{API}/organizations/{east_org['id']}", headers=headers
            ).status_code
            == 200
        )
        activities = _ok(client.get(f"{API}/activities?per_page=200", headers=headers))[
            "items"
        ]
        assert {a["organization_id"] for a in activities} <= {
            east_org["id"],
            world["orgs"]["东湖巡逻队"]["id"],
        }
        west_project = world["projects"][world["west"]]["id"]
        assert (
            client.get(
                f"{API}/projects/{west_project}/progress", headers=headers
            ).status_code
            == 404
        )
        assert (
            client.get(
                f"{API}/reports/monthly?month={MONTH}&community_id={world['west']}",
                headers=headers,
            ).status_code
            == 404
        )
        mine = _ok(client.get(f"{API}/reports/monthly?month={MONTH}", headers=headers))
        assert mine["person_times"] == world["logged"][world["east"]]["person_times"]


def test_bad_set_up_input_changes_nothing(client, world):
    admin = world["admin"]
    east, west = world["east"], world["west"]
    west_compounds = _ok(
        client.get(f"{API}/communities/{west}/compounds", headers=admin)
    )["items"]
    lingnan = next(c for c in west_compounds if c["name"] == "岭南小区")
    before = _ok(client.get(f"{API}/organizations?per_page=200", headers=admin))[
        "total"
    ]
    wrong = client.post(
        f"{API}/organizations",
        json={
            "name": "跨社区队",
            "kind": "charity",
            "compound_id": lingnan["id"],
            "community_id": east,
        },
        headers=admin,
    )
    assert wrong.status_code == 422
    assert wrong.get_json()["error"]["message"]
    overlap = client.post(
        f"{API}/projects",
        json={
            "name": "重叠项目",
            "community_id": east,
            "year": 1,
            "kind": "single",
            "renewal": False,
            "budget": "1000.00",
            "starts_on": "2027-01-01",
            "ends_on": "2027-12-31",
        },
        headers=admin,
    )
    assert overlap.status_code in (409, 422)
    bad_target = client.post(
        f"{API}/projects/{world['projects'][east]['id']}/indicators",
        json={"metric": "volunteer_hours", "target": "很多"},
        headers=admin,
    )
    assert bad_target.status_code == 422
    assert (
        _ok(client.get(f"{API}/organizations?per_page=200", headers=admin))["total"]
        == before
    )
    assert len(_ok(client.get(f"{API}/projects", headers=admin))["items"]) == 2
