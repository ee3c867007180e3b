"""The registry as an Excel workbook (.xlsx) with Chinese headers."""

from __future__ import annotations

from collections.abc import Sequence

from flask import Response
from flask_babel import gettext as _

from incubator.i18n import local_date
from incubator.organizations.incubation import stage_label
from incubator.organizations.models import Organization
from incubator.spreadsheets import new_sheet, write_row, xlsx_response


def organizations_workbook(orgs: Sequence[Organization]) -> Response:
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
    book, sheet = new_sheet(
        _("Organizations"), headers, [24, 12, 14, 8, 14, 10, 14, 8, 12, 12, 40]
    )
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
        write_row(sheet, row_number, values)
    return xlsx_response(book, "organizations")
