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
from sqlalchemy import func, select

from incubator.activities.queries import activities_by_day
from incubator.auth.permissions import roles_required
from incubator.auth.roles import STAFF_ROLES
from incubator.deadlines import due_within, is_overdue
from incubator.extensions import db
from incubator.followups.models import KIND_LABELS as FOLLOW_UP_KINDS
from incubator.followups.models import FollowUp, FollowUpState
from incubator.followups.models import Kind as FollowUpKind
from incubator.forms import EmptyForm
from incubator.i18n import local_today, local_zone
from incubator.organizations.access import org_scope
from incubator.organizations.models import Organization
from incubator.organizations.views import caseload_filter
from incubator.periods import month_key, month_range
from incubator.schedule import feed
from incubator.sessions.models import SessionState, TrainingSession
from incubator.sessions.queries import visible_condition

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


DAY_CAP = 5  # entries a day shows in the month grid and agenda before "+N more"
DAY_VIEW_CAP = 20  # activities one day's agenda lists before linking to the list


@dataclass
class Month:
    """What a calendar page shows: the first entries of each day (sessions, then
    follow-ups, then activities), how many each day holds in all, and how many of
    each day's activities are left out (linked to the activities list)."""

    by_day: dict[date, list[Entry]]
    totals: dict[date, int]
    hidden_activities: dict[date, int]

    def more(self, day: date) -> int:
        return self.totals.get(day, 0) - len(self.by_day.get(day, ()))


def _entries(
    start: date, end: date, kinds: set[str], sw_id: int | None, cap: int | None
) -> Month:
    """Everything in [start, end) the user may see, at most ``cap`` a day
    (``None``: every session and follow-up, and DAY_VIEW_CAP activities): one
    query per kind, each reading only the columns shown; follow-ups and
    activities are numbered and counted per day by a window in the database, so
    a district's month never leaves it whole."""
    zone = local_zone()
    today = local_today()
    timed: dict[date, list[Entry]] = {}
    totals: dict[date, int] = {}
    if "session" in kinds:
        stmt = (
            select(
                TrainingSession.id,
                TrainingSession.title,
                TrainingSession.starts_at,
                TrainingSession.place,
                TrainingSession.state,
            )
            .where(
                visible_condition(current_user),
                TrainingSession.starts_at
                >= datetime.combine(start, time(0), tzinfo=zone),
                TrainingSession.starts_at < datetime.combine(end, time(0), tzinfo=zone),
            )
            .order_by(TrainingSession.starts_at, TrainingSession.id)
        )
        if sw_id:
            stmt = stmt.where(TrainingSession.organizer_id == sw_id)
        for s in db.session.execute(stmt):
            local = s.starts_at.astimezone(zone)
            timed.setdefault(local.date(), []).append(
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
            totals[local.date()] = totals.get(local.date(), 0) + 1
    undated: dict[date, list[Entry]] = {}
    limit = cap if cap is not None else 10_000
    if "followup" in kinds and current_user.role in STAFF_ROLES:
        stmt = (
            select(
                FollowUp.id,
                FollowUp.kind,
                FollowUp.state,
                FollowUp.due_on,
                FollowUp.organization_id,
                Organization.name.label("org_name"),
                func.row_number()
                .over(partition_by=FollowUp.due_on, order_by=(FollowUp.id,))
                .label("rank"),
                func.count().over(partition_by=FollowUp.due_on).label("total"),
            )
            .join(Organization, Organization.id == FollowUp.organization_id)
            .where(
                due_within(FollowUp.due_on, start, end),
                FollowUp.state != FollowUpState.CANCELLED,
                org_scope(current_user),
            )
        )
        if sw_id:
            stmt = stmt.where(FollowUp.assignee_id == sw_id)
        ranked = stmt.subquery()
        for f in db.session.execute(
            select(ranked)
            .where(ranked.c.rank <= limit)
            .order_by(ranked.c.due_on, ranked.c.rank)
        ):
            undated.setdefault(f.due_on, []).append(
                Entry(
                    day=f.due_on,
                    at=None,
                    kind="followup",
                    title=f"{FOLLOW_UP_KINDS[FollowUpKind(f.kind)]}：{f.org_name}",
                    url=url_for(
                        "followups.index", organization=f.organization_id, state="all"
                    ),
                    note=str(_("Done")) if f.state == FollowUpState.DONE else "",
                    overdue=f.state == FollowUpState.OPEN
                    and is_overdue(f.due_on, today),
                )
            )
            totals[f.due_on] = totals.get(f.due_on, 0) + f.total
    activities: dict = {}
    activity_totals: dict[date, int] = {}
    if "activity" in kinds:
        activities, activity_totals = activities_by_day(
            current_user,
            start,
            end,
            social_worker_id=sw_id,
            cap=cap if cap is not None else DAY_VIEW_CAP,
        )
        for day, n in activity_totals.items():
            totals[day] = totals.get(day, 0) + n
    by_day: dict[date, list[Entry]] = {}
    hidden: dict[date, int] = {}
    for day in sorted(totals):
        entries = [
            *timed.get(day, ()),
            *undated.get(day, ()),
            *(
                Entry(
                    day=day,
                    at=a.starts_at.astimezone(zone),
                    kind="activity",
                    title=a.title,
                    url=url_for("activities.detail", activity_id=a.id),
                    note=a.organization_name,
                )
                for a in activities.get(day, ())
            ),
        ]
        if cap is not None:
            entries = entries[:cap]
        by_day[day] = entries
        shown = sum(1 for e in entries if e.kind == "activity")
        hidden[day] = activity_totals.get(day, 0) - shown
    return Month(by_day=by_day, totals=totals, hidden_activities=hidden)


def _day_arg() -> date | None:
    text = request.args.get("day", "")
    if len(text) != 10:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


@bp.route("")
@roles_required()
def month():
    """The month grid (or ``?view=agenda``), at most DAY_CAP entries a day with
    "+N more" leading to that day's agenda (``?day=YYYY-MM-DD``), which lists the
    day's sessions and follow-ups and its first activities, then links to the
    activities list of the day. ``?sw=`` whose caseload (a social worker's own by
    default, ``all`` for everyone)."""
    day = _day_arg()
    asked = request.args.get("month") or month_key(day or local_today())
    bounds = month_range(asked) or month_range(month_key(local_today()))
    assert bounds is not None  # this month is a month
    start, end = bounds
    kinds = {k for k in request.args.getlist("kind") if k in KINDS} or set(KINDS)
    who = caseload_filter()
    sw_id = who.sw_id
    view = "agenda" if request.args.get("view") == "agenda" or day else "month"
    if day is not None:
        found = _entries(day, day + timedelta(days=1), kinds, sw_id, None)
        start, end = month_range(month_key(day)) or bounds
    else:
        found = _entries(start, end, kinds, sw_id, DAY_CAP)
    entries = [e for d in sorted(found.by_day) for e in found.by_day[d]]
    first = start - timedelta(days=start.weekday())
    weeks: list[list[date]] = []
    cursor = first
    while cursor < end or cursor.weekday() != 0:
        if cursor.weekday() == 0:
            weeks.append([])
        weeks[-1].append(cursor)
        cursor += timedelta(days=1)
    keep = {"view": view, "kind": sorted(kinds), "sw": who.value}
    return render_template(
        "schedule/month.html",
        keep=keep,
        view=view,
        weeks=weeks,
        found=found,
        by_day=found.by_day,
        entries=entries,
        day=day,
        start=start,
        previous=month_key(start - timedelta(days=1)),
        following=month_key(end),
        today=local_today(),
        kinds=kinds,
        who=who,
        sw_id=sw_id,
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
