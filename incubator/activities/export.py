"""Activities and the resources ledger as Excel workbooks (text never a formula).

The activities export streams: the rows come from the database in batches as plain
values (the volunteers' count and hours by correlated subqueries, no ORM objects
or relationships), and are written in openpyxl's write-only mode, so a district's
300,000 logs take the same memory as 3,000 (``spreadsheets.write_workbook``)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict
from wtforms import SelectChoice

from incubator.activities.forms import ActivityFilterForm
from incubator.activities.models import (
    FORM_LABELS,
    REVIEW_STATE_LABELS,
    SERVICE_TYPE_LABELS,
    TARGET_GROUP_LABELS,
    Activity,
    ActivityVolunteer,
    ResourceLink,
)
from incubator.activities.queries import activities_query
from incubator.auth.models import User
from incubator.community.models import Compound
from incubator.extensions import db
from incubator.organizations.models import Organization
from incubator.organizations.queries import organization_filter
from incubator.organizations.views import compound_choices
from incubator.periods import month_range
from incubator.security import id_arg
from incubator.spreadsheets import (
    Export,
    new_sheet,
    register_export,
    stream_rows,
    write_row,
    xlsx_response,
)


def activity_filters(user: User, args: Mapping) -> tuple[ActivityFilterForm, dict]:
    """The activity list's filter form read from ``args`` (a query string, or the
    ``{name: [values]}`` a background export kept) and the keyword arguments of
    ``activities_query`` it gives; an invalid form filters nothing, as on the
    page. Works without a request (a background export runs in the scheduler)."""
    form = ActivityFilterForm(
        args if hasattr(args, "getlist") else MultiDict(args), meta={"csrf": False}
    )
    form.org_filter = organization_filter(
        user, selected=id_arg(args.get("organization")), q=args.get("org_q")
    )
    form.organization.choices = [SelectChoice("", _("All organizations"))] + [
        SelectChoice(str(i), name) for i, name in form.org_filter.options
    ]
    form.compound.choices = compound_choices(_("All compounds"), user)
    valid = form.validate()

    def value(field):
        return field.data if valid and field.data else None

    return form, {
        "organization_id": int(value(form.organization))
        if value(form.organization)
        else None,
        "month": month_range(value(form.month)),
        "form": value(form.form),
        "service_type": value(form.service_type),
        "target_group": value(form.target_group),
        "compound_id": int(value(form.compound)) if value(form.compound) else None,
        "review_state": value(form.state),
        "day": day_arg(args.get("day")),
        "social_worker_id": id_arg(args.get("sw")),
    }


def day_arg(text: str | None) -> date | None:
    """``?day=YYYY-MM-DD`` (a calendar's "+N more"), or ``None`` for anything
    else."""
    if not text or len(text) != 10:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _headers() -> list[str]:
    return [
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
    ]


def _count(user: User, args: Mapping) -> int:
    _form, filters = activity_filters(user, args)
    query = activities_query(user, columns=[func.count(Activity.id)], **filters)
    return db.session.scalar(query.order_by(None)) or 0


def _labels(labels) -> dict[str, str]:
    # translated once per export, not once per row
    return {str(key): str(label) for key, label in labels.items()}


def _rows(user: User, args: Mapping) -> Iterator[Sequence[Any]]:
    _form, filters = activity_filters(user, args)
    volunteers = (
        select(func.count(ActivityVolunteer.id))
        .where(ActivityVolunteer.activity_id == Activity.id)
        .scalar_subquery()
    )
    hours = (
        select(func.coalesce(func.sum(ActivityVolunteer.hours), 0))
        .where(ActivityVolunteer.activity_id == Activity.id)
        .scalar_subquery()
    )
    query = activities_query(
        user,
        columns=[
            Activity.held_on,
            Organization.name,
            Activity.title,
            Activity.form,
            Activity.service_type,
            Activity.target_group,
            Compound.name,
            Activity.place,
            Activity.person_times,
            volunteers,
            hours,
            Activity.review_state,
            Activity.summary,
        ],
        **filters,
    ).outerjoin(Compound, Compound.id == Activity.compound_id)
    forms, types = _labels(FORM_LABELS), _labels(SERVICE_TYPE_LABELS)
    groups, states = _labels(TARGET_GROUP_LABELS), _labels(REVIEW_STATE_LABELS)
    result = stream_rows(query)
    for (
        held_on,
        org_name,
        title,
        form,
        service_type,
        target_group,
        compound,
        place,
        person_times,
        count,
        total,
        state,
        summary,
    ) in result:
        yield (
            held_on,
            org_name,
            title,
            forms.get(form, form),
            types.get(service_type, service_type),
            groups.get(target_group, target_group),
            " ".join(p for p in (compound or "", place) if p),
            person_times,
            count,
            float(total or 0),
            states.get(state, state),
            summary,
        )


ACTIVITIES = register_export(
    Export(
        kind="activities",
        name="activities",
        title=lambda: _("Activities"),
        headers=_headers,
        count=_count,
        rows=_rows,
    )
)


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
