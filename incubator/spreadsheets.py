"""Excel workbooks: writing them for download (every export) and reading uploaded
ones (every import).

User text always goes into string cells, so a name such as ``=1+1`` or ``@SUM(A1)``
is shown as typed and never evaluated as a formula.

Reading takes spreadsheets as people really save them: the used range a sheet
declares (``<dimension ref="A1"/>`` from WPS) is not trusted, and a number typed
in a text column (a phone as ``13700000003`` or WPS's ``13700000003.0``) is read as
the text it shows, unless it has more digits than Excel keeps.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from io import BytesIO
from typing import Any
from urllib.parse import urlsplit
from zipfile import BadZipFile

from flask import Response, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.worksheet import Worksheet
from werkzeug.wrappers import Response as ResponseBase

from incubator import signals
from incubator.extensions import db
from incubator.i18n import local_today
from incubator.normalize import nfkc

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def new_sheet(
    title: str, headers: list[str], widths: list[int] | None = None
) -> tuple[Workbook, Worksheet]:
    """A workbook whose first sheet has ``headers`` in bold; returns (book, sheet)."""
    book = Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)  # a new workbook has one, a worksheet
    # Excel refuses these characters in a sheet's name.
    sheet.title = "".join("_" if ch in "[]:*?/\\" else ch for ch in title)[:31] or "-"
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, width in enumerate(widths or [], start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    return book, sheet


def write_text(cell, value) -> None:
    """Put ``value`` in ``cell``; text is always a string cell, never a formula."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"


def write_row(sheet, row_number: int, values: list) -> None:
    for column, value in enumerate(values, start=1):
        cell = sheet.cell(row=row_number, column=column)
        write_text(cell, value)
        if hasattr(value, "isoformat"):
            cell.number_format = "yyyy-mm-dd"


def xlsx_response(book, name: str) -> Response:
    """The workbook as a download named ``<name>-<today>.xlsx``."""
    buffer = BytesIO()
    book.save(buffer)
    return Response(
        buffer.getvalue(),
        mimetype=XLSX,
        headers={
            "Content-Disposition": f'attachment; filename="{name}-{local_today()}.xlsx"'
        },
    )


# Excel (and WPS) keep 15 significant digits of a number and replace the rest with
# zeros: 110105194912310020 typed as a number is stored as 110105194912310000.
EXCEL_DIGITS = 15


class NotAWorkbook(ValueError):
    """The upload is not an .xlsx workbook openpyxl can read."""


class LostDigits(ValueError):
    """A number cell with more digits than Excel keeps: its tail is already zeros."""


# What openpyxl raises on a damaged sheet while streaming it: the XML parsers'
# errors (xml.etree's ParseError and lxml's XMLSyntaxError are SyntaxErrors) and
# its own conversions of what it read.
_DAMAGED = (SyntaxError, ValueError, KeyError, TypeError, IndexError, OverflowError)


@contextmanager
def workbook_sheets(data: bytes) -> Iterator[Iterator[Iterator[tuple]]]:
    """The rows of each worksheet of the workbook in turn (tab order), for imports
    that take the first sheet holding their header (an empty sheet or a notes
    sheet in front of the roster does not hide it). A sheet is read only when its
    turn comes.

    Each sheet's rows start at row 1 and column A, each a tuple of cell values
    (str, int, float, bool, datetime or None; formulas give their saved result).
    Missing rows come as empty tuples and rows may differ in length, so
    ``enumerate(rows, start=1)`` gives Excel's row numbers. Sheets are streamed
    (read-only mode), but their declared dimension is ignored: WPS writes
    ``<dimension ref="A1"/>`` whatever the sheet holds, and openpyxl's read-only
    mode would otherwise stop after A1. Raises ``NotAWorkbook`` when ``data`` is
    not an .xlsx file, also while its rows are read (a damaged sheet)."""
    try:
        book = load_workbook(BytesIO(data), read_only=True, data_only=True)
        sheets = book.worksheets
    except (InvalidFileException, BadZipFile, OSError, *_DAMAGED):
        raise NotAWorkbook from None

    def rows(sheet):
        # The sheet's XML is parsed as it is read: a damaged one (a control
        # character or &#0; in a cell, a cut-off file) fails here, mid-import.
        try:
            yield from sheet.iter_rows(min_row=1, min_col=1, values_only=True)
        except _DAMAGED:
            raise NotAWorkbook from None

    def each():
        for sheet in sheets:
            sheet.reset_dimensions()
            yield rows(sheet)

    try:
        yield each()
    finally:
        book.close()


