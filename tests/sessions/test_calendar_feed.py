"""The calendar (month and agenda), the private iCalendar feed, my work's query
budget, and the sessions and follow-ups API."""

from datetime import date, timedelta

import icalendar
from sqlalchemy import select

from incubator.followups import services as followup_services
from incubator.followups.schemas import FollowUpPlan
from incubator.sessions.models import TrainingSession
from tests.conftest import DEFAULT_PASSWORD, login
from tests.sessions.test_sessions import at, monthly


def _feed_url(client) -> str:
    page = client.get("/calendar/feed").get_data(as_text=True)
    start = page.index('data-testid="feed-url">') + len('data-testid="feed-url">')
    return page[start : page.index("</code>", start)].replace("http://localhost", "")


def test_the_feed_parses_keeps_uids_and_resets(town, db, client, app):
    sessions = monthly(town, db)
    followup_services.schedule_followup(
        town["dance"],
        FollowUpPlan(
            organization_id=town["dance"].id, kind="phone", due_on=date(2026, 3, 12)
        ),
        actor=town["sw"],
    )
    db.session.commit()
    login(client, "town_sw")
    url = _feed_url(client)
    anonymous = app.test_client()
    response = anonymous.get(url)
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    calendar = icalendar.Calendar.from_ical(response.data)
    events = [c for c in calendar.walk("VEVENT")]
    uids = {str(e["UID"]) for e in events}
    assert len(events) == 7
    first = next(
        e for e in events if str(e["UID"]).startswith(f"session-{sessions[0].id}@")
    )
    start = first.decoded("DTSTART")
    assert start.tzinfo is not None and start.utcoffset() == timedelta(0)
    assert start.astimezone(at(2026, 1, 1).tzinfo) == at(2026, 1, 31)
    assert str(first["SUMMARY"]) == "财务管理工作坊"
    phone = next(e for e in events if str(e["UID"]).startswith("followup-"))
    assert phone.decoded("DTSTART") == date(2026, 3, 12)
    # moving a session changes its time, never its UID
    from incubator.sessions import services
    from incubator.sessions.schemas import SessionChange

    services.update_session(
        sessions[1],
        SessionChange(
            version=sessions[1].version,
            starts_at=at(2026, 2, 27),
            ends_at=at(2026, 2, 27, 16),
        ),
        actor=town["sw"],
    )
    db.session.commit()
    again = icalendar.Calendar.from_ical(anonymous.get(url).data)
    assert {str(e["UID"]) for e in again.walk("VEVENT")} == uids
    # another user's feed shows only their own events
    login(app.test_client(), "town_sw2")
    other = app.test_client()
    login(other, "town_sw2")
    other_feed = icalendar.Calendar.from_ical(other.get(_feed_url(other)).data)
    assert list(other_feed.walk("VEVENT")) == []
    # reset: the old URL stops at once
    client.post("/calendar/feed/reset")
    assert anonymous.get(url).status_code == 404
    new_url = _feed_url(client)
    assert new_url != url and anonymous.get(new_url).status_code == 200
    assert anonymous.get(url.replace(".ics", "x.ics")).status_code == 404


def test_leader_feed_has_only_invited_sessions(town, db, client, app):
    monthly(town, db, recurrence=None, organization_ids=[town["patrol"].id])
    monthly(
        town,
        db,
        recurrence=None,
        title="舞蹈队专场",
        organization_ids=[town["dance"].id],
    )
    login(client, "town_leader")
    data = app.test_client().get(_feed_url(client)).data
    summaries = [
        str(e["SUMMARY"]) for e in icalendar.Calendar.from_ical(data).walk("VEVENT")
    ]
    assert summaries == ["舞蹈队专场"]


