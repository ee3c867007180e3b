"""API: the centre's rooms (``/rooms``) and their bookings (``/bookings``).
Thin adapters onto ``incubator.bookings.services`` and, for the rooms,
``incubator.community.services``.

Rooms: staff and viewers read those of their communities, an organization
leader those of her organizations' communities (to book them); admins write.
Bookings: staff and viewers read those of their communities, a leader her own
organizations'; staff and leaders book; staff decide."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import abort
from pydantic import BaseModel, Field, StrictBool, field_validator
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from incubator.api.core import Id, PageQuery, current_api_user, endpoint, page_rows
from incubator.auth.roles import Role
from incubator.bookings import services
from incubator.bookings.access import booking_scope, may_see_booking, room_scope
from incubator.bookings.models import Booking, BookingState
from incubator.bookings.schemas import (
    BookingCancel,
    BookingChange,
    BookingDecision,
    BookingIn,
    BookingUse,
)
from incubator.community import services as community_services
from incubator.community.api import RoomOut
from incubator.community.models import Community, Room
from incubator.community.schemas import RoomChange, RoomCreate, RoomEntry
from incubator.community.scope import may_see_community
from incubator.extensions import db
from incubator.i18n import local_zone
from incubator.transaction import settle

TAG = "bookings"
STAFF = (Role.ADMIN, Role.SOCIAL_WORKER)
BOOKERS = (Role.ADMIN, Role.SOCIAL_WORKER, Role.ORG_LEADER)
EVERYONE = (Role.ADMIN, Role.SOCIAL_WORKER, Role.ORG_LEADER, Role.VIEWER)
SAFE_DAY: dict[str, Any] = {"ge": date(2000, 1, 1), "le": date(2100, 12, 31)}


# ---- rooms ----


class RoomPage(BaseModel):
    items: list[RoomOut]
    page: int
    per_page: int
    total: int


class RoomQuery(PageQuery):
    community_id: Id | None = None
    archived: StrictBool | None = Field(
        default=None, description="true: only archived rooms; false: only open ones"
    )


def _room_or_404(room_id: int) -> Room:
    room = db.session.scalar(
        select(Room).where(Room.id == room_id, room_scope(current_api_user()))
    )
    if room is None:
        abort(404)
    return room


@endpoint(
    "/rooms",
    summary="The centre rooms the caller may read or book, by community",
    tag="communities",
    query=RoomQuery,
    response=RoomPage,
    roles=EVERYONE,
)
def list_all_rooms(query: RoomQuery):
    stmt = select(Room).where(room_scope(current_api_user()))
    if query.community_id is not None:
        stmt = stmt.where(Room.community_id == query.community_id)
    if query.archived is not None:
        archived = Room.archived_at.is_not(None)
        stmt = stmt.where(archived if query.archived else ~archived)
    stmt = stmt.order_by(Room.community_id, Room.position, Room.id)
    rows, meta = page_rows(stmt, query)
    return {"items": [RoomOut.of(r).model_dump(mode="json") for r in rows], **meta}


@endpoint(
    "/rooms",
    "POST",
    summary="Add a room to a community's service centre (admins)",
    tag="communities",
    body=RoomCreate,
    response=RoomOut,
    status=201,
    roles=(Role.ADMIN,),
    errors=(404, 409),
)
def create_room_anywhere(body: RoomCreate):
    community = db.session.get(Community, body.community_id)
    if community is None or not may_see_community(current_api_user(), community.id):
        abort(404)
    entry = RoomEntry.model_construct(
        **body.model_dump(exclude={"community_id"}),
        _fields_set=body.model_fields_set - {"community_id"},
    )
    room = community_services.add_room(community, entry, actor=current_api_user())
    settle()
    return RoomOut.of(db.session.get_one(Room, room.id))


@endpoint(
    "/rooms/<int:room_id>",
    summary="One room",
    tag="communities",
    response=RoomOut,
    roles=EVERYONE,
    errors=(404,),
)
def get_one_room(room_id: int):
    return RoomOut.of(_room_or_404(room_id))


@endpoint(
    "/rooms/<int:room_id>",
    "PATCH",
    summary="Change a room: hours, equipment, capacity, approval, archive (admins)",
    tag="communities",
    body=RoomChange,
    response=RoomOut,
    roles=(Role.ADMIN,),
    errors=(404, 409),
)
def patch_one_room(room_id: int, body: RoomChange):
    room = _room_or_404(room_id)
    community_services.change_room(room, body, actor=current_api_user())
    settle()
    return RoomOut.of(db.session.get_one(Room, room_id))


# ---- bookings ----


class BookingOut(BaseModel):
    id: int
    room_id: int
    room: str
    community_id: int
    starts_at: datetime
    ends_at: datetime
    held_on: date
    organization_id: int | None
    organization: str | None
    outside_unit: str
    purpose: str
    service_type: str
    service_type_label: str
    expected_people: int
    state: str
    state_label: str
    decision_reason: str
    cancel_reason: str
    series_id: int | None
    sequence: int
    detached: bool
    held: bool | None = Field(description="null until the use is recorded")
    people: int | None
    activity_id: int | None
    session_id: int | None
    version: int
    warnings: list[str] = Field(description="Closed hours, holidays: never refused")

    @field_validator("starts_at", "ends_at", mode="before")
    @classmethod
    def _local(cls, value):
        return value.astimezone(local_zone()) if isinstance(value, datetime) else value

    @classmethod
    def of(cls, b: Booking) -> BookingOut:
        return cls(
            id=b.id,
            room_id=b.room_id,
            room=b.room.name,
            community_id=b.community_id,
            starts_at=b.starts_at,
            ends_at=b.ends_at,
            held_on=b.held_on,
            organization_id=b.organization_id,
            organization=b.organization.name if b.organization else None,
            outside_unit=b.outside_unit,
            purpose=b.purpose,
            service_type=b.service_type,
            service_type_label=b.service_type_label,
            expected_people=b.expected_people,
            state=b.state,
            state_label=b.state_label,
            decision_reason=b.decision_reason,
            cancel_reason=b.cancel_reason,
            series_id=b.series_id,
            sequence=b.sequence,
            detached=b.detached,
            held=b.held,
            people=b.people,
            activity_id=b.activity_id,
            session_id=b.session_id,
            version=b.version,
            warnings=services.booking_warnings(b.room, b.starts_at, b.ends_at)
            if b.state in services.ACTIVE
            else [],
        )


class BookingPage(BaseModel):
    items: list[BookingOut]
    page: int
    per_page: int
    total: int


class BookingCreated(BookingOut):
    occurrences: list[BookingOut] = Field(description="Every booking of the series")


class BookingList(BaseModel):
    items: list[BookingOut]


class BookingQuery(PageQuery):
    room_id: Id | None = None
    community_id: Id | None = None
    organization_id: Id | None = None
    series_id: Id | None = None
    state: BookingState | None = None
    date_from: date | None = Field(default=None, alias="from", **SAFE_DAY)
    date_to: date | None = Field(default=None, alias="to", **SAFE_DAY)


def _with_parts(stmt):
    return stmt.options(joinedload(Booking.room), joinedload(Booking.organization))


def _load(booking_id: int) -> Booking:
    booking = db.session.scalar(
        _with_parts(select(Booking).where(Booking.id == booking_id))
    )
    if booking is None or not may_see_booking(current_api_user(), booking):
        abort(404)
    return booking


@endpoint(
    "/bookings",
    summary="Bookings the caller may see, by time (a leader: her organizations')",
    tag=TAG,
    query=BookingQuery,
    response=BookingPage,
    roles=EVERYONE,
)
def list_bookings(query: BookingQuery):
    stmt = select(Booking).where(booking_scope(current_api_user()))
    for column, value in (
        (Booking.room_id, query.room_id),
        (Booking.community_id, query.community_id),
        (Booking.organization_id, query.organization_id),
        (Booking.series_id, query.series_id),
        (Booking.state, query.state),
    ):
        if value is not None:
            stmt = stmt.where(column == value)
    if query.date_from is not None:
        stmt = stmt.where(Booking.held_on >= query.date_from)
    if query.date_to is not None:
        stmt = stmt.where(Booking.held_on <= query.date_to)
    stmt = _with_parts(stmt.order_by(Booking.starts_at, Booking.id))
    rows, meta = page_rows(stmt, query)
    return {"items": [BookingOut.of(b).model_dump(mode="json") for b in rows], **meta}


@endpoint(
    "/bookings",
    "POST",
    summary="Book a room, once or weekly (all or none); 409 on an overlap",
    tag=TAG,
    body=BookingIn,
    response=BookingCreated,
    status=201,
    roles=BOOKERS,
    errors=(403, 409),
)
def create_booking(body: BookingIn):
    made = services.book_room(body, actor=current_api_user())
    ids = [b.id for b in made]
    settle()
    outs = [BookingOut.of(_load(i)) for i in ids]
    return BookingCreated(**outs[0].model_dump(), occurrences=outs)


@endpoint(
    "/bookings/<int:booking_id>",
    summary="One booking",
    tag=TAG,
    response=BookingOut,
    roles=EVERYONE,
    errors=(404,),
)
def get_booking(booking_id: int):
    return BookingOut.of(_load(booking_id))


def _answer(bookings: list[Booking]) -> BookingList:
    ids = [b.id for b in bookings]
    settle()
    return BookingList(items=[BookingOut.of(_load(i)) for i in ids])


@endpoint(
    "/bookings/<int:booking_id>",
    "PATCH",
    summary="Change (move) one booking, or it and the rest of its series",
    tag=TAG,
    body=BookingChange,
    response=BookingList,
    roles=BOOKERS,
    errors=(403, 404, 409),
)
def patch_booking(booking_id: int, body: BookingChange):
    changed = services.change_booking(
        _load(booking_id), body, actor=current_api_user(), scope=body.scope
    )
    return _answer(changed)


@endpoint(
    "/bookings/<int:booking_id>/decision",
    "POST",
    summary="Approve (409 when the room is taken meanwhile) or refuse a request",
    tag=TAG,
    body=BookingDecision,
    response=BookingOut,
    roles=STAFF,
    errors=(404, 409),
)
def decide_on_booking(booking_id: int, body: BookingDecision):
    booking = services.decide_booking(_load(booking_id), body, actor=current_api_user())
    return _answer([booking]).items[0]


@endpoint(
    "/bookings/<int:booking_id>/cancel",
    "POST",
    summary="Cancel one booking, or it and the rest of its series",
    tag=TAG,
    body=BookingCancel,
    response=BookingList,
    roles=BOOKERS,
    errors=(403, 404, 409),
)
def cancel_a_booking(booking_id: int, body: BookingCancel):
    return _answer(
        services.cancel_booking(_load(booking_id), body, actor=current_api_user())
    )


@endpoint(
    "/bookings/<int:booking_id>/use",
    "POST",
    summary="Record the use after the slot: held or not, people present",
    tag=TAG,
    body=BookingUse,
    response=BookingOut,
    roles=BOOKERS,
    errors=(403, 404, 409),
)
def record_booking_use(booking_id: int, body: BookingUse):
    booking = services.record_use(_load(booking_id), body, actor=current_api_user())
    return _answer([booking]).items[0]
