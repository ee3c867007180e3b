"""The booking pages that change something: booking a room (the room and day are
chosen first, on a GET round-trip that lists the room's free and taken times, so
no JavaScript is needed), approving or refusing a request, cancelling (this one
or the rest of its series) and recording the use after the slot. Each calls one
service of ``incubator.bookings.services``."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from incubator.auth.permissions import roles_required
from incubator.auth.roles import Role
from incubator.bookings import queries, services
from incubator.bookings.forms import (
    BookingCancelForm,
    BookingForm,
    DecisionForm,
    UseForm,
)
from incubator.bookings.models import Booking
from incubator.bookings.schemas import (
    OUTSIDE_SERVICES,
    BookingCancel,
    BookingDecision,
    BookingIn,
    BookingUse,
)
from incubator.bookings.views import BOOKERS, STAFF, bp, day_arg, visible_or_404
from incubator.community.models import Room
from incubator.extensions import db
from incubator.forms import form_input
from incubator.i18n import local_today, local_zone
from incubator.organizations.access import org_scope
from incubator.organizations.models import Organization
from incubator.security import id_arg
from incubator.sessions.holidays import day_warning
from incubator.transaction import flash_form_errors, run_and_flash, submit_form


def _time_arg(value: str | None) -> time | None:
    try:
        return time.fromisoformat(value or "")
    except ValueError:
        return None


def _organizations() -> list[Organization]:
    return list(
        db.session.scalars(
            select(Organization)
            .where(Organization.archived_at.is_(None), org_scope(current_user))
            .order_by(Organization.name)
        )
    )


def _choices(form: BookingForm, rooms: list[Room]) -> None:
    several = len({r.community_id for r in rooms}) > 1
    form.room_id.choices = [
        SelectChoice(str(r.id), f"{r.community.name} · {r.name}" if several else r.name)
        for r in rooms
    ]
    orgs = [SelectChoice(str(o.id), o.name) for o in _organizations()]
    if current_user.role == Role.ORG_LEADER:
        form.organization_id.choices = orgs
    else:
        agency = SelectChoice("", _("The agency (or an outside unit named below)"))
        form.organization_id.choices = [agency, *orgs]


def _moments(form: BookingForm) -> tuple[datetime, datetime]:
    zone = local_zone()
    day = form.day.data
    return (
        datetime.combine(day, form.start_time.data, tzinfo=zone),
        datetime.combine(day, form.end_time.data, tzinfo=zone),
    )


def _booking_in(form: BookingForm) -> BookingIn:
    starts, ends = _moments(form)
    count = form.count.data
    return form_input(
        BookingIn,
        room_id=id_arg(form.room_id.data),
        starts_at=starts,
        ends_at=ends,
        organization_id=id_arg(form.organization_id.data),
        outside_unit=form.outside_unit.data or ""
        if current_user.role != Role.ORG_LEADER
        else "",
        purpose=form.purpose.data or "",
        service_type=form.service_type.data,
        expected_people=form.expected_people.data,
        recurrence={"freq": "weekly", "count": count} if count else None,
    )


def _book(data: BookingIn) -> list[Booking]:
    """``services.book_room``; a leader's clash names the slot taken, never who
    holds it (she sees other organizations' bookings only as taken)."""
    try:
        return services.book_room(data, actor=current_user)
    except services.BookingConflict as exc:
        other = db.session.get(Booking, exc.details.get("booking_id") or 0)
        if current_user.role != Role.ORG_LEADER or other is None:
            raise
        zone = local_zone()
        taken = _(
            "%(room)s is already taken %(day)s %(start)s–%(end)s.",
            room=other.room.name,
            day=other.held_on.isoformat(),
            start=f"{other.starts_at.astimezone(zone):%H:%M}",
            end=f"{other.ends_at.astimezone(zone):%H:%M}",
        )
        if data.recurrence:
            taken = _(
                "Occurrence %(n)d: %(why)s", n=exc.details["occurrence"], why=taken
            )
        raise services.BookingConflict(
            taken, field=exc.field, details=exc.details
        ) from None


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*BOOKERS)
def new():
    rooms = queries.rooms_for(current_user)
    form = BookingForm()
    _choices(form, rooms)
    if request.method == "GET":
        wanted = id_arg(request.args.get("room_id"))
        if wanted not in {r.id for r in rooms}:
            wanted = rooms[0].id if rooms else None
        form.room_id.data = str(wanted or "")
        form.day.data = day_arg(request.args.get("day"))
        form.start_time.data = _time_arg(request.args.get("start"))
        form.end_time.data = _time_arg(request.args.get("end"))
        if form.organization_id.choices and current_user.role == Role.ORG_LEADER:
            form.organization_id.data = form.organization_id.choices[0].value
    room = next((r for r in rooms if str(r.id) == form.room_id.data), None)
    day: date = form.day.data or local_today()
    if form.validate_on_submit() and room is not None:
        saved, created = submit_form(form, lambda: _book(_booking_in(form)))
        if saved and created:
            first = created[0]
            if first.state == "requested":
                flash(_("Requested: a social worker will answer."), "success")
            elif len(created) > 1:
                flash(_("%(n)d weekly bookings made.", n=len(created)), "success")
            else:
                flash(_("Booked."), "success")
            for warning in services.booking_warnings(
                room, first.starts_at, first.ends_at
            ):
                flash(warning, "warning")
            return redirect(url_for("bookings.detail", booking_id=first.id))
    elif request.method == "POST" and room is None:
        form.room_id.errors = [_("Please choose a room.")]
    slots = (
        queries.day_slots(room, queries.bookings_on([room.id], day), day)
        if room
        else []
    )
    warnings: list[str] = []
    if room and form.start_time.data and form.end_time.data and form.day.data:
        starts, ends = _moments(form)
        warnings = services.booking_warnings(room, starts, ends)
    elif day_warning(day):
        warnings = [str(day_warning(day))]
    return render_template(
        "bookings/form.html",
        form=form,
        rooms=rooms,
        room=room,
        day=day,
        slots=slots,
        warnings=warnings,
        today=local_today(),
        shows=lambda b: queries.shows_details(current_user, b),
        leader=current_user.role == Role.ORG_LEADER,
        outside_services=sorted(OUTSIDE_SERVICES),
        following=day + timedelta(days=1),
        previous=day - timedelta(days=1),
    )


