"""API: communities (社区), their compounds (小区) and rooms (活动室).

Staff read the communities of their scope (another one answers 404, as if it
did not exist); only admins write. Nothing is deleted: ``"archived": true``
archives, ``false`` un-archives."""

from __future__ import annotations

from flask import abort
from pydantic import BaseModel, Field
from sqlalchemy import select

from incubator.api.core import PageQuery, current_api_user, endpoint, paginate
from incubator.auth.roles import Role
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
from incubator.community.scope import in_scope, may_see_community
from incubator.extensions import db
from incubator.transaction import settle

TAG = "communities"
READERS = (Role.ADMIN, Role.SOCIAL_WORKER, Role.VIEWER)
WRITERS = (Role.ADMIN,)


class CompoundOut(BaseModel):
    id: int
    name: str
    position: int
    archived: bool

    @classmethod
    def of(cls, c: Compound) -> CompoundOut:
        return cls(id=c.id, name=c.name, position=c.position, archived=c.archived)


class RoomOut(BaseModel):
    id: int
    community_id: int
    name: str
    capacity: int | None
    equipment: str
    needs_approval: bool
    opens_at: str | None = Field(description="HH:MM local time; null: not set")
    closes_at: str | None
    position: int
    archived: bool

    @classmethod
    def of(cls, r: Room) -> RoomOut:
        return cls(
            id=r.id,
            community_id=r.community_id,
            name=r.name,
            capacity=r.capacity,
            equipment=r.equipment,
            needs_approval=r.needs_approval,
            opens_at=r.opens_at.strftime("%H:%M") if r.opens_at else None,
            closes_at=r.closes_at.strftime("%H:%M") if r.closes_at else None,
            position=r.position,
            archived=r.archived,
        )


class CommunitySummary(BaseModel):
    id: int
    name: str
    street: str
    district: str
    city: str
    position: int
    archived: bool

    @classmethod
    def fields(cls, c: Community) -> dict:
        return {
            "id": c.id,
            "name": c.name,
            "street": c.street,
            "district": c.district,
            "city": c.city,
            "position": c.position,
            "archived": c.archived,
        }

    @classmethod
    def of(cls, c: Community) -> CommunitySummary:
        return cls(**cls.fields(c))


class CommunityOut(CommunitySummary):
    compounds: list[CompoundOut]
    rooms: list[RoomOut]

    @classmethod
    def of(cls, c: Community) -> CommunityOut:
        return cls(
            **CommunitySummary.fields(c),
            compounds=[CompoundOut.of(x) for x in c.compounds],
            rooms=[RoomOut.of(x) for x in c.rooms],
        )


class CommunityPage(BaseModel):
    items: list[CommunitySummary]
    page: int
    per_page: int
    total: int


class CompoundList(BaseModel):
    items: list[CompoundOut]


class RoomList(BaseModel):
    items: list[RoomOut]


def _community_or_404(community_id: int) -> Community:
    """The community, if the caller's scope holds it (404 otherwise)."""
    community = db.session.get(Community, community_id)
    if community is None or not may_see_community(current_api_user(), community.id):
        abort(404)
    return community


def _compound_or_404(community: Community, compound_id: int) -> Compound:
    compound = db.session.get(Compound, compound_id)
    if compound is None or compound.community_id != community.id:
        abort(404)
    return compound


def _room_or_404(community: Community, room_id: int) -> Room:
    room = db.session.get(Room, room_id)
    if room is None or room.community_id != community.id:
        abort(404)
    return room


def _answer(community_id: int) -> CommunityOut:
    settle()
    return CommunityOut.of(db.session.get_one(Community, community_id))


@endpoint(
    "/communities",
    summary="The communities of the caller's scope, archived ones too",
    tag=TAG,
    query=PageQuery,
    response=CommunityPage,
    roles=READERS,
)
def list_communities(query: PageQuery):
    stmt = (
        select(Community)
        .where(in_scope(Community.id, current_api_user()))
        .order_by(Community.position, Community.id)
    )
    return paginate(stmt, query, CommunitySummary.of)


