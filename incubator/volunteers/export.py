"""Excel exports of the roster and of service hours. Full phone and ID numbers only
for admins and social workers; every export is logged."""

from __future__ import annotations

from io import BytesIO

from flask import Response
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from incubator.auth.models import User
from incubator.i18n import local_today
from incubator.organizations.export import XLSX, write_text
from incubator.volunteers.models import ServiceRecord, Volunteer
from incubator.volunteers.privacy import (
    log_export,
    mask_id_number,
    mask_phone,
    may_see_personal_data,
)


def _sheet(title: str, headers: list[str]):
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    return book, sheet


def _respond(book, name: str) -> Response:
    buffer = BytesIO()
    book.save(buffer)
    return Response(
        buffer.getvalue(),
        mimetype=XLSX,
        headers={
            "Content-Disposition": f'attachment; filename="{name}-{local_today()}.xlsx"'
        },
    )


def _write_row(sheet, row_number: int, values: list) -> None:
    for column, value in enumerate(values, start=1):
        cell = sheet.cell(row=row_number, column=column)
        write_text(cell, value)
        if hasattr(value, "isoformat"):
            cell.number_format = "yyyy-mm-dd"


def roster_workbook(
    volunteers: list[Volunteer], totals: dict, *, actor: User
) -> Response:
    full = may_see_personal_data(actor)
    book, sheet = _sheet(
        _("Volunteer roster"),
        [
            _("Volunteer number"),
            _("Name"),
            _("Gender"),
            _("Birth year"),
            _("Phone"),
            _("ID number"),
            _("Compound"),
            _("Skills"),
            _("Availability"),
            _("Joined on"),
            _("Status"),
            _("Organizations"),
            _("Total hours"),
        ],
    )
    for row_number, vol in enumerate(volunteers, start=2):
        phone = vol.phone if full else mask_phone(vol.phone)
        id_number = vol.id_number if full else mask_id_number(vol.id_number)
        orgs = "、".join(
            f"{m.organization.name}（{m.role_label}）"
            for m in vol.memberships
            if m.left_on is None
        )
        _write_row(
            sheet,
            row_number,
            [
                vol.number,
                vol.name,
                vol.gender_label,
                vol.birth_year,
                phone or "",
                id_number or "",
                vol.compound.name if vol.compound else "",
                "、".join(vol.skill_names),
                "、".join(vol.availability_labels),
                vol.joined_on,
                vol.status_label,
                orgs,
                float(totals.get(vol.id, 0)),
            ],
        )
    log_export("roster", [v.id for v in volunteers], actor=actor, full=full)
    return _respond(book, "volunteers")


def hours_workbook(records: list[ServiceRecord], *, actor: User) -> Response:
    book, sheet = _sheet(
        _("Service hours"),
        [
            _("Date"),
            _("Volunteer number"),
            _("Name"),
            _("Organization"),
            _("Service"),
            _("Hours"),
            _("Recorded by"),
            _("Correction of"),
            _("Reason"),
            _("Counted"),
        ],
    )
    for row_number, rec in enumerate(records, start=2):
        _write_row(
            sheet,
            row_number,
            [
                rec.served_on,
                rec.volunteer.number,
                rec.volunteer.name,
                rec.organization.name,
                rec.service,
                float(rec.hours),
                rec.recorded_by.name if rec.recorded_by else "",
                rec.corrects_id or "",
                rec.correction_reason,
                _("no") if rec.superseded else _("yes"),
            ],
        )
    log_export("hours", [r.volunteer_id for r in records], actor=actor, full=False)
    return _respond(book, "service-hours")
