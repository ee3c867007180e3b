"""Activities and the resources ledger as Excel workbooks (text never a formula)."""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import gettext as _

from incubator.activities.models import Activity, ResourceLink
from incubator.spreadsheets import new_sheet, write_row, xlsx_response


def activities_workbook(activities: Sequence[Activity]):
    book, sheet = new_sheet(
        _("Activities"),
        [
            _("Date"),
            _("Organization"),
            _("Title"),
            _("Form"),
            _("Service type"),
            _("Target group"),
            _("Place"),
            _("Person-times"),
            _("Volunteers"),
            _("Volunteer hours"),
            _("Review"),
            _("What happened"),
        ],
    )
    for row, a in enumerate(activities, start=2):
        write_row(
            sheet,
            row,
            [
                a.held_on,
                a.organization.name,
                a.title,
                a.form_label,
                a.service_type_label,
                a.target_group_label,
                a.place_label,
                a.person_times,
                len(a.volunteers),
                float(sum(v.hours for v in a.volunteers)),
                a.review_state_label,
                a.summary,
            ],
        )
    return xlsx_response(book, "activities")


def resources_workbook(lines: Sequence[ResourceLink]):
    book, sheet = new_sheet(
        _("Resources linked"),
        [
            _("Date"),
            _("Partner"),
            _("Kind"),
            _("What was brought in"),
            _("Value (yuan)"),
            _("How it was valued"),
            _("Organization"),
            _("Activity"),
        ],
    )
    for row, line in enumerate(lines, start=2):
        write_row(
            sheet,
            row,
            [
                line.received_on,
                line.partner,
                line.kind_label,
                line.description,
                float(line.value),
                line.valuation_basis,
                line.organization.name if line.organization else "",
                line.activity.title if line.activity else "",
            ],
        )
    return xlsx_response(book, "resources")
