"""``seed_centre``: each community's rooms, its year of bookings planned on the
rooms' calendar, then the residents and their sign-ins, inserted in bulk."""

from __future__ import annotations

import random
from datetime import date, time, timedelta

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import selectinload

from incubator.activities.models import Activity, ReviewState
from incubator.auth.models import User
from incubator.bookings.models import Booking, BookingSeries
from incubator.community import services as communities
from incubator.community.models import Community, Room
from incubator.community.schemas import RoomEntry
from incubator.database import utcnow
from incubator.demo.centre import data
from incubator.demo.centre.people import Sheet, insert_all, make_residents, sign_in
from incubator.demo.centre.plan import Planner, Series, Year, plan_year
from incubator.demo.centre.slots import Calendar, booking_row
from incubator.extensions import db
from incubator.i18n import local_today, local_zone
from incubator.organizations.models import Organization
from incubator.projects.models import Project
from incubator.projects.services import project_period
from incubator.sessions.models import SessionState, TrainingSession

HESHAN = Year(
    series=(
        Series(
            "禾山夕阳红舞蹈队",
            "dance",
            1,
            time(9),
            120,
            "routine_training",
            "舞蹈队每周常规训练",
            (16, 26),
            "dance",
        ),
        Series(
            "城上城书法协会",
            "training",
            3,
            time(14, 30),
            120,
            "routine_training",
            "书法协会每周临帖练习",
            (12, 22),
            "calligraphy",
        ),
        Series(
            None,
            "academy",
            2,
            time(16, 30),
            90,
            "public_class",
            "四点半公益课堂：作业辅导与兴趣课",
            (18, 36),
            "class",
            0.6,
        ),
        Series(
            "枋湖书香读书会",
            "academy",
            5,
            time(9, 30),
            120,
            "academy",
            "读书会共读分享",
            (15, 32),
            "reading",
            0.8,
            every=2,
        ),
    ),
    monthly=(
        (
            "hall",
            "party_training",
            "社区党委主题党日：党课与学习交流",
            time(9),
            (50, 110),
            "party",
        ),
    ),
    meetings=data.MEETING_UNITS,
    visits=data.VISIT_UNITS,
    one_off=data.ONE_OFF,
    online=6,
    target=data.SPACE_USES,
    linked_share=0.6,
    unlinked=3,
)
XILING = Year(
    series=(
        Series(
            "西岭花园合唱团",
            "activity",
            4,
            time(19),
            120,
            "routine_training",
            "合唱团每周排练",
            (14, 24),
            "choir",
        ),
        Series(
            None,
            "kids",
            1,
            time(16, 30),
            90,
            "public_class",
            "四点半课堂：作业辅导",
            (10, 26),
            "kids",
            0.6,
        ),
    ),
    monthly=(
        ("hall", "party_training", "社区党委主题党日", time(9), (25, 60), "party"),
    ),
    meetings=data.SECOND_MEETING_UNITS,
    visits=data.SECOND_VISIT_UNITS,
    one_off=data.SECOND_ONE_OFF,
    online=2,
    target=data.SECOND_SPACE_USES,
    linked_share=0.6,
    unlinked=1,
)
POOLS = {
    "dance": 30,
    "calligraphy": 24,
    "class": 150,
    "reading": 45,
    "party": 260,
    "backbone": 90,
}
SECOND_POOLS = {"choir": 30, "kids": 60, "party": 80}


def seed_centre(first: Community, second: Community, admin: User) -> None:
    """Rooms, bookings, residents and sign-ins of both demo communities (the
    caller commits)."""
    rng = random.Random(2031)
    today = local_today()
    people = make_residents(
        data.PEOPLE_SERVED + data.SECOND_PEOPLE_SERVED - data.SHARED_RESIDENTS, rng
    )
    heshan = list(range(data.PEOPLE_SERVED))
    shared = rng.sample(heshan, data.SHARED_RESIDENTS)
    xiling = list(range(data.PEOPLE_SERVED, len(people))) + shared
    signed = []
    for community, rooms, year, residents, pools in (
        (first, data.ROOMS, HESHAN, heshan, POOLS),
        (second, data.SECOND_ROOMS, XILING, xiling, SECOND_POOLS),
    ):
        calendar = Calendar(_rooms(community, rooms, admin), today)
        planner, sheets = _plan(community, calendar, year, admin, rng)
        sheets += _bookings(planner, community, rng)
        for org in planner.orgs.values():
            pools = {**pools, f"org:{org.id}": max(10, org.member_count * 2)}
        signed += sign_in(sheets, residents, pools, rng)
    insert_all(people, signed, rng)
    db.session.flush()


