"""Room booking pages (场地预约): the room-by-day grid, the queue of requests, a
user's own bookings, a booking's page, the month's uses by room and service type
and its Excel export. The pages that change a booking are in ``action_views``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from incubator.audit.models import AuditEntry
from incubator.audit.vocabulary import readable
from incubator.auth.permissions import roles_required
from incubator.auth.roles import STAFF_ROLES, Role
from incubator.bookings import queries
from incubator.bookings.export import booked_for, bookings_workbook
from incubator.bookings.forms import (
    SCOPE_CHOICES,
    BookingCancelForm,
    DecisionForm,
    UseForm,
)
from incubator.bookings.models import Booking, BookingState
from incubator.community.scope import scope_communities
from incubator.database import utcnow
from incubator.extensions import db
from incubator.i18n import local_today, local_zone
from incubator.paging import paginate
from incubator.periods import month_key, month_range
from incubator.security import id_arg

bp = Blueprint("bookings", __name__, url_prefix="/bookings")

PER_PAGE = 30
STAFF = (Role.ADMIN, Role.SOCIAL_WORKER)
READERS = (Role.ADMIN, Role.SOCIAL_WORKER, Role.VIEWER)
BOOKERS = (Role.ADMIN, Role.SOCIAL_WORKER, Role.ORG_LEADER)


@bp.app_template_filter("hm")
def hm_filter(moment) -> str:
    """``09:30``: a moment's wall-clock time where the project is."""
    return moment.astimezone(local_zone()).strftime("%H:%M")


bp.add_app_template_filter(booked_for, "booked_for")


def day_arg(value: str | None) -> date:
    """``YYYY-MM-DD`` from the query string, today when absent or not a day."""
    try:
        day = date.fromisoformat(value or "")
    except ValueError:
        return local_today()
    return day if 2000 <= day.year <= 2100 else local_today()


def community_filter() -> tuple[list, int | None]:
    """The communities to choose from (only for a multi-community user) and the
    chosen one (``?community_id=``, ignored when outside the scope)."""
    if current_user.role == Role.ORG_LEADER:
        return [], None
    communities = scope_communities(current_user)
    if len(communities) < 2:
        return [], None
    wanted = id_arg(request.args.get("community_id"))
    return communities, wanted if wanted in {c.id for c in communities} else None


def visible_or_404(booking_id: int) -> Booking:
    booking = queries.visible_booking(current_user, booking_id)
    if booking is None:
        abort(404)
    return booking


@bp.route("")
@roles_required()
def index():
    """The room-by-day grid (phones: one room at a time, as a list), of one
    community: the first of a multi-community user's unless ``?community_id=``."""
    day = day_arg(request.args.get("day"))
    communities, community_id = community_filter()
    if communities and community_id is None:
        # One community's rooms at a time: a district holds hundreds (issue 18).
        community_id = communities[0].id
    rooms = queries.rooms_for(current_user, community_id)
    bookings = queries.bookings_on([r.id for r in rooms], day)
    grid = queries.day_grid(rooms, bookings, day)
    room_id = id_arg(request.args.get("room"))
    room = next((r for r in rooms if r.id == room_id), rooms[0] if rooms else None)
    keep = {"community_id": community_id or ""}
    return render_template(
        "bookings/grid.html",
        day=day,
        today=local_today(),
        previous=day - timedelta(days=1),
        following=day + timedelta(days=1),
        grid=grid,
        room=room,
        slots=queries.day_slots(room, grid.by_room.get(room.id, []), day)
        if room
        else [],
        communities=communities,
        community_id=community_id,
        keep=keep,
        shows=lambda b: queries.shows_details(current_user, b),
        may_book=current_user.role in BOOKERS,
        now_local=utcnow(),
        staff=current_user.role in STAFF_ROLES,
    )


@bp.route("/queue")
@roles_required(*STAFF)
def queue():
    communities, community_id = community_filter()
    page = paginate(queries.requests_query(current_user, community_id), PER_PAGE)
    return render_template(
        "bookings/queue.html",
        page=page,
        communities=communities,
        community_id=community_id,
        decision_form=DecisionForm(),
    )


