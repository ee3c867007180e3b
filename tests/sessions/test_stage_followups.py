"""A stage change and the open follow-ups (issue 16): an overdue follow-up stays
on the day it was due, only the ones still to come follow the new cadence, the
page says what was done; the stage form proposes the next stage, not 萌芽."""

import re
from datetime import date

from sqlalchemy import select

from incubator.followups import services
from incubator.followups.models import FollowUp
from incubator.followups.schemas import FollowUpPlan
from incubator.organizations import stages
from tests.conftest import login


def _cadence(org, kind, due, db):
    followup = services.schedule_followup(
        org,
        FollowUpPlan(organization_id=org.id, kind=kind, due_on=due),
        actor=None,
        origin="cadence",
    )
    db.session.commit()
    return followup


def _flashes(page: str) -> str:
    return " ".join(re.findall(r'<div class="alert[^"]*"[^>]*>(.*?)</div>', page, re.S))


def test_an_overdue_follow_up_keeps_its_day_and_the_page_says_so(town, db, client):
    org = town["dance"]
    overdue = _cadence(org, "phone", date(2026, 2, 21), db)  # today is 03-01
    coming = _cadence(org, "visit", date(2026, 3, 20), db)
    login(client, "town_sw")
    page = client.post(
        f"/organizations/{org.id}/stage",
        data={"to": "incubating"},
        follow_redirects=True,
    ).get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(FollowUp, overdue.id).due_on == date(2026, 2, 21)
    assert db.session.get(FollowUp, overdue.id).state == "open"
    # the one still to come follows 孵化's monthly cadence from today
    assert db.session.get(FollowUp, coming.id).due_on == date(2026, 4, 1)
    said = _flashes(page)
    assert "已按新阶段调整 1 项待办跟进。" in said
    assert "1 项逾期跟进保持不变。" in said


def test_the_reported_case_an_overdue_phone_call_alone_is_left_in_place(
    town, db, client
):
    org = town["dance"]
    stages.change_stage(org, "incubating", actor=town["sw"])
    db.session.commit()
    db.session.execute(FollowUp.__table__.delete())  # the one the change made
    db.session.commit()
    overdue = _cadence(org, "phone", date(2026, 2, 21), db)
    login(client, "town_sw")
    page = client.post(
        f"/organizations/{org.id}/stage",
        data={"to": "intake", "reason": "骨干流失"},
        follow_redirects=True,
    ).get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(FollowUp, overdue.id).due_on == date(2026, 2, 21)
    said = _flashes(page)
    assert "1 项逾期跟进保持不变。" in said and "调整" not in said
    # nothing new was scheduled beside it
    assert len(db.session.scalars(select(FollowUp)).all()) == 1


def test_a_stage_without_cadence_cancels_only_the_ones_still_to_come(town, db):
    org = town["dance"]
    overdue = _cadence(org, "phone", date(2026, 2, 21), db)
    coming = _cadence(org, "visit", date(2026, 3, 20), db)
    effects: list[str] = []
    stages.change_stage(org, "dormant", actor=town["sw"], effects=effects)
    db.session.commit()
    assert (overdue.state, coming.state) == ("open", "cancelled")
    assert effects == [
        "新阶段无需定期跟进，已取消 1 项待办跟进。 1 项逾期跟进保持不变。"
    ]


def test_with_none_open_the_page_says_when_the_new_one_is_due(town, db, client):
    org = town["dance"]
    login(client, "town_sw")
    page = client.post(
        f"/organizations/{org.id}/stage",
        data={"to": "incubating"},
        follow_redirects=True,
    ).get_data(as_text=True)
    said = _flashes(page)
    assert "阶段已变更为 孵化。" in said and "逾期" not in said
    # none was open: the new stage scheduled one and says when
    assert "已按新阶段安排下次跟进：2026-04-01。" in said


def _selected(page: str) -> str | None:
    form = page[page.index('name="to"') :]
    form = form[: form.index("</select>")]
    found = re.search(r'<option selected value="([^"]+)"', form)
    return found.group(1) if found else None


def test_the_stage_form_proposes_the_next_stage_not_intake(town, db, client):
    org = town["dance"]
    login(client, "town_sw")
    page = client.get(f"/organizations/{org.id}").get_data(as_text=True)
    assert _selected(page) == "incubating"  # 萌芽 → 孵化
    assert "当前阶段：萌芽" in page
    stages.change_stage(org, "incubating", actor=town["sw"])
    db.session.commit()
    page = client.get(f"/organizations/{org.id}").get_data(as_text=True)
    assert _selected(page) == "cultivating" and "当前阶段：孵化" in page
    stages.change_stage(org, "dormant", actor=town["sw"])
    db.session.commit()
    page = client.get(f"/organizations/{org.id}").get_data(as_text=True)
    assert _selected(page) == "incubating"  # back where it came from