def cell_text(value) -> str:
    """The text a cell shows, for a column meant to hold text (names, phone and ID
    numbers, years, places). ``None`` is ``""``; a string is returned as it is; a
    whole number is its digits (``13700000003`` and ``13700000003.0`` both give
    ``"13700000003"``); any other number its shortest decimal (``3.5``); TRUE and
    FALSE as Excel shows them; a date ``2024-03-01``.

    Raises ``LostDigits`` for a number of more than ``EXCEL_DIGITS`` digits (an
    18-digit ID number typed as a number): Excel has already replaced its last
    digits with zeros, so no reading can give them back."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        if len(str(abs(value))) > EXCEL_DIGITS:
            raise LostDigits(value)
        return str(value)
    if isinstance(value, float):
        exact = Decimal(repr(value))
        digits = len(exact.normalize().as_tuple().digits)
        if abs(value) >= 10**EXCEL_DIGITS or digits > EXCEL_DIGITS:
            raise LostDigits(value)
        if value.is_integer():
            return str(int(value))
        return format(exact, "f")
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else str(value)
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


# Reading an import template's rows: the header row, each row's cells, dates.
# Every import (volunteers, organizations, users) takes the same kinds of files.

# 2024-03-01, 2024/3/1, 2024.3.1, 2024年3月1日
DATE_TEXT = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?", re.ASCII
)


def header_keys(row, headers: dict[str, str]) -> list[str | None]:
    """The column key of each header cell (``headers``: header text to key).
    Blanks anywhere are ignored, so a header spaced out to line up (``姓　名``,
    ``出生 年份``) is still found, and a required column's star (``*`` or ``＊``)
    may be kept or dropped."""
    return [headers.get("".join(str(h or "").split()).rstrip("*＊")) for h in row or ()]


class HeaderMissing(ValueError):
    """No header row holding every required column was found; ``first`` holds
    the column keys of the sheet's first row (to name what it lacks)."""

    def __init__(self, first: list[str | None]):
        super().__init__(first)
        self.first = first


def find_header(
    rows, headers: dict[str, str], required: Sequence[str], search_rows: int
) -> tuple[list[str | None], int]:
    """The column keys of the header row and its line number: the first of the
    first ``search_rows`` rows that holds every ``required`` key, so a title row
    above the template's header is skipped. Raises ``HeaderMissing`` otherwise."""
    first: list[str | None] | None = None
    for line, row in enumerate(rows, start=1):
        keys = header_keys(row, headers)
        if first is None:
            first = keys
        if all(k in keys for k in required):
            return keys, line
        if line >= search_rows:
            break
    raise HeaderMissing(first or [])


def read_cells(
    keys: list, raw: tuple, *, date_keys: Sequence[str], label: Callable[[str], str]
) -> tuple[dict, list[str]]:
    """One sheet row as ``{column key: value}``: date columns keep Excel's dates,
    every other column is text (numbers as the digits they show). Returns the cells
    and the messages for cells that cannot be read (a number that lost digits),
    naming the column by its header (``label(key)``) and letter."""
    cells: dict = {}
    errors: list[str] = []
    for index, (key, value) in enumerate(zip(keys, raw, strict=False), start=1):
        if key is None:
            continue
        if key in date_keys and isinstance(value, date | datetime):
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
                    col=label(key),
                    letter=get_column_letter(index),
                )
            )
    return cells, errors


def date_cell_value(value) -> date | None:
    """A date cell as a date: Excel's own dates, or text such as 2024-03-01,
    2024/3/1 or 2024年3月1日; ``None`` for an empty cell. Raises ``ValueError``
    for anything else."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    match = DATE_TEXT.fullmatch(nfkc(str(value)))
    if match:
        return date(int(match[1]), int(match[2]), int(match[3]))
    raise ValueError(value)


def template_bytes(
    title: str,
    columns: Sequence[tuple[str, str, bool]],
    example: list[str],
    *,
    text_keys: Sequence[str] = (),
    notes: Sequence[str] = (),
    width: int = 14,
) -> bytes:
    """An import template: ``columns`` (header, key, required) as a bold header
    row (a required one starred), the ``example`` row, the ``text_keys`` columns
    formatted as text for 1,000 rows (so Excel keeps every digit of a phone or ID
    number) and a 填写说明 sheet of ``notes``."""
    book = Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)  # a new workbook has one, a worksheet
    sheet.title = title
    sheet.append([f"{h}*" if required else h for h, _k, required in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.append(example)
    for index, (_h, key, _r) in enumerate(columns, start=1):
        column = get_column_letter(index)
        sheet.column_dimensions[column].width = width
        for row in range(2, 1002):
            if key in text_keys:
                sheet.cell(row=row, column=index).number_format = "@"
    if notes:
        sheet_notes = book.create_sheet("填写说明")
        for line in notes:
            sheet_notes.append([line])
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# ---- exports in constant memory (issue 18) ----
#
# A district's activity export is 300,000 rows: building it as an openpyxl
# workbook of cell objects took 3.5 GB and two minutes. Exports now stream: rows
# come from the database in batches of plain values (no ORM objects), and
# openpyxl's write-only mode writes each row to the sheet's temporary file as it
# comes, so memory does not grow with the number of rows. A large export runs as
# a background job (``export_requested``); a small one is answered at once.

EXPORT_BATCH = 2000
# Above this many rows an export becomes a background job.
SYNC_EXPORT_ROWS = 20000


@dataclass(frozen=True)
class Export:
    """One kind of export, the same for the page's download and the background
    job. ``count(user, args)`` is the number of rows (a cheap COUNT),
    ``rows(user, args)`` yields each row's cell values in the sheet's order;
    both apply ``user``'s scope and the page's filters ``args`` (the query
    string as ``{name: [values]}``, JSON-safe) and must run in an app context
    without a request."""

    kind: str
    name: str  # the file's name before ``-<date>.xlsx``
    title: Callable[[], str]
    headers: Callable[[], list[str]]
    count: Callable[[Any, dict[str, list[str]]], int]
    rows: Callable[[Any, dict[str, list[str]]], Iterable[Sequence[Any]]]


EXPORTS: dict[str, Export] = {}


def stream_rows(query: Any) -> Iterator[Any]:
    """The rows of a column ``select`` in batches of ``EXPORT_BATCH`` (a
    server-side cursor on PostgreSQL), on the session's connection. Executed as
    Core, not through the ORM: the ORM's ``yield_per`` still kept per-row objects
    growing with the result (measured with tracemalloc on SQLite), Core's does
    not."""
    connection = db.session.connection()
    yield from connection.execute(query.execution_options(yield_per=EXPORT_BATCH))


def register_export(export: Export) -> Export:
    """Make ``export`` known by its kind (a background job names only the kind)."""
    EXPORTS[export.kind] = export
    return export


def arg(args: Mapping[str, Any], name: str) -> str | None:
    """The first value of ``name`` in an export's filters, or ``None``."""
    values = args.get(name) or []
    return values[0] if values else None