@bp.route("/mine")
@roles_required(*BOOKERS)
def mine():
    past = request.args.get("past") == "1"
    now = utcnow()
    page = paginate(queries.mine_query(current_user, past=past, now=now), PER_PAGE)
    return render_template(
        "bookings/mine.html",
        page=page,
        past=past,
        now=now,
        cancel_form=BookingCancelForm(),
    )


# The services' audit actions of a booking, in the reader's words (the audit
# trail's own vocabulary covers the general ones: created, changed, cancelled).
BOOKING_ACTIONS = {
    "approve": _l("Request approved"),
    "refuse": _l("Request refused"),
    "use": _l("Use of the room recorded"),
    "link": _l("Activity log linked"),
    "unlink": _l("Activity log unlinked"),
}
BOOKING_SCOPES = {"this": SCOPE_CHOICES[0].label, "rest": SCOPE_CHOICES[1].label}


@dataclass(frozen=True)
class HistoryLine:
    action: str
    actor: str
    at: datetime
    note: str


def booking_history(booking: Booking) -> list[HistoryLine]:
    """The booking's audit entries, oldest first, in the reader's words."""
    entries = db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.entity_type == "Booking", AuditEntry.entity_id == booking.id)
        .order_by(AuditEntry.at, AuditEntry.id)
    ).all()
    lines = []
    for e in readable(list(entries)):
        action = BOOKING_ACTIONS.get(e.entry.action, e.action)
        summary = e.entry.summary
        note = BOOKING_SCOPES.get(summary, "" if summary == "session" else summary)
        lines.append(HistoryLine(str(action), e.actor, e.entry.at, str(note)))
    return lines


@bp.route("/<int:booking_id>")
@roles_required()
def detail(booking_id: int):
    booking = visible_or_404(booking_id)
    series: list[Booking] = []
    if booking.series_id:
        series = list(
            db.session.scalars(
                select(Booking)
                .where(Booking.series_id == booking.series_id)
                .order_by(Booking.sequence)
            )
        )
    role = current_user.role
    staff = role in STAFF_ROLES
    own = queries.is_own(current_user, booking)
    open_ = booking.state in (BookingState.REQUESTED, BookingState.CONFIRMED)
    begun = booking.starts_at <= utcnow()
    use_form = UseForm(
        held="" if booking.held is None else ("1" if booking.held else "0"),
        people=booking.people,
    )
    return render_template(
        "bookings/detail.html",
        booking=booking,
        series=series,
        history=booking_history(booking),
        may_decide=staff and booking.state == BookingState.REQUESTED,
        may_cancel=(staff or own) and role != Role.VIEWER and open_,
        may_record_use=(staff or own)
        and role != Role.VIEWER
        and booking.state == BookingState.CONFIRMED
        and begun,
        decision_form=DecisionForm(),
        cancel_form=BookingCancelForm(),
        use_form=use_form,
    )


def _month() -> tuple[str, date, date]:
    asked = request.args.get("month") or month_key(local_today())
    bounds = month_range(asked)
    if bounds is None:
        asked = month_key(local_today())
        bounds = month_range(asked)
    assert bounds is not None  # this month is a month
    return asked, bounds[0], bounds[1]


@bp.route("/uses")
@roles_required(*READERS)
def uses():
    key, start, end = _month()
    communities, community_id = community_filter()
    table = queries.month_uses(current_user, start, end, community_id)
    return render_template(
        "bookings/uses.html",
        table=table,
        month=key,
        start=start,
        previous=month_key(start - timedelta(days=1)),
        following=month_key(end),
        communities=communities,
        community_id=community_id,
        export_url=url_for(
            "bookings.export", month=key, community_id=community_id or None
        ),
    )


@bp.route("/export.xlsx")
@roles_required(*READERS)
def export():
    key, start, end = _month()
    _communities, community_id = community_filter()
    rows = db.session.scalars(
        queries.month_bookings(current_user, start, end, community_id)
    ).all()
    return bookings_workbook(rows, f"bookings-{key}", _("Room bookings %(m)s", m=key))
