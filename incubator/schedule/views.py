"""The calendar (日程): a month grid and an agenda of sessions, follow-ups and
activities, filterable by kind and social worker, rendered on the server so it works
on any phone without JavaScript; and each user's private calendar feed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from incubator.activities.queries import activities_query
from incubator.auth.permissions import roles_required
from incubator.auth.roles import STAFF_ROLES, Role
from incubator.deadlines import due_within
from incubator.extensions import db
from incubator.followups.models import FollowUp, FollowUpState
from incubator.forms import EmptyForm
from incubator.i18n import local_today, local_zone
from incubator.organizations.access import org_scope
from incubator.organizations.models import Organization
from incubator.organizations.views import user_choices
from incubator.periods import month_key, month_range
from incubator.schedule import feed
from incubator.security import id_arg
from incubator.sessions.models import SessionState
from incubator.sessions.queries import sessions_query

bp = Blueprint("calendar", __name__, url_prefix="/calendar")

KINDS = ("session", "followup", "activity")


@dataclass(frozen=True)
class Entry:
    day: date
    at: datetime | None
    kind: str
    title: str
    url: str
    note: str = ""
    overdue: bool = False
    cancelled: bool = False


def _entries(start: date, end: date, kinds: set[str], sw_id: int | None) -> list[Entry]:
    """Everything in [start, end) the user may see: one query per kind."""
    zone = local_zone()
    entries: list[Entry] = []
    today = local_today()
    if "session" in kinds:
        stmt = sessions_query(
            current_user,
            start=datetime.combine(start, time(0), tzinfo=zone),
            end=datetime.combine(end, time(0), tzinfo=zone),
            organizer_id=sw_id,
        )
        for s in db.session.scalars(stmt).unique():
            local = s.starts_at.astimezone(zone)
            entries.append(
                Entry(
                    day=local.date(),
                    at=local,
                    kind="session",
                    title=s.title,
                    url=url_for("sessions.detail", session_id=s.id),
                    note=s.place,
                    cancelled=s.state == SessionState.CANCELLED,
                )
            )
    if "followup" in kinds and current_user.role in STAFF_ROLES:
        stmt = (
            select(FollowUp, Organization.name)
            .join(Organization, Organization.id == FollowUp.organization_id)
            .where(
                due_within(FollowUp.due_on, start, end),
                FollowUp.state != FollowUpState.CANCELLED,
                org_scope(current_user),
            )
            .order_by(FollowUp.due_on)
        )
        if sw_id:
            stmt = stmt.where(FollowUp.assignee_id == sw_id)
        for f, org_name in db.session.execute(stmt):
            entries.append(
                Entry(
                    day=f.due_on,
                    at=None,
                    kind="followup",
                    title=f"{f.kind_label}：{org_name}",
                    url=url_for(
                        "followups.index", organization=f.organization_id, state="all"
                    ),
                    note=str(_("Done")) if f.state == FollowUpState.DONE else "",
                    overdue=f.overdue(today),
                )
            )
    if "activity" in kinds:
        stmt = activities_query(current_user, month=(start, end))
        if sw_id:
            stmt = stmt.where(Organization.social_worker_id == sw_id)
        for a in db.session.scalars(stmt).unique():
            entries.append(
                Entry(
                    day=a.held_on,
                    at=a.starts_at.astimezone(zone),
                    kind="activity",
                    title=a.title,
                    url=url_for("activities.detail", activity_id=a.id),
                    note=a.organization.name,
                )
            )
    entries.sort(
        key=lambda e: (
            e.day,
            e.at is not None,
            e.at or datetime.min.replace(tzinfo=zone),
        )
    )
    return entries


@bp.route("")
@roles_required()
def month():
    asked = request.args.get("month") or month_key(local_today())
    bounds = month_range(asked) or month_range(month_key(local_today()))
    assert bounds is not None  # this month is a month
    start, end = bounds
    kinds = {k for k in request.args.getlist("kind") if k in KINDS} or set(KINDS)
    sw_id = id_arg(request.args.get("sw"))
    view = "agenda" if request.args.get("view") == "agenda" else "month"
    entries = _entries(start, end, kinds, sw_id)
    by_day: dict[date, list[Entry]] = {}
    for entry in entries:
        by_day.setdefault(entry.day, []).append(entry)
    first = start - timedelta(days=start.weekday())
    weeks: list[list[date]] = []
    day = first
    while day < end or day.weekday() != 0:
        if day.weekday() == 0:
            weeks.append([])
        weeks[-1].append(day)
        day += timedelta(days=1)
    keep = {"view": view, "kind": sorted(kinds), "sw": sw_id or ""}
    return render_template(
        "schedule/month.html",
        keep=keep,
        view=view,
        weeks=weeks,
        by_day=by_day,
        entries=entries,
        start=start,
        previous=month_key(start - timedelta(days=1)),
        following=month_key(end),
        today=local_today(),
        kinds=kinds,
        sw_id=sw_id,
        sw_choices=user_choices((Role.ADMIN, Role.SOCIAL_WORKER), _("Everyone"))
        if current_user.role != Role.ORG_LEADER
        else [],
    )


@bp.route("/feed")
@roles_required()
def feed_page():
    url = url_for("calendar.ics", key=feed.feed_key(current_user), _external=True)
    return render_template("schedule/feed.html", url=url, form=EmptyForm())


@bp.route("/feed/reset", methods=["POST"])
@roles_required()
def reset_feed():
    if EmptyForm().validate_on_submit():
        feed.reset_feed(current_user)
        flash(_("A new feed address was made; the old one no longer works."), "success")
    return redirect(url_for("calendar.feed_page"))


@bp.route("/feed/<key>.ics")
def ics(key: str):
    """Public by design (phone calendars send no cookies): the key is the secret."""
    if len(key) > 80:
        abort(404)
    user = feed.user_for_key(key)
    if user is None:
        abort(404)
    body = feed.calendar_text(user)
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = 'inline; filename="incubator.ics"'
    response.headers["Cache-Control"] = "private, max-age=300"
    return response
