"""What changed on a model instance, as the audit trail shows it: before/after
pairs from SQLAlchemy's attribute history, secrets hidden and residents' numbers
masked. Read it after setting the new values and before ``flush()``, which clears
the history."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import inspect

from incubator.extensions import Model

# What a value becomes in an entry's JSON ``changes``.
Shown = str | int | float | bool | None

SECRET_FIELDS = frozenset({"password_hash", "key_hash", "token_hash"})
# Residents' numbers appear masked in the audit trail, like everywhere else.
PERSONAL_FIELDS = frozenset({"phone", "id_number"})
SKIPPED_FIELDS = frozenset({"version"})


def _plain(value: object) -> Shown:
    """A JSON-safe form of a column value."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _shown(field: str, value: object) -> Shown:
    if value is None:
        return None
    if field in SECRET_FIELDS:
        return "***"
    if field in PERSONAL_FIELDS:
        text = str(value)
        return f"{text[:3]}****{text[-4:]}" if len(text) > 7 else "****"
    return _plain(value)


def pending_changes(obj: Model) -> dict[str, list[Any]]:
    """``{field: [before, after]}`` for the column attributes changed on ``obj``.

    For a new (transient or pending) object every set column appears with ``None``
    before.
    """
    state = inspect(obj)
    changes: dict[str, list[Any]] = {}
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in SKIPPED_FIELDS:
            continue
        hist = state.attrs[key].history
        if state.transient or state.pending:
            value = getattr(obj, key)
            if value is not None and key != "id":
                changes[key] = [None, _shown(key, value)]
            continue
        if not hist.has_changes():
            continue
        before = hist.deleted[0] if hist.deleted else None
        after = hist.added[0] if hist.added else None
        if _plain(before) == _plain(after):
            continue
        changes[key] = [_shown(key, before), _shown(key, after)]
    return changes
