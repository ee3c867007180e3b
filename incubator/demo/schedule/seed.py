"""``seed_schedule``: the series, the single sessions, then the follow-ups, with
one random generator passed along in that order."""

from __future__ import annotations

import random
from collections.abc import Sequence

from sqlalchemy import select

from incubator.auth.models import User
from incubator.demo.schedule.followups import _seed_followups
from incubator.demo.schedule.programme import SINGLES
from incubator.demo.schedule.series import _seed_series
from incubator.demo.schedule.singles import _seed_single
from incubator.extensions import db
from incubator.organizations.models import Organization


def seed_schedule(admin: User, workers: Sequence[User]) -> tuple[int, int]:
    """The demo's sessions and follow-ups; ``workers`` (the social workers) and
    ``admin`` organize the sessions, each organization's social worker does its
    follow-ups. Returns how many sessions and follow-ups."""
    rng = random.Random(2026)
    orgs = list(
        db.session.scalars(
            select(Organization)
            .where(
                Organization.archived_at.is_(None),
                Organization.stage.not_in(("graduated", "dormant")),
            )
            .order_by(Organization.id)
        )
    )
    count = _seed_series(workers[0], orgs, rng)
    organizers = [workers[-1], admin]
    for index, single in enumerate(SINGLES):
        _seed_single(single, organizers[index % 2], orgs, rng)
        count += 1
    done = sum(_seed_followups(org, rng) for org in orgs)
    db.session.flush()
    return count, done
