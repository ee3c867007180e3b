"""An organization with its leader and social worker, another organization, a
viewer and an admin; an activity, a session and a booking of the first
organization at frozen time (2026-03-01 09:00 Asia/Shanghai)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from incubator.activities.models import Activity
from incubator.bookings.models import Booking
from incubator.community.models import Room
from incubator.sessions.models import TrainingSession
from incubator.signins.schemas import AttendeeIn

# 2026-03-01 10:00-12:00 Asia/Shanghai
STARTS = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)
ENDS = datetime(2026, 3, 1, 4, 0, tzinfo=UTC)


def person(name: str = "王秀英", phone: str = "13800138000") -> AttendeeIn:
    return AttendeeIn(name=name, phone=phone)


@pytest.fixture
def centre(frozen_time, make_user, make_org, db, community):
    sw = make_user("social_worker", username="si_sw", name="林社工")
    admin = make_user("admin", username="si_admin", name="陈主管")
    leader = make_user("org_leader", username="si_leader", name="吴阿姨")
    other = make_user("org_leader", username="si_other", name="郑叔")
    viewer = make_user("viewer", username="si_viewer", name="街道")
    dance = make_org("舞蹈队", leader=leader, social_worker=sw)
    patrol = make_org("巡逻队", leader=other, social_worker=sw)
    room = Room(community_id=community.id, name="多功能室", capacity=40)
    db.session.add(room)
    db.session.flush()
    activity = Activity(
        organization_id=dance.id,
        community_id=dance.community_id,
        title="广场舞排练",
        form="group",
        service_type="self_org_service",
        target_group="elders",
        starts_at=STARTS,
        ends_at=ENDS,
        held_on=date(2026, 3, 1),
        place="活动室",
        room_id=room.id,
        person_times=20,
        review_state="pending",
    )
    session = TrainingSession(
        community_id=community.id,
        title="财务培训",
        starts_at=STARTS,
        ends_at=ENDS,
        place="会议室",
        capacity=30,
        state="scheduled",
    )
    booking = Booking(
        community_id=community.id,
        room_id=room.id,
        starts_at=STARTS,
        ends_at=ENDS,
        held_on=date(2026, 3, 1),
        organization_id=dance.id,
        purpose="合唱排练",
        service_type="routine_training",
        expected_people=20,
        state="confirmed",
    )
    db.session.add_all([activity, session, booking])
    db.session.commit()
    return {
        "sw": sw,
        "admin": admin,
        "leader": leader,
        "other": other,
        "viewer": viewer,
        "dance": dance,
        "patrol": patrol,
        "room": room,
        "activity": activity,
        "session": session,
        "booking": booking,
        "time": frozen_time,
    }
