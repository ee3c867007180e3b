"""Rows for the figures of issue 17 made directly with the models (rooms,
bookings, residents, sign-ins, activities, sessions), so the tests of people
served and space use do not depend on the booking and sign-in services; and
the independent sums the tests compare the metrics with, computed in Python
over every row of the tables."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from incubator.activities.models import Activity
from incubator.bookings.models import Booking
from incubator.community.models import Community, Room
from incubator.organizations.models import Organization
from incubator.sessions.models import TrainingSession
from incubator.signins.models import Resident, SignIn

_n = itertools.count(1)


def at(day: date, hour: int = 10) -> datetime:
    """``hour`` o'clock Asia/Shanghai on ``day``, in UTC."""
    return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(
        hours=hour - 8
    )


@dataclass
class CentreRows:
    db: object

    def room(self, community: Community, name: str = "") -> Room:
        room = Room(community_id=community.id, name=name or f"活动室{next(_n)}")
        self.db.session.add(room)
        self.db.session.flush()
        return room

    def activity(
        self,
        org: Organization,
        day: date,
        *,
        approved: bool = True,
        room: Room | None = None,
        person_times: int = 10,
        form: str = "group",
    ) -> Activity:
        activity = Activity(
            organization_id=org.id,
            community_id=org.community_id,
            title=f"活动{next(_n)}",
            form=form,
            service_type="self_org_service",
            target_group="elders",
            starts_at=at(day),
            ends_at=at(day, 12),
            held_on=day,
            place="活动室",
            room_id=room.id if room else None,
            person_times=person_times,
            review_state="approved" if approved else "pending",
        )
        self.db.session.add(activity)
        self.db.session.flush()
        return activity

    def session(
        self,
        community: Community,
        starts_at: datetime,
        *,
        state: str = "held",
        room: Room | None = None,
    ) -> TrainingSession:
        session = TrainingSession(
            community_id=community.id,
            title=f"培力课{next(_n)}",
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=2),
            capacity=30,
            state=state,
            room_id=room.id if room else None,
        )
        self.db.session.add(session)
        self.db.session.flush()
        return session

    def booking(
        self,
        room: Room,
        day: date,
        *,
        state: str = "confirmed",
        held: bool | None = True,
        people: int | None = 8,
        hour: int = 14,
        activity: Activity | None = None,
        session: TrainingSession | None = None,
        org: Organization | None = None,
    ) -> Booking:
        booking = Booking(
            room_id=room.id,
            community_id=room.community_id,
            starts_at=at(day, hour),
            ends_at=at(day, hour + 1),
            held_on=day,
            organization_id=org.id if org else None,
            purpose="排练",
            service_type="self_org_service",
            expected_people=10,
            state=state,
            held=held,
            people=people,
            activity_id=activity.id if activity else None,
            session_id=session.id if session else None,
        )
        self.db.session.add(booking)
        self.db.session.flush()
        return booking

    def resident(self, name: str = "") -> Resident:
        number = next(_n)
        resident = Resident(
            key=f"{number:064x}",
            name=name or f"居民{number}",
            phone_masked="138****0000",
        )
        self.db.session.add(resident)
        self.db.session.flush()
        return resident

    def sign(self, resident: Resident, record) -> SignIn:
        field = {
            Activity: "activity_id",
            TrainingSession: "session_id",
            Booking: "booking_id",
        }[type(record)]
        row = SignIn(
            resident_id=resident.id,
            community_id=record.community_id,
            source="paper",
            **{field: record.id},
        )
        self.db.session.add(row)
        self.db.session.flush()
        return row


# ---- the same figures, computed in Python over every row (not by the metrics) --


def _local_day(moment: datetime) -> date:
    return (moment.astimezone(UTC) + timedelta(hours=8)).date()


def _used(b: Booking) -> bool:
    return b.state == "confirmed" and b.held is True


