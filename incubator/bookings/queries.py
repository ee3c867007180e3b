"""Read models of room bookings, shared by the pages: who may see which booking,
the room-by-day grid, a room's free slots on a day, the queue of requests, a
user's own bookings and the month's uses by room and service type (one GROUP BY).

What a user sees: staff and viewers every booking of the rooms in their scope; an
organization leader the rooms of the communities of the organizations she leads,
her own bookings in full (her organizations' or booked by her) and the others
only as taken ("已占用", the time and the state, never who or why)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import joinedload

from incubator.activities.models import ServiceType
from incubator.auth.models import User
from incubator.auth.roles import Role
from incubator.bookings.access import booking_scope, room_scope
from incubator.bookings.models import Booking, BookingState
from incubator.community.models import Room
from incubator.extensions import db
from incubator.i18n import local_zone
from incubator.organizations.models import Organization

SLOT = timedelta(minutes=30)
DEFAULT_OPENS = time(8)
DEFAULT_CLOSES = time(21)
# Bookings that hold their slot on the grid: a request waits for its answer there.
HOLDING = (BookingState.REQUESTED, BookingState.CONFIRMED)


def _led_organizations(user: User):
    return select(Organization.id).where(Organization.leader_user_id == user.id)


def is_own(user: User, booking: Booking) -> bool:
    """For an organization ``user`` leads, or booked by her (the organization is
    loaded with the booking)."""
    if booking.booked_by_id == user.id:
        return True
    org = booking.organization
    return org is not None and org.leader_user_id == user.id


def shows_details(user: User, booking: Booking) -> bool:
    """Whether ``user`` sees who booked and why, or only that it is taken."""
    return user.role != Role.ORG_LEADER or is_own(user, booking)


def visible_booking(user: User, booking_id: int) -> Booking | None:
    return db.session.scalar(
        select(Booking)
        .where(Booking.id == booking_id, booking_scope(user))
        .options(
            joinedload(Booking.room),
            joinedload(Booking.organization),
            joinedload(Booking.booked_by),
            joinedload(Booking.decided_by),
            joinedload(Booking.activity),
            joinedload(Booking.session),
        )
    )


def rooms_for(user: User, community_id: int | None = None) -> list[Room]:
    """The open rooms ``user`` may see (of one community when given), in order."""
    stmt = select(Room).where(Room.archived_at.is_(None), room_scope(user))
    if community_id:
        stmt = stmt.where(Room.community_id == community_id)
    return list(
        db.session.scalars(
            stmt.order_by(Room.community_id, Room.position, Room.id).options(
                joinedload(Room.community)
            )
        )
    )


def day_bounds(day: date) -> tuple[datetime, datetime]:
    zone = local_zone()
    start = datetime.combine(day, time(0), tzinfo=zone)
    return start, start + timedelta(days=1)


def bookings_on(room_ids: Sequence[int], day: date) -> list[Booking]:
    """The requested and confirmed bookings of these rooms that touch ``day``."""
    if not room_ids:
        return []
    start, end = day_bounds(day)
    return list(
        db.session.scalars(
            select(Booking)
            .where(
                Booking.room_id.in_(list(room_ids)),
                Booking.state.in_(HOLDING),
                Booking.starts_at < end,
                Booking.ends_at > start,
            )
            .options(joinedload(Booking.organization), joinedload(Booking.session))
            .order_by(Booking.starts_at, Booking.id)
        )
    )


# ---- the grid ----


@dataclass
class GridCell:
    """A cell of the grid: free (no entries), or a block of one or more
    overlapping bookings spanning ``rowspan`` half-hours."""

    rowspan: int = 1
    entries: list[Booking] = field(default_factory=list)


@dataclass
class DayGrid:
    rooms: list[Room]
    # (the half-hour's start, one cell per room or None where a block above
    # covers it)
    rows: list[tuple[time, list[GridCell | None]]]
    by_room: dict[int, list[Booking]]


def _hours(rooms: Sequence[Room], bookings: Sequence[Booking], day: date):
    opens = [r.opens_at for r in rooms if r.opens_at] or [DEFAULT_OPENS]
    closes = [r.closes_at for r in rooms if r.closes_at] or [DEFAULT_CLOSES]
    start_of_day, end_of_day = day_bounds(day)
    first = datetime.combine(day, min(opens), tzinfo=local_zone())
    last = datetime.combine(day, max(closes), tzinfo=local_zone())
    if last <= first:
        first, last = start_of_day, end_of_day
    for b in bookings:
        first = min(first, max(b.starts_at.astimezone(local_zone()), start_of_day))
        last = max(last, min(b.ends_at.astimezone(local_zone()), end_of_day))
    # whole hours
    first = first.replace(minute=0, second=0, microsecond=0)
    if last.minute or last.second or last.microsecond:
        last = last.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    return first, min(last, end_of_day)


def _slot_index(moment: datetime, first: datetime, count: int, *, up: bool) -> int:
    steps = (moment - first) / SLOT
    index = int(steps) if not up or steps == int(steps) else int(steps) + 1
    return max(0, min(count, index))


def day_grid(rooms: Sequence[Room], bookings: Sequence[Booking], day: date) -> DayGrid:
    """Rooms as columns, the day's half-hours as rows; overlapping bookings of
    one room (two requests) share one block."""
    first, last = _hours(rooms, bookings, day)
    count = max(1, int((last - first) / SLOT))
    by_room: dict[int, list[Booking]] = {r.id: [] for r in rooms}
    for b in bookings:
        by_room.setdefault(b.room_id, []).append(b)
    columns: list[list[GridCell | None]] = []
    for room in rooms:
        column: list[GridCell | None] = [GridCell() for _ in range(count)]
        blocks: list[tuple[int, int, list[Booking]]] = []
        for b in by_room[room.id]:
            top = _slot_index(b.starts_at, first, count, up=False)
            bottom = max(top + 1, _slot_index(b.ends_at, first, count, up=True))
            bottom = min(bottom, count)
            if top >= count:
                top, bottom = count - 1, count
            if blocks and top < blocks[-1][1]:
                blocks[-1] = (
                    blocks[-1][0],
                    max(bottom, blocks[-1][1]),
                    [*blocks[-1][2], b],
                )
            else:
                blocks.append((top, bottom, [b]))
        for top, bottom, entries in blocks:
            column[top] = GridCell(rowspan=bottom - top, entries=entries)
            for i in range(top + 1, bottom):
                column[i] = None
        columns.append(column)
    rows = [
        ((first + i * SLOT).time(), [column[i] for column in columns])
        for i in range(count)
    ]
    return DayGrid(rooms=list(rooms), rows=rows, by_room=by_room)


@dataclass(frozen=True)
class Slot:
    starts: datetime
    ends: datetime
    booking: Booking | None = None  # None: free

    @property
    def free(self) -> bool:
        return self.booking is None


def day_slots(room: Room, bookings: Sequence[Booking], day: date) -> list[Slot]:
    """The room's day within its opening hours (08:00-21:00 when it has none) as
    free and taken stretches, in order; taken ones outside the hours included."""
    zone = local_zone()
    opens = datetime.combine(day, room.opens_at or DEFAULT_OPENS, tzinfo=zone)
    closes = datetime.combine(day, room.closes_at or DEFAULT_CLOSES, tzinfo=zone)
    slots: list[Slot] = []
    cursor = opens
    for b in sorted(bookings, key=lambda b: b.starts_at):
        starts, ends = b.starts_at.astimezone(zone), b.ends_at.astimezone(zone)
        if starts > cursor and cursor < closes:
            slots.append(Slot(cursor, min(starts, closes)))
        slots.append(Slot(starts, ends, b))
        cursor = max(cursor, ends)
    if cursor < closes:
        slots.append(Slot(cursor, closes))
    return slots


# ---- lists ----


def requests_query(user: User, community_id: int | None = None) -> Select:
    """Requested bookings in ``user``'s scope, soonest first (the approval queue)."""
    stmt = (
        select(Booking)
        .where(Booking.state == BookingState.REQUESTED, booking_scope(user))
        .options(
            joinedload(Booking.room),
            joinedload(Booking.organization),
            joinedload(Booking.booked_by),
            joinedload(Booking.session),
        )
        .order_by(Booking.starts_at, Booking.id)
    )
    if community_id:
        stmt = stmt.where(Booking.community_id == community_id)
    return stmt


