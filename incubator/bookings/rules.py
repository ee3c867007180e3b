"""The rules a booking is checked against, shared by the booking services and
the links to sessions: who may book for whom, which room, its capacity, the
overlap with confirmed bookings (and the message naming the holder) and the
warnings (closed hours, holidays) that never refuse.

No double booking: two confirmed bookings of one room never overlap (half-open
intervals, so 10-11 and 11-12 do not). The check runs inside the write
transaction, after taking the room's lock (``serialize_on``: an advisory lock on
PostgreSQL; on SQLite write transactions are serialized by ``BEGIN IMMEDIATE``).
On PostgreSQL the exclusion constraint ``booking_no_overlap`` is the backstop: its
refusal at flush is caught in a savepoint (``flush_bookings``) and answered as
``BookingConflict``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from incubator.auth.models import User
from incubator.auth.roles import STAFF_ROLES, Role
from incubator.bookings.models import NO_OVERLAP, Booking, BookingState
from incubator.community.models import Community, Room
from incubator.community.scope import may_see_community, scope_ids
from incubator.database import serialize_on, utcnow
from incubator.errors import NotPermitted, RuleViolation, StaleRecord, ValidationFailed
from incubator.extensions import db
from incubator.i18n import local_zone
from incubator.organizations.models import Organization
from incubator.sessions.holidays import day_warning

ACTIVE = (BookingState.REQUESTED, BookingState.CONFIRMED)


class BookingConflict(RuleViolation):
    """The room is taken (409): the message says when and by whom."""

    code = "booking_conflict"


# ---- who and what ----


def is_staff(user: User) -> bool:
    return user.role in STAFF_ROLES


def may_manage(user: User, booking: Booking) -> bool:
    """Staff in the booking's community, or the leader of its organization."""
    if is_staff(user):
        return may_see_community(user, booking.community_id)
    return (
        user.role == Role.ORG_LEADER
        and booking.organization is not None
        and booking.organization.leader_user_id == user.id
    )


def find_room(
    actor: User,
    room_id: int | None,
    name: str | None = None,
    community_id: int | None = None,
) -> Room:
    """The room named by id or by name: open, of an open community in the
    actor's scope (``ValidationFailed`` on ``room_id`` otherwise)."""
    unknown = ValidationFailed(_l("Unknown or archived room."), field="room_id")
    if room_id is not None:
        room = db.session.get(Room, room_id)
        if room is None:
            raise unknown
    else:
        stmt = (
            select(Room)
            .join(Community, Community.id == Room.community_id)
            .where(
                Room.name == (name or "").strip(),
                Room.archived_at.is_(None),
                Community.archived_at.is_(None),
            )
        )
        if community_id is not None:
            stmt = stmt.where(Room.community_id == community_id)
        ids = scope_ids(actor)
        if ids is not None:
            stmt = stmt.where(Room.community_id.in_(sorted(ids)))
        found = list(db.session.scalars(stmt.limit(2)))
        if len(found) > 1:
            raise ValidationFailed(
                _l("Several communities have a room of this name: send room_id."),
                field="room",
            )
        if not found:
            raise unknown
        room = found[0]
    if room.archived or room.community.archived:
        raise unknown
    if actor.role != Role.ORG_LEADER and not may_see_community(
        actor, room.community_id
    ):
        raise unknown
    return room


def organization_for(organization_id: int | None, actor: User) -> Organization | None:
    """The organization booking: a leader's own (required); any open one in
    scope for staff, or none (the agency)."""
    if actor.role == Role.ORG_LEADER:
        if organization_id is None:
            raise ValidationFailed(
                _l("Choose the organization the room is for."),
                field="organization_id",
            )
        org = db.session.get(Organization, organization_id)
        if org is None or org.leader_user_id != actor.id:
            raise NotPermitted(_l("You book rooms only for your own organization."))
        if org.archived_at is not None:
            raise ValidationFailed(_l("Unknown organization."), field="organization_id")
        return org
    if not is_staff(actor):
        raise NotPermitted(_l("Social workers and organization leaders book rooms."))
    if organization_id is None:
        return None
    org = db.session.get(Organization, organization_id)
    if (
        org is None
        or org.archived_at is not None
        or not may_see_community(actor, org.community_id)
    ):
        raise ValidationFailed(_l("Unknown organization."), field="organization_id")
    return org


def check_room_for(room: Room, org: Organization | None, actor: User) -> None:
    if actor.role == Role.ORG_LEADER and org is not None:
        if room.community_id != org.community_id:
            raise ValidationFailed(
                _l("Choose a room of your community's service centre."),
                field="room_id",
            )


