"""What each recipient's monthly reminder says, computed for everyone at once in a
fixed number of queries (the count does not grow with the number of
organizations or people).

The period is the month the reminders are sent in; they speak of the month before
("last month") and of the period month itself ("this month").
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from incubator.activities.queries import (
    organizations_that_logged,
    pending_reviews_by_worker,
)
from incubator.auth.models import User
from incubator.auth.roles import Role
from incubator.community.scope import in_scope_of, scope_ids
from incubator.extensions import db
from incubator.followups.queries import due_by_assignee, overdue_by_assignee
from incubator.i18n import local_today, local_zone
from incubator.money import yuan
from incubator.organizations.caseload import caseload_rows
from incubator.organizations.models import Organization
from incubator.periods import month_bounds, months_before, previous_month
from incubator.projects import metrics
from incubator.projects.models import Project
from incubator.projects.services import METRIC_LABELS, progress
from incubator.reminders.models import Kind
from incubator.sessions.queries import scheduled_by_organizer
from incubator.ventures.plans import actions_due_by_worker

SILENT_MONTHS = 2


@dataclass(frozen=True)
class Draft:
    recipient_id: int
    kind: str
    title: str
    body: str
    link: str


def _moment(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=local_zone())


def drafts_for(period: str) -> list[Draft]:
    """Every reminder due for ``period`` (YYYY-MM), in Chinese (the language of
    the agency's staff and residents)."""
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        return [*_log_reminders(period), *_digests(period), *_reports(period)]


def _log_reminders(period: str) -> list[Draft]:
    """Leaders whose organizations logged nothing last month: one reminder each,
    naming those organizations, linking straight to the log form."""
    start, end = month_bounds(previous_month(period))
    logged = organizations_that_logged(start, end)
    rows = db.session.execute(
        select(Organization.id, Organization.name, User.id)
        .join(User, User.id == Organization.leader_user_id)
        .where(
            Organization.archived_at.is_(None),
            # registered before last month began: a new one is not nagged
            Organization.created_at < _moment(start),
            User.active.is_(True),
            Organization.id.not_in(logged),
        )
        .order_by(User.id, Organization.name)
    ).all()
    by_leader: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for org_id, name, user_id in rows:
        by_leader[user_id].append((org_id, name))
    label = f"{start.year}年{start.month}月"
    drafts = []
    for user_id, orgs in by_leader.items():
        names = "、".join(name for _id, name in orgs)
        link = f"/activities/new?org={orgs[0][0]}"
        drafts.append(
            Draft(
                recipient_id=user_id,
                kind=Kind.MONTHLY_LOG_REMINDER,
                title=_("Please log last month's activities"),
                # No address in the text: the bell shows an Open button on the
                # page's own host; email and WeCom add the PUBLIC_BASE_URL link.
                body=_(
                    "%(orgs)s has no activity logged for %(month)s. Please log what "
                    "you did, with photos if you have them.",
                    orgs=names,
                    month=label,
                ),
                link=link,
            )
        )
    return drafts


def _digests(period: str) -> list[Draft]:
    """One digest per active social worker: what the features' read models count
    for each (follow-ups overdue when the month began and due in it, sessions,
    plan actions due, logs waiting for review)."""
    start, end = month_bounds(period)
    workers = db.session.execute(
        select(User.id, User.name).where(
            User.role == Role.SOCIAL_WORKER, User.active.is_(True)
        )
    ).all()
    if not workers:
        return []
    overdue = overdue_by_assignee(start)
    due = due_by_assignee(start, end)
    sessions = scheduled_by_organizer(_moment(start), _moment(end))
    actions = actions_due_by_worker(end)
    reviews = pending_reviews_by_worker()
    silent = _silent_by_worker(start)
    drafts = []
    link = "/followups/mine"
    for user_id, _name in workers:
        lines = [
            _("Follow-ups overdue: %(n)d", n=overdue.get(user_id, 0)),
            _("Follow-ups due this month: %(n)d", n=due.get(user_id, 0)),
            _("Sessions this month: %(n)d", n=sessions.get(user_id, 0)),
            _("Plan actions due: %(n)d", n=actions.get(user_id, 0)),
            _(
                "Activity logs waiting for your review: %(n)d",
                n=reviews.get(user_id, 0),
            ),
        ]
        quiet = silent.get(user_id, [])
        lines.append(
            _(
                "Organizations silent for two months or more: %(names)s",
                names="、".join(quiet) if quiet else _("none"),
            )
        )
        drafts.append(
            Draft(
                recipient_id=user_id,
                kind=Kind.MONTHLY_DIGEST,
                title=_(
                    "Your work for %(month)s", month=f"{start.year}年{start.month}月"
                ),
                body="\n".join(str(line) for line in lines),
                link=link,
            )
        )
    return drafts


def _silent_by_worker(start: date) -> dict[int | None, list[str]]:
    orgs = db.session.scalars(
        select(Organization).where(
            Organization.archived_at.is_(None),
            Organization.social_worker_id.is_not(None),
            in_scope_of(Organization.community_id, Organization.social_worker_id),
        )
    ).all()

    cutoff = months_before(start, SILENT_MONTHS)
    result: dict[int | None, list[str]] = defaultdict(list)
    for row in caseload_rows(list(orgs)):
        heard = max(
            (d for d in (row.last_contact, row.last_activity) if d), default=None
        )
        created = row.org.created_at.astimezone(local_zone()).date()
        if (heard or created) < cutoff:
            result[row.org.social_worker_id].append(row.org.name)
    return result


def month_figures(month: str, communities: metrics.Communities = None) -> dict:
    """The month's headline figures of ``communities`` (None: all), from the
    reports' shared counting functions (so the reminder and the report always
    agree)."""
    period = month_bounds(month)
    only = communities
    people, space = metrics.people_and_space(period, only)
    return {
        "activities": metrics.activities(period, None, only),
        "person_times": metrics.person_times(period, only),
        "volunteer_hours": str(metrics.volunteer_hours(period, only)),
        "resources_value": metrics.resources_value(period, only),
        "new_organizations": metrics.organizations_new(period, only),
        "stage_moves": metrics.stage_moves(period, only),
        "followups_done": metrics.followups_done(period, only),
        "sessions_held": metrics.capacity_sessions(period, only),
        "people_served": people,
        "space_uses": space.uses,
    }


def _reports(period: str) -> list[Draft]:
    """Each admin's monthly report reminder, with the figures of their scope
    (computed once per distinct scope)."""
    admins = db.session.scalars(
        select(User).where(User.role == Role.ADMIN, User.active.is_(True))
    ).all()
    if not admins:
        return []
    month = previous_month(period)
    start, _end = month_bounds(month)
    link = _report_link(month)
    title = _("The report for %(month)s", month=f"{start.year}年{start.month}月")
    bodies: dict[metrics.Communities, str] = {}
    drafts = []
    for admin in admins:
        scope = scope_ids(admin)
        if scope not in bodies:
            bodies[scope] = _report_body(month, scope)
        drafts.append(
            Draft(
                recipient_id=admin.id,
                kind=Kind.MONTHLY_REPORT,
                title=title,
                body=bodies[scope],
                link=link,
            )
        )
    return drafts


def _report_body(month: str, scope: metrics.Communities) -> str:
    figures = month_figures(month, scope)
    return "\n".join(
        str(line)
        for line in (
            _("Activities held (reviewed): %(n)d", n=figures["activities"]),
            _("Person-times served: %(n)d", n=figures["person_times"]),
            _("Volunteer hours: %(h)s", h=figures["volunteer_hours"]),
            _("Resources linked: %(v)s yuan", v=yuan(figures["resources_value"])),
            _("New organizations: %(n)d", n=figures["new_organizations"]),
            _("Stage moves: %(n)d", n=figures["stage_moves"]),
            _("Follow-ups done: %(n)d", n=figures["followups_done"]),
            _("Capacity-building sessions held: %(n)d", n=figures["sessions_held"]),
            _("People served: %(n)d", n=figures["people_served"]),
            _("Space uses of the centre: %(n)d", n=figures["space_uses"]),
            *_progress_lines(scope),
        )
    )


def _progress_lines(scope: metrics.Communities = None) -> list[str]:
    """Indicator progress of the scope's project running today (if one is
    recorded)."""
    today = local_today()
    project = db.session.scalar(
        select(Project)
        .where(
            Project.starts_on <= today,
            Project.ends_on >= today,
            metrics.within(Project.community_id, scope),
        )
        .order_by(Project.starts_on.desc())
        .limit(1)
    )
    if project is None:
        return []
    lines = [_("Indicator progress of %(name)s:", name=project.name)]
    for row in progress(project, today):
        lines.append(
            _(
                "%(label)s: %(actual)s of %(target)s (%(percent)s%%)%(lag)s",
                label=METRIC_LABELS[row.metric],
                actual=row.actual,
                target=format(row.target.normalize(), "f"),
                percent=row.percent,
                lag=_(", lagging") if row.lagging else "",
            )
        )
    return lines


def _report_link(month: str) -> str:
    """The monthly report page once it exists; until then the month's activities."""
    if "reports.monthly" in current_app.view_functions:
        return f"/reports/monthly?month={month}"
    return f"/activities?month={month}&state=approved"
