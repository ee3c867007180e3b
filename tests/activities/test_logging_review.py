"""Logging an activity from a phone, review, and what approval records."""

import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from incubator.activities import services
from incubator.activities.models import Activity
from incubator.activities.schemas import ActivityChange, ActivityLog, ActivityReview
from incubator.errors import ValidationFailed
from incubator.volunteers.hours import total_hours
from incubator.volunteers.models import ServiceRecord
from tests.conftest import login
from tests.images import png_bytes


def _form(team, **overrides):
    data = {
        "org": team["org"].id,
        "title": "重阳节文艺汇演",
        "held_on": "2026-02-10",
        "start_time": "14:00",
        "end_time": "16:30",
        "compound_id": "",
        "place": "活动室",
        "form": "community",
        "service_type": "self_org_service",
        "target_group": "elders",
        "person_times": "45",
        "summary": "演出 8 个节目",
        "submission_key": "k-" + overrides.pop("key", "1"),
    }
    for v in team["helpers"]:
        data[f"vol-{v.id}"] = "1"
        data[f"hours-{v.id}"] = "2.5"
    data.update(overrides)
    return data


def test_leader_logs_with_volunteers_and_photo(frozen_time, client, team, db):
    login(client, "team_leader")
    data = _form(team)
    data["photos"] = [(io.BytesIO(png_bytes()), "合影.png")]
    response = client.post(
        "/activities/new", data=data, content_type="multipart/form-data"
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    activity = db.session.scalar(select(Activity))
    assert (activity.review_state, activity.person_times) == ("pending", 45)
    assert [str(v.hours) for v in activity.volunteers] == ["2.5", "2.5"]
    assert len(activity.photos) == 1
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "待审核" in page and "王秀英" in page and "合影.png" in page
    # nothing counts before review
    assert db.session.scalar(select(func.count()).select_from(ServiceRecord)) == 0


def test_double_submit_makes_one_activity(frozen_time, client, team, db):
    login(client, "team_leader")
    data = _form(team, key="same")
    first = client.post("/activities/new", data=data)
    second = client.post("/activities/new", data=data)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert db.session.scalar(select(func.count()).select_from(Activity)) == 1


def test_return_fix_approve_records_hours(frozen_time, client, team, log, db):
    helpers = team["helpers"]
    activity = log(
        team["org"], team["leader"], volunteer_hours=[(v.id, "2") for v in helpers]
    )
    sw_client = client.application.test_client()
    login(sw_client, "team_sw")
    queue = sw_client.get("/activities/review").get_data(as_text=True)
    assert "周末排练" in queue
    response = sw_client.post(
        f"/activities/{activity.id}/review",
        data={"decision": "return", "reason": ""},
        follow_redirects=True,
    )
    assert "请说明需要修改的地方" in response.get_data(as_text=True) or "修改" in (
        response.get_data(as_text=True)
    )
    sw_client.post(
        f"/activities/{activity.id}/review",
        data={"decision": "return", "reason": "请补充服务人次的统计方式"},
    )
    db.session.expire_all()
    assert db.session.get(Activity, activity.id).review_state == "returned"
    login(client, "team_leader")
    page = client.get(f"/activities/{activity.id}").get_data(as_text=True)
    assert "请补充服务人次的统计方式" in page
    edit = {
        "title": "周末排练",
        "held_on": "2026-02-10",
        "start_time": "14:00",
        "end_time": "16:00",
        "place": "活动室",
        "form": "group",
        "service_type": "self_org_service",
        "target_group": "elders",
        "person_times": "22",
        "summary": "签到表统计 22 人次",
        "version": db.session.get(Activity, activity.id).version,
    }
    for v in helpers:
        edit[f"vol-{v.id}"], edit[f"hours-{v.id}"] = "1", "2"
    assert client.post(f"/activities/{activity.id}/edit", data=edit).status_code == 302
    db.session.expire_all()
    assert db.session.get(Activity, activity.id).review_state == "pending"
    sw_client.post(f"/activities/{activity.id}/review", data={"decision": "approve"})
    db.session.expire_all()
    approved = db.session.get(Activity, activity.id)
    assert approved.review_state == "approved"
    assert total_hours([v.id for v in helpers]) == {
        v.id: Decimal("2.0") for v in helpers
    }
    records = db.session.scalars(select(ServiceRecord)).all()
    assert {r.activity_id for r in records} == {activity.id}
    history = sw_client.get(f"/activities/{activity.id}").get_data(as_text=True)
    for step in ("已退回", "修改后重新提交", "已审核"):
        assert step in history
    timeline = sw_client.get(f"/organizations/{team['org'].id}/timeline").get_data(
        as_text=True
    )
    assert "活动已审核：周末排练" in timeline


def test_editing_an_approved_log_withdraws_its_hours(team, log, db):
    from incubator.volunteers.hours import correct_service

    helper = team["helpers"][0]
    activity = log(team["org"], team["leader"], volunteer_hours=[(helper.id, "2")])
    services.review_activity(
        activity, ActivityReview(decision="approve"), actor=team["sw"]
    )
    db.session.commit()
    assert total_hours([helper.id]) == {helper.id: Decimal("2.0")}
    # corrected meanwhile on the volunteer's page
    record = db.session.scalar(select(ServiceRecord))
    correct_service(record, actor=team["sw"], reason="少记半小时", hours="1.5")
    db.session.commit()
    assert total_hours([helper.id]) == {helper.id: Decimal("1.5")}
    services.update_activity(
        activity,
        ActivityChange(version=activity.version, person_times=25),
        actor=team["leader"],
    )
    db.session.commit()
    assert activity.review_state == "pending"
    assert total_hours([helper.id]) == {helper.id: Decimal("0.0")}
    services.review_activity(
        activity, ActivityReview(decision="approve"), actor=team["sw"]
    )
    db.session.commit()
    assert total_hours([helper.id]) == {helper.id: Decimal("2.0")}


def test_volunteer_hours_cannot_exceed_the_day_or_the_activity(frozen_time, team, log):
    helper = team["helpers"][0]
    with pytest.raises(ValidationFailed):  # a 2-hour activity
        log(team["org"], team["leader"], volunteer_hours=[(helper.id, "3")])
    for day in range(2):
        start = datetime(2026, 2, 11, 0, tzinfo=UTC) + timedelta(hours=11 * day)
        activity = log(
            team["org"],
            team["leader"],
            starts_at=start,
            ends_at=start + timedelta(hours=11),
            volunteer_hours=[(helper.id, "11")],
            overnight=True,  # the second runs 19:00 to 06:00 in Xiamen
        )
        services.review_activity(
            activity, ActivityReview(decision="approve"), actor=team["sw"]
        )
    with pytest.raises(ValidationFailed):  # 22 + 3 > 24 on that local day
        log(
            team["org"],
            team["leader"],
            starts_at=datetime(2026, 2, 11, 14, tzinfo=UTC),
            ends_at=datetime(2026, 2, 11, 17, tzinfo=UTC),
            volunteer_hours=[(helper.id, "3")],
            overnight=True,
        )


def test_a_social_worker_does_not_approve_their_own_log(team, log, make_user, db):
    from incubator.errors import RuleViolation

    activity = log(team["org"], team["sw"])
    with pytest.raises(RuleViolation):
        services.review_activity(
            activity, ActivityReview(decision="approve"), actor=team["sw"]
        )
    db.session.rollback()
    services.review_activity(
        activity, ActivityReview(decision="approve"), actor=make_user("admin")
    )


def test_a_photo_added_to_an_approved_log_sends_it_back(team, log, db):
    activity = log(team["org"], team["leader"])
    services.review_activity(
        activity, ActivityReview(decision="approve"), actor=team["sw"]
    )
    db.session.commit()
    services.add_photo(activity, png_bytes(), "补充.png", actor=team["leader"])
    db.session.commit()
    assert activity.review_state == "pending"


def test_two_identical_submissions_at_once_keep_one(team, db, monkeypatch):
    """The second of two racing submissions hits the unique key and gets the first
    activity back instead of an error."""
    fields = {
        "title": "并发",
        "form": "group",
        "service_type": "other",
        "target_group": "elders",
        "starts_at": datetime(2026, 2, 10, 6, tzinfo=UTC),
        "ends_at": datetime(2026, 2, 10, 7, tzinfo=UTC),
        "place": "x",
        "person_times": 1,
    }
    first = services.log_activity(
        team["org"],
        ActivityLog(organization_id=team["org"].id, submission_key="race", **fields),
        actor=team["leader"],
    )
    db.session.commit()
    first_id = first.id
    real_scalar = db.session.scalar
    calls = {"n": 0}

    def miss_the_first_lookup(statement, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            return None  # as if the other request had not committed yet
        return real_scalar(statement, *args, **kwargs)

    monkeypatch.setattr(db.session, "scalar", miss_the_first_lookup)
    second = services.log_activity(
        team["org"],
        ActivityLog(organization_id=team["org"].id, submission_key="race", **fields),
        actor=team["leader"],
    )
    monkeypatch.undo()
    db.session.commit()
    assert second.id == first_id
    assert db.session.scalar(select(func.count()).select_from(Activity)) == 1


def test_an_activity_may_cross_midnight(frozen_time, client, team, db):
    login(client, "team_leader")
    hours = {f"hours-{v.id}": "1" for v in team["helpers"]}
    data = _form(
        team, start_time="23:30", end_time="00:30", key="mid", overnight="y", **hours
    )
    response = client.post("/activities/new", data=data)
    assert response.status_code == 302
    activity = db.session.scalar(select(Activity))
    assert (activity.ends_at - activity.starts_at).total_seconds() == 3600
    assert str(activity.held_on) == "2026-02-10"


@pytest.mark.parametrize(
    "values, field",
    [
        ({"person_times": 100_000}, "person_times"),
        ({"person_times": -1}, "person_times"),
        ({"ends_at": datetime(2026, 2, 10, 5, 0, tzinfo=UTC)}, "ends_at"),
        (
            {
                "starts_at": datetime(2026, 3, 5, 5, 0, tzinfo=UTC),
                "ends_at": datetime(2026, 3, 5, 6, 0, tzinfo=UTC),
            },
            "starts_at",
        ),
        ({"title": ""}, "title"),
        ({"form": "party"}, "form"),
    ],
)
def test_bad_values_are_refused(frozen_time, team, log, values, field):
    with pytest.raises(ValidationFailed) as refused:
        log(team["org"], team["leader"], **values)
    assert refused.value.field == field


def test_volunteer_hours_are_bounded_and_from_the_roster(
    frozen_time, team, log, make_volunteer
):
    helper = team["helpers"][0]
    with pytest.raises(ValidationFailed):
        log(team["org"], team["leader"], volunteer_hours=[(helper.id, "30")])
    stranger = make_volunteer(name="外人")
    with pytest.raises(ValidationFailed):
        log(team["org"], team["leader"], volunteer_hours=[(stranger.id, "1")])


def test_page_says_clearly_what_is_missing(frozen_time, client, team):
    login(client, "team_leader")
    response = client.post(
        "/activities/new", data=_form(team, person_times="100000", title="")
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "必填" in page and "服务人次" in page


@pytest.mark.parametrize("key", ["vol-abc", "vol-", "vol-" + "9" * 30])
def test_a_tampered_volunteer_box_shows_the_form_again_not_a_500(
    frozen_time, client, team, key
):
    login(client, "team_leader")
    data = _form(team, title="")
    data[key] = "1"
    response = client.post("/activities/new", data=data)
    assert response.status_code == 200
    assert "必填" in response.get_data(as_text=True)


def test_another_leader_cannot_see_the_activity_or_its_photos(
    client, team, log, make_user, make_org, db
):
    activity = log(team["org"], team["leader"])
    photo = services.add_photo(activity, png_bytes(), "a.png", actor=team["leader"])
    db.session.commit()
    other = make_user("org_leader", username="other_leader")
    make_org("别的组织", leader=other)
    login(client, "other_leader")
    assert client.get(f"/activities/{activity.id}").status_code == 404
    assert client.get(f"/activities/photos/{photo.id}").status_code == 404
    assert client.get(f"/activities/photos/{photo.id}?size=thumb").status_code == 404
    assert "周末排练" not in client.get("/activities").get_data(as_text=True)


def test_api_log_and_review(frozen_time, client, team, api_token, db):
    leader_token = client.post(
        "/api/v1/tokens",
        json={"username": "team_leader", "password": "correct-horse-9"},
    ).get_json()["token"]
    headers = {"Authorization": f"Bearer {leader_token}"}
    body = {
        "organization_id": team["org"].id,
        "title": "义诊",
        "form": "community",
        "service_type": "science",
        "target_group": "elders",
        "starts_at": "2026-02-20T09:00:00+08:00",
        "ends_at": "2026-02-20T11:00:00+08:00",
        "place": "活动中心",
        "person_times": 60,
        "submission_key": "api-1",
        "volunteer_hours": [{"volunteer_id": team["helpers"][0].id, "hours": "2"}],
    }
    first = client.post("/api/v1/activities", json=body, headers=headers)
    again = client.post("/api/v1/activities", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.get_json()["id"] == again.get_json()["id"]
    activity_id = first.get_json()["id"]
    assert first.get_json()["review_state_label"] == "待审核"
    refused = client.post(
        f"/api/v1/activities/{activity_id}/review",
        json={"decision": "approve"},
        headers=headers,
    )
    assert refused.status_code == 403
    sw_headers = {
        "Authorization": "Bearer "
        + client.post(
            "/api/v1/tokens",
            json={"username": "team_sw", "password": "correct-horse-9"},
        ).get_json()["token"]
    }
    ok = client.post(
        f"/api/v1/activities/{activity_id}/review",
        json={"decision": "approve"},
        headers=sw_headers,
    )
    assert ok.status_code == 200 and ok.get_json()["review_state"] == "approved"
    twice = client.post(
        f"/api/v1/activities/{activity_id}/review",
        json={"decision": "approve"},
        headers=sw_headers,
    )
    assert twice.status_code == 409
    bad = dict(body, submission_key="api-2", person_times=100_000)
    assert (
        client.post("/api/v1/activities", json=bad, headers=headers).status_code == 422
    )


def test_a_tampered_review_decision_is_named(frozen_time, client, team, log, db):
    """A decision that is neither button is refused in the review's own words, and
    the log stays waiting."""
    activity = log(team["org"], team["leader"])
    login(client, "team_sw")
    page = client.post(
        f"/activities/{activity.id}/review",
        data={"decision": "maybe"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "审核结果须为通过或退回" in page
    db.session.expire_all()
    assert db.session.get(Activity, activity.id).review_state == "pending"
