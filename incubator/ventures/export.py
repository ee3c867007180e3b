"""A round's ventures as an Excel workbook (text never a formula, money exact)."""

from __future__ import annotations

from flask_babel import gettext as _

from incubator.spreadsheets import new_sheet, write_row, xlsx_response
from incubator.ventures.models import VentureRound

MONEY_FORMAT = "#,##0.00"


def round_workbook(round_: VentureRound, rows: list[dict]):
    book, sheet = new_sheet(
        round_.name,
        [
            _("Organization"),
            _("Sponsoring organization"),
            _("Project title"),
            _("State"),
            _("Requested (yuan)"),
            _("Approved (yuan)"),
            _("Spent (yuan)"),
            _("Review score"),
            _("Review grade"),
            _("Closing grade"),
        ],
        [24, 20, 30, 10, 14, 14, 14, 10, 10, 10],
    )
    for number, row in enumerate(rows, start=2):
        v = row["venture"]
        score = row["score"] if row["show_score"] else None
        write_row(
            sheet,
            number,
            [
                v.organization.name,
                v.sponsor.name if v.sponsor else "",
                v.title,
                v.state_label,
                v.requested_amount,
                v.approved_amount,
                row["spent"] if row["spent"] is not None else 0,
                score.average if score and score.average is not None else None,
                score.grade if score else "",
                v.closing_grade_label,
            ],
        )
        for column in (5, 6, 7):
            sheet.cell(row=number, column=column).number_format = MONEY_FORMAT
    return xlsx_response(book, "ventures")