def mine_query(user: User, *, past: bool, now: datetime) -> Select:
    """``user``'s own bookings (her organizations' or booked by her): coming ones
    soonest first, or past ones newest first."""
    own = or_(
        Booking.organization_id.in_(_led_organizations(user)),
        Booking.booked_by_id == user.id,
    )
    stmt = (
        select(Booking)
        .where(own)
        .options(
            joinedload(Booking.room),
            joinedload(Booking.organization),
            joinedload(Booking.session),
        )
    )
    if past:
        return stmt.where(Booking.ends_at <= now).order_by(
            Booking.starts_at.desc(), Booking.id.desc()
        )
    return stmt.where(Booking.ends_at > now).order_by(Booking.starts_at, Booking.id)


def month_bookings(
    user: User, start: date, end: date, community_id: int | None = None
) -> Select:
    """Every booking of the month in ``user``'s scope, by time (the export)."""
    stmt = (
        select(Booking)
        .where(Booking.held_on >= start, Booking.held_on < end, booking_scope(user))
        .options(
            joinedload(Booking.room),
            joinedload(Booking.organization),
            joinedload(Booking.session),
        )
        .order_by(Booking.starts_at, Booking.room_id, Booking.id)
    )
    if community_id:
        stmt = stmt.where(Booking.community_id == community_id)
    return stmt