@endpoint(
    "/communities",
    "POST",
    summary="Create a community (admins)",
    tag=TAG,
    body=CommunityCreate,
    response=CommunityOut,
    status=201,
    roles=WRITERS,
    errors=(409,),
)
def create_community(body: CommunityCreate):
    community = services.create_community(body, actor=current_api_user())
    return _answer(community.id)


@endpoint(
    "/communities/<int:community_id>",
    summary="A community with its compounds and rooms",
    tag=TAG,
    response=CommunityOut,
    roles=READERS,
    errors=(404,),
)
def get_community(community_id: int):
    return CommunityOut.of(_community_or_404(community_id))


@endpoint(
    "/communities/<int:community_id>",
    "PATCH",
    summary="Rename, move, archive or un-archive a community (admins)",
    tag=TAG,
    body=CommunityChange,
    response=CommunityOut,
    roles=WRITERS,
    errors=(404, 409),
)
def change_community(community_id: int, body: CommunityChange):
    community = _community_or_404(community_id)
    services.change_community(community, body, actor=current_api_user())
    return _answer(community_id)


@endpoint(
    "/communities/<int:community_id>/compounds",
    summary="A community's compounds (小区), archived ones too",
    tag=TAG,
    response=CompoundList,
    roles=READERS,
    errors=(404,),
)
def list_compounds(community_id: int):
    community = _community_or_404(community_id)
    return CompoundList(items=[CompoundOut.of(c) for c in community.compounds])


@endpoint(
    "/communities/<int:community_id>/compounds",
    "POST",
    summary="Add a compound (admins)",
    tag=TAG,
    body=CompoundEntry,
    response=CompoundOut,
    status=201,
    roles=WRITERS,
    errors=(404, 409),
)
def add_compound(community_id: int, body: CompoundEntry):
    community = _community_or_404(community_id)
    compound = services.add_compound(community, body, actor=current_api_user())
    settle()
    return CompoundOut.of(db.session.get_one(Compound, compound.id))


@endpoint(
    "/communities/<int:community_id>/compounds/<int:compound_id>",
    "PATCH",
    summary="Rename, move, archive or un-archive a compound (admins)",
    tag=TAG,
    body=CompoundChange,
    response=CompoundOut,
    roles=WRITERS,
    errors=(404, 409),
)
def change_compound(community_id: int, compound_id: int, body: CompoundChange):
    compound = _compound_or_404(_community_or_404(community_id), compound_id)
    services.change_compound(compound, body, actor=current_api_user())
    settle()
    return CompoundOut.of(db.session.get_one(Compound, compound_id))


@endpoint(
    "/communities/<int:community_id>/rooms",
    summary="The rooms (活动室) of a community's service centre, archived ones too",
    tag=TAG,
    response=RoomList,
    roles=READERS,
    errors=(404,),
)
def list_rooms(community_id: int):
    community = _community_or_404(community_id)
    return RoomList(items=[RoomOut.of(r) for r in community.rooms])


@endpoint(
    "/communities/<int:community_id>/rooms",
    "POST",
    summary="Add a room (admins)",
    tag=TAG,
    body=RoomEntry,
    response=RoomOut,
    status=201,
    roles=WRITERS,
    errors=(404, 409),
)
def add_room(community_id: int, body: RoomEntry):
    community = _community_or_404(community_id)
    room = services.add_room(community, body, actor=current_api_user())
    settle()
    return RoomOut.of(db.session.get_one(Room, room.id))


@endpoint(
    "/communities/<int:community_id>/rooms/<int:room_id>",
    "PATCH",
    summary="Change, move, archive or un-archive a room (admins)",
    tag=TAG,
    body=RoomChange,
    response=RoomOut,
    roles=WRITERS,
    errors=(404, 409),
)
def change_room(community_id: int, room_id: int, body: RoomChange):
    room = _room_or_404(_community_or_404(community_id), room_id)
    services.change_room(room, body, actor=current_api_user())
    settle()
    return RoomOut.of(db.session.get_one(Room, room_id))
