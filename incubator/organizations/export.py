"""The registry as an Excel workbook (.xlsx) with Chinese headers.

Every cell of user text is written as a string, so a name such as ``=1+1`` or
``@SUM(A1)`` is shown as typed and never evaluated as a formula.
"""

from __future__ import annotations

from io import BytesIO

from flask import Response
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from incubator.i18n import local_date, local_today
from incubator.organizations.incubation import stage_label
from incubator.organizations.models import Organization

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def write_text(cell, value) -> None:
    """Put ``value`` in ``cell``; text is always a string cell, never a formula."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"


def organizations_workbook(orgs: list[Organization]) -> Response:
    book = Workbook()
    sheet = book.active
    sheet.title = _("Organizations")[:31]
    headers = [
        _("Name of the organization"),
        _("Kind"),
        _("Compound"),
        _("Stage"),
        _("In stage since"),
        _("Filing status"),
        _("Founded on"),
        _("Members"),
        _("Leader"),
        _("Owning social worker"),
        _("Description"),
    ]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row_number, org in enumerate(orgs, start=2):
        values = [
            org.name,
            org.kind_label,
            org.compound.name if org.compound else "",
            stage_label(org.stage),
            local_date(org.stage_since),
            org.filing_status_label,
            org.founded_on,
            org.member_count,
            org.leader.name if org.leader else "",
            org.social_worker.name if org.social_worker else "",
            org.description,
        ]
        for column, value in enumerate(values, start=1):
            write_text(sheet.cell(row=row_number, column=column), value)
            if hasattr(value, "isoformat"):
                sheet.cell(row=row_number, column=column).number_format = "yyyy-mm-dd"
    for letter, width in zip(
        "ABCDEFGHIJK", (24, 12, 14, 8, 14, 10, 14, 8, 12, 12, 40), strict=True
    ):
        sheet.column_dimensions[letter].width = width
    buffer = BytesIO()
    book.save(buffer)
    filename = f"organizations-{local_today().isoformat()}.xlsx"
    return Response(
        buffer.getvalue(),
        mimetype=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
