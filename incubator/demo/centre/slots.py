"""The centre's calendar while the demo plans it: each planned booking (``Use``)
and the rooms' confirmed slots, so that two confirmed bookings of one room never
overlap, each stays inside the room's opening hours and its people fit the room;
then the rows to insert."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from incubator.bookings.models import BookingState
from incubator.community.models import Room
from incubator.database import utcnow
from incubator.demo.clock import local


@dataclass
class Use:
    """One planned booking (times local)."""

    room: Room
    day: date
    start: time
    minutes: int
    service_type: str
    purpose: str
    booked_by_id: int | None
    expected: int
    organization_id: int | None = None
    outside_unit: str = ""
    state: str = BookingState.CONFIRMED
    held: bool | None = None
    people: int | None = None
    activity_id: int | None = None
    session_id: int | None = None
    series: int | None = None  # index of the planned series
    sequence: int = 1
    detached: bool = False
    decided_by_id: int | None = None
    decision_reason: str = ""
    cancel_reason: str = ""
    recorder_id: int | None = None
    # Sign-ins to the booking itself: how many, and from which group of
    # residents (None: anyone, new faces and returning ones).
    signins: int = 0
    pool: str | None = None
    pool_share: float = 1.0  # the rest are anyone
    id: int | None = field(default=None, compare=False)

    @property
    def starts_at(self) -> datetime:
        return local(self.day, self.start).astimezone(UTC)

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.minutes)

    @property
    def used(self) -> bool:
        return self.state == BookingState.CONFIRMED and bool(self.held)


class Calendar:
    """The planned uses of one community's rooms."""

    def __init__(self, rooms: dict[str, Room], today: date) -> None:
        self.rooms = rooms
        self.today = today
        self.uses: list[Use] = []
        self._busy: dict[tuple[int, date], list[tuple[datetime, datetime]]] = (
            defaultdict(list)
        )

    def fits(self, room: Room, day: date, start: time, minutes: int, people=0) -> bool:
        begins = datetime.combine(day, start)
        ends = begins + timedelta(minutes=minutes)
        if room.opens_at and start < room.opens_at:
            return False
        if room.closes_at and ends > datetime.combine(day, room.closes_at):
            return False
        if room.capacity and people > room.capacity:
            return False
        return all(
            ends <= other_start or begins >= other_end
            for other_start, other_end in self._busy[(room.id, day)]
        )

    def add(self, use: Use) -> Use:
        if use.state == BookingState.CONFIRMED:
            if not self.fits(
                use.room,
                use.day,
                use.start,
                use.minutes,
                max(use.expected, use.people or 0),
            ):
                raise ValueError(f"demo booking does not fit: {use}")
            begins = datetime.combine(use.day, use.start)
            self._busy[(use.room.id, use.day)].append(
                (begins, begins + timedelta(minutes=use.minutes))
            )
        self.uses.append(use)
        return use

    def reserve(self, room: Room, day: date, start: time, minutes: int) -> None:
        """Hold a slot without a booking (an activity logged in the room)."""
        begins = datetime.combine(day, start)
        self._busy[(room.id, day)].append((begins, begins + timedelta(minutes=minutes)))

    def used_in(self, start: date, end: date) -> int:
        return sum(1 for u in self.uses if u.used and start <= u.day < end)


def booking_row(use: Use, community_id: int, series_ids: list[int], rng) -> dict:
    """The ``booking`` row of ``use``: made some days before, decided, and its use
    recorded the day after (never after now)."""
    now = utcnow()
    made = min(use.starts_at - timedelta(days=rng.randint(2, 20)), now)
    decided_at = None
    if use.state != BookingState.REQUESTED:
        decided_at = min(made + timedelta(hours=rng.randint(0, 30)), now)
    recorded = use.held is not None
    return {
        "community_id": community_id,
        "room_id": use.room.id,
        "series_id": series_ids[use.series] if use.series is not None else None,
        "sequence": use.sequence,
        "detached": use.detached,
        "starts_at": use.starts_at,
        "ends_at": use.ends_at,
        "held_on": use.day,
        "organization_id": use.organization_id,
        "outside_unit": use.outside_unit,
        "purpose": use.purpose,
        "service_type": use.service_type,
        "expected_people": use.expected,
        "state": use.state,
        "decision_reason": use.decision_reason,
        "decided_by_id": use.decided_by_id,
        "decided_at": decided_at,
        "cancel_reason": use.cancel_reason,
        "booked_by_id": use.booked_by_id,
        "created_at": made,
        "held": use.held,
        "people": use.people,
        "use_recorded_by_id": use.recorder_id if recorded else None,
        "use_recorded_at": (
            min(use.ends_at + timedelta(hours=rng.randint(1, 20)), now)
            if recorded
            else None
        ),
        "activity_id": use.activity_id,
        "session_id": use.session_id,
        "version": 1,
    }
