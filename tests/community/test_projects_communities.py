"""A project names its community by id or name and its agency; two projects of
one community and kind never overlap."""

from __future__ import annotations

from sqlalchemy import func, select

from incubator.community import services
from incubator.community.schemas import CommunityCreate
from incubator.projects.models import Project

API = "/api/v1"
ZH = {"Accept-Language": "zh-CN"}


def _body(**extra):
    return {
        "name": "幸福家园",
        "year": 1,
        "kind": "single",
        "budget": "150000.00",
        "starts_on": "2026-01-01",
        "ends_on": "2026-12-31",
        **extra,
    }


def test_a_project_by_community_id_with_its_agency(client, db, api_token):
    place = services.create_community(CommunityCreate(name="海天社区"), actor=None)
    db.session.commit()
    h = api_token("admin")
    made = client.post(
        f"{API}/projects",
        json=_body(community_id=place.id, agency="厦门市同心社工服务中心"),
        headers=h,
    )
    assert made.status_code == 201, made.get_json()
    assert made.get_json()["community"] == "海天社区"
    assert made.get_json()["agency"] == "厦门市同心社工服务中心"
    listed = client.get(f"{API}/projects", headers=h).get_json()["items"]
    assert listed[0]["agency"] == "厦门市同心社工服务中心"
    project = db.session.get(Project, made.get_json()["id"])
    assert project.agency == "厦门市同心社工服务中心"
    unknown = client.post(f"{API}/projects", json=_body(community_id=9999), headers=h)
    assert unknown.status_code == 422
    assert "community_id" in unknown.get_json()["error"]["fields"]


def test_an_overlapping_project_of_the_same_community_and_kind_is_refused(
    client, db, api_token
):
    h = {**api_token("admin"), **ZH}
    first = client.post(f"{API}/projects", json=_body(community="海天社区"), headers=h)
    assert first.status_code == 201
    again = client.post(
        f"{API}/projects",
        json=_body(
            community="海天社区",
            name="第二个",
            starts_on="2026-06-01",
            ends_on="2027-05-31",
        ),
        headers=h,
    )
    assert again.status_code == 409
    assert "重叠" in again.get_json()["error"]["message"]
    assert db.session.scalar(select(func.count(Project.id))) == 1
    # another kind, or the next year, is fine
    other_kind = client.post(
        f"{API}/projects",
        json=_body(community="海天社区", kind="comprehensive"),
        headers=h,
    )
    next_year = client.post(
        f"{API}/projects",
        json=_body(
            community="海天社区",
            starts_on="2027-01-01",
            ends_on="2027-12-31",
            year=2,
            renewal=True,
        ),
        headers=h,
    )
    assert (other_kind.status_code, next_year.status_code) == (201, 201)
