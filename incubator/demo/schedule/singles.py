"""A single session: on its week's Saturday, inviting the organizations whose
weakest dimension it is first, with its registrations and attendance."""

from __future__ import annotations

from datetime import timedelta

from incubator.auth.models import User
from incubator.demo.clock import local as _local
from incubator.demo.schedule.attendance import _attendance, _registrations
from incubator.demo.schedule.dates import _at, _dated, _saturday, _since
from incubator.demo.schedule.programme import MAX_INVITED, Single
from incubator.extensions import db
from incubator.i18n import local_today
from incubator.organizations.models import Organization
from incubator.sessions import services as sessions
from incubator.sessions.models import TrainingSession
from incubator.sessions.schemas import SessionSchedule
from incubator.sessions.suggest import suggested_organizations


def _seed_single(
    single: Single, organizer: User, orgs: list[Organization], rng
) -> TrainingSession:
    today = local_today()
    day = _saturday(today + timedelta(days=single.days))
    starts = _local(day, single.start)
    preferred = {o.id for o in suggested_organizations(single.dimension)}
    eligible = [o for o in orgs if _since(o) <= day - timedelta(days=30)]
    invited = sorted(eligible, key=lambda o: (o.id not in preferred, o.id))
    invited = invited[: max(3, min(MAX_INVITED, len(preferred) + 2))]
    planned = min(day - timedelta(days=21), today - timedelta(days=3))
    with _dated(planned):
        (session,) = sessions.schedule_session(
            SessionSchedule(
                starts_at=starts,
                ends_at=starts + timedelta(hours=single.hours),
                organization_ids=[o.id for o in invited],
                title=single.title,
                topic=single.topic,
                dimension=single.dimension,
                trainer=single.trainer,
                place=single.place,
                capacity=single.capacity,
            ),
            actor=organizer,
        )
    session.created_at = _at(planned)
    db.session.flush()
    _registrations(session, rng)
    _attendance(session, organizer, rng)
    return session
