"""A venture's history (``VentureEvent``, shown on the organization's timeline)
and the flush that turns a concurrent edit into ``StaleRecord``: what every
venture service (applications, plans, reviews, spending) writes after a step."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm.exc import StaleDataError

from incubator.auth.models import User
from incubator.errors import StaleRecord
from incubator.extensions import db
from incubator.ventures.models import Venture, VentureEvent


def add_event(
    venture: Venture,
    actor: User | None,
    action: str,
    note: str = "",
    *,
    from_state: str | None = None,
    to_state: str | None = None,
) -> None:
    db.session.add(
        VentureEvent(
            venture_id=venture.id,
            actor_id=actor.id if actor else None,
            action=action,
            note=str(note)[:5000],
            from_state=from_state,
            to_state=to_state,
        )
    )


def flush_venture() -> None:
    try:
        db.session.flush()
    except StaleDataError:
        raise StaleRecord(
            _l(
                "Someone else changed this venture at the same moment; reload and "
                "try again."
            )
        ) from None
