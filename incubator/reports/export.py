"""The monthly report as an Excel workbook: one sheet per table."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext as _

from incubator.activities.models import (
    FORM_LABELS,
    SERVICE_TYPE_LABELS,
    TARGET_GROUP_LABELS,
    Form,
    ServiceType,
    TargetGroup,
)
from incubator.spreadsheets import new_sheet, write_row, xlsx_response


def _distinct_note() -> str:
    return _(
        "People served counts each resident once per community: a resident signed "
        "in in two communities is in both rows and once in the total, so the rows "
        "may add up to more than the total."
    )


def _sheet(book, title: str, headers: list[str], rows: list[list]):
    sheet = book.create_sheet(title[:31])
    write_row(sheet, 1, headers)
    for number, row in enumerate(rows, start=2):
        write_row(sheet, number, row)
    return sheet


def monthly_workbook(report: dict):
    book, summary = new_sheet(_("Summary"), [_("Figure"), _("Value")], [36, 18])
    activities = report["activities"]
    rows = [
        [_("Month"), report["month"]],
        [_("Activities (reviewed)"), activities["total"]],
        [_("Person-times served"), report["person_times"]],
        [_("Volunteer hours"), Decimal(report["volunteer_hours"])],
        [_("Resources linked (yuan)"), Decimal(report["resources_value"])],
        [_("New organizations"), report["organizations"]["new"]],
        [_("Stage moves"), report["organizations"]["stage_moves"]],
        [_("Follow-ups done"), report["followups"]["done"]],
        [_("Follow-ups overdue"), report["followups"]["overdue"]],
        [_("Capacity-building sessions held"), report["sessions"]["held"]],
        [_("Session attendees"), report["sessions"]["attendees"]],
        [_("People served"), report["people_served"]],
        [_("Space uses of the centre"), report["space"]["uses"]],
        [_("People at the centre"), report["space"]["people"]],
    ]
    for number, row in enumerate(rows, start=2):
        write_row(summary, number, row)
    summary.cell(row=5, column=2).number_format = "0.0"  # hours
    summary.cell(row=6, column=2).number_format = "#,##0.00"  # yuan
    _sheet(
        book,
        _("By form"),
        [_("Form"), _("Activities")],
        [[str(FORM_LABELS[Form(k)]), v] for k, v in activities["by_form"].items()],
    )
    _sheet(
        book,
        _("By service type"),
        [_("Service type"), _("Activities")],
        [
            [str(SERVICE_TYPE_LABELS[ServiceType(k)]), v]
            for k, v in activities["by_service_type"].items()
        ],
    )
    _sheet(
        book,
        _("By target group"),
        [_("Target group"), _("Activities")],
        [
            [str(TARGET_GROUP_LABELS[TargetGroup(k)]), v]
            for k, v in activities["by_target_group"].items()
        ],
    )
    if report.get("by_community"):
        _sheet(
            book,
            _("By community"),
            [
                _("Community"),
                _("Activities (reviewed)"),
                _("Person-times served"),
                _("Volunteer hours"),
                _("Resources linked (yuan)"),
                _("New organizations"),
                _("Stage moves"),
                _("Follow-ups done"),
                _("Follow-ups overdue"),
                _("Capacity-building sessions held"),
                _("Session attendees"),
                _("People served"),
                _("Space uses of the centre"),
                _("People at the centre"),
            ],
            [
                [
                    row["name"],
                    row["activities"]["total"],
                    row["person_times"],
                    Decimal(row["volunteer_hours"]),
                    Decimal(row["resources_value"]),
                    row["organizations"]["new"],
                    row["organizations"]["stage_moves"],
                    row["followups"]["done"],
                    row["followups"]["overdue"],
                    row["sessions"]["held"],
                    row["sessions"]["attendees"],
                    row["people_served"],
                    row["space"]["uses"],
                    row["space"]["people"],
                ]
                for row in report["by_community"]
            ]
            + [[_distinct_note()]],
        )
    return xlsx_response(book, f"monthly-report-{report['month']}")
