"""Excel exports of the roster and of service hours. Full phone and ID numbers only
for admins and social workers; every export is logged."""

from __future__ import annotations

from collections.abc import Sequence

from flask import Response
from flask_babel import gettext as _

from incubator.auth.models import User
from incubator.spreadsheets import new_sheet, write_row, xlsx_response
from incubator.volunteers.models import ServiceRecord, Volunteer
from incubator.volunteers.privacy import (
    log_export,
    mask_id_number,
    mask_phone,
    may_see_personal_data,
)


def roster_workbook(
    volunteers: Sequence[Volunteer], totals: dict, *, actor: User
) -> Response:
    full = may_see_personal_data(actor)
    book, sheet = new_sheet(
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
        write_row(
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
    return xlsx_response(book, "volunteers")


def hours_workbook(records: Sequence[ServiceRecord], *, actor: User) -> Response:
    book, sheet = new_sheet(
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
        write_row(
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
    return xlsx_response(book, "service-hours")