def sheet_title(title: str) -> str:
    # Excel refuses these characters in a sheet's name.
    return "".join("_" if ch in "[]:*?/\\" else ch for ch in title)[:31] or "-"


def write_workbook(
    target: Any, title: str, headers: list[str], rows: Iterable[Sequence[Any]]
) -> int:
    """Write a one-sheet workbook (bold ``headers``, then ``rows``) to ``target``
    (a path or a binary file object) in openpyxl's write-only mode; memory stays
    the same whatever the number of rows. Text is always a string cell (never a
    formula); dates are shown as yyyy-mm-dd. Returns the number of data rows."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(sheet_title(title))
    bold = Font(bold=True)
    header_cells = []
    for text in headers:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    count = 0
    for values in rows:
        sheet.append([_stream_cell(sheet, value) for value in values])
        count += 1
    book.save(target)
    return count


def _stream_cell(sheet, value):
    if isinstance(value, str):
        if value.startswith("="):
            # openpyxl would take it for a formula: make it a string cell
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"
            return cell
        return value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        # openpyxl writes dates (its stubs list only datetimes)
        cell = WriteOnlyCell(sheet, value=value)  # type: ignore[arg-type]
        cell.number_format = "yyyy-mm-dd"
        return cell
    return value


def download_name(export: Export) -> str:
    return f"{export.name}-{local_today()}.xlsx"


def stream_response(export: Export, user: Any, args: dict[str, list[str]]) -> Response:
    """The export as a download now, for one of at most ``SYNC_EXPORT_ROWS``
    rows: written in write-only mode to a temporary file, then answered from its
    bytes (a couple of megabytes at that size; the file is closed at once)."""
    with tempfile.TemporaryFile() as spool:
        write_workbook(spool, export.title(), export.headers(), export.rows(user, args))
        spool.seek(0)
        data = spool.read()
    return Response(
        data,
        mimetype=XLSX,
        headers={
            "Content-Disposition": f'attachment; filename="{download_name(export)}"'
        },
    )


def export_args(args: Any) -> dict[str, list[str]]:
    """A request's query string as ``{name: [values]}`` (JSON-safe, what an
    export job keeps)."""
    if hasattr(args, "lists"):
        return {key: list(values) for key, values in args.lists()}
    return {key: list(values) for key, values in dict(args).items()}


def answer_export(export: Export, user: Any, args: Any) -> ResponseBase:
    """A page's export: at once when it has at most ``SYNC_EXPORT_ROWS`` rows
    (counted first), else queued as a background job (``export_requested``):
    the user is sent back to the page that asked with a message saying that the
    notifications will hold the download link."""
    filters = export_args(args)
    rows = export.count(user, filters)
    if rows > current_app.config.get("SYNC_EXPORT_ROWS", SYNC_EXPORT_ROWS):
        answers = signals.export_requested.send(
            export.kind, user=user, args=filters, rows=rows
        )
        if answers:
            flash(
                _(
                    "The export has started. When it is ready, the notifications "
                    "will hold a link to download it."
                ),
                "info",
            )
            return redirect(_back())
    return stream_response(export, user, filters)


def _back() -> str:
    """The page that asked (its Referer when it is this site's), else the list
    of the user's exports."""
    referrer = request.referrer or ""
    parts = urlsplit(referrer)
    if referrer and parts.netloc == request.host and parts.scheme in ("http", "https"):
        return referrer
    return url_for("exports.index")
