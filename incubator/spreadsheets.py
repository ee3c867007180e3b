"""Writing Excel workbooks for download, shared by every export.

User text always goes into string cells, so a name such as ``=1+1`` or ``@SUM(A1)``
is shown as typed and never evaluated as a formula.
"""

from __future__ import annotations

from io import BytesIO

from flask import Response
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from incubator.i18n import local_today

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def new_sheet(title: str, headers: list[str], widths: list[int] | None = None):
    """A workbook whose first sheet has ``headers`` in bold; returns (book, sheet)."""
    book = Workbook()
    sheet = book.active
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
