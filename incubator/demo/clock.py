"""Dating the demo's records back: a local day and hour as a UTC moment, and a block
whose audit entries (and other dated rows) are then dated to it, as an import of
earlier records would be. Shared by the demo's ventures and schedule."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import func, select, update

from incubator.database import utcnow
from incubator.extensions import db
from incubator.i18n import local_zone


def local(day: date, at: time) -> datetime:
    """``at`` on ``day`` in the local zone."""
    return datetime.combine(day, at, tzinfo=local_zone())


def at(day: date, hour: int = 10) -> datetime:
    """``hour`` o'clock local time on ``day``, in UTC."""
    return local(day, time(hour)).astimezone(UTC)


def _max_id(model) -> int:
    return db.session.scalar(select(func.coalesce(func.max(model.id), 0)))


@contextmanager
def dated(
    day: date, hour: int, models: Sequence[Any], *, not_after_now: bool = False
) -> Iterator[datetime]:
    """The rows of ``models`` (each with an ``id`` and an ``at``) written inside
    are dated ``hour`` o'clock of ``day`` (never after now if ``not_after_now``);
    yields that moment."""
    db.session.flush()
    last = [_max_id(model) for model in models]
    moment = at(day, hour)
    if not_after_now:
        moment = min(moment, utcnow())
    yield moment
    db.session.flush()
    for model, before in zip(models, last, strict=True):
        db.session.execute(update(model).where(model.id > before).values(at=moment))
