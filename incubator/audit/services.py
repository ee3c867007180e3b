"""Writing the audit trail. Every service that changes data calls one of these.

Call them after setting the new values and before ``flush()``: the before/after pairs
come from SQLAlchemy's attribute history, which a flush clears.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

from flask import has_request_context, request
from sqlalchemy import inspect

from incubator import signals
from incubator.audit.models import AuditEntry
from incubator.changes import pending_changes
from incubator.database import in_unit_of_work, write_apart
from incubator.extensions import Model, db


class Actor(Protocol):
    """Who did it: a user, or anything naming one by id (only the id is kept)."""

    @property
    def id(self) -> int: ...


logger = logging.getLogger(__name__)


def _entry_values(
    action: str,
    entity_type: str,
    *,
    actor: Actor | None,
    entity_id: int | None,
    summary: str,
    changes: dict | None,
) -> dict[str, Any]:
    """The columns of an audit entry: who (and from which address), what, on what."""
    return {
        "actor_id": getattr(actor, "id", None),
        "action": action,
        "entity_type": entity_type,
        "entity_id": entity_id,
        "summary": summary[:255],
        "changes": changes or {},
        "ip": (request.remote_addr or "")[:64] if has_request_context() else "",
    }


def record_event(
    action: str,
    entity_type: str,
    *,
    actor: Actor | None,
    entity_id: int | None = None,
    summary: str = "",
    changes: dict | None = None,
) -> AuditEntry:
    """An audit entry that is not about one loaded record (an export, an import)."""
    entry = AuditEntry(
        **_entry_values(
            action,
            entity_type,
            actor=actor,
            entity_id=entity_id,
            summary=summary,
            changes=changes,
        )
    )
    db.session.add(entry)
    return entry


def record_read(
    action: str,
    entity_type: str,
    *,
    actor: Actor | None,
    entity_id: int | None = None,
    summary: str = "",
    changes: dict | None = None,
) -> None:
    """Audit that ``actor`` was shown personal data (a reveal, an export), durably
    before the caller shows it.

    In a read request (a GET) the entry is committed at once in a transaction of its
    own (``database.write_apart``), which waits for the write lock instead of failing
    beside other writers; in a write request or the CLI it joins the unit of work,
    which the caller commits before answering. Raises the database's error when the
    entry cannot be written: the caller must then show nothing (PIPL: every reveal
    and export is on record).
    """
    values = _entry_values(
        action,
        entity_type,
        actor=actor,
        entity_id=entity_id,
        summary=summary,
        changes=changes,
    )
    if in_unit_of_work():
        db.session.add(AuditEntry(**values))
    else:
        with write_apart() as session:
            session.add(AuditEntry(**values))
    actor_id = values["actor_id"]
    logger.info("audit %s %s#%s by %s", action, entity_type, entity_id, actor_id)


def record(
    action: str,
    entity: Model,
    *,
    actor: Actor | None,
    changes: dict | None = None,
    summary: str = "",
) -> AuditEntry:
    """Add an audit entry for ``entity`` (a model instance) done by ``actor``.

    ``changes`` defaults to the entity's pending column changes. The entity is flushed
    first when it has no id yet, so the entry names it.
    """
    if changes is None:
        changes = pending_changes(entity)
    if inspect(entity).transient or getattr(entity, "id", None) is None:
        db.session.add(entity)
        db.session.flush()
    entry = AuditEntry(
        **_entry_values(
            action,
            type(entity).__name__,
            actor=actor,
            entity_id=getattr(entity, "id", None),
            summary=summary,
            changes=changes,
        )
    )
    db.session.add(entry)
    logger.info(
        "audit %s %s#%s by %s",
        action,
        entry.entity_type,
        entry.entity_id,
        entry.actor_id,
    )
    return entry


@signals.account_changed.connect
def _record_account_change(
    sender, *, action: str, actor, changes: dict | None = None, summary: str = ""
) -> None:
    """auth's account events (logins, tokens, account edits) in the trail."""
    record(action, sender, actor=actor, changes=changes, summary=summary)
