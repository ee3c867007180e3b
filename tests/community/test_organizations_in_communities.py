"""Which community a new organization joins: its compound's, else the
community_id sent, else the only open one; a compound of another community or an
archived one is refused in Chinese."""

from __future__ import annotations

from sqlalchemy import func, select

from incubator.community import services
from incubator.community.models import Compound
from incubator.community.schemas import CommunityCreate, CompoundChange, CompoundEntry
from incubator.organizations.models import Organization

API = "/api/v1"
ZH = {"Accept-Language": "zh-CN"}


def _two(db):
    one = services.create_community(CommunityCreate(name="海天社区"), actor=None)
    two = services.create_community(CommunityCreate(name="云顶社区"), actor=None)
    a = services.add_compound(one, CompoundEntry(name="海天一期"), actor=None)
    b = services.add_compound(two, CompoundEntry(name="云顶一期"), actor=None)
    services.add_compound(two, CompoundEntry(name="一期"), actor=None)
    services.add_compound(one, CompoundEntry(name="一期"), actor=None)
    db.session.commit()
    return one, two, a, b


def _post(client, h, **body):
    return client.post(
        f"{API}/organizations",
        json={"name": "合唱团", "kind": "culture_sports", **body},
        headers={**h, **ZH},
    )


def test_the_compound_decides_the_community(client, db, api_token):
    one, two, a, b = _two(db)
    h = api_token("admin")
    made = _post(client, h, compound="云顶一期")
    assert made.status_code == 201, made.get_json()
    assert db.session.get(Organization, made.get_json()["id"]).community_id == two.id


def test_a_community_id_names_the_community_and_resolves_the_compound_name(
    client, db, api_token
):
    one, two, a, b = _two(db)
    h = api_token("admin")
    # 一期 is in both communities: the community says which
    made = _post(client, h, community_id=one.id, compound="一期")
    assert made.status_code == 201, made.get_json()
    org = db.session.get(Organization, made.get_json()["id"])
    assert org.community_id == one.id
    assert db.session.get(Compound, org.compound_id).community_id == one.id
    bare = _post(client, h, name="读书会", community_id=two.id)
    assert bare.status_code == 201
    assert db.session.get(Organization, bare.get_json()["id"]).community_id == two.id


def test_a_compound_of_another_community_is_a_clear_422(client, db, api_token):
    one, two, a, b = _two(db)
    h = api_token("admin")
    by_name = _post(client, h, community_id=one.id, compound="云顶一期")
    assert by_name.status_code == 422
    assert "compound" in by_name.get_json()["error"]["fields"]
    by_id = _post(client, h, community_id=one.id, compound_id=b.id)
    assert by_id.status_code == 422
    assert by_id.get_json()["error"]["fields"]["compound_id"] == [
        "该小区属于其他社区。"
    ]
    assert db.session.scalar(select(func.count(Organization.id))) == 0


def test_without_a_compound_or_community_several_communities_ask_which(
    client, db, api_token
):
    _two(db)
    response = _post(client, api_token("admin"))
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"]["community_id"] == ["请选择社区。"]


def test_unknown_or_archived_communities_and_archived_compounds_are_refused(
    client, db, api_token
):
    one, two, a, b = _two(db)
    services.archive_community(two, actor=None)
    services.change_compound(a, CompoundChange(archived=True), actor=None)
    db.session.commit()
    h = api_token("admin")
    assert (
        "community_id"
        in _post(client, h, community_id=9999).get_json()["error"]["fields"]
    )
    archived = _post(client, h, community_id=two.id)
    assert archived.status_code == 422
    old = _post(client, h, compound="海天一期")
    assert old.status_code == 422
    assert "已归档" in old.get_json()["error"]["fields"]["compound"][0]
    # one open community left: no compound, no community_id joins it
    only = _post(client, h)
    assert only.status_code == 201
    assert db.session.get(Organization, only.get_json()["id"]).community_id == one.id
