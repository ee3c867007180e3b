"""Booking the centre's rooms: booking once or weekly, approving or refusing a
leader's request, changing or cancelling one occurrence or the rest of a series,
and recording the use after the slot. Pages, the API, the demo and the hooks
(sessions, activities) call these; they flush and audit, never commit.

No double booking: two confirmed bookings of one room never overlap (half-open
intervals, so 10-11 and 11-12 do not). The check runs inside the write
transaction, after taking the room's lock (``serialize_on``: an advisory lock on
PostgreSQL; on SQLite write transactions are serialized by ``BEGIN IMMEDIATE``).
On PostgreSQL the exclusion constraint ``booking_no_overlap`` is the backstop: its
refusal at flush is caught in a savepoint and answered as ``BookingConflict``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from incubator.activities.models import Activity, ServiceType
from incubator.audit import services as audit
from incubator.auth.models import User
from incubator.auth.roles import STAFF_ROLES, Role
from incubator.bookings.models import (
    Booking,
    BookingSeries,
    BookingState,
)
from incubator.bookings.schemas import (
    FIELDS,
    BookingCancel,
    BookingChange,
    BookingDecision,
    BookingIn,
    BookingUse,
    check_outside_unit,
    check_times,
)
from incubator.community.models import Community, Room
from incubator.community.scope import may_see_community, scope_ids
from incubator.database import serialize_on, utcnow
from incubator.errors import NotPermitted, RuleViolation, StaleRecord, ValidationFailed
from incubator.extensions import db
from incubator.i18n import local_zone
from incubator.organizations.models import Organization
from incubator.sessions.holidays import day_warning
from incubator.sessions.models import SessionState, TrainingSession

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


def _organization(organization_id: int | None, actor: User) -> Organization | None:
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


def _check_room_for(room: Room, org: Organization | None, actor: User) -> None:
    if actor.role == Role.ORG_LEADER and org is not None:
        if room.community_id != org.community_id:
            raise ValidationFailed(
                _l("Choose a room of your community's service centre."),
                field="room_id",
            )


def _check_capacity(room: Room, expected_people: int) -> None:
    if room.capacity is not None and expected_people > room.capacity:
        raise ValidationFailed(
            _l(
                "%(room)s holds at most %(n)d people.",
                room=room.name,
                n=room.capacity,
            ),
            field="expected_people",
        )


def _check_not_past(starts_at: datetime, actor: User) -> None:
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


def _check_free(
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
        if "booking_no_overlap" not in str(exc.orig):
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


# ---- booking ----


def _occurrences(starts_at: datetime, count: int) -> list[datetime]:
    local = starts_at.astimezone(local_zone())
    return [
        datetime.combine(local.date() + timedelta(weeks=k), local.timetz()).replace(
            tzinfo=local_zone()
        )
        for k in range(count)
    ]


def book_room(data: BookingIn, *, actor: User) -> list[Booking]:
    """One booking, or one per occurrence of a weekly series (same
    ``series_id``, ``sequence`` 1..n), all or none. Staff bookings are confirmed;
    a leader's is requested when the room needs approval. Raises
    ``BookingConflict`` naming the occurrence that collides, ``ValidationFailed``
    (room, organization, capacity, times), ``NotPermitted``."""
    org = _organization(data.organization_id, actor)
    if actor.role == Role.ORG_LEADER and data.outside_unit:
        raise ValidationFailed(_l("Book for your organization."), field="outside_unit")
    room = find_room(actor, data.room_id, data.room, data.community_id)
    _check_room_for(room, org, actor)
    _check_capacity(room, data.expected_people)
    _check_not_past(data.starts_at, actor)
    count = data.recurrence.count if data.recurrence else 1
    length = data.ends_at - data.starts_at
    slots = [(s, s + length) for s in _occurrences(data.starts_at, count)]
    state = (
        BookingState.REQUESTED
        if actor.role == Role.ORG_LEADER and room.needs_approval
        else BookingState.CONFIRMED
    )
    lock_room(room.id)
    _check_free(room.id, slots, series=count > 1)
    return _create(
        room,
        slots,
        state=state,
        actor=actor,
        organization_id=org.id if org else None,
        outside_unit=data.outside_unit,
        purpose=data.purpose,
        service_type=str(data.service_type),
        expected_people=data.expected_people,
        series=count > 1,
    )


def _create(
    room: Room,
    slots: list[tuple[datetime, datetime]],
    *,
    state: str,
    actor: User | None,
    series: bool,
    session_id: int | None = None,
    **fields,
) -> list[Booking]:
    series_row = None
    if series:
        series_row = BookingSeries(
            freq="weekly", count=len(slots), created_by_id=actor.id if actor else None
        )
        db.session.add(series_row)
        db.session.flush()
    bookings = []
    for sequence, (starts_at, ends_at) in enumerate(slots, start=1):
        booking = Booking(
            room_id=room.id,
            community_id=room.community_id,
            series_id=series_row.id if series_row else None,
            sequence=sequence,
            starts_at=starts_at,
            ends_at=ends_at,
            held_on=local_day(starts_at),
            state=state,
            booked_by_id=actor.id if actor else None,
            session_id=session_id,
            **fields,
        )
        if state == BookingState.CONFIRMED and actor is not None:
            booking.decided_by_id = actor.id
            booking.decided_at = utcnow()
        db.session.add(booking)
        bookings.append(booking)
    flush_bookings()
    for booking in bookings:
        audit.record(
            "create",
            booking,
            actor=actor,
            changes={
                "room_id": [None, booking.room_id],
                "starts_at": [None, booking.starts_at.isoformat()],
                "ends_at": [None, booking.ends_at.isoformat()],
                "organization_id": [None, booking.organization_id],
                "state": [None, booking.state],
                "series_id": [None, booking.series_id],
            },
        )
    db.session.flush()
    return bookings


def decide_booking(booking: Booking, data: BookingDecision, *, actor: User) -> Booking:
    """Staff approve a requested booking (confirmed, after checking the room is
    still free: ``BookingConflict`` otherwise) or refuse it with a reason."""
    if not is_staff(actor):
        raise NotPermitted(_l("Social workers approve or refuse bookings."))
    if booking.state != BookingState.REQUESTED:
        raise RuleViolation(_l("Only a booking awaiting approval can be decided."))
    if data.decision == "approve":
        lock_room(booking.room_id)
        _check_free(
            booking.room_id,
            [(booking.starts_at, booking.ends_at)],
            exclude=[booking.id],
        )
        booking.state = BookingState.CONFIRMED
        booking.decision_reason = data.reason
    else:
        booking.state = BookingState.REFUSED
        booking.decision_reason = data.reason
    booking.decided_by_id = actor.id
    booking.decided_at = utcnow()
    changes: dict = {"state": [BookingState.REQUESTED.value, booking.state]}
    if data.reason:
        changes["decision_reason"] = [None, data.reason]
    audit.record(data.decision, booking, actor=actor, changes=changes)
    flush_bookings()
    return booking


def _following(booking: Booking, *, states=ACTIVE) -> list[Booking]:
    """This booking and the later occurrences of its series still requested or
    confirmed, not changed on their own."""
    if booking.series_id is None:
        return [booking]
    later = db.session.scalars(
        select(Booking)
        .where(
            Booking.series_id == booking.series_id,
            Booking.sequence > booking.sequence,
            Booking.state.in_([str(s) for s in states]),
            Booking.detached.is_(False),
        )
        .order_by(Booking.sequence)
    ).all()
    return [booking, *later]


def _check_manage(booking: Booking, actor: User) -> None:
    if not may_manage(actor, booking):
        raise NotPermitted(
            _l("Only staff or the organization's leader change this booking.")
        )
    if booking.session_id is not None:
        raise RuleViolation(
            _l(
                "This booking belongs to a capacity-building session: change or "
                "cancel the session."
            )
        )


def cancel_booking(
    booking: Booking, data: BookingCancel, *, actor: User
) -> list[Booking]:
    """Cancel a requested or confirmed booking (``scope="rest"``: with the later
    occurrences of its series not changed on their own), freeing the slot. A
    booking whose use is recorded stays."""
    _check_manage(booking, actor)
    if booking.state not in ACTIVE:
        raise RuleViolation(
            _l("Only a requested or confirmed booking can be cancelled.")
        )
    if booking.held is not None:
        raise RuleViolation(_l("The use of this booking is recorded; it stays."))
    targets = _following(booking) if data.scope == "rest" else [booking]
    targets = [t for t in targets if t.held is None]
    for target in targets:
        _cancel(target, data.reason, actor=actor, summary=data.scope)
    flush_bookings()
    return targets


def _cancel(booking: Booking, reason: str, *, actor: User | None, summary="") -> None:
    before = booking.state
    booking.state = BookingState.CANCELLED
    booking.cancel_reason = reason[:2000]
    audit.record(
        "cancel",
        booking,
        actor=actor,
        changes={"state": [before, BookingState.CANCELLED.value]},
        summary=summary,
    )


def change_booking(
    booking: Booking, data: BookingChange, *, actor: User, scope: str = "this"
) -> list[Booking]:
    """Change one booking (``scope="this"``: an occurrence moved on its own
    leaves the series' later changes) or it and the later occurrences of its
    series (``"rest"``: a new time shifts each by the same amount). ``data.scope``
    when sent wins over ``scope``. Refused: a stale ``version`` (``StaleRecord``),
    an overlap with a confirmed booking (``BookingConflict``), past capacity. A
    leader who moves a booking of a room needing approval asks again."""
    _check_manage(booking, actor)
    if "scope" in data.model_fields_set:
        scope = data.scope
    if data.version != booking.version:
        raise StaleRecord(
            _l("Someone else changed this booking after you opened it; reload it.")
        )
    if booking.state not in ACTIVE:
        raise RuleViolation(_l("Only a requested or confirmed booking can be changed."))
    if booking.held is not None:
        raise RuleViolation(_l("The use of this booking is recorded; it stays."))
    clean = {f: getattr(booking, f) for f in FIELDS}
    clean.update(data.changes())
    check_outside_unit(clean["outside_unit"], clean["service_type"])
    if clean["outside_unit"] and booking.organization_id is not None:
        raise ValidationFailed(
            _l("Book for an organization or for an outside unit, not both."),
            field="outside_unit",
        )
    if actor.role == Role.ORG_LEADER and clean["outside_unit"]:
        raise ValidationFailed(_l("Book for your organization."), field="outside_unit")
    room = booking.room
    if data.room_id is not None and data.room_id != booking.room_id:
        room = find_room(actor, data.room_id)
        if room.community_id != booking.community_id:
            raise ValidationFailed(
                _l("Choose a room of the same service centre."), field="room_id"
            )
    _check_capacity(room, clean["expected_people"])
    new_start = data.starts_at or booking.starts_at
    new_end = data.ends_at or new_start + (booking.ends_at - booking.starts_at)
    check_times(new_start, new_end)
    moved = (
        new_start != booking.starts_at
        or new_end != booking.ends_at
        or room.id != booking.room_id
    )
    if moved:
        _check_not_past(new_start, actor)
    shift = new_start - booking.starts_at
    length = new_end - new_start
    targets = _following(booking) if scope == "rest" else [booking]
    targets = [t for t in targets if t.held is None]
    plan = []
    for target in targets:
        starts_at = target.starts_at + shift
        plan.append((target, starts_at, starts_at + length))
    for _target, starts_at, ends_at in plan:
        check_times(starts_at, ends_at)
    to_request = moved and actor.role == Role.ORG_LEADER and room.needs_approval
    lock_room(room.id)
    _check_free(
        room.id,
        [(s, e) for _t, s, e in plan],
        exclude=[t.id for t in targets],
        series=len(plan) > 1,
    )
    for target, starts_at, ends_at in plan:
        for key, value in clean.items():
            setattr(target, key, str(value) if key == "service_type" else value)
        target.room_id = room.id
        target.starts_at = starts_at
        target.ends_at = ends_at
        target.held_on = local_day(starts_at)
        if to_request and target.state == BookingState.CONFIRMED:
            target.state = BookingState.REQUESTED
        if scope == "this" and target.series_id is not None:
            target.detached = True
        changes = audit.pending_changes(target)
        audit.record("update", target, actor=actor, changes=changes, summary=scope)
    flush_bookings()
    return targets


# ---- use ----


def record_use(booking: Booking, data: BookingUse, *, actor: User) -> Booking:
    """After the slot has begun, whether a confirmed booking was used and by how
    many people; staff or the booking's organization's leader. A used booking of
    an organization links the activity log of the same organization at the same
    time (not linked yet), so the two count once."""
    if not may_manage(actor, booking):
        raise NotPermitted(
            _l("Only staff or the organization's leader record the use.")
        )
    return _record_use(booking, data.held, data.people, actor=actor)


def _record_use(
    booking: Booking, held: bool, people: int | None, *, actor: User | None
) -> Booking:
    if booking.state != BookingState.CONFIRMED:
        raise RuleViolation(_l("Only a confirmed booking has a use to record."))
    if booking.starts_at > utcnow():
        raise RuleViolation(_l("The use is recorded once the slot has begun."))
    booking.held = held
    booking.people = people if held else None
    booking.use_recorded_by_id = actor.id if actor else None
    booking.use_recorded_at = utcnow()
    if not held:
        booking.activity_id = None
    elif booking.organization_id is not None and booking.activity_id is None:
        activity = _unlinked_activity(booking)
        if activity is not None:
            booking.activity_id = activity.id
    audit.record("use", booking, actor=actor)
    flush_bookings()
    return booking


def _unlinked_activity(booking: Booking) -> Activity | None:
    """An activity log of the booking's organization whose time overlaps it and
    that no booking links yet."""
    linked = exists().where(Booking.activity_id == Activity.id)
    with db.session.no_autoflush:
        return db.session.scalar(
            select(Activity)
            .where(
                Activity.organization_id == booking.organization_id,
                Activity.starts_at < booking.ends_at,
                Activity.ends_at > booking.starts_at,
                ~linked,
            )
            .order_by(Activity.starts_at, Activity.id)
            .limit(1)
        )


def link_activity(activity: Activity) -> Booking | None:
    """After an activity log was saved: keep or make its link to a confirmed
    booking of the same organization whose time overlaps (one not linked yet);
    drop a link that no longer fits. Returns the booking linked, if any."""
    with db.session.no_autoflush:
        current = db.session.scalar(
            select(Booking).where(Booking.activity_id == activity.id)
        )
    if current is not None:
        if (
            current.organization_id == activity.organization_id
            and current.state == BookingState.CONFIRMED
            and current.starts_at < activity.ends_at
            and current.ends_at > activity.starts_at
        ):
            return current
        current.activity_id = None
        audit.record("unlink", current, actor=None)
        db.session.flush()
    with db.session.no_autoflush:
        booking = db.session.scalar(
            select(Booking)
            .where(
                Booking.organization_id == activity.organization_id,
                Booking.state == BookingState.CONFIRMED,
                Booking.activity_id.is_(None),
                Booking.held.is_not(False),
                Booking.starts_at < activity.ends_at,
                Booking.ends_at > activity.starts_at,
            )
            .order_by(Booking.starts_at, Booking.id)
            .limit(1)
        )
    if booking is None:
        return None
    booking.activity_id = activity.id
    audit.record("link", booking, actor=None)
    flush_bookings()
    return booking


# ---- a capacity-building session's own booking ----


def session_booking(session: TrainingSession) -> Booking | None:
    with db.session.no_autoflush:
        return db.session.scalar(
            select(Booking).where(Booking.session_id == session.id)
        )


def sync_session_booking(
    session: TrainingSession, *, actor: User | None
) -> Booking | None:
    """Make the booking of a scheduled session held in a centre room match it
    (room, times, title), create it, or cancel it when the session left the
    room or was cancelled. A clash with a confirmed booking refuses the session
    change (``BookingConflict``)."""
    booking = session_booking(session)
    wanted = session.room_id is not None and session.state != SessionState.CANCELLED
    if not wanted:
        if booking is not None and booking.state in ACTIVE and booking.held is None:
            _cancel(
                booking, session.cancel_reason or "", actor=actor, summary="session"
            )
            flush_bookings()
        return booking
    room = db.session.get_one(Room, session.room_id)
    people = session.capacity
    if room.capacity is not None:
        people = min(people, room.capacity)
    slot = (session.starts_at, session.ends_at)
    if booking is None or booking.state not in ACTIVE:
        lock_room(room.id)
        _check_free(room.id, [slot], exclude=[booking.id] if booking else [])
        if booking is not None:
            # A session cancelled and scheduled again: its booking is revived.
            booking.state = BookingState.CONFIRMED
        else:
            [created] = _create(
                room,
                [slot],
                state=BookingState.CONFIRMED,
                actor=actor,
                series=False,
                session_id=session.id,
                organization_id=None,
                outside_unit="",
                purpose=session.title[:200],
                service_type=ServiceType.CAPACITY.value,
                expected_people=people,
            )
            return created
    if (booking.room_id, booking.starts_at, booking.ends_at) != (room.id, *slot):
        lock_room(room.id)
        _check_free(room.id, [slot], exclude=[booking.id])
    booking.room_id = room.id
    booking.community_id = room.community_id
    booking.starts_at, booking.ends_at = slot
    booking.held_on = local_day(slot[0])
    booking.purpose = session.title[:200]
    booking.expected_people = people
    changes = audit.pending_changes(booking)
    if changes:
        audit.record("update", booking, actor=actor, changes=changes, summary="session")
    flush_bookings()
    return booking


def record_session_use(
    session: TrainingSession, *, actor: User | None
) -> Booking | None:
    """A session held (attendance recorded): its booking is used by the
    session's attendance total."""
    booking = session_booking(session)
    if booking is None or booking.state != BookingState.CONFIRMED:
        return booking
    return _record_use(booking, True, session.attendance_total, actor=actor)
