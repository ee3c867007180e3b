"""An end time before the start time is a slip, not a 23-hour activity: it is
refused unless the logger says the activity runs past midnight, and then it lasts
at most 24 hours (issue 13). Pages, the API and the service agree."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from incubator.activities import services
from incubator.activities.models import Activity
from incubator.activities.schemas import ActivityChange
from incubator.errors import ValidationFailed
from tests.conftest import login
from tests.page_forms import form_values


def _page_form(team, **overrides):
    data = {
        "org": team["org"].id,
        "title": "重阳节文艺汇演",
        "held_on": "2026-02-10",
        "start_time": "09:00",
        "end_time": "08:00",
        "compound_id": "",
        "place": "活动室",
        "form": "community",
        "service_type": "self_org_service",
        "target_group": "elders",
        "person_times": "45",
        "submission_key": "k-overnight",
    }
    data.update(overrides)
    return data


def _count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Activity))


def _end_time_errors(page: str) -> str:
    start = page.index('id="end_time"')
    return page[start : page.index("</div>\n", page.index("invalid-feedback", start))]


def test_page_refuses_an_end_before_the_start_on_the_end_time_field(
    frozen_time, client, team, db
):
    login(client, "team_leader")
    response = client.post("/activities/new", data=_page_form(team))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "结束时间早于开始时间" in _end_time_errors(page)
    assert "跨过午夜" in page  # the box to tick is named
    assert _count(db) == 0


@pytest.mark.parametrize(
    "start, end, hours",
    [("09:00", "08:00", 23), ("23:30", "00:30", 1), ("20:00", "20:00", 24)],
)
def test_page_saves_an_overnight_activity_when_ticked(
    frozen_time, client, team, db, start, end, hours
):
    login(client, "team_leader")
    data = _page_form(team, start_time=start, end_time=end, overnight="y")
    assert client.post("/activities/new", data=data).status_code == 302
    activity = db.session.scalar(select(Activity))
    assert (activity.ends_at - activity.starts_at).total_seconds() == hours * 3600
    assert str(activity.held_on) == "2026-02-10"


def test_page_caps_a_ticked_overnight_activity_at_24_hours(
    frozen_time, client, team, db
):
    login(client, "team_leader")
    data = _page_form(team, start_time="09:00", end_time="10:00", overnight="y")
    response = client.post("/activities/new", data=data)
    assert response.status_code == 200
    assert "24 小时" in _end_time_errors(response.get_data(as_text=True))
    assert _count(db) == 0


def test_edit_page_keeps_the_overnight_box_of_an_overnight_activity(
    frozen_time, client, team, db, log
):
    activity = log(
        team["org"],
        team["leader"],
        starts_at=datetime(2026, 2, 10, 15, 0, tzinfo=UTC),  # 23:00 in Xiamen
        ends_at=datetime(2026, 2, 10, 17, 0, tzinfo=UTC),  # 01:00 the next day
        overnight=True,
    )
    login(client, "team_leader")
    url = f"/activities/{activity.id}/edit"
    data = form_values(client.get(url).get_data(as_text=True))
    assert data.get("overnight") == "y"
    data["summary"] = "通宵守岁"
    assert client.post(url, data=data).status_code == 302
    db.session.expire_all()
    saved = db.session.get(Activity, activity.id)
    assert saved.summary == "通宵守岁"
    assert (saved.ends_at - saved.starts_at).total_seconds() == 2 * 3600
    # unticking it is the 23:00 -> 01:00 slip again
    data.pop("overnight")
    data["version"] = str(saved.version)
    response = client.post(url, data=data)
    assert response.status_code == 200
    assert "结束时间早于开始时间" in _end_time_errors(response.get_data(as_text=True))


def _api_body(team, **overrides):
    body = {
        "organization_id": team["org"].id,
        "title": "守岁",
        "form": "community",
        "service_type": "self_org_service",
        "target_group": "elders",
        "starts_at": "2026-02-10T09:00:00+08:00",
        "ends_at": "2026-02-11T08:00:00+08:00",
        "place": "活动中心",
        "person_times": 30,
    }
    body.update(overrides)
    return body


@pytest.mark.parametrize(
    "overrides",
    [
        {},  # the next day without saying so
        {"ends_at": "2026-02-10T08:00:00+08:00"},  # before the start
        {"overnight": True, "ends_at": "2026-02-11T09:30:00+08:00"},  # 24.5 hours
        {"overnight": "true"},  # a string is not a yes
        {"overnight": 1},
    ],
)
def test_api_refuses_a_next_day_end_unless_overnight(
    frozen_time, client, team, api_token, db, overrides
):
    headers = api_token("social_worker", username="api_sw")
    response = client.post(
        "/api/v1/activities", json=_api_body(team, **overrides), headers=headers
    )
    assert response.status_code == 422, response.get_json()
    fields = response.get_json()["error"]["fields"]
    assert set(fields) & {"ends_at", "overnight"}
    assert _count(db) == 0


def test_api_takes_an_overnight_activity_up_to_24_hours(
    frozen_time, client, team, api_token, db
):
    headers = api_token("social_worker", username="api_sw")
    response = client.post(
        "/api/v1/activities", json=_api_body(team, overnight=True), headers=headers
    )
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["overnight"] is True
    activity = db.session.scalar(select(Activity))
    assert (activity.ends_at - activity.starts_at).total_seconds() == 23 * 3600


def test_the_service_says_which_field(frozen_time, team, log):
    with pytest.raises(ValidationFailed) as refused:
        log(
            team["org"],
            team["leader"],
            starts_at=datetime(2026, 2, 10, 1, 0, tzinfo=UTC),  # 09:00 in Xiamen
            ends_at=datetime(2026, 2, 11, 0, 0, tzinfo=UTC),  # 08:00 the next day
        )
    assert refused.value.field == "ends_at"


def test_changing_other_fields_keeps_an_overnight_activity_valid(
    frozen_time, team, log, db
):
    activity = log(
        team["org"],
        team["leader"],
        starts_at=datetime(2026, 2, 10, 15, 0, tzinfo=UTC),
        ends_at=datetime(2026, 2, 10, 17, 0, tzinfo=UTC),
        overnight=True,
    )
    services.update_activity(
        activity,
        ActivityChange(version=activity.version, summary="补充照片"),
        actor=team["leader"],
    )
    db.session.commit()
    assert activity.summary == "补充照片"
    # moving its end without saying overnight again is checked afresh
    with pytest.raises(ValidationFailed):
        services.update_activity(
            activity,
            ActivityChange(
                version=activity.version,
                ends_at=datetime(2026, 2, 10, 18, 0, tzinfo=UTC),
            ),
            actor=team["leader"],
        )