def test_calendar_month_and_agenda(town, db, client, log):
    monthly(
        town,
        db,
        recurrence=None,
        starts_at=at(2026, 3, 12),
        ends_at=at(2026, 3, 12, 16),
    )
    followup_services.schedule_followup(
        town["dance"],
        FollowUpPlan(
            organization_id=town["dance"].id, kind="visit", due_on=date(2026, 2, 27)
        ),
        actor=town["sw"],
    )
    log(town["dance"], town["leader"], title="周末排练")
    db.session.commit()
    login(client, "town_sw")
    page = client.get("/calendar?month=2026-03").get_data(as_text=True)
    assert "财务管理工作坊" in page
    february = client.get("/calendar?month=2026-02&view=agenda").get_data(as_text=True)
    assert "舞蹈队" in february and "周末排练" in february and "cal-overdue" in february
    only_sessions = client.get("/calendar?month=2026-02&kind=session").get_data(
        as_text=True
    )
    assert "周末排练" not in only_sessions
    login_leader = client.application.test_client()
    login(login_leader, "town_leader")
    leader_page = login_leader.get("/calendar?month=2026-02&view=agenda").get_data(
        as_text=True
    )
    assert "周末排练" in leader_page and "上门走访" not in leader_page


def _calendar_grower(town, db, *, count: int, first_due: date):
    """A ``grow()`` for the query-budget tests: each call adds ``count`` follow-ups
    (three days apart from ``first_due``) and as many one-off sessions on 2 March."""
    state = {"n": 0}

    def grow():
        for _ in range(count):
            state["n"] += 1
            n = state["n"]
            followup_services.schedule_followup(
                town["dance"],
                FollowUpPlan(
                    organization_id=town["dance"].id,
                    kind="visit",
                    due_on=first_due + timedelta(days=n * 3),
                ),
                actor=town["sw"],
            )
            monthly(
                town,
                db,
                recurrence=None,
                title=f"课{n}",
                starts_at=at(2026, 3, 2) + timedelta(hours=n),
                ends_at=at(2026, 3, 2) + timedelta(hours=n, minutes=30),
            )
        db.session.commit()

    return grow


def test_my_work_and_calendar_queries_stay_flat(
    town, db, client, assert_constant_queries
):
    grow = _calendar_grower(town, db, count=6, first_due=date(2026, 2, 1))

    grow()
    login(client, "town_sw")
    for url in (
        "/followups/mine",
        "/calendar?month=2026-03",
        "/sessions",
        "/followups",
    ):
        assert_constant_queries(url, grow, budget=20)
    first = db.session.scalar(select(TrainingSession.id))
    assert_constant_queries(f"/sessions/{first}", grow, budget=20)


