"""系统管理 → 社区: the list (archived ones greyed), a new community, and on a
community's page its compounds and rooms added, renamed, moved and archived."""

from __future__ import annotations

from sqlalchemy import select

from incubator.community import services
from incubator.community.models import Community, Compound, Room
from incubator.community.schemas import CommunityCreate, CompoundEntry, RoomEntry
from incubator.community.scope import set_scope


def _community(db, name="海天社区"):
    made = services.create_community(CommunityCreate(name=name), actor=None)
    db.session.commit()
    return made


def test_the_admin_nav_leads_to_the_communities(client, login_as):
    login_as("admin")
    home = client.get("/").get_data(as_text=True)
    assert "/admin/communities" in home
    page = client.get("/admin/communities")
    assert page.status_code == 200
    assert "尚无社区" in page.get_data(as_text=True)


def test_an_admin_creates_a_community_and_fills_it(client, db, login_as):
    login_as("admin")
    made = client.post(
        "/admin/communities/new",
        data={
            "name": "海天社区",
            "street": "莲前街道",
            "district": "思明区",
            "city": "厦门市",
        },
    )
    assert made.status_code == 302
    place = db.session.scalar(select(Community))
    url = f"/admin/communities/{place.id}"
    client.post(f"{url}/compounds", data={"name": "海天一期"})
    client.post(f"{url}/compounds", data={"name": "海天二期"})
    client.post(
        f"{url}/rooms",
        data={
            "name": "多功能厅",
            "capacity": "60",
            "equipment": "投影",
            "needs_approval": "1",
        },
    )
    page = client.get(url).get_data(as_text=True)
    assert "海天一期" in page and "多功能厅" in page and "莲前街道" in page
    room = db.session.scalar(select(Room))
    assert (room.capacity, room.needs_approval) == (60, True)
    first, second = db.session.scalars(select(Compound).order_by(Compound.id)).all()
    # rename and move the second before the first, then archive the first
    client.post(
        f"{url}/compounds/{second.id}", data={"name": "海天二期北", "position": "0"}
    )
    client.post(f"{url}/compounds/{first.id}", data={"position": "5"})
    client.post(f"{url}/compounds/{first.id}", data={"archived": "1"})
    db.session.expire_all()
    assert [c.name for c in place.compounds] == ["海天二期北", "海天一期"]
    assert db.session.get(Compound, first.id).archived
    # a room's row unticks its checkbox
    client.post(
        f"{url}/rooms/{room.id}",
        data={"edit": "1", "name": "多功能厅", "capacity": "", "equipment": "投影"},
    )
    db.session.expire_all()
    room = db.session.get(Room, room.id)
    assert (room.capacity, room.needs_approval) == (None, False)


def test_a_taken_name_is_shown_in_chinese_and_nothing_changes(client, db, login_as):
    _community(db, "海天社区")
    place = _community(db, "云顶社区")
    login_as("admin")
    response = client.post(
        f"/admin/communities/{place.id}",
        data={"name": "海天社区"},
        follow_redirects=True,
    )
    assert "已有名为海天社区的社区" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Community, place.id).name == "云顶社区"
    bad = client.post(
        f"/admin/communities/{place.id}/rooms",
        data={"name": "书画室", "capacity": "0"},
        follow_redirects=True,
    )
    assert bad.status_code == 200
    assert db.session.scalar(select(Room)) is None


def test_archived_communities_are_greyed_in_the_list(client, db, login_as):
    place = _community(db, "旧社区")
    services.archive_community(place, actor=None)
    db.session.commit()
    login_as("admin")
    page = client.get("/admin/communities").get_data(as_text=True)
    assert 'class="text-muted"' in page and "已归档" in page


def test_only_admins_and_only_within_their_scope(client, db, login_as, make_user):
    mine = _community(db, "海天社区")
    other = _community(db, "云顶社区")
    lead = login_as("admin")
    set_scope(lead, [mine.id])
    db.session.commit()
    page = client.get("/admin/communities").get_data(as_text=True)
    assert "海天社区" in page and "云顶社区" not in page
    assert client.get(f"/admin/communities/{other.id}").status_code == 404
    assert (
        client.post(
            f"/admin/communities/{other.id}/compounds", data={"name": "x"}
        ).status_code
        == 404
    )


def test_other_roles_are_refused(client, login_as):
    login_as("social_worker")
    assert client.get("/admin/communities").status_code == 403
    assert client.post("/admin/communities/new", data={"name": "x"}).status_code == 403


def test_the_pages_keep_their_query_budgets(db, login_as, assert_constant_queries):
    login_as("admin")
    place = _community(db)
    n = iter(range(100))

    def grow():
        services.create_community(CommunityCreate(name=f"社区{next(n)}"), actor=None)
        services.add_compound(place, CompoundEntry(name=f"小区{next(n)}"), actor=None)
        services.add_room(place, RoomEntry(name=f"活动室{next(n)}"), actor=None)
        db.session.commit()

    assert_constant_queries("/admin/communities", grow, budget=12)
    assert_constant_queries(f"/admin/communities/{place.id}", grow, budget=14)
