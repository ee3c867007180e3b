"""Excel exports of the roster and of service hours. Full phone and ID numbers only
for admins and social workers; every export is logged."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from flask import Response
from flask_babel import gettext as _
from sqlalchemy import func
from sqlalchemy.orm import aliased

from incubator.auth.models import User
from incubator.extensions import db
from incubator.organizations.models import Organization
from incubator.periods import month_range
from incubator.security import id_arg
from incubator.spreadsheets import (
    Export,
    arg,
    new_sheet,
    register_export,
    stream_rows,
    write_row,
    xlsx_response,
)
from incubator.volunteers.models import ServiceRecord, Volunteer
from incubator.volunteers.privacy import (
    log_export,
    mask_id_number,
    mask_phone,
    may_see_personal_data,
)
from incubator.volunteers.queries import hours_query


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


def _hours_headers() -> list[str]:
    return [
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
    ]


def hours_filters(user: User, args: Mapping) -> dict:
    """The hours page's filters (organization, month) as ``hours_query``'s
    keyword arguments, from a query string or the ``{name: [values]}`` a
    background export kept."""
    return {
        "organization_id": id_arg(arg(args, "organization")),
        "month": month_range(arg(args, "month") or ""),
    }


def _hours_count(user: User, args: Mapping) -> int:
    query = hours_query(
        user, columns=[func.count(ServiceRecord.id)], **hours_filters(user, args)
    )
    return db.session.scalar(query.order_by(None)) or 0


def _hours_rows(user: User, args: Mapping) -> Iterator[Sequence[Any]]:
    """Each service record as a row, streamed; at the end the export is logged
    with the ids of the volunteers it named (a set as large as the roster, not
    as the records)."""
    recorder = aliased(User)
    query = hours_query(
        user,
        columns=[
            ServiceRecord.served_on,
            Volunteer.id,
            Volunteer.number,
            Volunteer.name,
            Organization.name,
            ServiceRecord.service,
            ServiceRecord.hours,
            recorder.name,
            ServiceRecord.corrects_id,
            ServiceRecord.correction_reason,
            ServiceRecord.superseded,
        ],
        **hours_filters(user, args),
    )
    query = query.join(Volunteer, Volunteer.id == ServiceRecord.volunteer_id).outerjoin(
        recorder, recorder.id == ServiceRecord.recorded_by_id
    )
    yes, no = _("yes"), _("no")
    named: set[int] = set()
    result = stream_rows(query)
    for (
        served_on,
        volunteer_id,
        number,
        name,
        org_name,
        service,
        hours,
        recorded_by,
        corrects_id,
        reason,
        superseded,
    ) in result:
        named.add(volunteer_id)
        yield (
            served_on,
            number,
            name,
            org_name,
            service,
            float(hours),
            recorded_by or "",
            corrects_id or "",
            reason,
            no if superseded else yes,
        )
    log_export("hours", list(named), actor=user, full=False)


HOURS = register_export(
    Export(
        kind="hours",
        name="service-hours",
        title=lambda: _("Service hours"),
        headers=_hours_headers,
        count=_hours_count,
        rows=_hours_rows,
    )
)
