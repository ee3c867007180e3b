"""An organization leader's home is her to-do (issue 16): this month logged or
not (a returned log is 需修改, never 已登记), the returned logs with the reason and
a button to fix them, the sessions her organizations registered for, her
ventures' plan actions due and overdue, her unread notifications (the notice of a
return: ``tests/reminders/test_returned_notice.py``)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from incubator.activities import services as activity_services
from incubator.activities.schemas import ActivityReview
from incubator.sessions.models import SessionInvite, TrainingSession
from incubator.ventures.models import PlanAction, Venture, VentureRound
from tests.conftest import login

# frozen_time: 2026-03-01 09:00 Shanghai; "this month" is March 2026.
IN_MARCH = {
    "starts_at": datetime(2026, 3, 1, 0, 0, tzinfo=UTC),
    "ends_at": datetime(2026, 3, 1, 1, 0, tzinfo=UTC),
}


def _return(activity, sw, db, reason="照片看不清，请补一张签到表"):
    activity_services.review_activity(
        activity, ActivityReview(decision="return", reason=reason), actor=sw
    )
    db.session.commit()


def _page(client) -> str:
    response = client.get("/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.fixture
def venture(team, db):
    """A running micro-venture of the team's organization."""

    def make(org=None):
        org = org or team["org"]
        round_ = db.session.scalar(select(VentureRound)) or VentureRound(
            name="测试批次",
            budget=Decimal("20000"),
            opens_on=date(2026, 1, 1),
            closes_on=date(2026, 2, 1),
            runs_from=date(2026, 2, 1),
            runs_until=date(2026, 12, 31),
        )
        found = Venture(
            round=round_,
            organization_id=org.id,
            community_id=org.community_id,
            title=f"{org.name}的长者课堂",
            target_group="elders",
            requested_amount=Decimal("5000"),
            approved_amount=Decimal("5000"),
            state="running",
        )
        db.session.add(found)
        db.session.commit()
        return found

    return make


def _action(db, venture, goal, due_on, **fields):
    db.session.add(
        PlanAction(
            venture=venture, goal=goal, action=f"{goal}的做法", due_on=due_on, **fields
        )
    )
    db.session.commit()


def _session(db, org, title, *, days, registered=None):
    session = TrainingSession(
        community_id=org.community_id,
        title=title,
        starts_at=datetime(2026, 3, 1, 6, tzinfo=UTC) + timedelta(days=days),
        ends_at=datetime(2026, 3, 1, 8, tzinfo=UTC) + timedelta(days=days),
        place="社区活动室",
        capacity=30,
    )
    db.session.add(session)
    db.session.flush()
    db.session.add(
        SessionInvite(
            session_id=session.id, organization_id=org.id, registered=registered
        )
    )
    db.session.commit()
    return session


def test_a_returned_log_is_needs_fixing_with_the_reason_and_a_fix_button(
    frozen_time, team, log, client, db
):
    activity = log(team["org"], team["leader"], title="三月排练", **IN_MARCH)
    login(client, "team_leader")
    assert "本月已登记" in _page(client)
    _return(activity, team["sw"], db)
    page = _page(client)
    assert "本月已登记" not in page
    assert "需修改" in page and "照片看不清，请补一张签到表" in page
    assert f'href="/activities/{activity.id}/edit"' in page
    assert "修改" in _text(page)
    # the fix page opens for her
    assert client.get(f"/activities/{activity.id}/edit").status_code == 200


def test_a_returned_log_of_an_earlier_month_still_asks_for_a_fix(
    frozen_time, team, log, client, db
):
    older = log(team["org"], team["leader"], title="二月排练")  # 2026-02-10
    _return(older, team["sw"], db, reason="人次与签到表不符")
    log(team["org"], team["leader"], title="三月排练", **IN_MARCH)
    login(client, "team_leader")
    page = _page(client)
    assert "本月已登记" in page  # March is logged
    assert "人次与签到表不符" in page and f"/activities/{older.id}/edit" in page


