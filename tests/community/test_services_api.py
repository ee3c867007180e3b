"""Communities, compounds and rooms through the services and the API: admins
write, staff read within their scope, another community's is a 404."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from incubator.audit.models import AuditEntry
from incubator.community import services
from incubator.community.models import Community, Compound, Room
from incubator.community.schemas import (
    CommunityChange,
    CommunityCreate,
    CompoundChange,
    CompoundEntry,
    RoomChange,
    RoomEntry,
)
from incubator.community.scope import set_scope
from incubator.errors import NotPermitted, RuleViolation, ValidationFailed

API = "/api/v1"
ZH = {"Accept-Language": "zh-CN"}


def _community(db, name="海天社区", **extra):
    made = services.create_community(CommunityCreate(name=name, **extra), actor=None)
    db.session.commit()
    return made


# ---- services ----


def test_create_change_archive_and_restore_a_community(db, make_user):
    admin = make_user("admin")
    place = services.create_community(
        CommunityCreate(name=" 海天 社区 ", street="莲前街道", district="思明区"),
        actor=admin,
    )
    db.session.commit()
    assert place.name == "海天 社区"
    services.change_community(
        place, CommunityChange(name="海天社区", position=3), actor=admin
    )
    services.archive_community(place, actor=admin)
    db.session.commit()
    assert place.name == "海天社区" and place.position == 3 and place.archived
    services.restore_community(place, actor=admin)
    db.session.commit()
    assert not place.archived
    actions = db.session.scalars(
        select(AuditEntry.action)
        .where(AuditEntry.entity_type == "Community")
        .order_by(AuditEntry.id)
    ).all()
    assert actions == ["create", "update", "archive", "restore"]


def test_names_are_unique_globally_and_per_community(db):
    one = _community(db, "海天社区")
    two = _community(db, "云顶社区")
    with pytest.raises(RuleViolation):
        services.create_community(CommunityCreate(name="海天社区"), actor=None)
    db.session.rollback()
    with pytest.raises(RuleViolation):
        services.change_community(two, CommunityChange(name="海天社区"), actor=None)
    db.session.rollback()
    services.add_compound(one, CompoundEntry(name="一期"), actor=None)
    # another community may have a compound of the same name
    services.add_compound(two, CompoundEntry(name="一期"), actor=None)
    db.session.commit()
    with pytest.raises(RuleViolation):
        services.add_compound(one, CompoundEntry(name="一期"), actor=None)
    db.session.rollback()
    services.add_room(one, RoomEntry(name="多功能厅", capacity=40), actor=None)
    db.session.commit()
    with pytest.raises(RuleViolation):
        services.add_room(one, RoomEntry(name="多功能厅"), actor=None)


def test_compounds_and_rooms_are_renamed_moved_and_archived_never_deleted(db):
    place = _community(db)
    a = services.add_compound(place, CompoundEntry(name="一期"), actor=None)
    b = services.add_compound(place, CompoundEntry(name="二期"), actor=None)
    assert (a.position, b.position) == (0, 1)
    services.change_compound(b, CompoundChange(name="二期北", position=0), actor=None)
    services.change_compound(a, CompoundChange(archived=True), actor=None)
    room = services.add_room(place, RoomEntry(name="书画室", capacity=20), actor=None)
    services.change_room(
        room, RoomChange(capacity=None, needs_approval=True, archived=True), actor=None
    )
    db.session.commit()
    assert b.name == "二期北" and a.archived
    assert room.capacity is None and room.needs_approval and room.archived
    assert db.session.scalar(select(func.count(Compound.id))) == 2
    assert db.session.scalar(select(func.count(Room.id))) == 1


def test_only_admins_manage_communities(db, make_user):
    with pytest.raises(NotPermitted):
        services.create_community(
            CommunityCreate(name="海天社区"), actor=make_user("social_worker")
        )


def test_a_room_capacity_is_positive_or_empty():
    with pytest.raises(ValueError):
        RoomEntry(name="书画室", capacity=0)
    assert RoomEntry(name="书画室", capacity=None).capacity is None


# ---- API ----


def test_admin_creates_a_community_with_compounds_and_rooms(client, db, api_token):
    h = api_token("admin")
    made = client.post(
        f"{API}/communities",
        json={
            "name": "海天社区",
            "street": "莲前街道",
            "district": "思明区",
            "city": "厦门市",
        },
        headers=h,
    )
    assert made.status_code == 201, made.get_json()
    cid = made.get_json()["id"]
    assert made.get_json()["archived"] is False
    compound = client.post(
        f"{API}/communities/{cid}/compounds", json={"name": "海天一期"}, headers=h
    )
    assert compound.status_code == 201
    room = client.post(
        f"{API}/communities/{cid}/rooms",
        json={"name": "多功能厅", "capacity": 60, "needs_approval": True},
        headers=h,
    )
    assert room.status_code == 201
    one = client.get(f"{API}/communities/{cid}", headers=h).get_json()
    assert one["street"] == "莲前街道"
    assert [c["name"] for c in one["compounds"]] == ["海天一期"]
    assert one["rooms"][0]["capacity"] == 60
    renamed = client.patch(
        f"{API}/communities/{cid}/compounds/{compound.get_json()['id']}",
        json={"name": "海天一期东", "archived": True},
        headers=h,
    )
    assert renamed.get_json()["archived"] is True
    archived = client.patch(
        f"{API}/communities/{cid}", json={"archived": True}, headers=h
    )
    assert archived.status_code == 200 and archived.get_json()["archived"] is True
    listed = client.get(f"{API}/communities", headers=h).get_json()
    assert [c["name"] for c in listed["items"]] == ["海天社区"]


def test_a_taken_name_is_a_clear_chinese_409(client, db, api_token):
    _community(db, "海天社区")
    response = client.post(
        f"{API}/communities",
        json={"name": "海天社区"},
        headers={**api_token("admin"), **ZH},
    )
    assert response.status_code == 409
    assert "已" in response.get_json()["error"]["message"]


def test_writes_are_for_admins_only(client, db, api_token):
    place = _community(db)
    h = api_token("social_worker")
    assert (
        client.post(
            f"{API}/communities", json={"name": "新社区"}, headers=h
        ).status_code
        == 403
    )
    assert (
        client.patch(
            f"{API}/communities/{place.id}", json={"name": "x"}, headers=h
        ).status_code
        == 403
    )
    assert (
        client.post(
            f"{API}/communities/{place.id}/rooms", json={"name": "x"}, headers=h
        ).status_code
        == 403
    )
    assert client.get(f"{API}/communities/{place.id}", headers=h).status_code == 200
    leader = api_token("org_leader")
    assert client.get(f"{API}/communities", headers=leader).status_code == 403


def test_reads_stay_within_the_scope(client, db, api_token, make_user):
    mine = _community(db, "海天社区")
    other = _community(db, "云顶社区")
    services.add_compound(other, CompoundEntry(name="云顶一期"), actor=None)
    db.session.commit()
    user = make_user("social_worker", username="scoped")
    set_scope(user, [mine.id])
    db.session.commit()
    token = client.post(
        f"{API}/tokens",
        json={"username": "scoped", "password": "correct-horse-battery"},
    )
    from tests.conftest import DEFAULT_PASSWORD

    token = client.post(
        f"{API}/tokens", json={"username": "scoped", "password": DEFAULT_PASSWORD}
    ).get_json()["token"]
    h = {"Authorization": f"Bearer {token}"}
    listed = client.get(f"{API}/communities", headers=h).get_json()
    assert [c["name"] for c in listed["items"]] == ["海天社区"]
    assert listed["total"] == 1
    assert client.get(f"{API}/communities/{other.id}", headers=h).status_code == 404
    assert (
        client.get(f"{API}/communities/{other.id}/compounds", headers=h).status_code
        == 404
    )
    assert (
        client.get(f"{API}/communities/{other.id}/rooms", headers=h).status_code == 404
    )


def test_an_admin_of_some_communities_cannot_reach_others(client, db, make_user):
    from tests.conftest import DEFAULT_PASSWORD

    mine = _community(db, "海天社区")
    other = _community(db, "云顶社区")
    lead = make_user("admin", username="lead")
    set_scope(lead, [mine.id])
    db.session.commit()
    token = client.post(
        f"{API}/tokens", json={"username": "lead", "password": DEFAULT_PASSWORD}
    ).get_json()["token"]
    h = {"Authorization": f"Bearer {token}"}
    assert (
        client.patch(
            f"{API}/communities/{other.id}", json={"name": "改名"}, headers=h
        ).status_code
        == 404
    )
    assert (
        client.post(
            f"{API}/communities/{other.id}/compounds", json={"name": "x"}, headers=h
        ).status_code
        == 404
    )
    assert db.session.get(Community, other.id).name == "云顶社区"


def test_a_compound_or_room_of_another_community_is_a_404(client, db, api_token):
    one = _community(db, "海天社区")
    two = _community(db, "云顶社区")
    compound = services.add_compound(two, CompoundEntry(name="云顶一期"), actor=None)
    room = services.add_room(two, RoomEntry(name="书画室"), actor=None)
    db.session.commit()
    h = api_token("admin")
    assert (
        client.patch(
            f"{API}/communities/{one.id}/compounds/{compound.id}",
            json={"name": "x"},
            headers=h,
        ).status_code
        == 404
    )
    assert (
        client.patch(
            f"{API}/communities/{one.id}/rooms/{room.id}", json={"name": "x"}, headers=h
        ).status_code
        == 404
    )
    assert compound.name == "云顶一期"


def test_bad_room_input_is_422(client, db, api_token):
    place = _community(db)
    h = api_token("admin")
    response = client.post(
        f"{API}/communities/{place.id}/rooms",
        json={"name": "书画室", "capacity": 0},
        headers=h,
    )
    assert response.status_code == 422
    assert "capacity" in response.get_json()["error"]["fields"]
    response = client.post(
        f"{API}/communities/{place.id}/rooms", json={"name": "  "}, headers=h
    )
    assert response.status_code == 422


def test_the_document_lists_the_community_paths(client):
    document = client.get(f"{API}/openapi.json").get_json()
    paths = document["paths"]
    assert {"get", "post"} <= set(paths[f"{API}/communities"])
    assert {"get", "patch"} <= set(paths[f"{API}/communities/{{community_id}}"])
    assert "patch" in paths[f"{API}/communities/{{community_id}}/rooms/{{room_id}}"]
    assert (
        "patch"
        in paths[f"{API}/communities/{{community_id}}/compounds/{{compound_id}}"]
    )


def test_validation_failed_is_the_schemas_error():
    with pytest.raises(ValidationFailed):
        CompoundChange(name=" ")
