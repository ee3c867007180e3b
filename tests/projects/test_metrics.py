"""The shared counting functions against sums computed by hand on fixed data:
only reviewed activities count, a log sent back for review drops out at once,
money to the fen; the API answers the same figures."""

from datetime import UTC, date, datetime
from decimal import Decimal

from incubator.activities import services as activity_services
from incubator.activities.schemas import ActivityChange, ActivityReview, ResourceEntry
from incubator.organizations import records, stages
from incubator.periods import month_range
from incubator.projects import metrics
from incubator.volunteers import hours as hours_service
from tests.sessions.conftest import WEAK_FINANCE

FEB = month_range("2026-02")


def _at(day, hour=9):
    return datetime(2026, 2, day, hour - 8, tzinfo=UTC)


def test_february_by_hand(
    frozen_time, team, make_org, make_user, log, db, api_token, client
):
    sw, leader, org = team["sw"], team["leader"], team["org"]
    org.created_at = datetime(2026, 2, 3, tzinfo=UTC)
    one = log(
        org,
        leader,
        title="小组",
        form="group",
        service_type="public_class",
        target_group="elders",
        person_times=30,
        starts_at=_at(10),
        ends_at=_at(10, 12),
        volunteer_hours=[(v.id, "2.5") for v in team["helpers"]],
    )
    two = log(
        org,
        leader,
        title="社区",
        form="community",
        service_type="self_org_service",
        target_group="children",
        person_times=45,
        starts_at=_at(12),
        ends_at=_at(12, 11),
    )
    log(
        org,
        leader,
        title="待审",
        form="community",
        person_times=100,
        starts_at=_at(14),
        ends_at=_at(14, 10),
    )
    back = log(
        org,
        leader,
        title="改过",
        form="group",
        person_times=7,
        starts_at=_at(16),
        ends_at=_at(16, 10),
    )
    for activity in (one, two, back):
        activity_services.review_activity(
            activity, ActivityReview(decision="approve"), actor=sw
        )
    db.session.commit()
    # a change sends an approved log back for review: it drops out at once
    activity_services.update_activity(
        back, ActivityChange(version=back.version, person_times=8), actor=leader
    )
    hours_service.record_service(
        team["helpers"][0],
        org,
        actor=sw,
        served_on=date(2026, 2, 20),
        hours="1.5",
        service="值班",
    )
    for value, day in (("1200.50", 5), ("99.99", 28)):
        activity_services.record_resource(
            ResourceEntry(
                partner="超市",
                kind="goods",
                value=value,
                received_on=date(2026, 2, day),
            ),
            actor=sw,
            organization=org,
        )
    activity_services.record_resource(
        ResourceEntry(
            partner="银行", kind="money", value="500", received_on=date(2026, 1, 9)
        ),
        actor=sw,
    )
    # stages: one organization moves into 孵化 in February, one was there before
    records.record_assessment(
        org, actor=sw, assessed_on=date(2026, 2, 1), scores=WEAK_FINANCE
    )
    db.session.commit()
    frozen_time.move_to("2026-02-15 10:00+08:00")
    stages.change_stage(org, "incubating", actor=sw)
    earlier = make_org("老组织", social_worker=sw)
    earlier.created_at = datetime(2025, 12, 1, tzinfo=UTC)
    records.record_assessment(
        earlier, actor=sw, assessed_on=date(2026, 1, 2), scores=WEAK_FINANCE
    )
    frozen_time.move_to("2026-01-20 10:00+08:00")
    stages.change_stage(earlier, "incubating", actor=sw)
    frozen_time.move_to("2026-03-01 09:00+08:00")
    never = make_org("萌芽组织")
    never.created_at = datetime(2026, 3, 1, tzinfo=UTC)
    db.session.commit()

    assert metrics.activities(FEB) == 2
    assert metrics.person_times(FEB) == 30 + 45
    assert metrics.group_activities(FEB) == 1
    assert metrics.community_activities(FEB) == 1
    assert metrics.by_form(FEB)["group"] == 1 and metrics.by_form(FEB)["meeting"] == 0
    assert metrics.by_target_group(FEB)["elders"] == 1
    assert len(metrics.by_service_type(FEB)) == 13
    assert metrics.volunteer_hours(FEB) == Decimal("6.5")  # 2.5 + 2.5 + 1.5
    assert metrics.resources_value(FEB) == Decimal("1300.49")
    assert metrics.orgs_incubated(FEB) == 2
    assert metrics.organizations_new(FEB) == 1
    assert metrics.stage_moves(FEB) == 1

    response = client.get(
        "/api/v1/reports/monthly?month=2026-02", headers=api_token("viewer")
    )
    body = response.get_json()
    assert response.status_code == 200, body
    assert body["activities"]["total"] == 2 and body["person_times"] == 75
    assert (body["volunteer_hours"], body["resources_value"]) == ("6.5", "1300.49")
    assert body["activities"]["by_form"]["community"] == 1
    assert set(body["activities"]["by_service_type"]) == {
        "public_class",
        "self_org_service",
        "science",
        "academy",
        "party_training",
        "capacity",
        "meeting_reception",
        "visit_reception",
        "routine_training",
        "resource_sharing",
        "online_consulting",
        "case_use",
        "other",
    }
    assert body["organizations"] == {"new": 1, "stage_moves": 1}
    bad = client.get(
        "/api/v1/reports/monthly?month=2026-13", headers=api_token("viewer")
    )
    assert bad.status_code == 422
    leader_token = api_token("org_leader")
    assert (
        client.get(
            "/api/v1/reports/monthly?month=2026-02", headers=leader_token
        ).status_code
        == 403
    )


