"""Follow-ups: completing one schedules the next by the stage cadence, a stage
change reschedules, overdue appears the day after the due date, nothing is
scheduled twice; my work and the cadence settings."""

from datetime import date

import pytest
from sqlalchemy import select

from incubator.errors import NotPermitted, RuleViolation
from incubator.followups import services
from incubator.followups.models import FollowUp
from incubator.followups.schemas import FollowUpCompletion, FollowUpPlan
from incubator.organizations import records, stages
from tests.conftest import login
from tests.sessions.conftest import WEAK_FINANCE


def visit(town, db, org=None, due=date(2026, 3, 10), kind_override=None, **kw):
    org = org or town["dance"]
    followup = services.schedule_followup(
        org,
        FollowUpPlan(organization_id=org.id, kind="visit", due_on=due, **kw),
        actor=town["sw"],
    )
    db.session.commit()
    return followup


def test_completing_schedules_the_next_by_cadence(town, db):
    first = visit(town, db)
    assert first.assignee_id == town["sw"].id  # the organization's social worker
    following = services.complete_followup(
        first,
        FollowUpCompletion(outcome="排练正常，新增两名骨干", done_on=date(2026, 3, 1)),
        actor=town["sw"],
    )
    db.session.commit()
    # 萌芽 (intake): monthly
    assert (following.due_on, following.kind, following.origin) == (
        date(2026, 4, 1),
        "visit",
        "cadence",
    )
    # a double tap: nothing twice
    with pytest.raises(Exception):  # noqa: B017  (RuleViolation: already closed)
        services.complete_followup(
            first, FollowUpCompletion(outcome="again"), actor=town["sw"]
        )
    db.session.rollback()
    assert len(db.session.scalars(select(FollowUp)).all()) == 2


def test_month_ends_and_quarterly_cadence(town, db):
    org = town["dance"]
    stages.change_stage(org, "incubating", actor=town["sw"])
    records.record_assessment(
        org, actor=town["sw"], assessed_on=date(2026, 3, 1), scores=WEAK_FINANCE
    )
    db.session.commit()
    services.save_cadence({"incubating": 3}, actor=town["admin"])
    db.session.commit()
    # the stage change scheduled one already; finish it on the 31st
    pending = db.session.scalar(select(FollowUp).where(FollowUp.state == "open"))
    pending.due_on = date(2026, 3, 31)
    db.session.commit()
    following = services.complete_followup(
        pending,
        FollowUpCompletion(outcome="ok", done_on=date(2026, 3, 1)),
        actor=town["sw"],
    )
    assert following.due_on == date(2026, 6, 1)
    assert services.add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert services.add_months(date(2026, 3, 31), 3) == date(2026, 6, 30)


def test_a_stage_change_reschedules_the_next(town, db):
    org = town["dance"]
    manual = visit(town, db, due=date(2026, 3, 3), kind_override=None)
    open_one = services.schedule_followup(
        org,
        FollowUpPlan(organization_id=org.id, kind="phone", due_on=date(2026, 3, 20)),
        actor=None,
        origin="cadence",
    )
    db.session.commit()
    stages.change_stage(org, "incubating", actor=town["sw"])
    db.session.commit()
    # incubating is monthly too: due a month from the change (2026-03-01)
    assert open_one.due_on == date(2026, 4, 1)
    records.record_assessment(
        org, actor=town["sw"], assessed_on=date(2026, 3, 1), scores=WEAK_FINANCE
    )
    stages.change_stage(org, "cultivating", actor=town["sw"])
    db.session.commit()
    assert open_one.due_on == date(2026, 5, 1)  # every two months
    assert manual.due_on == date(2026, 3, 3)  # made by hand: never moved
    stages.change_stage(org, "dormant", actor=town["sw"])
    db.session.commit()
    assert open_one.state == "cancelled" and manual.state == "open"
    assert len(db.session.scalars(select(FollowUp)).all()) == 2


def test_back_and_forth_on_one_day_still_leaves_one_open(town, db):
    org = town["dance"]
    stages.change_stage(org, "incubating", actor=town["sw"])
    stages.change_stage(org, "dormant", actor=town["sw"])
    stages.change_stage(org, "incubating", actor=town["sw"])
    db.session.commit()
    rows = db.session.scalars(select(FollowUp).order_by(FollowUp.id)).all()
    assert [r.state for r in rows] == ["cancelled", "open"]
    assert rows[1].due_on == date(2026, 4, 2)  # the next free day


def test_completing_when_the_social_worker_has_left(town, db):
    first = visit(town, db)
    town["sw"].active = False
    db.session.commit()
    following = services.complete_followup(
        first, FollowUpCompletion(outcome="交接后回访"), actor=town["sw2"]
    )
    assert following.assignee_id == town["sw2"].id


def test_a_stage_change_schedules_one_when_none_is_open(town, db):
    stages.change_stage(town["dance"], "incubating", actor=town["sw"])
    db.session.commit()
    made = db.session.scalars(select(FollowUp)).all()
    assert [(f.due_on, f.origin, f.assignee_id) for f in made] == [
        (date(2026, 4, 1), "stage", town["sw"].id)
    ]


