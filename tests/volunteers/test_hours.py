"""Service hours by the recording rules: steps of 0.5, at most 24 a day,
corrections as new entries, totals and star levels."""

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from incubator.errors import RuleViolation, ValidationFailed
from incubator.volunteers import hours
from incubator.volunteers.models import ServiceRecord


@pytest.fixture
def member(make_org, make_volunteer):
    org = make_org("巡逻队")
    return make_volunteer(org), org


def test_hours_in_half_hour_steps_and_24_a_day(member, make_user, db, frozen_time):
    volunteer, org = member
    sw = make_user("social_worker")
    day = date(2026, 2, 10)
    for bad in ("0", "-1", "1.3", "24.5", "abc", "NaN", "1e30", "1e9999", "Infinity"):
        with pytest.raises(ValidationFailed):
            hours.record_service(
                volunteer, org, actor=sw, served_on=day, hours=bad, service="巡逻"
            )
    hours.record_service(
        volunteer, org, actor=sw, served_on=day, hours="20", service="巡逻"
    )
    hours.record_service(
        volunteer, org, actor=sw, served_on=day, hours="4", service="值班"
    )
    with pytest.raises(RuleViolation):
        hours.record_service(
            volunteer, org, actor=sw, served_on=day, hours="0.5", service="再来"
        )
    with pytest.raises(ValidationFailed):
        hours.record_service(
            volunteer,
            org,
            actor=sw,
            served_on=date(2026, 3, 2),
            hours="1",
            service="未来",
        )


def test_page_refuses_more_than_24_hours(frozen_time, sw_client, member):
    client, _sw = sw_client
    volunteer, org = member
    data = {"organization_id": org.id, "served_on": "2026-02-10", "service": "巡逻"}
    client.post(f"/volunteers/{volunteer.id}/hours", data={**data, "hours": "20"})
    response = client.post(
        f"/volunteers/{volunteer.id}/hours",
        data={**data, "hours": "5"},
        follow_redirects=True,
    )
    assert "一天最多 24 小时" in response.get_data(as_text=True)


def test_non_member_hours_are_refused(make_org, make_volunteer, make_user):
    org = make_org()
    volunteer = make_volunteer()  # in no organization
    with pytest.raises(RuleViolation):
        hours.record_service(
            volunteer,
            org,
            actor=make_user("admin"),
            served_on=date(2026, 1, 1),
            hours="1",
            service="x",
        )


def test_correction_keeps_both_entries_and_fixes_totals(client, api_token, member, db):
    volunteer, org = member
    headers = api_token("social_worker")
    created = client.post(
        "/api/v1/hours",
        json={
            "volunteer_id": volunteer.id,
            "organization_id": org.id,
            "served_on": "2026-01-05",
            "hours": "4",
            "service": "巡逻",
        },
        headers=headers,
    )
    assert created.status_code == 201
    entry = created.get_json()
    response = client.post(
        f"/api/v1/hours/{entry['id']}/corrections",
        json={"hours": "2.5"},
        headers=headers,
    )
    assert response.status_code == 422  # a reason is required
    response = client.post(
        f"/api/v1/hours/{entry['id']}/corrections",
        json={"hours": "2.5", "reason": "多记了往返时间"},
        headers=headers,
    )
    assert response.status_code == 201
    correction = response.get_json()
    assert correction["corrects_id"] == entry["id"] and correction["counted"]
    listed = client.get(
        f"/api/v1/hours?volunteer_id={volunteer.id}", headers=headers
    ).get_json()["items"]
    assert {(i["hours"], i["counted"]) for i in listed} == {
        ("4.0", False),
        ("2.5", True),
    }
    assert hours.total_hours([volunteer.id]) == {volunteer.id: Decimal("2.5")}
    again = client.post(
        f"/api/v1/hours/{entry['id']}/corrections",
        json={"hours": "1", "reason": "再改"},
        headers=headers,
    )
    assert again.status_code == 409  # correct the latest entry instead
    assert db.session.scalar(
        select(ServiceRecord).where(ServiceRecord.id == entry["id"])
    ).hours == Decimal("4.0")  # never edited


def test_star_levels():
    assert [
        hours.star_level(Decimal(h))
        for h in (0, 99.5, 100, 300, 599, 600, 1000, 1499.5, 1500, 9000)
    ] == [0, 0, 1, 2, 2, 3, 4, 4, 5, 5]
    progress = hours.star_progress(Decimal("250"))
    assert (progress.name, progress.next_name, progress.hours_to_next) == (
        "一星",
        "二星",
        Decimal("50"),
    )


def test_volunteer_page_shows_star_and_totals(frozen_time, sw_client, member, db):
    client, sw = sw_client
    volunteer, org = member
    for day in range(1, 11):
        hours.record_service(
            volunteer,
            org,
            actor=sw,
            served_on=date(2026, 2, day),
            hours="12",
            service="驻点服务",
        )
    db.session.commit()
    page = client.get(f"/volunteers/{volunteer.id}").get_data(as_text=True)
    assert "一星志愿者" in page and "累计 120.0 小时" in page
    assert "2026-02" in page
    roster = client.get(f"/volunteers/organization/{org.id}").get_data(as_text=True)
    assert "120.0" in roster


def test_leader_cannot_record_for_another_organization(
    client, make_user, make_org, make_volunteer
):
    leader = make_user("org_leader")
    other_org = make_org("别人的组织")
    volunteer = make_volunteer(other_org)
    token = client.post(
        "/api/v1/tokens",
        json={"username": leader.username, "password": "correct-horse-9"},
    ).get_json()["token"]
    response = client.post(
        "/api/v1/hours",
        json={
            "volunteer_id": volunteer.id,
            "organization_id": other_org.id,
            "served_on": "2026-01-05",
            "hours": "1",
            "service": "x",
        },
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 404


def test_huge_hours_are_422_not_500(client, api_token, member):
    volunteer, org = member
    response = client.post(
        "/api/v1/hours",
        json={
            "volunteer_id": volunteer.id,
            "organization_id": org.id,
            "served_on": "2026-01-05",
            "hours": "1e9999",
            "service": "巡逻",
        },
        headers=api_token("social_worker"),
    )
    assert response.status_code == 422


def test_no_hours_after_leaving_the_organization(
    make_org, make_volunteer, make_user, db
):
    org = make_org()
    volunteer = make_volunteer(org, joined_on=date(2025, 1, 1))
    sw = make_user("social_worker")
    from incubator.volunteers import services

    services.change_membership(
        volunteer.memberships[0], actor=sw, left_on=date(2026, 1, 10)
    )
    db.session.commit()
    hours.record_service(
        volunteer, org, actor=sw, served_on=date(2026, 1, 9), hours="1", service="x"
    )
    with pytest.raises(RuleViolation):
        hours.record_service(
            volunteer,
            org,
            actor=sw,
            served_on=date(2026, 1, 11),
            hours="1",
            service="x",
        )
