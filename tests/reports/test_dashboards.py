"""The dashboards' read models (``incubator.reports.dashboards``): one per role,
each in a fixed number of queries whatever the data's size."""

from __future__ import annotations

from datetime import date

from incubator.followups.queries import worker_day
from incubator.reports import dashboards
from tests.conftest import login


def test_the_agency_dashboard_shows_the_asked_project_or_the_latest(
    frozen_time, make_user, make_project
):
    admin = make_user("admin")
    older = make_project(admin, name="第一年")
    # the renewal runs the next year (two projects of a community and kind never
    # overlap)
    newer = make_project(
        admin,
        name="第二年",
        year=2,
        renewal=True,
        starts_on=date(2027, 1, 1),
        ends_on=date(2027, 12, 31),
    )
    assert dashboards.agency_dashboard(older.id).project == older
    assert dashboards.agency_dashboard(None).project == newer
    assert dashboards.agency_dashboard(10_000).project == newer
    assert dashboards.agency_dashboard(None).year == 2026


def test_a_worker_counts_their_caseload_and_the_logs_waiting(team, log, make_org):
    log(team["org"], team["leader"])
    make_org("别的队")  # not in the caseload
    day = worker_day(team["sw"])
    assert (day.caseload, day.reviews_total) == (1, 1)


def test_a_leader_sees_which_organization_logged_this_month(
    frozen_time, team, log, make_org
):
    quiet = make_org("没记录的队", leader=team["leader"])
    log(team["org"], team["leader"])  # 2026-02-10, before this month (March)
    board = dashboards.leader_home(team["leader"])
    assert {row.org.id for row in board.orgs} == {team["org"].id, quiet.id}
    assert {row.state for row in board.orgs} == {"none"}
    assert board.month == "2026年3月"


def test_worker_and_leader_dashboards_keep_flat_query_counts(
    frozen_time, team, log, client, make_org, assert_constant_queries
):
    made = []

    def grow():
        for _ in range(5):
            made.append(
                make_org(
                    f"新队{len(made)}", leader=team["leader"], social_worker=team["sw"]
                )
            )
            log(made[-1], team["leader"])

    for username, budget in (("team_sw", 14), ("team_leader", 8)):
        login(client, username)
        assert_constant_queries("/reports", grow, budget=budget)
        client.post("/logout")