def test_nothing_logged_says_so_and_offers_the_form(frozen_time, team, client):
    login(client, "team_leader")
    page = _page(client)
    assert "本月未登记" in page
    # one big button to log (her one organization needs no second one)
    assert page.count('href="/activities/new') == 1
    # the one big button comes first, before any organization
    assert page.index('class="btn btn-primary btn-lg w-100') < page.index("舞蹈队")


def test_a_leader_with_two_organizations_sees_both_and_nothing_of_others(
    frozen_time, team, log, make_org, make_user, client, db, venture
):
    second = make_org("巡逻队", leader=team["leader"], social_worker=team["sw"])
    other_leader = make_user("org_leader", username="other_leader")
    other = make_org("别人的合唱团", leader=other_leader, social_worker=team["sw"])
    hidden = log(other, other_leader, title="别人的活动", **IN_MARCH)
    _return(hidden, team["sw"], db, reason="别人的退回原因")
    _action(db, venture(other), "别人的计划事项", date(2026, 2, 20))
    _session(db, other, "别人的培训", days=3, registered=5)
    log(second, team["leader"], title="巡逻", **IN_MARCH)
    login(client, "team_leader")
    page = _page(client)
    assert "舞蹈队" in page and "巡逻队" in page
    assert page.count('data-testid="org-month"') == 2
    # the one not logged yet offers the form for itself
    assert "本月未登记" in page and "本月已登记" in page
    assert f'href="/activities/new?org={team["org"].id}"' in page
    for secret in (
        "别人的合唱团",
        "别人的活动",
        "别人的退回原因",
        "别人的计划事项",
        "别人的培训",
    ):
        assert secret not in page


def test_overdue_and_due_plan_actions_are_shown_with_dates(
    frozen_time, team, client, db, venture
):
    mine = venture()
    _action(db, mine, "建立财务台账", date(2026, 2, 20))  # 9 days late
    _action(db, mine, "招募十名志愿者", date(2026, 3, 20))
    _action(db, mine, "已完成的事项", date(2026, 2, 1), done_on=date(2026, 2, 1))
    _action(db, mine, "明年的事项", date(2026, 9, 1))
    login(client, "team_leader")
    text = _text(_page(client))
    assert "建立财务台账" in text and "已逾期 9 天" in text
    assert "截止 2026年2月20日" in text
    assert "招募十名志愿者" in text and "即将到期" in text
    assert "已完成的事项" not in text and "明年的事项" not in text
    # overdue first
    assert text.index("建立财务台账") < text.index("招募十名志愿者")


def test_sessions_she_registered_for_and_invitations_waiting(
    frozen_time, team, client, db
):
    _session(db, team["org"], "财务管理培训", days=5, registered=3)
    _session(db, team["org"], "志愿者管理沙龙", days=8)
    _session(db, team["org"], "上个月的培训", days=-20, registered=2)
    login(client, "team_leader")
    text = _text(_page(client))
    assert "财务管理培训" in text and "舞蹈队 已报名 3 人" in text
    assert "志愿者管理沙龙" in text and "尚未报名" in text
    assert "上个月的培训" not in text


def test_the_leader_home_keeps_a_flat_query_count(
    frozen_time, team, log, make_org, client, db, venture, assert_constant_queries
):
    made = []
    mine = venture()

    def grow():
        for n in range(4):
            org = make_org(f"新队{len(made)}", leader=team["leader"])
            made.append(org)
            _return(log(org, team["leader"], **IN_MARCH), team["sw"], db)
            log(org, team["leader"], title="另一条", **IN_MARCH)
            _action(db, mine, f"事项{len(made)}", date(2026, 2, 10 + n))
            _session(db, org, f"培训{len(made)}", days=2 + n, registered=2)
            _session(db, org, f"沙龙{len(made)}", days=3 + n)

    grow()
    login(client, "team_leader")
    assert_constant_queries("/", grow, budget=10)


def test_the_month_is_named_in_the_page_language(frozen_time, team, client):
    login(client, "team_leader")
    assert "2026年3月活动登记" in _text(_page(client))
    client.get("/language/en")
    english = _text(_page(client))
    assert "March 2026" in english and "2026年3月" not in english