def test_overdue_the_day_after_the_due_date(town, db, client, frozen_time):
    visit(town, db, due=date(2026, 3, 2))
    frozen_time.move_to("2026-03-02 23:59+08:00")
    login(client, "town_sw")
    page = client.get("/followups/mine").get_data(as_text=True)
    overdue = page[page.index('id="overdue"') : page.index('id="week"')]
    assert "舞蹈队" not in overdue
    frozen_time.move_to("2026-03-03 00:01+08:00")
    page = client.get("/followups/mine").get_data(as_text=True)
    overdue = page[page.index('id="overdue"') : page.index('id="week"')]
    assert "舞蹈队" in overdue


def test_the_same_slot_is_never_scheduled_twice(town, db):
    visit(town, db)
    with pytest.raises(RuleViolation):
        visit(town, db)
    db.session.rollback()
    again = services.schedule_followup(
        town["dance"],
        FollowUpPlan(
            organization_id=town["dance"].id, kind="visit", due_on=date(2026, 3, 10)
        ),
        actor=None,
        origin="cadence",
    )
    assert again.id == db.session.scalar(select(FollowUp.id))
    with pytest.raises(NotPermitted):
        services.schedule_followup(
            town["dance"],
            FollowUpPlan(
                organization_id=town["dance"].id, kind="phone", due_on=date(2026, 3, 9)
            ),
            actor=town["leader"],
        )


def test_complete_from_my_work(town, db, client):
    first = visit(town, db, due=date(2026, 2, 27))
    login(client, "town_sw")
    page = client.get("/followups/mine").get_data(as_text=True)
    assert "舞蹈队" in page
    response = client.post(
        f"/followups/{first.id}/complete",
        data={"outcome": "电话回访，活动照常", "version": first.version},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert first.state == "done" and first.outcome == "电话回访，活动照常"
    nxt = db.session.scalar(select(FollowUp).where(FollowUp.state == "open"))
    assert nxt.due_on == date(2026, 4, 1)


def test_scheduling_from_the_page(town, db, client):
    """The page's own form, filled as a social worker fills it, schedules the
    follow-up; a date outside 2000-2100 is refused in words, never a 500."""
    login(client, "town_sw")
    org = town["dance"]
    form = {"organization_id": org.id, "kind": "phone", "notes": "问问排练场地"}
    response = client.post("/followups/new", data={**form, "due_on": "2026-03-20"})
    assert response.status_code == 302
    saved = db.session.scalar(select(FollowUp).where(FollowUp.kind == "phone"))
    assert saved.due_on == date(2026, 3, 20) and saved.notes == "问问排练场地"
    page = client.post("/followups/new", data={**form, "due_on": "1999-12-31"})
    assert page.status_code == 200
    assert "请输入日期" in page.get_data(as_text=True)
    assert 'max="2100-12-31"' not in client.get("/followups/new").get_data(as_text=True)


def test_cadence_settings_page(town, db, client):
    login(client, "town_admin")
    assert client.get("/followups/cadence").status_code == 200
    client.post(
        "/followups/cadence",
        data={
            "cadence-intake": "2",
            "cadence-graduated": "",
            "cadence-cultivating": "x",
        },
    )
    assert services.cadence()["intake"] == 1  # "x" refused the whole form
    client.post("/followups/cadence", data={"cadence-intake": "2"})
    assert services.cadence()["intake"] == 2


def test_cadence_page_reads_full_width_months_like_every_form(town, db, client):
    login(client, "town_admin")
    client.post("/followups/cadence", data={"cadence-intake": "３"})
    assert services.cadence()["intake"] == 3
    for typed in ("\u0664", "1E+1"):
        page = client.post("/followups/cadence", data={"cadence-intake": typed})
        assert "1 到 24" in page.get_data(as_text=True)
        assert services.cadence()["intake"] == 3


def test_sessions_and_follow_ups_on_the_timeline(town, db, client, frozen_time):
    from incubator.sessions import services as sessions
    from incubator.sessions.schemas import Attendance
    from tests.sessions.test_sessions import at, monthly

    session = monthly(
        town,
        db,
        recurrence=None,
        starts_at=at(2026, 3, 1, 8),
        ends_at=at(2026, 3, 1, 9),
    )[0]
    sessions.record_attendance(
        session,
        Attendance(organization_id=town["dance"].id, attendees=3),
        actor=town["sw"],
    )
    first = visit(town, db, due=date(2026, 2, 27))
    services.complete_followup(
        first, FollowUpCompletion(outcome="上门了解排练场地"), actor=town["sw"]
    )
    db.session.commit()
    login(client, "town_sw")
    page = client.get(f"/organizations/{town['dance'].id}/timeline").get_data(
        as_text=True
    )
    assert "财务管理工作坊" in page and "3" in page
    assert "上门了解排练场地" in page