def check_capacity(room: Room, expected_people: int) -> None:
    if room.capacity is not None and expected_people > room.capacity:
        raise ValidationFailed(
            _l(
                "%(room)s holds at most %(n)d people.",
                room=room.name,
                n=room.capacity,
            ),
            field="expected_people",
        )


def check_not_past(starts_at: datetime, actor: User) -> None:
    if not is_staff(actor) and starts_at < utcnow():
        raise ValidationFailed(_l("A booking starts in the future."), field="starts_at")


def local_day(moment: datetime):
    return moment.astimezone(local_zone()).date()


# ---- overlap ----


def holder_of(booking: Booking) -> str:
    """Who holds a booking, as others may read it (no residents' data)."""
    if booking.session_id is not None and booking.session is not None:
        return str(
            _l("capacity-building session %(title)s", title=booking.session.title)
        )
    if booking.organization is not None:
        return booking.organization.name
    if booking.outside_unit:
        return booking.outside_unit
    return str(_l("the service centre"))


def _span(starts_at: datetime, ends_at: datetime) -> str:
    zone = local_zone()
    start = starts_at.astimezone(zone)
    end = ends_at.astimezone(zone)
    return f"{start:%Y-%m-%d %H:%M}–{end:%H:%M}"


def conflict_message(other: Booking, *, occurrence: int | None = None) -> str:
    held = str(
        _l(
            "%(room)s is already booked %(span)s by %(holder)s.",
            room=other.room.name,
            span=_span(other.starts_at, other.ends_at),
            holder=holder_of(other),
        )
    )
    if occurrence is None:
        return held
    return str(_l("Occurrence %(n)d: %(why)s", n=occurrence, why=held))


def overlapping(
    room_id: int,
    starts_at: datetime,
    ends_at: datetime,
    *,
    exclude: Iterable[int] = (),
) -> Booking | None:
    """The first confirmed booking of the room overlapping ``[starts_at,
    ends_at)``, leaving out the ids in ``exclude``."""
    skip = [i for i in exclude if i is not None]
    stmt = select(Booking).where(
        Booking.room_id == room_id,
        Booking.state == BookingState.CONFIRMED,
        Booking.starts_at < ends_at,
        Booking.ends_at > starts_at,
    )
    if skip:
        stmt = stmt.where(Booking.id.not_in(skip))
    with db.session.no_autoflush:
        return db.session.scalar(stmt.order_by(Booking.starts_at).limit(1))


def check_free(
    room_id: int,
    slots: list[tuple[datetime, datetime]],
    *,
    exclude: Iterable[int] = (),
    series: bool = False,
) -> None:
    """Refuse (``BookingConflict``) when any slot meets a confirmed booking."""
    exclude = list(exclude)
    for index, (starts_at, ends_at) in enumerate(slots, start=1):
        other = overlapping(room_id, starts_at, ends_at, exclude=exclude)
        if other is not None:
            raise BookingConflict(
                conflict_message(other, occurrence=index if series else None),
                field="starts_at",
                details={"booking_id": other.id, "occurrence": index},
            )


def lock_room(room_id: int) -> None:
    """Serialize the transactions that book this room (PostgreSQL)."""
    serialize_on(f"room:{room_id}")


def flush_bookings(message=None) -> None:
    """Flush in a savepoint: the exclusion constraint's refusal (PostgreSQL, a
    race lost) becomes ``BookingConflict``; a stale version ``StaleRecord``."""
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as exc:
        if NO_OVERLAP not in str(exc.orig):
            raise
        raise BookingConflict(
            message
            or _l(
                "Someone else booked this room for the same time a moment ago; "
                "choose another time."
            ),
            field="starts_at",
        ) from None
    except StaleDataError:
        raise StaleRecord(
            _l("Someone else changed this booking at the same moment; reload it.")
        ) from None


# ---- warnings ----


def booking_warnings(room: Room, starts_at: datetime, ends_at: datetime) -> list[str]:
    """What to warn about, never refuse: outside the room's opening hours, a
    statutory holiday or a weekend day (translated sentences)."""
    warnings = []
    zone = local_zone()
    start = starts_at.astimezone(zone)
    end = ends_at.astimezone(zone)
    end_time = end.time() if end.date() == start.date() else time.max
    if room.opens_at is not None and start.time() < room.opens_at:
        warnings.append(
            str(
                _l(
                    "%(room)s opens at %(time)s.",
                    room=room.name,
                    time=room.opens_at.strftime("%H:%M"),
                )
            )
        )
    if room.closes_at is not None and end_time > room.closes_at:
        warnings.append(
            str(
                _l(
                    "%(room)s closes at %(time)s.",
                    room=room.name,
                    time=room.closes_at.strftime("%H:%M"),
                )
            )
        )
    holiday = day_warning(start.date())
    if holiday:
        warnings.append(holiday)
    return warnings
