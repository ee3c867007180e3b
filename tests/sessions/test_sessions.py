"""The scripted check of issue 7 for sessions: a monthly series of 6 from 31
January, moving one occurrence and the rest of the series, registrations, attendance
and feedback, holiday warnings, and who sees what."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from incubator.errors import NotPermitted, RuleViolation, StaleRecord
from incubator.sessions import services
from incubator.sessions.holidays import day_warning
from incubator.sessions.models import SessionSeries, TrainingSession
from incubator.sessions.schemas import (
    Attendance,
    Registration,
    SessionCancellation,
    SessionChange,
    SessionSchedule,
)
from incubator.sessions.suggest import suggested_organizations
from tests.conftest import DEFAULT_PASSWORD, login

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(y, m, d, hh=14, mm=30):
    return datetime(y, m, d, hh, mm, tzinfo=SHANGHAI)


def monthly(town, db, **overrides):
    values = {
        "title": "财务管理工作坊",
        "topic": "记账与票据",
        "dimension": "finance",
        "trainer": "李老师",
        "place": "社区服务中心二楼",
        "capacity": 20,
        "starts_at": at(2026, 1, 31),
        "ends_at": at(2026, 1, 31, 16, 30),
        "organization_ids": [town["dance"].id, town["patrol"].id],
        "recurrence": {"freq": "monthly", "count": 6},
    }
    values.update(overrides)
    sessions = services.schedule_session(SessionSchedule(**values), actor=town["sw"])
    db.session.commit()
    return sessions


def local_days(sessions):
    return [s.starts_at.astimezone(SHANGHAI).date() for s in sessions]


def test_a_monthly_series_on_the_31st_falls_on_month_ends(town, db):
    sessions = monthly(town, db)
    assert local_days(sessions) == [
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 31),
        date(2026, 4, 30),
        date(2026, 5, 31),
        date(2026, 6, 30),
    ]
    # stored in UTC, shown in Shanghai: 14:30 there is 06:30 UTC
    assert sessions[0].starts_at.utcoffset().total_seconds() == 0
    assert sessions[0].starts_at.hour == 6 and sessions[0].starts_at.minute == 30
    assert len({s.series_id for s in sessions}) == 1
    assert [s.sequence for s in sessions] == [1, 2, 3, 4, 5, 6]
    assert db.session.get(SessionSeries, sessions[0].series_id).count == 6


def test_weekly_series(town, db):
    sessions = monthly(town, db, recurrence={"freq": "weekly", "count": 3})
    assert local_days(sessions) == [
        date(2026, 1, 31),
        date(2026, 2, 7),
        date(2026, 2, 14),
    ]


def test_move_one_occurrence_then_the_rest(town, db):
    sessions = monthly(town, db)
    april = sessions[3]
    services.update_session(
        april,
        SessionChange(
            version=april.version,
            scope="this",
            starts_at=at(2026, 4, 28, 9, 0),
            ends_at=at(2026, 4, 28, 11, 0),
        ),
        actor=town["sw"],
    )
    db.session.commit()
    assert april.detached and local_days([april]) == [date(2026, 4, 28)]
    # the rest of the series from March moves by one hour; April (moved alone) stays
    march = sessions[2]
    changed = services.update_session(
        march,
        SessionChange(
            version=march.version,
            scope="following",
            starts_at=at(2026, 3, 31, 15, 30),
            ends_at=at(2026, 3, 31, 17, 30),
            place="党群服务中心",
        ),
        actor=town["sw"],
    )
    db.session.commit()
    assert [s.sequence for s in changed] == [3, 5, 6]
    db.session.expire_all()
    hours = [s.starts_at.astimezone(SHANGHAI).strftime("%m-%d %H:%M") for s in sessions]
    assert hours == [
        "01-31 14:30",
        "02-28 14:30",
        "03-31 15:30",
        "04-28 09:00",
        "05-31 15:30",
        "06-30 15:30",
    ]
    assert [s.place for s in sessions][2:] == [
        "党群服务中心",
        "社区服务中心二楼",
        "党群服务中心",
        "党群服务中心",
    ]
    with pytest.raises(StaleRecord):
        services.update_session(
            march, SessionChange(version=1, scope="this", title="x"), actor=town["sw"]
        )


def test_cancel_one_or_the_rest(town, db):
    sessions = monthly(town, db)
    services.cancel_session(
        sessions[4], SessionCancellation(reason="场地维修"), actor=town["sw"]
    )
    services.cancel_session(
        sessions[2],
        SessionCancellation(reason="讲师调动", scope="following"),
        actor=town["sw"],
    )
    db.session.commit()
    assert [s.state for s in sessions] == [
        "scheduled",
        "scheduled",
        "cancelled",
        "cancelled",
        "cancelled",
        "cancelled",
    ]
    assert sessions[4].cancel_reason == "场地维修"


def test_registrations_stop_at_capacity(town, db):
    session = monthly(
        town,
        db,
        recurrence=None,
        starts_at=at(2026, 3, 10),
        ends_at=at(2026, 3, 10, 16),
        capacity=10,
    )[0]
    services.register(
        session,
        town["dance"],
        Registration(organization_id=town["dance"].id, count=7),
        actor=town["leader"],
    )
    db.session.commit()
    with pytest.raises(RuleViolation, match="3"):
        services.register(
            session,
            town["patrol"],
            Registration(organization_id=town["patrol"].id, count=4),
            actor=town["other"],
        )
    db.session.rollback()
    services.register(
        session,
        town["patrol"],
        Registration(organization_id=town["patrol"].id, count=3),
        actor=town["other"],
    )
    with pytest.raises(NotPermitted):
        services.register(
            session,
            town["dance"],
            Registration(organization_id=town["dance"].id, count=1),
            actor=town["other"],
        )
    with pytest.raises(NotPermitted):
        services.register(
            session,
            town["readers"],
            Registration(organization_id=town["readers"].id, count=1),
            actor=town["sw"],
        )
    db.session.commit()
    assert session.registered_total == 10


def test_attendance_and_feedback_make_it_held(town, db, frozen_time, make_volunteer):
    session = monthly(
        town,
        db,
        recurrence=None,
        starts_at=at(2026, 3, 5),
        ends_at=at(2026, 3, 5, 16),
        capacity=10,
    )[0]
    with pytest.raises(RuleViolation):
        services.record_attendance(
            session,
            Attendance(organization_id=town["dance"].id, attendees=3),
            actor=town["sw"],
        )
    frozen_time.move_to("2026-03-05 17:00+08:00")
    members = [make_volunteer(town["dance"], name=f"成员{i}") for i in range(3)]
    services.record_attendance(
        session,
        Attendance(
            organization_id=town["dance"].id, volunteer_ids=[m.id for m in members]
        ),
        actor=town["sw"],
    )
    services.record_attendance(
        session,
        Attendance(organization_id=town["patrol"].id, attendees=5),
        actor=town["sw"],
    )
    db.session.commit()
    with pytest.raises(RuleViolation, match="10"):
        services.record_attendance(
            session, Attendance(walk_ins=3, feedback_score="4.6"), actor=town["sw"]
        )
    db.session.rollback()
    db.session.refresh(session)
    services.record_attendance(
        session,
        Attendance(walk_ins=3, feedback_score="4.6", override=True),
        actor=town["sw"],
    )
    db.session.commit()
    assert (session.state, session.attendance_total) == ("held", 11)
    assert session.capacity_overridden and str(session.feedback_score) == "4.6"


def test_holidays_warn_and_missing_years_say_so(town, db):
    assert "法定" in day_warning(date(2026, 10, 1))
    assert "周末" in day_warning(date(2026, 3, 7))
    assert day_warning(date(2026, 2, 14)) is None  # a make-up working day (调休上班)
    assert day_warning(date(2026, 3, 2)) is None
    assert "2099" in day_warning(date(2099, 3, 2))


def test_suggested_organizations_have_it_as_weakest(town, db):
    assert [o.name for o in suggested_organizations("finance")] == ["舞蹈队"]
    assert suggested_organizations("governance") == []


def test_leaders_see_only_invited_sessions(town, db, client, make_org, make_user):
    monthly(town, db, recurrence=None, organization_ids=[town["dance"].id])
    monthly(
        town,
        db,
        recurrence=None,
        title="骨干领导力课",
        organization_ids=[town["patrol"].id],
    )
    login(client, "town_leader")
    page = client.get("/sessions?past=1").get_data(as_text=True)
    assert "财务管理工作坊" in page and "骨干领导力课" not in page
    other = db.session.scalar(
        select(TrainingSession).where(TrainingSession.title == "骨干领导力课")
    )
    assert client.get(f"/sessions/{other.id}").status_code == 404


def test_schedule_from_the_page_warns_on_a_holiday(town, db, client):
    login(client, "town_sw")
    form = client.get("/sessions/new?dimension=finance").get_data(as_text=True)
    assert "舞蹈队" in form and "checked" in form
    response = client.post(
        "/sessions/new",
        data={
            "title": "国庆志愿服务培训",
            "dimension": "",
            "day": "2026-10-01",
            "start_time": "09:00",
            "end_time": "11:00",
            "capacity": "30",
            "organization_ids": [str(town["dance"].id)],
            "freq": "",
        },
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "法定" in page
    assert db.session.scalar(select(TrainingSession.title)) == "国庆志愿服务培训"


def test_a_member_of_two_organizations_is_named_once(
    town, db, frozen_time, make_volunteer
):
    from incubator.errors import ValidationFailed
    from incubator.volunteers import services as volunteer_services

    session = monthly(
        town,
        db,
        recurrence=None,
        starts_at=at(2026, 3, 1, 8),
        ends_at=at(2026, 3, 1, 9),
    )[0]
    both = make_volunteer(town["dance"], name="两边都在")
    volunteer_services.add_membership(both, town["patrol"], actor=town["sw"])
    db.session.commit()
    services.record_attendance(
        session,
        Attendance(organization_id=town["dance"].id, volunteer_ids=[both.id]),
        actor=town["sw"],
    )
    with pytest.raises(ValidationFailed):
        services.record_attendance(
            session,
            Attendance(organization_id=town["patrol"].id, volunteer_ids=[both.id]),
            actor=town["sw"],
        )


def test_the_rest_of_a_monthly_series_keeps_its_days(town, db):
    sessions = monthly(town, db)
    services.update_session(
        sessions[0],
        SessionChange(
            version=sessions[0].version,
            scope="following",
            starts_at=at(2026, 1, 15),
            ends_at=at(2026, 1, 15, 16, 30),
        ),
        actor=town["sw"],
    )
    db.session.commit()
    assert local_days(sessions) == [date(2026, m, 15) for m in range(1, 7)]


def test_cancelling_the_rest_includes_moved_ones(town, db):
    sessions = monthly(town, db)
    services.update_session(
        sessions[3],
        SessionChange(version=sessions[3].version, starts_at=at(2026, 4, 20)),
        actor=town["sw"],
    )
    services.cancel_session(
        sessions[1],
        SessionCancellation(reason="停办", scope="following"),
        actor=town["sw"],
    )
    db.session.commit()
    assert [s.state for s in sessions].count("cancelled") == 5
    assert (
        sessions[3].ends_at - sessions[3].starts_at
        == sessions[0].ends_at - sessions[0].starts_at
    )  # a new start alone keeps the length


def test_capacity_cannot_drop_below_registrations(town, db):
    session = monthly(
        town,
        db,
        recurrence=None,
        starts_at=at(2026, 3, 10),
        ends_at=at(2026, 3, 10, 16),
    )[0]
    services.register(
        session,
        town["dance"],
        Registration(organization_id=town["dance"].id, count=9),
        actor=town["leader"],
    )
    db.session.commit()
    with pytest.raises(RuleViolation, match="9"):
        services.update_session(
            session,
            SessionChange(version=session.version, capacity=2),
            actor=town["sw"],
        )


def test_registration_closes_when_it_begins(town, db, frozen_time):
    session = monthly(
        town, db, recurrence=None, starts_at=at(2026, 3, 2), ends_at=at(2026, 3, 2, 16)
    )[0]
    frozen_time.move_to("2026-03-02 14:31+08:00")
    with pytest.raises(RuleViolation):
        services.register(
            session,
            town["dance"],
            Registration(organization_id=town["dance"].id, count=1),
            actor=town["leader"],
        )
    # the social worker may still enter a paper sign-up list
    services.register(
        session,
        town["dance"],
        Registration(organization_id=town["dance"].id, count=4),
        actor=town["sw"],
    )
    assert session.registered_total == 4


def test_a_headcount_replaces_named_members(town, db, frozen_time, make_volunteer):
    from incubator.sessions.models import SessionAttendee

    session = monthly(
        town,
        db,
        recurrence=None,
        starts_at=at(2026, 3, 1, 8),
        ends_at=at(2026, 3, 1, 9),
    )[0]
    members = [make_volunteer(town["dance"], name=f"队员{i}") for i in range(3)]
    services.record_attendance(
        session,
        Attendance(
            organization_id=town["dance"].id, volunteer_ids=[m.id for m in members]
        ),
        actor=town["sw"],
    )
    services.record_attendance(
        session,
        Attendance(organization_id=town["dance"].id, attendees=1),
        actor=town["sw"],
    )
    db.session.commit()
    assert db.session.scalars(select(SessionAttendee)).all() == []
    assert session.attendance_total == 1


def test_leaders_see_only_their_own_numbers(town, db, client):
    session = monthly(
        town,
        db,
        recurrence=None,
        starts_at=at(2026, 3, 10),
        ends_at=at(2026, 3, 10, 16),
    )[0]
    services.register(
        session,
        town["patrol"],
        Registration(organization_id=town["patrol"].id, count=7),
        actor=town["other"],
    )
    db.session.commit()
    login(client, "town_leader")
    page = client.get(f"/sessions/{session.id}").get_data(as_text=True)
    assert "巡逻队" not in page and "舞蹈队" in page
    token = client.post(
        "/api/v1/tokens",
        json={"username": "town_leader", "password": "correct-horse-9"},
    ).get_json()["token"]
    body = client.get(
        f"/api/v1/sessions/{session.id}", headers={"Authorization": f"Bearer {token}"}
    ).get_json()
    assert [i["organization_id"] for i in body["invites"]] == [town["dance"].id]


def test_tampered_attendance_and_cadence_forms(town, db, client, frozen_time):
    session = monthly(
        town,
        db,
        recurrence=None,
        starts_at=at(2026, 3, 1, 8),
        ends_at=at(2026, 3, 1, 9),
    )[0]
    login(client, "town_sw")
    org = town["dance"].id
    for value in ("²", "9" * 30, "-1"):
        response = client.post(
            f"/sessions/{session.id}/attendance",
            data={f"attendees-{org}": value, f"named-{org}": value},
        )
        assert response.status_code == 302
    admin = client.application.test_client()
    login(admin, "town_admin")
    assert admin.post(
        "/followups/cadence", data={"cadence-intake": "²"}
    ).status_code in (
        200,
        302,
    )


def test_attendance_from_the_page(town, db, client, frozen_time):
    session = monthly(
        town,
        db,
        recurrence=None,
        starts_at=at(2026, 3, 1, 8),
        ends_at=at(2026, 3, 1, 9),
        capacity=5,
    )[0]
    login(client, "town_sw")
    url = f"/sessions/{session.id}/attendance"
    dance, patrol = town["dance"].id, town["patrol"].id
    client.post(url, data={f"attendees-{dance}": "4", f"attendees-{patrol}": "2"})
    db.session.expire_all()
    assert session.state == "scheduled"  # 6 > 5, refused as a whole
    client.post(
        url,
        data={
            f"attendees-{dance}": "4",
            f"attendees-{patrol}": "2",
            "feedback_score": "4.5",
            "override": "y",
        },
    )
    db.session.expire_all()
    assert (session.state, session.attendance_total) == ("held", 6)
    assert str(session.feedback_score) == "4.5"


@pytest.mark.parametrize(
    "typed, message",
    [
        ("1E+2", "整数"),
        ("\u0661\u0662", "0 到 9"),
        ("十二", "0 到 9"),
        ("1500", "整数"),  # above any capacity: refused, not dropped
    ],
)
def test_a_headcount_the_page_cannot_read_is_refused_not_dropped(
    town, db, client, frozen_time, typed, message
):
    session = monthly(
        town,
        db,
        recurrence=None,
        starts_at=at(2026, 3, 1, 8),
        ends_at=at(2026, 3, 1, 9),
    )[0]
    login(client, "town_sw")
    response = client.post(
        f"/sessions/{session.id}/attendance",
        data={f"attendees-{town['dance'].id}": typed, "feedback_score": "4"},
        follow_redirects=True,
    )
    assert message in response.get_data(as_text=True)
    db.session.expire_all()
    assert (session.state, session.attendance_total) == ("scheduled", 0)


def test_a_full_width_headcount_is_read(town, db, client, frozen_time):
    session = monthly(
        town,
        db,
        recurrence=None,
        starts_at=at(2026, 3, 1, 8),
        ends_at=at(2026, 3, 1, 9),
    )[0]
    login(client, "town_sw")
    client.post(
        f"/sessions/{session.id}/attendance",
        data={f"attendees-{town['dance'].id}": "１２", "feedback_score": "4"},
    )
    db.session.expire_all()
    assert (session.state, session.attendance_total) == ("held", 12)


def test_a_session_ending_before_it_starts_is_refused_on_the_end_time(town, db, client):
    """09:00 to 08:00 is a slip: refused on the end-time field, nothing saved
    (a session lasts at most 12 hours, so none runs overnight)."""
    login(client, "town_sw")
    response = client.post(
        "/sessions/new",
        data={
            "title": "财务培训",
            "dimension": "",
            "day": "2026-03-10",
            "start_time": "09:00",
            "end_time": "08:00",
            "capacity": "30",
            "organization_ids": [str(town["dance"].id)],
            "freq": "",
        },
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    end_field = page[page.index('id="end_time"') :]
    assert end_field.index("课程结束时间须晚于开始时间") < end_field.index("</div>")
    assert db.session.scalar(select(TrainingSession.title)) is None


def test_holiday_warning_on_a_session_page_is_for_staff_only(
    town, db, client, make_user
):
    session = monthly(
        town,
        db,
        recurrence=None,
        starts_at=at(2026, 10, 1, 9),
        ends_at=at(2026, 10, 1, 11),
        organization_ids=[town["dance"].id],
    )[0]
    make_user("viewer", username="town_viewer", name="街道")
    db.session.commit()
    for username, sees in (
        ("town_sw", True),
        ("town_admin", True),
        ("town_leader", False),
        ("town_viewer", False),
    ):
        login(client, username)
        page = client.get(f"/sessions/{session.id}").get_data(as_text=True)
        assert "财务管理工作坊" in page, username
        assert ("法定节假日" in page) is sees, username
        client.post("/logout")


def test_holiday_warning_in_the_api_is_for_staff_only(town, db, client, make_user):
    """The API's ``day_warning`` follows the page: staff plan, others attend."""
    session = monthly(
        town,
        db,
        recurrence=None,
        starts_at=at(2026, 10, 1, 9),
        ends_at=at(2026, 10, 1, 11),
        organization_ids=[town["dance"].id],
    )[0]
    make_user("viewer", username="town_viewer", name="街道")
    db.session.commit()
    for username, sees in (
        ("town_sw", True),
        ("town_leader", False),
        ("town_viewer", False),
    ):
        token = client.post(
            "/api/v1/tokens",
            json={"username": username, "password": DEFAULT_PASSWORD},
        ).get_json()["token"]
        answer = client.get(
            f"/api/v1/sessions/{session.id}",
            headers={"Authorization": f"Bearer {token}"},
        ).get_json()
        assert answer["title"] == "财务管理工作坊", username
        assert (answer["day_warning"] is not None) is sees, username
