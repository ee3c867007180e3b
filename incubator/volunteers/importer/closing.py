"""Ending a pending import (expired, discarded or imported): the residents' data
it holds is dropped, the line numbers and problems stay."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from incubator.auth.models import User
from incubator.database import utcnow
from incubator.extensions import db
from incubator.volunteers.models import RosterImport

PENDING_HOURS = 24


def purge_stale_imports() -> int:
    """Drop the rows of uploads left unconfirmed for a day: they hold residents'
    numbers and must not stay around."""
    cutoff = utcnow() - timedelta(hours=PENDING_HOURS)
    stale = db.session.scalars(
        select(RosterImport).where(
            RosterImport.status == "pending", RosterImport.created_at < cutoff
        )
    ).all()
    for batch in stale:
        _close(batch, "expired")
    return len(stale)


def discard_import(batch: RosterImport, *, actor: User) -> None:
    if batch.created_by_id != actor.id or batch.status != "pending":
        return
    _close(batch, "discarded")
    db.session.flush()


def _close(batch: RosterImport, status: str) -> None:
    """End a pending import: its rows and the names in its report are residents'
    data and are not kept; the line numbers and problems stay."""
    batch.status = status
    batch.rows = []
    batch.report = [
        {key: val for key, val in entry.items() if key != "name"}
        for entry in batch.report or []
    ]
