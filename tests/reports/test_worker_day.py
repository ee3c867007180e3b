"""A social worker's home is her day (issue 16): follow-ups due today or
overdue, logs to review, plan actions due, organizations silent for 60 days; her
own items only, in a fixed number of queries."""

from datetime import UTC, date, datetime

from incubator.followups import services as followups
from incubator.followups.schemas import FollowUpPlan
from incubator.ventures import plans
from incubator.ventures import services as ventures
from incubator.ventures.schemas import PlanActionEntry
from tests.conftest import login
from tests.ventures.conftest import apply, fund, reviewed  # noqa: F401


def _block(page: str, key: str) -> str:
    order = ["day-followups", "day-reviews", "day-plan-actions", "day-silent"]
    start = page.index(f'id="{key}"')
    following = order[order.index(key) + 1 :]
    end = page.index(f'id="{following[0]}"') if following else len(page)
    return page[start:end]


def _followup(org, kind, due, db, assignee=None):
    made = followups.schedule_followup(
        org,
        FollowUpPlan(
            organization_id=org.id,
            kind=kind,
            due_on=due,
            assignee_id=assignee.id if assignee else None,
        ),
        actor=None,
        origin="cadence",
    )
    db.session.commit()
    return made


def _action(venture, goal, due, sw, db):
    plans.add_action(
        venture,
        PlanActionEntry(goal=goal, action="按计划推进", owner="林社工", due_on=due),
        actor=sw,
    )
    db.session.commit()


def test_her_day_in_order_with_her_items_only(
    fund,  # noqa: F811
    reviewed,  # noqa: F811
    log,
    make_org,
    client,
    db,
):
    sw, sw2 = fund["sw"], fund["sw2"]
    dance, patrol, readers = fund["dance"], fund["patrol"], fund["readers"]
    # follow-ups (today is 2026-03-01)
    _followup(patrol, "phone", date(2026, 2, 21), db)  # overdue by 8 days
    _followup(dance, "visit", date(2026, 3, 1), db)  # due today
    _followup(dance, "phone", date(2026, 3, 10), db)  # later: not today's
    _followup(readers, "visit", date(2026, 2, 1), db)  # sw2's
    # logs: the leader's to review, her own awaiting a colleague, sw2's caseload
    log(dance, fund["leader"], title="吴阿姨记的排练")
    log(dance, sw, title="林社工代记的义诊")
    log(readers, sw2, title="读书会的分享")
    # plan actions of her caseload's venture, and of sw2's
    venture = reviewed(dance)
    ventures.transition(venture, "approved", actor=fund["admin"])
    db.session.commit()
    _action(venture, "公开第一季度账目", date(2026, 2, 25), sw, db)  # overdue
    _action(venture, "招募两名新骨干", date(2026, 3, 5), sw, db)  # due in 4 days
    _action(venture, "年底总结", date(2026, 11, 30), sw, db)  # far off
    # silent: registered long ago, not heard from since
    quiet = make_org("太极队", social_worker=sw)
    quiet_theirs = make_org("合唱团", social_worker=sw2)
    for org in (quiet, quiet_theirs, patrol):
        org.created_at = datetime(2025, 6, 1, tzinfo=UTC)
    db.session.commit()

    login(client, "fund_sw")
    page = client.get("/").get_data(as_text=True)
    # the blocks, in the order of her day
    places = [
        page.index(f'id="{key}"')
        for key in ("day-followups", "day-reviews", "day-plan-actions", "day-silent")
    ]
    assert places == sorted(places)

    due = _block(page, "day-followups")
    assert 'data-testid="followups">2<' in due
    assert "巡逻队" in due and "电话" in due and "已逾期 8 天" in due
    assert "舞蹈队" in due and "今天到期" in due
    assert "2026年3月10日" not in due and "读书会" not in due
    assert due.count("记录结果") == 2  # a button to record each
    assert 'href="/followups/mine"' in due

    reviews = _block(page, "day-reviews")
    assert "吴阿姨记的排练" in reviews
    assert "林社工代记的义诊" not in reviews and "读书会的分享" not in reviews
    assert "你写的记录待同事审核：1 条" in reviews
    assert 'href="/activities/review"' in reviews

    actions = _block(page, "day-plan-actions")
    assert "公开第一季度账目" in actions and "已逾期 4 天" in actions
    assert "招募两名新骨干" in actions and "4 天后到期" in actions
    assert "年底总结" not in actions

    silent = _block(page, "day-silent")
    assert "太极队" in silent and "巡逻队" in silent
    assert "合唱团" not in silent  # sw2's
    assert "舞蹈队" not in silent  # registered this year and active
    assert "近 60 天既没有审核通过的活动" in silent  # the rule, on screen
    assert 'href="/organizations/caseload"' in silent

    # sw2's day shows hers, not sw's
    client.post("/logout")
    login(client, "fund_sw2")
    page = client.get("/").get_data(as_text=True)
    assert "读书会" in _block(page, "day-followups")
    assert "巡逻队" not in _block(page, "day-followups")
    assert "公开第一季度账目" not in page and "太极队" not in page


def test_recording_a_follow_up_from_her_day(frozen_time, team, client, db):
    made = _followup(team["org"], "phone", date(2026, 2, 21), db)
    login(client, "team_sw")
    page = client.get("/").get_data(as_text=True)
    assert f'action="/followups/{made.id}/complete"' in page
    response = client.post(
        f"/followups/{made.id}/complete",
        data={
            "outcome": "电话确认排练正常",
            "version": str(made.version),
            "next": "/",
            "csrf_token": "",
        },
    )
    assert response.status_code == 302 and response.headers["Location"] == "/"
    db.session.expire_all()
    assert db.session.get(type(made), made.id).state == "done"
    page = client.get("/").get_data(as_text=True)
    assert "电话确认排练正常" not in _block(page, "day-followups")
    assert "已逾期" not in _block(page, "day-followups")


def test_her_day_keeps_a_flat_query_count(
    frozen_time, team, log, make_org, db, client, assert_constant_queries
):
    sw = team["sw"]
    _followup(team["org"], "phone", date(2026, 2, 21), db)
    log(team["org"], team["leader"])
    log(team["org"], sw)
    made = []

    def grow():
        for n in range(6):
            org = make_org(f"新队{n}", leader=team["leader"], social_worker=sw)
            org.created_at = datetime(2025, 6, 1, tzinfo=UTC)
            db.session.commit()
            made.append(org)
            _followup(org, "visit", date(2026, 2, 20), db)
            log(org, team["leader"])
            log(org, sw)

    login(client, "team_sw")
    assert_constant_queries("/", grow, budget=14)
    page = client.get("/").get_data(as_text=True)
    assert 'data-testid="followups">7<' in page and 'data-testid="silent">6<' in page
