"""A community's year at its centre, planned: the weekly series, the capacity
sessions' own bookings, the activity logs held in a room (most linked to their
booking), the monthly and occasional uses, then as many one-off services as make
the year's space uses exactly the community's figure; and, around today, coming
bookings, requests waiting, refusals, cancellations and uses not yet recorded."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, time, timedelta

from incubator.activities.models import Activity, ReviewState
from incubator.bookings.models import BookingState
from incubator.community.models import Room
from incubator.demo.centre.data import CENTRE_TITLES
from incubator.demo.centre.slots import Calendar, Use
from incubator.i18n import local_zone
from incubator.organizations.models import Organization
from incubator.sessions.models import SessionState, TrainingSession

CONFIRMED, CANCELLED = BookingState.CONFIRMED, BookingState.CANCELLED
REQUESTED, REFUSED = BookingState.REQUESTED, BookingState.REFUSED


@dataclass(frozen=True)
class Series:
    """A weekly booking (a dance team's Tuesday practice)."""

    org: str | None  # the organization's name; None: the agency
    room: str
    weekday: int
    start: time
    minutes: int
    service_type: str
    purpose: str
    people: tuple[int, int]
    pool: str | None
    pool_share: float = 1.0
    every: int = 1  # every other week: 2 (single bookings, not a series)


@dataclass
class Year:
    """What one community's year holds (besides its one-off services)."""

    series: tuple[Series, ...]
    monthly: tuple[tuple[str, str, str, time, tuple[int, int], str], ...]
    meetings: tuple[tuple[str, str], ...]
    visits: tuple[str, ...]
    one_off: tuple
    online: int
    target: int
    linked_share: float
    unlinked: int


@dataclass
class Planner:
    calendar: Calendar
    period: tuple[date, date]
    rng: random.Random
    staff: list[int]  # the community's social workers (ids), admin last
    orgs: dict[str, Organization]
    series_count: list[int] = field(default_factory=list)
    unlinked: list[tuple[Activity, Room]] = field(default_factory=list)
    # The rooms the sessions and the centre's activities were held in (by id).
    session_rooms: dict[int, Room] = field(default_factory=dict)
    activity_rooms: dict[int, Room] = field(default_factory=dict)

    @property
    def today(self) -> date:
        return self.calendar.today

    def room(self, key: str) -> Room:
        return self.calendar.rooms[key]

    def booker(self, org: Organization | None) -> int | None:
        if org is None:
            return self.rng.choice(self.staff)
        return org.leader_user_id or org.social_worker_id

    def past_days(self) -> list[date]:
        start = self.period[0] + timedelta(days=1)
        return [start + timedelta(days=n) for n in range((self.today - start).days - 1)]


def plan_year(p: Planner, year: Year, sessions, activities) -> None:
    for series in year.series:
        _series(p, series)
    for session in sessions:
        if session.id in p.session_rooms:
            _session(p, session, p.session_rooms[session.id])
    _centre_activities(p, activities, year)
    for spec in year.monthly:
        _monthly(p, *spec)
    _receptions(p, year)
    _around_today(p, year)
    counted = p.calendar.used_in(*p.period) + len(p.unlinked)
    missing = year.target - counted
    if missing < 5:
        raise RuntimeError(f"demo centre year too full: {counted} of {year.target}")
    for _ in range(missing):
        _one_off(p, year.one_off)


def _people(p: Planner, low: int, high: int, room: Room) -> int:
    return min(p.rng.randint(low, high), room.capacity or high)


def _series(p: Planner, spec: Series) -> None:
    rng, room = p.rng, p.room(spec.room)
    org = p.orgs.get(spec.org) if spec.org else None
    first = p.period[0] + timedelta(days=(spec.weekday - p.period[0].weekday()) % 7)
    days = []
    day = first
    while day < p.today + timedelta(weeks=6):
        days.append(day)
        day += timedelta(weeks=spec.every)
    index = None
    if spec.every == 1:
        index = len(p.series_count)
        p.series_count.append(len(days))
    past = [n for n, d in enumerate(days) if d < p.today - timedelta(days=3)]
    # Three occurrences of the past differ: one cancelled, one not used, one
    # moved a day later on its own ("this one").
    cancelled, empty, moved = rng.sample(past, 3)
    booker = p.booker(org)
    for n, day in enumerate(days):
        use = Use(
            room=room,
            day=day,
            start=spec.start,
            minutes=spec.minutes,
            service_type=spec.service_type,
            purpose=spec.purpose,
            booked_by_id=booker,
            expected=spec.people[1],
            organization_id=org.id if org else None,
            series=index,
            sequence=n + 1,
            decided_by_id=None if org else booker,
            recorder_id=org.social_worker_id if org else booker,
            pool=spec.pool,
            pool_share=spec.pool_share,
        )
        if n == cancelled:
            use.state, use.cancel_reason = CANCELLED, "节假日停练一次，下周照常。"
        elif n == empty:
            use.held, use.people = False, 0  # the room stayed empty
        elif n == moved:
            use.day, use.detached = day + timedelta(days=1), True
        if use.state == CONFIRMED and use.day < p.today and use.held is None:
            use.held = True
            use.people = _people(p, *spec.people, room)
            use.signins = round(use.people * rng.uniform(0.8, 1.0))
        if not p.calendar.fits(room, use.day, use.start, use.minutes, use.expected):
            continue  # the moved one found its day taken
        p.calendar.add(use)


def _session(p: Planner, session: TrainingSession, room: Room) -> None:
    starts = session.starts_at.astimezone(local_zone())
    held = session.state == SessionState.HELD
    use = Use(
        room=room,
        day=starts.date(),
        start=starts.time(),
        minutes=int((session.ends_at - session.starts_at).total_seconds() // 60),
        service_type="capacity",
        purpose=session.title,
        booked_by_id=session.organizer_id,
        expected=min(session.capacity, room.capacity or session.capacity),
        session_id=session.id,
        decided_by_id=session.organizer_id,
        recorder_id=session.organizer_id,
        held=True if held else None,
        people=session.attendance_total if held else None,
    )
    if session.state == SessionState.CANCELLED:
        use.state, use.cancel_reason = CANCELLED, session.cancel_reason
    p.calendar.add(use)


def _centre_activities(p: Planner, activities: list[Activity], year: Year) -> None:
    """Logs whose title says they were at the centre: most linked to the
    organization's booking of the room, a few logged with the room but unbooked."""
    rng = p.rng
    start, _end = p.period
    for activity in activities:
        preferred = CENTRE_TITLES.get(activity.title)
        begins = activity.starts_at.astimezone(local_zone())
        day = begins.date()
        if (
            not preferred
            or activity.review_state != ReviewState.APPROVED
            or not start < day < p.today
            or rng.random() > year.linked_share
        ):
            continue
        minutes = int((activity.ends_at - activity.starts_at).total_seconds() // 60)
        room = next(
            (
                p.room(key)
                for key in preferred
                if key in p.calendar.rooms
                and p.calendar.fits(
                    p.room(key), day, begins.time(), minutes, activity.person_times
                )
            ),
            None,
        )
        if room is None:
            continue
        p.activity_rooms[activity.id] = room
        org = activity.organization
        if len(p.unlinked) < year.unlinked and rng.random() < 0.15:
            p.unlinked.append((activity, room))
            p.calendar.reserve(room, day, begins.time(), minutes)
            continue
        p.calendar.add(
            Use(
                room=room,
                day=day,
                start=begins.time(),
                minutes=minutes,
                service_type=activity.service_type,
                purpose=activity.title,
                booked_by_id=p.booker(org),
                expected=activity.person_times,
                organization_id=org.id,
                decided_by_id=org.social_worker_id if room.needs_approval else None,
                recorder_id=org.social_worker_id,
                held=True,
                people=activity.person_times,
                activity_id=activity.id,
            )
        )


def _free_slot(p, room, days, starts, minutes, people=0):
    for _ in range(60):
        day, start = p.rng.choice(days), p.rng.choice(starts)
        if p.calendar.fits(room, day, start, minutes, people):
            return day, start
    raise RuntimeError(f"demo centre: no free slot in {room.name}")


def _add_past(p: Planner, use: Use, low: int, high: int, share: float) -> Use:
    """A use before today, held, with its people and sign-ins."""
    use.held = True
    use.people = _people(p, low, high, use.room)
    use.signins = round(use.people * share)
    return p.calendar.add(use)


def _monthly(
    p: Planner,
    room_key: str,
    service_type: str,
    purpose: str,
    start: time,
    people: tuple[int, int],
    pool: str,
) -> None:
    room = p.room(room_key)
    admin = p.staff[-1]
    month = p.period[0]
    while month < p.today + timedelta(days=40):
        days = [month + timedelta(days=n) for n in range(3, 20)]
        days = [d for d in days if d.weekday() == 4] or days
        day, begins = _free_slot(p, room, days, (start,), 150, people[1])
        use = Use(
            room,
            day,
            begins,
            150,
            service_type,
            purpose,
            admin,
            people[1],
            decided_by_id=admin,
            recorder_id=admin,
            pool=pool,
        )
        if day < p.today:
            _add_past(p, use, people[0], people[1], 0.9)
        else:
            p.calendar.add(use)
        month = (month + timedelta(days=32)).replace(day=1)


def _receptions(p: Planner, year: Year) -> None:
    """Outside units received: meetings and visits (their people sign no sheet:
    they are not residents served), and the agency's online consulting."""
    rng, days = p.rng, [d for d in p.past_days() if d.weekday() < 5]
    admin = p.staff[-1]
    months = max(1, len(days) // 22)
    for n in range(months * 2):
        unit, purpose = year.meetings[n % len(year.meetings)]
        room = p.room("meeting")
        day, start = _free_slot(p, room, days, (time(9), time(14, 30)), 120, 20)
        _add_past(
            p,
            Use(
                room,
                day,
                start,
                120,
                "meeting_reception",
                purpose,
                admin,
                20,
                outside_unit=unit,
                decided_by_id=admin,
                recorder_id=admin,
            ),
            8,
            min(35, room.capacity or 35),
            0,
        )
    for n in range(months * 4 // 3):
        unit = year.visits[n % len(year.visits)]
        room = p.room("hall")
        day, start = _free_slot(p, room, days, (time(9, 30), time(15)), 90, 45)
        _add_past(
            p,
            Use(
                room,
                day,
                start,
                90,
                "visit_reception",
                "参观社区社会组织孵化成果",
                admin,
                45,
                outside_unit=unit,
                decided_by_id=admin,
                recorder_id=admin,
            ),
            15,
            45,
            0,
        )
    for _ in range(year.online):
        room = p.room("meeting")
        worker = rng.choice(p.staff[:-1] or p.staff)
        day, start = _free_slot(p, room, days, (time(19),), 90, 4)
        _add_past(
            p,
            Use(
                room,
                day,
                start,
                90,
                "online_consulting",
                "线上育儿与家庭关系咨询直播",
                worker,
                4,
                decided_by_id=worker,
                recorder_id=worker,
            ),
            2,
            4,
            0,
        )


def _one_off(p: Planner, menu) -> Use:
    rng = p.rng
    weights = [entry[-1] for entry in menu]
    service, key, purpose, who, people, share, _w = rng.choices(menu, weights)[0]
    room = p.room(key)
    # "org:<name>": that organization's own use; "agency"; else an outside unit.
    org = p.orgs.get(who[4:]) if who.startswith("org:") else None
    booker = p.booker(org)
    starts = (
        (time(9), time(14, 30))
        if (room.closes_at or time(21)) <= time(18)
        else (time(9), time(14, 30), time(19))
    )
    minutes = 120 if people[1] > 6 else 60
    day, start = _free_slot(p, room, p.past_days(), starts, minutes, people[1])
    use = Use(
        room,
        day,
        start,
        minutes,
        service,
        purpose,
        booker,
        people[1],
        organization_id=org.id if org else None,
        outside_unit="" if who == "agency" or who.startswith("org:") else who,
        decided_by_id=(
            booker
            if org is None
            else (org.social_worker_id if room.needs_approval else None)
        ),
        recorder_id=org.social_worker_id if org else booker,
    )
    return _add_past(p, use, people[0], people[1], share)


def _around_today(p: Planner, year: Year) -> None:
    """Coming bookings, requests waiting, a refusal, cancellations and two
    recent uses not yet recorded."""
    rng, today = p.rng, p.today
    leaders = [o for o in p.orgs.values() if o.leader_user_id]
    hall = p.room("hall")
    soon = [today + timedelta(days=n) for n in range(2, 28)]
    recent = [today - timedelta(days=n) for n in range(1, 3)]
    for n, org in enumerate(leaders[:3]):
        day, start = _free_slot(p, hall, soon, (time(9), time(14, 30)), 120, 80)
        p.calendar.uses.append(
            Use(
                hall,
                day,
                start,
                120,
                "self_org_service",
                ("迎新年文艺汇演彩排", "长者集体生日会", "冬季防火安全宣讲")[n % 3],
                org.leader_user_id,
                80,
                organization_id=org.id,
                state=REQUESTED,
            )
        )
    # Refused: the hall was taken at that time (lately, or else at any time).
    taken_hall = [u for u in p.calendar.uses if u.room is hall and u.state == CONFIRMED]
    taken = next(
        (u for u in taken_hall if abs((u.day - today).days) <= 21), taken_hall[0]
    )
    asker = leaders[0] if leaders else None
    p.calendar.uses.append(
        Use(
            hall,
            taken.day,
            taken.start,
            taken.minutes,
            "self_org_service",
            "排练借用多功能厅",
            p.booker(asker),
            30,
            organization_id=asker.id if asker else None,
            state=REFUSED,
            decided_by_id=asker.social_worker_id if asker else p.staff[0],
            decision_reason="该时段多功能厅已有安排，请改约舞蹈排练室或其他时段。",
        )
    )
    for n, key in enumerate(("meeting", "academy", "training")):
        room = p.calendar.rooms.get(key) or hall
        days = soon if n else [today - timedelta(days=d) for d in range(4, 20)]
        day, start = _free_slot(p, room, days, (time(9), time(14, 30)), 120, 20)
        p.calendar.uses.append(
            Use(
                room,
                day,
                start,
                120,
                "other",
                "居民议事会（延期）",
                p.staff[0],
                20,
                state=CANCELLED,
                decided_by_id=p.staff[0],
                cancel_reason="议题尚需与物业进一步沟通，会议延期。",
            )
        )
    for day in recent:
        room = p.room("meeting")
        day, start = _free_slot(p, room, [day], (time(9), time(14, 30)), 120, 20)
        p.calendar.add(
            Use(
                room,
                day,
                start,
                120,
                "capacity",
                "组织骨干例会",
                p.staff[0],
                20,
                decided_by_id=p.staff[0],
            )
        )
    for _ in range(3):
        entry = rng.choice(year.one_off[:4])
        room = p.room(entry[1])
        day, start = _free_slot(
            p, room, soon, (time(9), time(14, 30)), 120, entry[4][1]
        )
        booker = p.staff[-1]
        p.calendar.add(
            Use(
                room,
                day,
                start,
                120,
                entry[0],
                entry[2],
                booker,
                entry[4][1],
                outside_unit="" if entry[3] == "agency" else entry[3],
                decided_by_id=booker,
            )
        )
