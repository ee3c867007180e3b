"""Reading a roster row's cells: text, dates and the example row, and the
``RowResult`` of a checked row."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from openpyxl.utils import get_column_letter

from incubator.normalize import nfkc
from incubator.spreadsheets import LostDigits, cell_text
from incubator.volunteers.importer.template import (
    DATE_KEYS,
    EXAMPLE_MARK,
    EXAMPLE_PHONE,
    _column_label,
)

# 2024-03-01, 2024/3/1, 2024.3.1, 2024年3月1日
DATE_TEXT = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?", re.ASCII
)


@dataclass
class RowResult:
    line: int
    errors: list[str]
    values: dict
    name: str = ""
    example: bool = False


def _text_cell(value, key: str, errors: list[str]):
    """Phone and ID numbers, already read as text by ``_read_cells``."""
    return str(value or "").strip()


def _read_cells(keys: list, raw: tuple) -> tuple[dict, list[str]]:
    """One sheet row as ``{column key: value}``: date columns keep Excel's dates,
    every other column is text (numbers as the digits they show). Returns the cells
    and the messages for cells that cannot be read (a number that lost digits),
    naming the column by its header and letter."""
    cells: dict = {}
    errors: list[str] = []
    for index, (key, value) in enumerate(zip(keys, raw, strict=False), start=1):
        if key is None:
            continue
        if key in DATE_KEYS and isinstance(value, date | datetime):
            cells[key] = value
            continue
        try:
            cells[key] = cell_text(value)
        except LostDigits:
            cells[key] = ""
            errors.append(
                _(
                    "%(col)s (column %(letter)s) is stored as a number of more than "
                    "15 digits, so Excel has already replaced its last digits with "
                    "zeros. Format the column as text and type it again.",
                    col=_column_label(key),
                    letter=get_column_letter(index),
                )
            )
    return cells, errors


def _is_example(cells: dict, values: dict) -> bool:
    name = str(cells.get("name") or "")
    return EXAMPLE_MARK in name or values.get("phone") == EXAMPLE_PHONE


def _date_cell(value, key: str, errors: list[str]):
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    match = DATE_TEXT.fullmatch(nfkc(str(value)))
    if match:
        try:
            return date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            pass
    errors.append(_("%(col)s is not a date (2024-03-01).", col=_column_label(key)))
    return None
