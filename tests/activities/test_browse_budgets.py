"""Browsing activities, the calendar, the queue and the ledger: filters work and the
query count stays flat with the number of activities and photos."""

from datetime import UTC, date, datetime, timedelta

import pytest

from incubator.activities import services
from incubator.activities.schemas import ActivityLog, ActivityReview, ResourceEntry
from incubator.organizations.stages import graduation_failures
from tests.conftest import login
from tests.images import png_bytes


@pytest.fixture
def grow(team, db):
    state = {"n": 0}

    def to(n):
        while state["n"] < n:
            state["n"] += 1
            start = datetime(2026, 2, 1, 2, tzinfo=UTC) + timedelta(hours=state["n"])
            activity = services.log_activity(
                team["org"],
                ActivityLog(
                    organization_id=team["org"].id,
                    title=f"活动{state['n']}",
                    form="group",
                    service_type="self_org_service",
                    target_group="elders",
                    starts_at=start,
                    ends_at=start + timedelta(hours=1),
                    overnight=True,
                    place="活动室",
                    person_times=10,
                    volunteer_hours=[
                        {"volunteer_id": v, "hours": h}
                        for v, h in [(v.id, "0.5") for v in team["helpers"]]
                    ],
                ),
                actor=team["leader"],
            )
            services.add_photo(activity, png_bytes(), "p.png", actor=team["leader"])
            services.record_resource(
                ResourceEntry(
                    partner=f"伙伴{state['n']}",
                    kind="goods",
                    value="10.00",
                    received_on=date(2026, 2, 1),
                ),
                actor=team["sw"],
                organization=team["org"],
                activity=activity,
            )
            db.session.commit()

    return to


@pytest.mark.parametrize(
    "url",
    [
        "/activities",
        "/activities/calendar?month=2026-02",
        "/activities/review",
        "/activities/export.xlsx",
        "/resources",
        "/api/v1/activities",
    ],
)
def test_pages_are_flat_from_5_to_50(
    frozen_time, client, team, grow, assert_constant_queries, url
):
    login(client, "team_sw")
    headers = {}
    if url.startswith("/api"):
        token = client.post(
            "/api/v1/tokens",
            json={"username": "team_sw", "password": "correct-horse-9"},
        ).get_json()["token"]
        headers = {"Authorization": f"Bearer {token}"}
    grow(5)
    assert_constant_queries(url, lambda: grow(50), headers=headers, budget=14)


def test_filters_and_calendar(frozen_time, client, team, log):
    log(team["org"], team["leader"], title="小组活动甲", form="group")
    log(
        team["org"],
        team["leader"],
        title="社区活动乙",
        form="community",
        target_group="children",
    )
    login(client, "team_sw")
    page = client.get("/activities?form=community").get_data(as_text=True)
    assert "社区活动乙" in page and "小组活动甲" not in page
    page = client.get("/activities?target_group=children").get_data(as_text=True)
    assert "社区活动乙" in page and "小组活动甲" not in page
    page = client.get("/activities?month=2026-01").get_data(as_text=True)
    assert "社区活动乙" not in page
    calendar = client.get("/activities/calendar?month=2026-02").get_data(as_text=True)
    assert "小组活动甲" in calendar and "社区活动乙" in calendar


def test_approved_activities_count_toward_graduation(frozen_time, team, log, db):
    org = team["org"]
    for i in range(6):
        activity = log(
            org,
            team["leader"],
            title=f"第{i}次",
            starts_at=datetime(2026, 1, 1 + i, 2, tzinfo=UTC),
            ends_at=datetime(2026, 1, 1 + i, 3, tzinfo=UTC),
        )
        if i < 5:
            services.review_activity(
                activity, ActivityReview(decision="approve"), actor=team["sw"]
            )
    db.session.commit()
    assert any("登记活动 5 次" in f for f in graduation_failures(org))
    services.review_activity(
        activity, ActivityReview(decision="approve"), actor=team["sw"]
    )
    db.session.commit()
    assert not any("登记活动" in f for f in graduation_failures(org))


def test_caseload_shows_the_last_approved_activity(frozen_time, client, team, log, db):
    activity = log(team["org"], team["leader"])
    login(client, "team_sw")
    page = client.get("/organizations/caseload").get_data(as_text=True)
    assert "2026年2月10日" not in page  # waiting for review: does not count yet
    services.review_activity(
        activity, ActivityReview(decision="approve"), actor=team["sw"]
    )
    db.session.commit()
    page = client.get("/organizations/caseload").get_data(as_text=True)
    assert "2026年2月10日" in page


def test_a_leaders_exports_and_ledger_hold_only_their_organization(
    client, team, log, make_user, make_org, db
):
    from io import BytesIO

    from openpyxl import load_workbook

    other = make_user("org_leader", username="other_leader")
    other_org = make_org("别的组织", leader=other)
    log(team["org"], team["leader"], title="本组织的活动")
    log(other_org, other, title="别人的活动")
    services.record_resource(
        ResourceEntry(
            partner="别人的伙伴",
            kind="money",
            value="50.00",
            received_on=date(2026, 1, 5),
        ),
        actor=team["sw"],
        organization=other_org,
    )
    db.session.commit()
    login(client, "team_leader")
    for url in ("/activities/export.xlsx", "/resources/export.xlsx"):
        sheet = load_workbook(BytesIO(client.get(url).data)).active
        text = " ".join(str(c.value) for row in sheet.iter_rows() for c in row)
        assert "别人的" not in text, url
    sheet = load_workbook(BytesIO(client.get("/activities/export.xlsx").data)).active
    assert "本组织的活动" in " ".join(
        str(c.value) for row in sheet.iter_rows() for c in row
    )
    assert "别人的伙伴" not in client.get("/resources").get_data(as_text=True)
    calendar = client.get("/activities/calendar?month=2026-02").get_data(as_text=True)
    assert "别人的活动" not in calendar and "本组织的活动" in calendar