def expected(db, period: tuple[date, date], communities=None) -> dict[str, int]:
    """people_served, space_uses and space_people by hand for ``period``."""
    start, end = period

    def inside(community_id: int) -> bool:
        return communities is None or community_id in communities

    activities = {a.id: a for a in db.session.scalars(select(Activity))}
    sessions = {s.id: s for s in db.session.scalars(select(TrainingSession))}
    bookings = {b.id: b for b in db.session.scalars(select(Booking))}
    counted_activities = {
        i
        for i, a in activities.items()
        if a.review_state == "approved" and start <= a.held_on < end
    }
    counted_sessions = {
        i
        for i, s in sessions.items()
        if s.state == "held" and start <= _local_day(s.starts_at) < end
    }
    used = [
        b
        for b in bookings.values()
        if _used(b) and start <= b.held_on < end and inside(b.community_id)
    ]
    people = set()
    for s in db.session.scalars(select(SignIn)):
        if not inside(s.community_id):
            continue
        if (
            (s.activity_id in counted_activities)
            or (s.session_id in counted_sessions)
            or (
                s.booking_id
                in {
                    b.id
                    for b in bookings.values()
                    if _used(b) and start <= b.held_on < end
                }
            )
        ):
            people.add(s.resident_id)
    linked = {b.activity_id for b in bookings.values() if _used(b) and b.activity_id}
    centre = [
        activities[i]
        for i in counted_activities
        if activities[i].room_id is not None
        and i not in linked
        and inside(activities[i].community_id)
    ]
    return {
        "people_served": len(people),
        "space_uses": len(used) + len(centre),
        "space_people": sum(b.people or 0 for b in used)
        + sum(a.person_times for a in centre),
    }


def february(db, make_org, community) -> dict:
    """A February 2026 of two communities: what counts and what does not.

    By hand (February): people served 6 in 测试社区, 2 in 第二社区, 7 overall
    (居民1 signed in in both); space uses 5 and 2 (7); people at the centre
    8 + 11 + 9 + 20 + 7 = 55 and 6 + 15 = 21 (76)."""
    rows = CentreRows(db)
    second = Community(name="第二社区", district="湖里区", city="厦门市")
    db.session.add(second)
    db.session.flush()
    org = make_org("舞蹈队")
    other = make_org("合唱团", community_id=second.id)
    room, far_room = rows.room(community, "多功能厅"), rows.room(second, "活动室")
    r = [rows.resident(f"居民{i}") for i in range(14)]
    feb = lambda day: date(2026, 2, day)  # noqa: E731

    a1 = rows.activity(org, feb(10), person_times=30)
    a2 = rows.activity(org, feb(12), room=room, person_times=20)
    for person in (r[1], r[2]):
        rows.sign(person, a1)
    for person in (r[1], r[3]):  # 居民1 again: still one person
        rows.sign(person, a2)
    pending = rows.activity(org, feb(14), approved=False, room=room)
    rows.sign(r[4], pending)  # not reviewed: neither a person nor a use
    a4 = rows.activity(other, feb(11), room=far_room, person_times=15)
    rows.sign(r[1], a4)  # the same person in the second community
    rows.sign(r[5], a4)
    linked = rows.activity(org, feb(15), room=room, person_times=12)
    rows.booking(room, feb(15), people=11, activity=linked, org=org)  # once
    a6 = rows.activity(org, feb(16), room=room, person_times=7)
    rows.booking(room, feb(16), state="cancelled", activity=a6, people=99)

    early = rows.session(community, at(feb(1), 0) + timedelta(minutes=30))
    rows.sign(r[6], early)  # 00:30 on 1 Feb in Xiamen: February's
    rows.sign(r[7], rows.session(community, at(feb(20)), state="scheduled"))
    late = rows.session(community, at(date(2026, 1, 31), 23))
    rows.sign(r[8], late)  # 23:00 on 31 Jan in Xiamen: January's
    in_room = rows.session(community, at(feb(18)), room=room)
    rows.booking(room, feb(18), hour=10, people=9, session=in_room)
    rows.sign(r[12], in_room)

    used = rows.booking(room, feb(5), people=8, org=org)
    rows.sign(r[2], used)
    rows.sign(r[9], used)
    for state, held, day, person in (
        ("cancelled", True, 6, r[10]),
        ("confirmed", False, 7, r[11]),
        ("confirmed", None, 8, r[13]),
        ("requested", None, 9, r[13]),
    ):
        rows.sign(person, rows.booking(room, feb(day), state=state, held=held))
    far = rows.booking(far_room, feb(13), people=6, org=other)
    rows.sign(r[5], far)
    march = rows.booking(room, date(2026, 3, 2), people=40)
    rows.sign(r[13], march)
    # an erased resident still counts (the person is gone, the count stays)
    r[12].key, r[12].name, r[12].erased_at = None, "", datetime(2026, 2, 25, tzinfo=UTC)
    db.session.commit()
    return {"rows": rows, "second": second, "org": org, "other": other, "room": room}


YEAR_2026 = (date(2026, 1, 1), date(2027, 1, 1))
