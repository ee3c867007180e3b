"""An organization that moves to another community (a boundary change) takes its
future figures along and leaves its past ones where they were made."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from incubator.community.models import Community, Compound
from incubator.followups.models import FollowUp
from incubator.organizations import services
from incubator.organizations.models import Organization
from incubator.organizations.schemas import OrganizationChange

API = "/api/v1"


@pytest.fixture
def other(db, community):
    place = Community(name="对岸社区", district="思明区", city="厦门市")
    db.session.add_all([place, Compound(community=place, name="对岸小区")])
    db.session.commit()
    return place


def test_admin_moves_an_organization_and_only_open_followups_follow(
    db, make_user, make_org, other, community
):
    admin = make_user("admin")
    sw = make_user("social_worker")
    org = make_org("搬家舞蹈队", social_worker=sw)
    done = FollowUp(
        organization_id=org.id,
        kind="phone",
        due_on=date(2026, 1, 5),
        state="done",
        done_on=date(2026, 1, 6),
    )
    open_one = FollowUp(organization_id=org.id, kind="visit", due_on=date(2026, 12, 5))
    db.session.add_all([done, open_one])
    db.session.commit()
    assert done.community_id == open_one.community_id == community.id

    services.update_organization(
        org, OrganizationChange(version=org.version, community_id=other.id), actor=admin
    )
    db.session.commit()
    assert org.community_id == other.id
    assert org.compound_id is None  # its old compound lies in the old community
    db.session.refresh(done)
    db.session.refresh(open_one)
    assert done.community_id == community.id
    assert open_one.community_id == other.id


def test_only_admins_move_and_only_to_open_communities(
    client, api_token, make_user, make_org, other, db
):
    org = make_org("不许搬的队")
    sw = api_token("social_worker")
    body = {"version": org.version, "community_id": other.id}
    refused = client.patch(f"{API}/organizations/{org.id}", json=body, headers=sw)
    assert refused.status_code == 403
    admin = api_token("admin")
    unknown = client.patch(
        f"{API}/organizations/{org.id}",
        json={"version": org.version, "community_id": 99999},
        headers=admin,
    )
    assert unknown.status_code == 422
    assert "community_id" in unknown.get_json()["error"]["fields"]
    db.session.refresh(org)
    assert org.community.name == "测试社区"
    moved = client.patch(f"{API}/organizations/{org.id}", json=body, headers=admin)
    assert moved.status_code == 200, moved.get_json()
    db.session.refresh(org)
    assert org.community_id == other.id


def test_new_organization_page_asks_for_the_community_when_there_are_several(
    client, login_as, other, db
):
    login_as("admin")
    page = client.get("/organizations/new").get_data(as_text=True)
    assert 'name="community_id"' in page and "对岸社区" in page
    response = client.post(
        "/organizations/new",
        data={
            "name": "对岸读书会",
            "kind": "culture_sports",
            "community_id": str(other.id),
            "filing_status": "none",
            "member_count": "0",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    org = db.session.scalar(
        select(Organization).where(Organization.name == "对岸读书会")
    )
    assert org.community_id == other.id


def test_one_community_asks_nothing(client, login_as, community):
    login_as("admin")
    page = client.get("/organizations/new").get_data(as_text=True)
    assert 'name="community_id"' not in page
