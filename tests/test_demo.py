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


def test_demo_centre_reaches_the_seeds_figures(app, db, demo_today):
    """禾山社区's project year: the space used for exactly 386 services, exactly
    8,338 people served, over 3,000 person-times; by the metrics and by raw SQL."""
    from incubator.demo.centre import data
    from incubator.projects import metrics
    from incubator.projects.services import project_communities, project_period
    from incubator.reports.annual import annual_figures
    from tests.demo_centre_checks import (
        raw_people_served,
        raw_person_times,
        raw_space_uses,
    )

    project = db.session.scalar(select(Project).order_by(Project.id))
    period, only = project_period(project), project_communities(project)
    assert (data.SPACE_USES, data.PEOPLE_SERVED) == (386, 8338)
    assert metrics.space_uses(period, only) == 386
    assert metrics.people_served(period, only) == 8338
    assert metrics.person_times(period, only) > 3000
    assert annual_figures(project).person_times > 3000
    assert raw_space_uses(db, project.community_id, period) == 386
    assert raw_people_served(db, project.community_id, period) == 8338
    assert raw_person_times(db, project.community_id, period) > 3000
    assert metrics.space_people(period, only) > 8338
    targets = {i.metric: i.target for i in project.indicators}
    assert targets["space_uses"] == 386 and targets["people_served"] == 8338


def test_demo_centre_bookings_keep_the_rules(app, db, demo_today):
    from incubator.activities.models import Activity, ServiceType
    from incubator.bookings.models import Booking, BookingSeries
    from incubator.community.models import Room
    from incubator.sessions.models import TrainingSession
    from incubator.signins.identity import MOBILE
    from incubator.signins.models import Resident, SignIn
    from tests.demo_centre_checks import (
        overlapping_confirmed_bookings,
        residents_signed_twice_to_one_record,
    )

    assert overlapping_confirmed_bookings(db) == 0
    assert residents_signed_twice_to_one_record(db) == 0
    heshan = db.session.scalar(select(Community).order_by(Community.id))
    rooms = {r.id: r for r in db.session.scalars(select(Room))}
    assert any(r.needs_approval for r in rooms.values())
    assert all(r.opens_at and r.closes_at and r.capacity for r in rooms.values())
    bookings = db.session.scalars(select(Booking)).all()
    for booking in bookings:
        room = rooms[booking.room_id]
        assert booking.community_id == room.community_id
        assert booking.expected_people <= room.capacity
        assert (booking.people or 0) <= room.capacity
    mine = [b for b in bookings if b.community_id == heshan.id]
    used = [b for b in mine if b.used]
    assert {b.service_type for b in used} == {t.value for t in ServiceType}
    assert {b.state for b in mine} == {"requested", "confirmed", "refused", "cancelled"}
    today = local_today()
    assert any(b.state == "confirmed" and b.held_on > today for b in mine)
    assert any(b.state == "requested" and b.held_on >= today for b in mine)
    assert any(b.outside_unit and b.service_type == "visit_reception" for b in used)
    # The dance team's weekly practice on Tuesdays is a series.
    dance = [b for b in used if b.purpose == "舞蹈队每周常规训练"]
    assert len(dance) > 40 and dance[0].series_id
    assert all(b.held_on.weekday() == 1 for b in dance if not b.detached)
    assert db.session.get(BookingSeries, dance[0].series_id).count > len(dance)
    # Activities logged at the centre: linked to their organization's booking
    # at the same time (counted once), a few with the room and no booking.
    linked = [b for b in used if b.activity_id]
    assert len(linked) >= 10
    for booking in linked:
        activity = db.session.get(Activity, booking.activity_id)
        assert activity.room_id == booking.room_id
        assert activity.organization_id == booking.organization_id
        assert (activity.starts_at, activity.ends_at) == (
            booking.starts_at,
            booking.ends_at,
        )
    centre = db.session.scalars(
        select(Activity).where(Activity.room_id.is_not(None))
    ).all()
    assert len(centre) > len(linked)
    # Capacity sessions held in a room have their own booking.
    for booking in (b for b in mine if b.session_id):
        session = db.session.get(TrainingSession, booking.session_id)
        assert session.room_id == booking.room_id
        assert session.starts_at == booking.starts_at
    assert sum(1 for b in used if b.session_id) >= 6
    # Residents: distinct valid numbers (kept masked), sign-ins to one record
    # each, in the record's community, never more than its person-times.
    residents = db.session.scalars(select(Resident)).all()
    assert len({r.key for r in residents}) == len(residents) > 8338
    assert all(
        len(r.phone_masked) == 11 and MOBILE.fullmatch(r.phone_masked[:3] + "0" * 8)
        for r in residents
    )
    assert {s for (s,) in db.session.execute(select(SignIn.source).distinct())} == {
        "qr",
        "paper",
    }
    typed = dict(db.session.execute(select(Activity.id, Activity.person_times)).all())
    per_activity = db.session.execute(
        select(SignIn.activity_id, func.count())
        .where(SignIn.activity_id.is_not(None))
        .group_by(SignIn.activity_id)
    ).all()
    assert per_activity
    assert all(count <= typed[activity] for activity, count in per_activity)
    wrong = db.session.scalar(
        select(func.count())
        .select_from(SignIn)
        .join(Booking, Booking.id == SignIn.booking_id)
        .where(Booking.community_id != SignIn.community_id)
    )
    assert wrong == 0
