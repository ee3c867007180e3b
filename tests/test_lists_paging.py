"""Lists at district scale (issue 18): API keyset cursors, capped totals, deep
pages, and filter drop-downs that never list every organization."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from incubator import paging
from incubator.organizations import queries as org_queries
from tests.conftest import DEFAULT_PASSWORD, login

API = "/api/v1"
SAME_START = datetime(2026, 2, 10, 6, 0, tzinfo=UTC)


def _token(client, user) -> dict[str, str]:
    response = client.post(
        f"{API}/tokens", json={"username": user.username, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 201, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def _walk(client, url: str, headers) -> tuple[list[int], list[dict]]:
    """Every id of a list followed by cursor, and the answers."""
    answers = [client.get(url, headers=headers).get_json()]
    while answers[-1]["next"] is not None:
        sep = "&" if "?" in url else "?"
        response = client.get(f"{url}{sep}after={answers[-1]['next']}", headers=headers)
        assert response.status_code == 200, response.get_json()
        answers.append(response.get_json())
        assert len(answers) < 50
    return [item["id"] for a in answers for item in a["items"]], answers


@pytest.fixture
def logs(team, make_user, make_org, log):
    """Nine logs of the team's organization (six of them starting at the same
    minute) and three of another organization with its own leader."""
    leader = team["leader"]
    mine = [
        log(
            team["org"],
            leader,
            title=f"同时{i}",
            starts_at=SAME_START,
            ends_at=SAME_START + timedelta(hours=1),
        )
        for i in range(6)
    ]
    for i in range(3):
        start = SAME_START + timedelta(days=i - 1)
        mine.append(
            log(
                team["org"],
                leader,
                title=f"另日{i}",
                starts_at=start,
                ends_at=start + timedelta(hours=1),
            )
        )
    other_leader = make_user("org_leader", username="other_leader")
    other_org = make_org("合唱团", leader=other_leader)
    others = [
        log(
            other_org,
            other_leader,
            title=f"合唱{i}",
            starts_at=SAME_START,
            ends_at=SAME_START + timedelta(hours=1),
        )
        for i in range(3)
    ]
    return {"mine": mine, "others": others, "other_leader": other_leader}


def test_a_cursor_walks_every_row_once_even_when_they_share_a_start(
    client, team, logs, make_user
):
    admin = _token(client, make_user("admin"))
    by_offset = [
        item["id"]
        for page in (1, 2, 3, 4, 5)
        for item in client.get(
            f"{API}/activities?per_page=3&page={page}", headers=admin
        ).get_json()["items"]
    ]
    ids, answers = _walk(client, f"{API}/activities?per_page=3", admin)
    every = {a.id for a in logs["mine"] + logs["others"]}
    assert len(ids) == len(set(ids)) == len(every) == 12
    assert set(ids) == every
    # The same order as numbered pages: newest start first, then newest id.
    assert ids == by_offset
    starts = [
        a.starts_at
        for a in sorted(logs["mine"] + logs["others"], key=lambda a: ids.index(a.id))
    ]
    assert starts == sorted(starts, reverse=True)
    assert [a["page"] for a in answers] == [1, 2, 3, 4]
    assert all(a["total"] == 12 and a["total_capped"] is False for a in answers)
    assert answers[-1]["next"] is None


def test_a_cursor_keeps_the_filters_of_its_request(client, team, logs, make_user):
    admin = _token(client, make_user("admin"))
    org = team["org"].id
    ids, _answers = _walk(
        client, f"{API}/activities?per_page=2&organization_id={org}", admin
    )
    assert sorted(ids) == sorted(a.id for a in logs["mine"])


def test_a_leader_never_sees_another_organization_through_a_cursor(
    client, team, logs, make_user
):
    admin = _token(client, make_user("admin"))
    first = client.get(f"{API}/activities?per_page=2", headers=admin).get_json()
    theirs = _token(client, logs["other_leader"])
    # The admin's cursor, given to another organization's leader: only her rows.
    response = client.get(
        f"{API}/activities?per_page=50&after={first['next']}", headers=theirs
    )
    assert response.status_code == 200
    seen = {item["id"] for item in response.get_json()["items"]}
    assert seen <= {a.id for a in logs["others"]}
    ids, _answers = _walk(client, f"{API}/activities?per_page=1", theirs)
    assert sorted(ids) == sorted(a.id for a in logs["others"])


@pytest.mark.parametrize(
    "change",
    [
        lambda c: c[:-2] + ("AA" if not c.endswith("AA") else "BB"),
        lambda c: c[: len(c) // 2],
        lambda c: "eyJzIjoiIn0.bogus",
        lambda c: "not a cursor at all",
        lambda c: "%00%ff",
    ],
)
def test_a_changed_cursor_is_refused_with_a_message(client, logs, make_user, change):
    admin = _token(client, make_user("admin"))
    cursor = client.get(f"{API}/activities?per_page=2", headers=admin).get_json()[
        "next"
    ]
    response = client.get(f"{API}/activities?after={change(cursor)}", headers=admin)
    assert response.status_code in (400, 422)
    error = response.get_json()["error"]
    assert error["message"]
    if response.status_code == 422:
        assert "after" in error.get("fields", {}) or "after" in error["message"]


def test_a_cursor_of_another_list_is_refused(client, logs, make_user, make_volunteer):
    admin = _token(client, make_user("admin"))
    for i in range(3):
        make_volunteer(name=f"志愿者{i}")
    cursor = client.get(f"{API}/volunteers?per_page=1", headers=admin).get_json()[
        "next"
    ]
    assert cursor
    response = client.get(f"{API}/activities?after={cursor}", headers=admin)
    assert response.status_code == 422
    assert "after" in response.get_json()["error"]["fields"]


def test_totals_stop_at_the_cap_and_say_so(client, logs, make_user, monkeypatch):
    monkeypatch.setattr(paging, "COUNT_CAP", 5)
    user = make_user("admin")
    admin = _token(client, user)
    answer = client.get(f"{API}/activities?per_page=2", headers=admin).get_json()
    assert (answer["total"], answer["total_capped"]) == (5, True)
    # Offsets stop at the cap; the cursor goes on to the end.
    deep = client.get(f"{API}/activities?per_page=2&page=4", headers=admin)
    assert deep.status_code == 422
    assert "page" in deep.get_json()["error"]["fields"]
    ids, _answers = _walk(client, f"{API}/activities?per_page=2", admin)
    assert len(ids) == 12
    small = client.get(f"{API}/organizations", headers=admin).get_json()
    assert small["total_capped"] is False

    login(client, user.username)
    page = client.get("/activities").get_data(as_text=True)
    assert "5+ 次活动" in page
    assert "12 次活动" not in page


def test_a_list_page_past_the_cap_shows_the_last_page_within_it(
    client, logs, make_user, monkeypatch
):
    monkeypatch.setattr(paging, "COUNT_CAP", 5)
    user = make_user("admin")
    login(client, user.username)
    titles = re.compile(r"<strong>([^<]*)</strong>")
    first = titles.findall(client.get("/activities").get_data(as_text=True))
    deep = client.get("/activities?page=999")
    assert deep.status_code == 200
    assert titles.findall(deep.get_data(as_text=True)) == first
    assert {a.title for a in logs["mine"] + logs["others"]} <= set(first)


# ---- filter drop-downs ----


def _org_options(html: str, name: str = "organization") -> list[str]:
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select, html[:500]
    return re.findall(r'<option[^>]*value="(\d*)"', select.group(1))


@pytest.fixture
def many_orgs(make_org, make_user, monkeypatch):
    """Eight organizations where a drop-down lists at most five; two are the
    social worker's caseload."""
    monkeypatch.setattr(org_queries, "FILTER_OPTIONS", 5)
    sw = make_user("social_worker", username="caseload_sw")
    orgs = [make_org(f"舞蹈队{i}") for i in range(6)]
    orgs += [make_org(f"书法社{i}", social_worker=sw) for i in range(2)]
    return {"orgs": orgs, "sw": sw}


