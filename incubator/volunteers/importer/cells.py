"""Reading a roster row's cells: text, dates and the example row, and the
``RowResult`` of a checked row."""

from __future__ import annotations

from flask_babel import gettext as _

from incubator.import_batches import RowResult
from incubator.spreadsheets import DATE_TEXT, date_cell_value, read_cells
from incubator.volunteers.importer.template import (
    DATE_KEYS,
    EXAMPLE_MARK,
    EXAMPLE_PHONE,
    _column_label,
)

__all__ = ["DATE_TEXT", "RowResult"]


def _text_cell(value, key: str, errors: list[str]):
    """Phone and ID numbers, already read as text by ``_read_cells``."""
    return str(value or "").strip()


def _read_cells(keys: list, raw: tuple) -> tuple[dict, list[str]]:
    """One sheet row as ``{column key: value}`` (``incubator.spreadsheets.
    read_cells``): date columns keep Excel's dates, every other column is text."""
    return read_cells(keys, raw, date_keys=DATE_KEYS, label=_column_label)


def _is_example(cells: dict, values: dict) -> bool:
    name = str(cells.get("name") or "")
    return EXAMPLE_MARK in name or values.get("phone") == EXAMPLE_PHONE


def _date_cell(value, key: str, errors: list[str]):
    try:
        return date_cell_value(value)
    except ValueError:
        errors.append(_("%(col)s is not a date (2024-03-01).", col=_column_label(key)))
        return None