# ---- the month's uses ----


@dataclass
class UsesTable:
    """Used bookings (confirmed and held) of a month: ``cells[(room_id, type)]``
    is (uses, people)."""

    rooms: list[Room]
    types: list[ServiceType]
    cells: dict[tuple[int, str], tuple[int, int]]

    def cell(self, room_id: int, service_type: str) -> tuple[int, int]:
        return self.cells.get((room_id, service_type), (0, 0))

    def room_total(self, room_id: int) -> tuple[int, int]:
        found = [v for (r, _t), v in self.cells.items() if r == room_id]
        return sum(u for u, _p in found), sum(p for _u, p in found)

    def type_total(self, service_type: str) -> tuple[int, int]:
        found = [v for (_r, t), v in self.cells.items() if t == service_type]
        return sum(u for u, _p in found), sum(p for _u, p in found)

    @property
    def total(self) -> tuple[int, int]:
        return (
            sum(u for u, _p in self.cells.values()),
            sum(p for _u, p in self.cells.values()),
        )


def month_uses(
    user: User, start: date, end: date, community_id: int | None = None
) -> UsesTable:
    """The month's used bookings by room and service type, counted in the
    database (two queries whatever the number of bookings)."""
    stmt = (
        select(
            Booking.room_id,
            Booking.service_type,
            func.count(Booking.id),
            func.coalesce(func.sum(Booking.people), 0),
        )
        .where(
            Booking.held_on >= start,
            Booking.held_on < end,
            Booking.state == BookingState.CONFIRMED,
            Booking.held.is_(True),
            booking_scope(user),
        )
        .group_by(Booking.room_id, Booking.service_type)
    )
    if community_id:
        stmt = stmt.where(Booking.community_id == community_id)
    cells = {
        (room_id, kind): (int(uses), int(people or 0))
        for room_id, kind, uses, people in db.session.execute(stmt)
    }
    used_rooms = {room_id for room_id, _kind in cells}
    room_stmt = select(Room).where(
        or_(
            Room.id.in_(sorted(used_rooms) or [0]),
            Room.archived_at.is_(None) & room_scope(user),
        )
    )
    if community_id:
        room_stmt = room_stmt.where(Room.community_id == community_id)
    rooms = list(
        db.session.scalars(
            room_stmt.order_by(Room.community_id, Room.position, Room.id)
        )
    )
    return UsesTable(rooms=rooms, types=list(ServiceType), cells=cells)
