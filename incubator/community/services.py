"""Creating and changing communities, their compounds (小区) and rooms (活动室).

Admins only (``actor=None`` is the command line, run by whoever runs the
server). Names are unique: a community's among all communities, a compound's
and a room's within their community, archived ones included (so un-archiving
never makes two of a name), comparing as organization names do (NFKC and
case-folded). Nothing is ever deleted: ``archived`` true or false archives and
un-archives. Every function audits and flushes; none commits.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import time

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from incubator.audit import services as audit
from incubator.auth.models import User
from incubator.auth.roles import Role
from incubator.community.models import Community, Compound, Room
from incubator.community.schemas import (
    CommunityChange,
    CommunityCreate,
    CompoundChange,
    CompoundEntry,
    RoomChange,
    RoomEntry,
    check_hours,
)
from incubator.database import utcnow
from incubator.errors import NotPermitted, RuleViolation
from incubator.extensions import db
from incubator.normalize import name_key


def _admin(actor: User | None) -> None:
    if actor is not None and actor.role != Role.ADMIN:
        raise NotPermitted(_l("Only an admin manages communities."))


def _taken(name: str, names: Iterable[tuple[int, str]], exclude: int | None) -> bool:
    key = name_key(name)
    return any(name_key(other) == key for i, other in names if i != exclude)


def _check_community_name(name: str, *, exclude: int | None = None) -> None:
    rows = db.session.execute(select(Community.id, Community.name)).all()
    if _taken(name, rows, exclude):
        raise RuleViolation(
            _l("A community named %(name)s already exists.", name=name), field="name"
        )


def _check_compound_name(
    community_id: int, name: str, *, exclude: int | None = None
) -> None:
    rows = db.session.execute(
        select(Compound.id, Compound.name).where(Compound.community_id == community_id)
    ).all()
    if _taken(name, rows, exclude):
        raise RuleViolation(
            _l("This community already has a compound named %(name)s.", name=name),
            field="name",
        )


def _check_room_name(
    community_id: int, name: str, *, exclude: int | None = None
) -> None:
    rows = db.session.execute(
        select(Room.id, Room.name).where(Room.community_id == community_id)
    ).all()
    if _taken(name, rows, exclude):
        raise RuleViolation(
            _l("This community already has a room named %(name)s.", name=name),
            field="name",
        )


def _archive_flag(record, archived: bool | None) -> None:
    if archived is None:
        return
    if archived and record.archived_at is None:
        record.archived_at = utcnow()
    elif not archived and record.archived_at is not None:
        record.archived_at = None


def _audit_change(record, before_archived: bool, actor: User | None) -> None:
    action = "update"
    if record.archived != before_archived:
        action = "archive" if record.archived else "restore"
    audit.record(action, record, actor=actor)
    db.session.flush()


def _next_position(model, community_id: int) -> int:
    last = db.session.scalar(
        select(func.max(model.position)).where(model.community_id == community_id)
    )
    return 0 if last is None else int(last) + 1


def create_community(entry: CommunityCreate, *, actor: User | None) -> Community:
    _admin(actor)
    _check_community_name(entry.name)
    community = Community(
        name=entry.name,
        street=entry.street,
        district=entry.district,
        city=entry.city,
        position=entry.position,
        archived_at=utcnow() if entry.archived else None,
    )
    db.session.add(community)
    audit.record("create", community, actor=actor)
    db.session.flush()
    return community


def change_community(
    community: Community, change: CommunityChange, *, actor: User | None
) -> Community:
    """Change what ``change`` sent; ``archived`` archives or un-archives."""
    _admin(actor)
    values = change.sent()
    if "name" in values and values["name"] != community.name:
        _check_community_name(values["name"], exclude=community.id)
    before = community.archived
    for key in ("name", "street", "district", "city", "position"):
        if key in values and getattr(community, key) != values[key]:
            setattr(community, key, values[key])
    _archive_flag(community, values.get("archived"))
    if db.session.is_modified(community):
        _audit_change(community, before, actor)
    return community


def archive_community(community: Community, *, actor: User | None) -> Community:
    return change_community(community, CommunityChange(archived=True), actor=actor)


def restore_community(community: Community, *, actor: User | None) -> Community:
    return change_community(community, CommunityChange(archived=False), actor=actor)


def add_compound(
    community: Community, entry: CompoundEntry, *, actor: User | None
) -> Compound:
    _admin(actor)
    _check_compound_name(community.id, entry.name)
    compound = Compound(
        community_id=community.id,
        name=entry.name,
        position=(
            entry.position
            if entry.position is not None
            else _next_position(Compound, community.id)
        ),
        archived_at=utcnow() if entry.archived else None,
    )
    db.session.add(compound)
    audit.record("create", compound, actor=actor)
    db.session.flush()
    return compound


def change_compound(
    compound: Compound, change: CompoundChange, *, actor: User | None
) -> Compound:
    """Rename, move (``position``), archive or un-archive a compound; the
    records that name it keep naming it."""
    _admin(actor)
    values = change.sent()
    if "name" in values and values["name"] != compound.name:
        _check_compound_name(compound.community_id, values["name"], exclude=compound.id)
    before = compound.archived
    for key in ("name", "position"):
        if key in values and getattr(compound, key) != values[key]:
            setattr(compound, key, values[key])
    _archive_flag(compound, values.get("archived"))
    if db.session.is_modified(compound):
        _audit_change(compound, before, actor)
    return compound


ROOM_FIELDS = (
    "name",
    "capacity",
    "equipment",
    "needs_approval",
    "opens_at",
    "closes_at",
    "position",
)


def _minute(value: time | None) -> time | None:
    """Opening hours to the minute, without a zone."""
    return value.replace(second=0, microsecond=0, tzinfo=None) if value else None


def add_room(community: Community, entry: RoomEntry, *, actor: User | None) -> Room:
    _admin(actor)
    _check_room_name(community.id, entry.name)
    room = Room(
        community_id=community.id,
        name=entry.name,
        capacity=entry.capacity,
        equipment=entry.equipment,
        needs_approval=entry.needs_approval,
        opens_at=_minute(entry.opens_at),
        closes_at=_minute(entry.closes_at),
        position=(
            entry.position
            if entry.position is not None
            else _next_position(Room, community.id)
        ),
        archived_at=utcnow() if entry.archived else None,
    )
    db.session.add(room)
    audit.record("create", room, actor=actor)
    db.session.flush()
    return room


def change_room(room: Room, change: RoomChange, *, actor: User | None) -> Room:
    _admin(actor)
    values = change.sent()
    if "name" in values and values["name"] != room.name:
        _check_room_name(room.community_id, values["name"], exclude=room.id)
    for key in ("opens_at", "closes_at"):
        if key in values:
            values[key] = _minute(values[key])
    check_hours(
        values.get("opens_at", room.opens_at), values.get("closes_at", room.closes_at)
    )
    before = room.archived
    for key in ROOM_FIELDS:
        if key in values and getattr(room, key) != values[key]:
            setattr(room, key, values[key])
    _archive_flag(room, values.get("archived"))
    if db.session.is_modified(room):
        _audit_change(room, before, actor)
    return room
