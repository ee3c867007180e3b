"""The monthly workshop series: scheduled ten months ago for the founding
organizations, joined by later ones, one occurrence moved and one cancelled, each
with its registrations and attendance."""

from __future__ import annotations

from datetime import time, timedelta

from incubator.auth.models import User
from incubator.demo.clock import local as _local
from incubator.demo.schedule.attendance import _attendance, _registrations
from incubator.demo.schedule.dates import _at, _dated, _day, _since, _with_series
from incubator.demo.schedule.programme import (
    CANCEL_REASON,
    CANCELLED,
    CENTRE,
    MAX_INVITED,
    MOVED,
    MOVED_TO,
    SERIES_CAPACITY,
    SERIES_COUNT,
    SERIES_DAY,
    SERIES_TITLE,
    WORKSHOPS,
)
from incubator.extensions import db
from incubator.i18n import local_today
from incubator.organizations.models import Organization
from incubator.periods import months_before
from incubator.sessions import services as sessions
from incubator.sessions.models import Freq, SessionSeries
from incubator.sessions.schemas import (
    Recurrence,
    SessionCancellation,
    SessionChange,
    SessionSchedule,
)


def _seed_series(organizer: User, orgs: list[Organization], rng) -> int:
    today = local_today()
    first = months_before(today, 10).replace(day=SERIES_DAY)
    starts = _local(first, time(14, 30))
    founding = [o for o in orgs if _since(o) <= first - timedelta(days=30)]
    invited = founding[:MAX_INVITED]
    planned = first - timedelta(days=21)
    with _dated(planned):
        series = sessions.schedule_session(
            SessionSchedule(
                starts_at=starts,
                ends_at=starts + timedelta(hours=2),
                organization_ids=[o.id for o in invited],
                recurrence=Recurrence(freq=Freq.MONTHLY, count=SERIES_COUNT),
                title=SERIES_TITLE,
                topic="每月一期，轮流讲授社区社会组织能力的七个维度。",
                dimension="",
                trainer="",
                place=CENTRE,
                capacity=SERIES_CAPACITY,
            ),
            actor=organizer,
        )
    # Organizations founded later join the series from their first month there.
    joining = []
    for org in orgs:
        if org in invited:
            continue
        joins = next(
            (
                s
                for s in series
                if _day(s) >= _since(org) + timedelta(days=30) and _with_series(s)
            ),
            None,
        )
        if joins is not None:
            joining.append((joins.sequence, org.id, org, joins))
    for _sequence, _id, org, joins in sorted(joining, key=lambda j: j[:2]):
        if len(invited) >= MAX_INVITED:
            break
        invited.append(org)
        with _dated(min(_day(joins) - timedelta(days=10), today)):
            sessions.update_session(
                joins,
                SessionChange(
                    version=joins.version,
                    scope="following",
                    organization_ids=[o.id for o in invited],
                ),
                actor=organizer,
            )
    # The year's plan gave each month its topic.
    for occurrence, (dimension, topic, trainer) in zip(series, WORKSHOPS, strict=True):
        occurrence.dimension = dimension
        occurrence.topic = topic
        occurrence.trainer = trainer
        occurrence.created_at = _at(planned)
    db.session.get_one(SessionSeries, series[0].series_id).created_at = _at(planned)
    db.session.flush()

    moved = series[MOVED]
    with _dated(_day(moved) - timedelta(days=12)):
        earlier = moved.starts_at - timedelta(days=7)
        sessions.update_session(
            moved,
            SessionChange(
                version=moved.version,
                scope="this",
                starts_at=earlier,
                ends_at=earlier + timedelta(hours=2),
                place=MOVED_TO,
            ),
            actor=organizer,
        )
    for index, occurrence in enumerate(series):
        _registrations(occurrence, rng)
        if index == CANCELLED:
            with _dated(_day(occurrence) - timedelta(days=2)):
                sessions.cancel_session(
                    occurrence,
                    SessionCancellation(reason=CANCEL_REASON),
                    actor=organizer,
                )
        else:
            _attendance(occurrence, organizer, rng)
    return len(series)