@pytest.mark.parametrize("url", ["/activities", "/volunteers", "/volunteers/hours"])
def test_filters_list_few_organizations_and_search_by_name(
    client, many_orgs, make_user, url
):
    admin = make_user("admin")
    login(client, admin.username)
    html = client.get(url).get_data(as_text=True)
    options = [o for o in _org_options(html) if o]
    assert len(options) <= 5
    assert 'name="org_q"' in html
    found = client.get(f"{url}?org_q=书法").get_data(as_text=True)
    names = {str(o.id) for o in many_orgs["orgs"] if o.name.startswith("书法")}
    assert set(_org_options(found)) - {""} == names
    # A chosen organization stays chosen (and listed) with no search.
    chosen = many_orgs["orgs"][3]
    kept = client.get(f"{url}?organization={chosen.id}").get_data(as_text=True)
    assert str(chosen.id) in _org_options(kept)
    assert re.search(
        rf'<option[^>]*selected[^>]*value="{chosen.id}"|'
        rf'<option value="{chosen.id}"[^>]*selected',
        kept,
    )


def test_a_social_worker_sees_her_caseload_first(client, many_orgs):
    login(client, many_orgs["sw"].username)
    html = client.get("/activities").get_data(as_text=True)
    caseload = {str(o.id) for o in many_orgs["orgs"] if o.social_worker_id}
    assert set(_org_options(html)) - {""} == caseload
    assert 'name="org_q"' in html


def test_few_organizations_are_all_listed_without_a_search_box(
    client, make_org, make_user
):
    orgs = [make_org(f"太极队{i}") for i in range(3)]
    admin = make_user("admin")
    login(client, admin.username)
    html = client.get("/activities").get_data(as_text=True)
    assert set(_org_options(html)) - {""} == {str(o.id) for o in orgs}
    assert 'name="org_q"' not in html