def _back(booking: Booking):
    target = request.form.get("next")
    if target == "queue":
        return redirect(url_for("bookings.queue"))
    if target == "mine":
        return redirect(url_for("bookings.mine"))
    return redirect(url_for("bookings.detail", booking_id=booking.id))


@bp.route("/<int:booking_id>/decision", methods=["POST"])
@roles_required(*STAFF)
def decide(booking_id: int):
    booking = visible_or_404(booking_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return _back(booking)
    approve = form.decision.data == "approve"
    run_and_flash(
        lambda: services.decide_booking(
            booking,
            form_input(
                BookingDecision,
                decision=form.decision.data,
                reason=form.reason.data or "",
            ),
            actor=current_user,
        ),
        success=_("Booking approved.") if approve else _("Booking refused."),
    )
    return _back(booking)


@bp.route("/<int:booking_id>/cancel", methods=["POST"])
@roles_required(*BOOKERS)
def cancel(booking_id: int):
    booking = visible_or_404(booking_id)
    form = BookingCancelForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return _back(booking)
    run_and_flash(
        lambda: services.cancel_booking(
            booking,
            form_input(
                BookingCancel,
                reason=form.reason.data or "",
                scope=form.scope.data or "this",
            ),
            actor=current_user,
        ),
        success=_("Cancelled; the slot is free again."),
    )
    return _back(booking)


@bp.route("/<int:booking_id>/use", methods=["POST"])
@roles_required(*BOOKERS)
def record_use(booking_id: int):
    booking = visible_or_404(booking_id)
    form = UseForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return _back(booking)
    run_and_flash(
        lambda: services.record_use(
            booking,
            form_input(BookingUse, held=form.held.data == "1", people=form.people.data),
            actor=current_user,
        ),
        success=_("Use recorded."),
    )
    return _back(booking)