def _token(client, username):
    response = client.post(
        "/api/v1/tokens", json={"username": username, "password": DEFAULT_PASSWORD}
    )
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def test_api_sessions_and_followups(town, db, client, frozen_time):
    sw, leader = _token(client, "town_sw"), _token(client, "town_leader")
    created = client.post(
        "/api/v1/sessions",
        headers=sw,
        json={
            "title": "月度财务课",
            "dimension": "finance",
            "starts_at": "2026-01-31T14:30:00+08:00",
            "ends_at": "2026-01-31T16:30:00+08:00",
            "capacity": 8,
            "organization_ids": [town["dance"].id],
            "recurrence": {"freq": "monthly", "count": 6},
        },
    )
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert [o["starts_at"][:10] for o in body["occurrences"]] == [
        "2026-01-31",
        "2026-02-28",
        "2026-03-31",
        "2026-04-30",
        "2026-05-31",
        "2026-06-30",
    ]
    assert body["starts_at"] == "2026-01-31T14:30:00+08:00"
    listing = client.get("/api/v1/sessions?from=2026-03-01", headers=leader).get_json()
    assert listing["total"] == 4
    march = listing["items"][0]
    full = client.post(
        f"/api/v1/sessions/{march['id']}/registrations",
        headers=leader,
        json={"organization_id": town["dance"].id, "count": 9},
    )
    assert full.status_code == 409
    ok = client.post(
        f"/api/v1/sessions/{march['id']}/registrations",
        headers=leader,
        json={"organization_id": town["dance"].id, "count": 8},
    )
    assert ok.status_code == 200 and ok.get_json()["registered"] == 8
    early = client.post(
        f"/api/v1/sessions/{march['id']}/attendance",
        headers=sw,
        json={"organization_id": town["dance"].id, "attendees": 3},
    )
    assert early.status_code == 409
    january = body["id"]
    attended = client.post(
        f"/api/v1/sessions/{january}/attendance",
        headers=sw,
        json={
            "organization_id": town["dance"].id,
            "attendees": 6,
            "feedback_score": "4.5",
        },
    )
    assert attended.status_code == 200
    assert (attended.get_json()["state"], attended.get_json()["attendance"]) == (
        "held",
        6,
    )
    over = client.post(
        f"/api/v1/sessions/{january}/attendance",
        headers=sw,
        json={"walk_ins": 5},
    )
    assert over.status_code == 409
    moved = client.patch(
        f"/api/v1/sessions/{march['id']}",
        headers=sw,
        json={
            "title": "月度财务课",
            "starts_at": "2026-03-30T09:00:00+08:00",
            "ends_at": "2026-03-30T11:00:00+08:00",
            "capacity": 8,
            "organization_ids": [town["dance"].id],
            "version": march["version"],
        },
    )
    assert moved.status_code == 200 and moved.get_json()["items"][0]["detached"]
    made = client.post(
        "/api/v1/followups",
        headers=sw,
        json={
            "organization_id": town["dance"].id,
            "kind": "phone",
            "due_on": "2026-02-27",
        },
    )
    assert made.status_code == 201 and made.get_json()["overdue"] is True
    twice = client.post(
        "/api/v1/followups",
        headers=sw,
        json={
            "organization_id": town["dance"].id,
            "kind": "phone",
            "due_on": "2026-02-27",
        },
    )
    assert twice.status_code == 409
    done = client.post(
        f"/api/v1/followups/{made.get_json()['id']}/complete",
        headers=sw,
        json={"outcome": "已电话联系"},
    )
    assert done.status_code == 200
    assert done.get_json()["next"]["due_on"] == "2026-04-01"
    assert client.get("/api/v1/followups", headers=leader).status_code == 403
    overdue = client.get("/api/v1/followups?overdue=true", headers=sw).get_json()
    assert overdue["total"] == 0


def test_api_patch_changes_only_what_is_sent(town, db, client):
    session = monthly(town, db, recurrence=None)[0]
    sw = _token(client, "town_sw")
    response = client.patch(
        f"/api/v1/sessions/{session.id}",
        headers=sw,
        json={"title": "改名的课", "version": session.version},
    )
    assert response.status_code == 200, response.get_json()
    db.session.expire_all()
    assert (session.title, session.trainer, session.place) == (
        "改名的课",
        "李老师",
        "社区服务中心二楼",
    )
    assert len(session.invites) == 2


def test_the_feed_queries_stay_flat(town, db, client, assert_constant_queries):
    """The feed's query count does not grow with its events."""
    grow = _calendar_grower(town, db, count=4, first_due=date(2026, 3, 1))

    grow()
    login(client, "town_sw")
    # the key's user and feed version, the sessions, the follow-ups (and the
    # logged-in client's own session check)
    assert_constant_queries(_feed_url(client), grow, budget=5)


def test_done_followups_leave_the_feed(town, db, client, app):
    """A completed follow-up no longer shows in the subscribed calendar as a thing
    still to do; the open one stays."""
    from incubator.followups.schemas import FollowUpCompletion

    made = [
        followup_services.schedule_followup(
            town["dance"],
            FollowUpPlan(organization_id=town["dance"].id, kind=kind, due_on=due),
            actor=town["sw"],
        )
        for kind, due in (("phone", date(2026, 3, 12)), ("visit", date(2026, 3, 20)))
    ]
    db.session.commit()
    login(client, "town_sw")
    url = _feed_url(client)

    def followup_uids() -> set[str]:
        calendar = icalendar.Calendar.from_ical(app.test_client().get(url).data)
        return {
            str(e["UID"]).split("@")[0]
            for e in calendar.walk("VEVENT")
            if str(e["UID"]).startswith("followup-")
        }

    assert {f"followup-{f.id}" for f in made} <= followup_uids()
    followup_services.complete_followup(
        made[0], FollowUpCompletion(outcome="已电话联系"), actor=town["sw"]
    )
    db.session.commit()
    after = followup_uids()
    assert f"followup-{made[0].id}" not in after
    assert f"followup-{made[1].id}" in after