def _rooms(community: Community, specs, admin: User) -> dict[str, Room]:
    rooms = {}
    for spec in specs:
        room = communities.add_room(
            community,
            RoomEntry(
                name=spec.name,
                capacity=spec.capacity,
                equipment=spec.equipment,
                needs_approval=spec.needs_approval,
            ),
            actor=admin,
        )
        room.opens_at, room.closes_at = spec.opens, spec.closes
        rooms[spec.key] = room
    db.session.flush()
    return rooms


def _plan(community, calendar, year, admin, rng) -> tuple[Planner, list[Sheet]]:
    project = db.session.scalars(
        select(Project).where(Project.community_id == community.id)
    ).one()
    period = project_period(project)
    orgs = {
        o.name: o
        for o in db.session.scalars(
            select(Organization)
            .where(
                Organization.community_id == community.id,
                Organization.stage != "dormant",
            )
            .order_by(Organization.id)
        )
    }
    staff = sorted({o.social_worker_id for o in orgs.values() if o.social_worker_id})
    planner = Planner(calendar, period, rng, [*staff, admin.id], orgs)
    sessions = list(
        db.session.scalars(
            select(TrainingSession)
            .where(TrainingSession.community_id == community.id)
            .order_by(TrainingSession.starts_at)
        )
    )
    for session in sessions:
        key = data.SESSION_ROOMS.get(session.place)
        if key:
            planner.session_rooms[session.id] = calendar.rooms[key]
    activities = list(
        db.session.scalars(
            select(Activity)
            .where(Activity.community_id == community.id)
            .options(selectinload(Activity.organization))
            .order_by(Activity.starts_at, Activity.id)
        )
    )
    plan_year(planner, year, sessions, activities)
    # The records keep their version: their place is only told more exactly.
    for model, rooms in (
        (TrainingSession, planner.session_rooms),
        (Activity, planner.activity_rooms),
    ):
        table = model.__table__
        if rooms:
            db.session.execute(
                update(table)
                .where(table.c.id == bindparam("record"))
                .values(room_id=bindparam("room")),
                [{"record": k, "room": room.id} for k, room in rooms.items()],
            )
    for record in [*sessions, *activities]:
        db.session.expire(record, ["room_id"])
    start, end = period
    sheets = [
        Sheet(
            "session_id",
            s.id,
            community.id,
            s.starts_at,
            round(s.attendance_total * rng.uniform(0.7, 0.95)),
            counted=True,
            pool="backbone",
            recorder_id=s.organizer_id,
        )
        for s in sessions
        if s.state == SessionState.HELD and start <= _day(s.starts_at) < end
    ]
    for activity in activities:
        if not start <= activity.held_on < min(end, calendar.today):
            continue
        sheets.append(
            Sheet(
                "activity_id",
                activity.id,
                community.id,
                activity.starts_at,
                round(activity.person_times * rng.uniform(0.5, 0.85)),
                counted=activity.review_state == ReviewState.APPROVED,
                pool=f"org:{activity.organization_id}",
                pool_share=0.5,
                recorder_id=activity.logged_by_id,
            )
        )
    return planner, sheets


def _day(moment) -> date:
    return moment.astimezone(local_zone()).date()


def _bookings(planner: Planner, community: Community, rng) -> list[Sheet]:
    """Insert the planned series and bookings; the sheets of the used ones."""
    uses = sorted(planner.calendar.uses, key=lambda u: (u.starts_at, u.room.id))
    now = utcnow()
    rows = [
        {
            "freq": "weekly",
            "count": count,
            "created_by_id": first.booked_by_id,
            "created_at": min(first.starts_at - timedelta(days=7), now),
        }
        for count, first in zip(planner.series_count, _firsts(uses), strict=True)
    ]
    series_ids = []
    if rows:
        series_ids = list(
            db.session.scalars(
                insert(BookingSeries).returning(
                    BookingSeries.id, sort_by_parameter_order=True
                ),
                rows,
            )
        )
    table = Booking.__table__
    ids = db.session.scalars(
        table.insert().returning(table.c.id, sort_by_parameter_order=True),
        [booking_row(use, community.id, series_ids, rng) for use in uses],
    ).all()
    start, end = planner.period
    sheets = []
    for use, booking_id in zip(uses, ids, strict=True):
        use.id = booking_id
        if use.used and use.signins and start <= use.day < end:
            sheets.append(
                Sheet(
                    "booking_id",
                    booking_id,
                    community.id,
                    use.starts_at,
                    use.signins,
                    counted=True,
                    pool=use.pool,
                    pool_share=use.pool_share if use.pool else 1.0,
                    recorder_id=use.recorder_id,
                )
            )
    return sheets


def _firsts(uses):
    """The first occurrence of each planned series, in series order."""
    firsts = {}
    for use in uses:
        if use.series is not None and use.series not in firsts:
            firsts[use.series] = use
    return [firsts[n] for n in sorted(firsts)]
