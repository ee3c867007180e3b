"""Who registered for a session and who came: headcounts or members named from
an organization's roster, walk-ins and the average feedback."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from incubator.auth.models import User
from incubator.database import utcnow
from incubator.demo.schedule.dates import _dated, _day
from incubator.extensions import db
from incubator.i18n import local_today, local_zone
from incubator.sessions import services as sessions
from incubator.sessions.models import SessionState, TrainingSession
from incubator.sessions.schemas import Attendance, Registration
from incubator.volunteers.models import Membership


def _registrations(session: TrainingSession, rng) -> None:
    """Past sessions and those of the next eight weeks: the invited organizations
    (their leaders, or the social worker for them) say how many will come."""
    now = utcnow()
    if session.starts_at > now + timedelta(weeks=8):
        return
    upcoming = session.starts_at > now
    left = session.capacity
    for invite in list(session.invites):
        org = invite.organization
        if upcoming and rng.random() < 0.4:
            continue  # not yet registered
        wanted = rng.randint(3, max(3, min(8, org.member_count // 3)))
        count = min(wanted, left)
        if count <= 0:
            break
        left -= count
        day = min(_day(session) - timedelta(days=rng.randint(3, 9)), local_today())
        with _dated(day, hour=rng.choice((9, 11, 15, 20))):
            # Past registrations are entered by the social worker (from the
            # paper sign-up list); leaders register for coming sessions.
            actor = org.leader if upcoming and org.leader else org.social_worker
            actor = actor or org.social_worker
            if actor is None:
                raise LookupError(f"demo organization {org.name} has no social worker")
            sessions.register(
                session,
                org,
                Registration(organization_id=org.id, count=count),
                actor=actor,
            )


def _attendance(session: TrainingSession, organizer: User, rng) -> None:
    """A session that has begun: who came from each registered organization (a
    headcount, or the members named from its roster), walk-ins and the average
    feedback."""
    if session.starts_at > utcnow() or session.state != SessionState.SCHEDULED:
        return
    day = _day(session)
    attended = 0
    named: set[int] = set()  # someone in two organizations is named once
    with _dated(day, hour=session.ends_at.astimezone(local_zone()).hour + 1):
        for invite in list(session.invites):
            if not invite.registered:
                continue
            came = max(0, invite.registered - rng.choice((0, 0, 0, 1, 1, 2)))
            roster = [v for v in _roster(invite.organization_id, day) if v not in named]
            if came and len(roster) >= came and rng.random() < 0.5:
                members = rng.sample(roster, came)
                named.update(members)
                sessions.record_attendance(
                    session,
                    Attendance(
                        organization_id=invite.organization_id, volunteer_ids=members
                    ),
                    actor=organizer,
                )
            else:
                sessions.record_attendance(
                    session,
                    Attendance(organization_id=invite.organization_id, attendees=came),
                    actor=organizer,
                )
            attended += came
        sessions.record_attendance(
            session,
            Attendance(
                walk_ins=min(rng.choice((0, 0, 1, 2, 3)), session.capacity - attended),
                feedback_score=f"{rng.randint(38, 48) / 10:.1f}",
            ),
            actor=organizer,
        )


def _roster(org_id: int, day: date) -> list[int]:
    return list(
        db.session.scalars(
            select(Membership.volunteer_id)
            .where(
                Membership.organization_id == org_id,
                Membership.joined_on <= day,
                (Membership.left_on.is_(None)) | (Membership.left_on >= day),
            )
            .order_by(Membership.volunteer_id)
        )
    )
