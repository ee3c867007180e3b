"""A ledger line of the project as a whole and a volunteer of no organization
serve the community chosen on the page when the user's scope has several."""

from __future__ import annotations

from sqlalchemy import select

from incubator.activities.models import ResourceLink
from incubator.community.models import Community
from incubator.volunteers.models import Volunteer
from tests.conftest import login


def _second(db):
    other = Community(name="第二社区", district="湖里区", city="厦门市", position=1)
    db.session.add(other)
    db.session.commit()
    return other


def test_a_ledger_line_and_a_volunteer_serve_the_chosen_community(
    frozen_time, db, client, community, make_user
):
    other = _second(db)
    make_user("admin", username="boss")
    login(client, "boss")
    for page in ("/resources/new", "/volunteers/new"):
        form = client.get(page).get_data(as_text=True)
        assert 'name="community_id"' in form and "第二社区" in form, page
    response = client.post(
        "/resources/new",
        data={
            "partner": "爱心企业",
            "kind": "goods",
            "value": "200",
            "received_on": "2026-02-20",
            "organization_id": "",
            "community_id": str(other.id),
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert db.session.scalar(select(ResourceLink.community_id)) == other.id
    response = client.post(
        "/volunteers/new",
        data={
            "name": "新志愿者",
            "gender": "female",
            "birth_year": "1965",
            "phone": "13912345678",
            "organization_id": "",
            "community_id": str(other.id),
            "role": "member",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert db.session.scalar(select(Volunteer.community_id)) == other.id


def test_one_community_shows_no_choice(frozen_time, db, client, community, make_user):
    make_user("admin", username="boss")
    login(client, "boss")
    for page in ("/resources/new", "/volunteers/new"):
        assert 'name="community_id"' not in client.get(page).get_data(as_text=True)