def test_targets_are_checked(frozen_time, make_user, db, make_project):
    import pytest

    from incubator.errors import ValidationFailed
    from incubator.projects import services as projects

    admin = make_user("admin")
    project = make_project(admin)
    for bad in ("1e-999999999", "0", "-1", "1.5", "abc", 1.0, True, "99999999999"):
        with pytest.raises(ValidationFailed):
            projects.add_indicator(
                project, actor=admin, metric="person_times", target=bad
            )
    projects.add_indicator(project, actor=admin, metric="volunteer_hours", target="2.5")
    projects.add_indicator(
        project, actor=admin, metric="resources_value", target="0.01"
    )
    assert [str(i.target) for i in project.indicators] == ["2.5", "0.01"]


def test_archived_organizations_and_unreviewed_resources_drop_out(
    frozen_time, team, make_org, log, db
):
    from incubator.organizations import services as org_services

    sw = team["sw"]
    gone = make_org("解散的组织", social_worker=sw)
    records.record_assessment(
        gone, actor=sw, assessed_on=date(2026, 1, 2), scores=WEAK_FINANCE
    )
    frozen_time.move_to("2026-01-05 10:00+08:00")
    stages.change_stage(gone, "incubating", actor=sw)
    org_services.archive_organization(gone, actor=sw)
    frozen_time.move_to("2026-03-01 09:00+08:00")
    db.session.commit()
    assert metrics.orgs_incubated(FEB) == 0
    assert metrics.orgs_incubated(month_range("2026-01")) == 1
    pending = log(team["org"], team["leader"])
    activity_services.record_resource(
        ResourceEntry(
            partner="商户", kind="goods", value="500", received_on=date(2026, 2, 10)
        ),
        actor=team["leader"],
        organization=team["org"],
        activity=pending,
    )
    db.session.commit()
    assert metrics.resources_value(FEB) == Decimal("0.00")
    activity_services.review_activity(
        pending, ActivityReview(decision="approve"), actor=sw
    )
    db.session.commit()
    assert metrics.resources_value(FEB) == Decimal("500.00")


def test_target_inputs_show_plain_numbers(
    frozen_time, client, login_as, make_project, community
):
    """A target of 3000 is shown as 3000 for editing, never as 3E+3."""
    admin = login_as("admin")
    project = make_project(
        admin, {"person_times": 3000, "group_activities": 10, "volunteer_hours": "2.5"}
    )
    page = client.get(f"/reports/projects/{project.id}").get_data(as_text=True)
    assert 'value="3000"' in page and 'value="10"' in page and 'value="2.5"' in page
    assert "E+" not in page
