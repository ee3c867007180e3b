"""Calendars and the pipeline board show a screenful per day or stage (issue 18):
the first entries, then "+N more" (还有 N 项) to the list of exactly that day or
stage; a social worker sees her own caseload by default; query counts stay flat."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import login

MORE = re.compile(
    r'<a class="cal-more small" href="([^"]+)" data-more="(\d+)">还有 (\d+) 项</a>'
)
DAY_START = datetime(2026, 2, 10, 0, 0, tzinfo=UTC)  # 08:00 on 10 February in Xiamen


def _log_day(log, org, actor, n, *, prefix="活动", start=DAY_START):
    for i in range(n):
        at = start + timedelta(minutes=30 * i)
        log(
            org,
            actor,
            title=f"{prefix}{i:02d}",
            starts_at=at,
            ends_at=at + timedelta(minutes=20),
        )


def _more_links(page: str) -> list[tuple[str, int]]:
    found = []
    for url, n, shown in MORE.findall(page):
        assert n == shown
        found.append((html.unescape(url), int(n)))
    return found


def test_activity_calendar_shows_five_a_day_then_links_the_rest(
    frozen_time, client, team, log
):
    _log_day(log, team["org"], team["leader"], 8)
    log(team["org"], team["leader"], title="下午的活动")  # 14:00 the same day
    login(client, "team_sw")
    page = client.get("/activities/calendar?month=2026-02").get_data(as_text=True)
    for i in range(5):
        assert f"活动{i:02d}" in page
    for i in range(5, 8):
        assert f"活动{i:02d}" not in page
    links = _more_links(page)
    # The grid and the phone agenda each say it once.
    assert [n for _url, n in links] == [4, 4]
    url = links[0][0]
    assert "day=2026-02-10" in url
    listed = client.get(url).get_data(as_text=True)
    for i in range(8):
        assert f"活动{i:02d}" in listed
    assert "下午的活动" in listed
    assert "9 次活动" in listed
    assert "举办于" in listed


def test_activity_calendar_more_link_lists_only_that_day(
    frozen_time, client, team, log
):
    _log_day(log, team["org"], team["leader"], 6)
    log(
        team["org"],
        team["leader"],
        title="第二天的活动",
        starts_at=DAY_START + timedelta(days=1),
        ends_at=DAY_START + timedelta(days=1, hours=1),
    )
    login(client, "team_sw")
    page = client.get("/activities/calendar?month=2026-02").get_data(as_text=True)
    links = _more_links(page)
    assert {n for _url, n in links} == {1}
    listed = client.get(links[0][0]).get_data(as_text=True)
    assert "6 次活动" in listed and "第二天的活动" not in listed


def test_month_calendar_caps_days_and_the_day_view_links_to_the_list(
    frozen_time, client, team, log, monkeypatch
):
    from incubator.schedule import views as schedule_views

    _log_day(log, team["org"], team["leader"], 8)
    login(client, "team_sw")
    page = client.get("/calendar?month=2026-02").get_data(as_text=True)
    links = _more_links(page)
    assert [n for _url, n in links] == [3, 3]
    assert "活动04" in page and "活动05" not in page
    day = client.get(links[0][0]).get_data(as_text=True)
    assert 'data-testid="one-day"' in day
    for i in range(8):
        assert f"活动{i:02d}" in day
    assert not _more_links(day)
    # A day with more activities than its agenda lists links to that day's list.
    monkeypatch.setattr(schedule_views, "DAY_VIEW_CAP", 6)
    day = client.get(links[0][0]).get_data(as_text=True)
    assert "活动05" in day and "活动06" not in day
    [(url, n)] = _more_links(day)
    assert n == 2 and "/activities?" in url and "day=2026-02-10" in url
    assert "8 次活动" in client.get(url).get_data(as_text=True)


def test_calendars_default_to_the_social_workers_own_caseload(
    frozen_time, client, team, log, make_user, make_org
):
    other_sw = make_user("social_worker", name="周社工")
    other = make_org("别人的组织", social_worker=other_sw)
    log(team["org"], team["leader"], title="自己的活动")
    log(other, other_sw, title="别人的活动")
    login(client, "team_sw")
    for url in ("/activities/calendar?month=2026-02", "/calendar?month=2026-02"):
        page = client.get(url).get_data(as_text=True)
        assert "自己的活动" in page and "别人的活动" not in page, url
        assert '<strong data-testid="showing">林社工</strong>' in page
        everyone = client.get(url + "&sw=all").get_data(as_text=True)
        assert "自己的活动" in everyone and "别人的活动" in everyone, url
        picked = client.get(url + f"&sw={other_sw.id}").get_data(as_text=True)
        assert "自己的活动" not in picked and "别人的活动" in picked, url


@pytest.mark.parametrize("role", ["admin", "viewer"])
def test_admins_and_viewers_see_everyone_by_default(
    frozen_time, client, team, log, make_user, make_org, login_as, role
):
    other_sw = make_user("social_worker", name="周社工")
    other = make_org("别人的组织", social_worker=other_sw)
    log(team["org"], team["leader"], title="自己的活动")
    log(other, other_sw, title="别人的活动")
    login_as(role)
    page = client.get("/activities/calendar?month=2026-02").get_data(as_text=True)
    assert "自己的活动" in page and "别人的活动" in page
    assert '<strong data-testid="showing">所有人</strong>' in page
    board = client.get("/organizations/board").get_data(as_text=True)
    assert "舞蹈队" in board and "别人的组织" in board


def test_leader_sees_only_her_organizations_without_a_picker(
    frozen_time, client, team, log, make_user, make_org
):
    other = make_org("别人的组织", social_worker=make_user("social_worker"))
    log(team["org"], team["leader"], title="自己的活动")
    log(other, team["sw"], title="别人的活动")
    login(client, "team_leader")
    page = client.get("/activities/calendar?month=2026-02").get_data(as_text=True)
    assert "自己的活动" in page and "别人的活动" not in page
    assert 'data-testid="caseload-picker"' not in page


def test_board_defaults_to_own_caseload_and_caps_a_column(
    client, login_as, make_org, make_user
):
    sw = login_as("social_worker", name="甲社工")
    for i in range(23):
        make_org(f"萌芽组织{i:02d}", social_worker=sw)
    make_org("别人的组织", social_worker=make_user("social_worker"))
    page = client.get("/organizations/board").get_data(as_text=True)
    assert "别人的组织" not in page
    column = page[page.index(">萌芽</h2>") : page.index(">孵化</h2>")]
    assert column.count("board-card") == 20
    assert '<span class="badge text-bg-light">23</span>' in column
    [(url, n)] = _more_links(column)
    assert n == 3 and "stage=intake" in url and f"social_worker={sw.id}" in url
    listed = client.get(url).get_data(as_text=True)
    assert all(f"萌芽组织{i:02d}" in listed for i in range(23))
    assert "别人的组织" not in listed
    everyone = client.get("/organizations/board?social_worker=all").get_data(
        as_text=True
    )
    assert '<span class="badge text-bg-light">24</span>' in everyone


def test_admin_caseload_counts_caseloads_and_pages_the_rows(
    client, login_as, make_org, make_user, monkeypatch
):
    from incubator.organizations import views as org_views

    monkeypatch.setattr(org_views, "CASELOAD_CAP", 3)
    sw1 = make_user("social_worker", name="甲社工")
    sw2 = make_user("social_worker", name="乙社工")
    for i in range(4):
        make_org(f"甲的组织{i}", social_worker=sw1)
    make_org("乙的组织", social_worker=sw2)
    login_as("admin")
    page = client.get("/organizations/caseload").get_data(as_text=True)
    table = page[page.index('data-testid="caseloads"') :].split("</table>")[0]
    assert re.search(r"甲社工</a></td>\s*<td[^>]*>4</td>", table)
    assert re.search(r"乙社工</a></td>\s*<td[^>]*>1</td>", table)
    rows = re.findall(r">([甲乙]的组织\d?)</a>", page)
    assert len(rows) == 3
    second = client.get("/organizations/caseload?page=2").get_data(as_text=True)
    assert len(re.findall(r">([甲乙]的组织\d?)</a>", second)) == 2
    one = client.get(f"/organizations/caseload?social_worker={sw1.id}").get_data(
        as_text=True
    )
    [(url, n)] = _more_links(one)
    assert n == 1 and f"social_worker={sw1.id}" in url


@pytest.mark.parametrize(
    "url",
    [
        "/activities/calendar?month=2026-02",
        "/calendar?month=2026-02",
        "/calendar?month=2026-02&day=2026-02-10",
        "/activities/calendar?month=2026-02&sw=all",
    ],
)
def test_calendar_queries_stay_flat_as_a_day_fills(
    frozen_time, client, team, log, assert_constant_queries, url
):
    state = {"n": 0}

    def grow(n):
        while state["n"] < n:
            at = DAY_START + timedelta(minutes=20 * state["n"])
            log(
                team["org"],
                team["leader"],
                title=f"活动{state['n']}",
                starts_at=at,
                ends_at=at + timedelta(minutes=10),
            )
            state["n"] += 1

    login(client, "team_sw")
    grow(2)
    assert_constant_queries(url, lambda: grow(12), budget=10)


def test_board_queries_stay_flat_as_a_column_fills(
    client, login_as, make_org, assert_constant_queries
):
    sw = login_as("social_worker")
    made = {"n": 0}

    def grow(n):
        while made["n"] < n:
            make_org(f"组织{made['n']}", social_worker=sw)
            made["n"] += 1

    grow(2)
    assert_constant_queries("/organizations/board", lambda: grow(24), budget=8)


def test_room_grid_shows_one_community_at_a_time(client, db, community, login_as):
    from datetime import time

    from incubator.community.models import Community, Room

    second = Community(name="第二社区", district="湖里区", city="厦门市")
    db.session.add(second)
    db.session.flush()
    db.session.add_all(
        [
            Room(community_id=community.id, name="第一社区活动室", opens_at=time(8)),
            Room(community_id=second.id, name="第二社区活动室", opens_at=time(8)),
        ]
    )
    db.session.commit()
    login_as("admin")
    page = client.get("/bookings").get_data(as_text=True)
    assert "第一社区活动室" in page and "第二社区活动室" not in page
    assert "全部社区" not in page.split('name="community_id"')[1].split("</select>")[0]
    page = client.get(f"/bookings?community_id={second.id}").get_data(as_text=True)
    assert "第二社区活动室" in page and "第一社区活动室" not in page
