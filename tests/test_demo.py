from decimal import Decimal

from sqlalchemy import func, select

from incubator.auth.models import User
from incubator.community.models import Community
from incubator.demo.seed import COMPOUNDS, DEMO_PASSWORD, LOGINS
from incubator.demo.ventures import ROUND_NAME
from incubator.i18n import local_today
from incubator.organizations.models import Organization
from incubator.projects.models import Project
from incubator.ventures.models import State, Venture, VentureRound
from incubator.ventures.plans import overdue_counts
from incubator.ventures.rounds import committed_amount
from incubator.ventures.spending import spent_by_venture
from incubator.volunteers.certificates import agency_for
from tests.conftest import login


def test_seed_loads_the_heshan_community_once(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    for login_ in LOGINS:
        assert login_.username in result.output
    community = db.session.scalar(select(Community).order_by(Community.id))
    assert (community.name, community.district) == ("禾山社区", "湖里区")
    assert community.street == "禾山街道"
    assert [c.name for c in community.compounds] == list(COMPOUNDS)
    assert len(COMPOUNDS) == 6
    project = db.session.scalar(select(Project).order_by(Project.id))
    assert project.community_id == community.id
    assert "幸福禾立方" in project.name and project.budget == Decimal("200000.00")
    assert project.year == 1 and project.kind == "single"
    # certificates name the demo's agency, not the AGENCY_NAME placeholder
    for each in db.session.scalars(select(Community)):
        assert agency_for(each.id, local_today()) == "厦门市同心社工服务中心"
    roles = set(db.session.scalars(select(User.role)))
    assert roles == {"admin", "social_worker", "viewer", "org_leader"}
    users_before = db.session.scalar(select(func.count()).select_from(User))

    again = runner.invoke(args=["demo", "seed"])
    assert again.exit_code == 0 and "nothing loaded" in again.output
    assert db.session.scalar(select(func.count()).select_from(User)) == users_before


def test_demo_logins_work_and_leaders_see_their_organizations(app, client, db):
    app.test_cli_runner().invoke(args=["demo", "seed"])
    for login_ in LOGINS:
        fresh = app.test_client()
        assert login(fresh, login_.username, DEMO_PASSWORD).status_code == 302
    login(client, "leader_wu", DEMO_PASSWORD)
    page = client.get("/").get_data(as_text=True)
    assert "禾山夕阳红舞蹈队" in page
    assert "城上城平安巡逻队" not in page
    leaders = db.session.scalar(
        select(func.count())
        .select_from(Organization)
        .where(Organization.leader_user_id.is_not(None))
    )
    assert leaders >= 3


def test_demo_round_shows_every_step_of_a_venture(app, db):
    result = app.test_cli_runner().invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    round_ = db.session.scalar(
        select(VentureRound).where(VentureRound.name == ROUND_NAME)
    )
    assert round_ is not None
    today = local_today()
    assert round_.opens_on <= round_.closes_on < round_.runs_from <= today
    assert today <= round_.runs_until
    ventures = db.session.scalars(
        select(Venture).where(Venture.round_id == round_.id)
    ).all()
    assert len(ventures) == 9
    # The round is 禾山社区's: one venture for each of its organizations (西岭社区,
    # three months into its first year, has none yet).
    orgs = db.session.scalars(
        select(Organization).join(Community).where(Community.name == "禾山社区")
    ).all()
    assert {v.organization_id for v in ventures} == {o.id for o in orgs}
    assert {v.state for v in ventures} >= {
        State.APPLIED,
        State.REVIEWING,
        State.APPROVED,
        State.REJECTED,
        State.RUNNING,
        State.CLOSED,
        State.TERMINATED,
    }
    assert 0 < committed_amount(round_.id) <= round_.budget
    assert sum(overdue_counts().values()) >= 1
    funded = [v for v in ventures if v.state in (State.RUNNING, State.CLOSED)]
    spent = spent_by_venture([v.id for v in funded])
    for venture in funded:
        assert 0 < spent[venture.id] <= venture.approved_amount, venture.title
    for venture in ventures:
        assert sum(line.amount for line in venture.budget_lines) == (
            venture.requested_amount
        )
        if venture.organization.filing_status == "none":
            assert venture.sponsor is not None, venture.title


def test_readme_lists_the_demo_logins():
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text("utf-8")
    assert DEMO_PASSWORD in readme
    for login_ in LOGINS:
        assert login_.username in readme


def test_demo_has_a_year_of_sessions_and_follow_ups(app, client, db):
    from incubator.database import utcnow
    from incubator.followups.models import FollowUp, FollowUpState
    from incubator.followups.queries import my_work
    from incubator.sessions.models import SessionState, TrainingSession

    result = app.test_cli_runner().invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    today = local_today()

    sessions = db.session.scalars(
        select(TrainingSession).order_by(TrainingSession.starts_at)
    ).all()
    assert len(sessions) >= 12
    assert (sessions[-1].starts_at - sessions[0].starts_at).days >= 9 * 30
    series = {}
    for session in sessions:
        if session.series_id is not None:
            series.setdefault(session.series_id, []).append(session)
    assert any(
        any(s.detached and s.state != SessionState.CANCELLED for s in run)
        and any(s.state == SessionState.CANCELLED and s.cancel_reason for s in run)
        for run in series.values()
    )
    held = [s for s in sessions if s.state == SessionState.HELD]
    begun = [s for s in sessions if s.starts_at <= utcnow()]
    assert all(s.state != SessionState.SCHEDULED for s in begun)
    assert len(held) >= 6
    for session in held:
        assert session.attendance_total > 0, session.title
        assert 1 <= session.feedback_score <= 5
    coming = [s for s in sessions if s.state == SessionState.SCHEDULED]
    assert any(s.registered_total for s in coming)
    for session in sessions:
        assert 2 <= len(session.invites) <= 6, session.title

    followups = db.session.scalars(select(FollowUp)).all()
    overdue = [
        f for f in followups if f.state == FollowUpState.OPEN and f.due_on < today
    ]
    assert len(overdue) >= 2
    # A year of follow-ups by the cadence for each active organization of 禾山社区
    # (西岭社区's three months are checked in test_demo_second_community).
    active = db.session.scalars(
        select(Organization)
        .join(Community)
        .where(
            Community.name == "禾山社区",
            Organization.stage.not_in(("graduated", "dormant")),
        )
    ).all()
    for org in active:
        mine = [f for f in followups if f.organization_id == org.id]
        assert any(f.state == FollowUpState.OPEN for f in mine), org.name
        done = [f for f in mine if f.state == FollowUpState.DONE]
        assert done and all(f.done_on <= today and f.outcome for f in done), org.name
    assert len([f for f in followups if f.state == FollowUpState.DONE]) >= 20

    lin = db.session.scalar(select(User).where(User.username == "sw_lin"))
    work = my_work(lin)
    assert work.overdue and (work.this_week or work.later)
    assert all(f.due_on < today for f in work.overdue)
    login(client, "sw_lin", DEMO_PASSWORD)
    page = client.get("/followups/mine")
    assert page.status_code == 200
    assert work.overdue[0].organization.name in page.get_data(as_text=True)
    for url in ["/sessions", *(f"/sessions/{s.id}" for s in sessions)]:
        assert client.get(url).status_code == 200, url


def test_demo_has_this_months_reminders_under_the_bell(app, db, client):
    from sqlalchemy import func, select

    from incubator.reminders.models import Reminder
    from tests.conftest import login

    result = app.test_cli_runner().invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    kinds = set(db.session.scalars(select(Reminder.kind)))
    assert {"monthly_digest", "monthly_report"} <= kinds
    assert db.session.scalar(select(func.count(Reminder.id))) >= 3
    login(client, "sw_lin", "heshan2026")
    assert 'data-testid="unread">1<' in client.get("/").get_data(as_text=True)
