"""Ending a pending import (expired, discarded or imported): the residents' data
it holds is dropped, the line numbers and problems stay
(``incubator.import_batches``)."""

from __future__ import annotations

from incubator.auth.models import User
from incubator.import_batches import (
    PENDING_HOURS,
    close_batch,
    discard_batch,
    purge_stale,
)
from incubator.volunteers.models import RosterImport

__all__ = ["PENDING_HOURS", "discard_import", "purge_stale_imports"]


def purge_stale_imports() -> int:
    """Drop the rows of uploads left unconfirmed for a day: they hold residents'
    numbers and must not stay around."""
    return purge_stale(RosterImport)


def discard_import(batch: RosterImport, *, actor: User) -> None:
    discard_batch(batch, actor=actor)


def _close(batch: RosterImport, status: str) -> None:
    close_batch(batch, status)
