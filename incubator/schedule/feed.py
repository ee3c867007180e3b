"""Each user's private iCalendar (RFC 5545) feed of their sessions and follow-ups.

The URL carries the user's id and an HMAC of (id, feed version) under the app's
secret key: nothing secret is stored, the URL can be shown again at any time, and a
reset (a new version) makes the old URL fail at once. Event UIDs are fixed per
record (``session-12@…``), so phone calendars update events instead of doubling
them. Times are written in UTC (``…Z``); all-day follow-ups as dates.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, date, datetime, timedelta

from flask import current_app
from icalendar import Calendar, Event, vText
from sqlalchemy import select

from incubator.audit import services as audit
from incubator.auth.models import User
from incubator.auth.roles import Role
from incubator.community.scope import in_scope
from incubator.database import utcnow
from incubator.deadlines import due_by
from incubator.extensions import db
from incubator.followups.models import FollowUp, FollowUpState
from incubator.i18n import local_today
from incubator.organizations.access import org_scope
from incubator.organizations.models import Organization
from incubator.schedule.models import CalendarFeed
from incubator.security import id_arg
from incubator.sessions.models import SessionInvite, SessionState, TrainingSession

PAST = timedelta(days=180)
FUTURE = timedelta(days=400)


def feed_version(user: User) -> int:
    row = db.session.get(CalendarFeed, user.id)
    return row.version if row else 1


def token_for(user_id: int, version: int) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    message = f"calendar-feed:{user_id}:{version}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:40]


def feed_key(user: User) -> str:
    return f"{user.id}-{token_for(user.id, feed_version(user))}"


def user_for_key(key: str) -> User | None:
    raw_id, _sep, token = key.partition("-")
    user_id = id_arg(raw_id)
    if user_id is None or not token:
        return None
    user = db.session.get(User, user_id)
    if user is None or not user.active:
        return None
    expected = token_for(user.id, feed_version(user))
    return user if hmac.compare_digest(expected, token) else None


def reset_feed(user: User) -> None:
    row = db.session.get(CalendarFeed, user.id)
    if row is None:
        row = CalendarFeed(user_id=user.id, version=2)
        db.session.add(row)
    else:
        row.version += 1
    audit.record_event("reset_feed", "User", actor=user, entity_id=user.id)
    db.session.flush()


def _sessions(user: User, start: datetime, end: datetime) -> list[TrainingSession]:
    stmt = select(TrainingSession).where(
        TrainingSession.starts_at >= start, TrainingSession.starts_at < end
    )
    if user.role == Role.ORG_LEADER:
        stmt = stmt.where(
            TrainingSession.id.in_(
                select(SessionInvite.session_id)
                .join(Organization, Organization.id == SessionInvite.organization_id)
                .where(Organization.leader_user_id == user.id)
            )
        )
    else:
        stmt = stmt.where(
            TrainingSession.organizer_id == user.id,
            in_scope(TrainingSession.community_id, user),
        )
    return list(db.session.scalars(stmt.order_by(TrainingSession.starts_at)))


def _followups(user: User, first: date, last: date) -> list[tuple[FollowUp, str]]:
    rows = db.session.execute(
        select(FollowUp, Organization.name)
        .join(Organization, Organization.id == FollowUp.organization_id)
        .where(
            FollowUp.assignee_id == user.id,
            org_scope(user),
            # Done and cancelled ones leave the feed: a calendar shows every
            # event as still to come, and a VEVENT has no "completed" status.
            FollowUp.state == FollowUpState.OPEN,
            FollowUp.due_on >= first,
            due_by(FollowUp.due_on, last),
        )
        .order_by(FollowUp.due_on)
    ).all()
    return [(f, name) for f, name in rows]


def calendar_text(user: User) -> str:
    """The feed as text with CRLF line ends (icalendar escapes and folds it)."""
    now = utcnow()
    # One fixed domain, so the same events reached by IP or by name never double.
    host = current_app.config["CALENDAR_UID_DOMAIN"]
    calendar = Calendar()
    calendar.add("VERSION", "2.0")
    calendar.add("PRODID", "-//incubator//community social work//ZH")
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.add("METHOD", "PUBLISH")
    # X- properties are not typed by icalendar: say they are text, so it escapes them.
    calendar.add("X-WR-CALNAME", vText("社区社会组织孵化 · " + user.name))
    calendar.add("X-WR-TIMEZONE", vText(current_app.config["TIMEZONE"]))
    for session in _sessions(user, now - PAST, now + FUTURE):
        event = Event()
        event.add("UID", f"session-{session.id}@{host}")
        event.add("DTSTAMP", now.astimezone(UTC))
        event.add("DTSTART", session.starts_at.astimezone(UTC))
        event.add("DTEND", session.ends_at.astimezone(UTC))
        event.add("SEQUENCE", session.version)
        event.add("SUMMARY", session.title)
        event.add("LOCATION", session.place)
        event.add("DESCRIPTION", session.topic)
        cancelled = session.state == SessionState.CANCELLED
        event.add("STATUS", "CANCELLED" if cancelled else "CONFIRMED")
        calendar.add_component(event)
    today = local_today()
    for followup, org_name in _followups(user, today - PAST, today + FUTURE):
        event = Event()
        event.add("UID", f"followup-{followup.id}@{host}")
        event.add("DTSTAMP", now.astimezone(UTC))
        # All-day: dates (VALUE=DATE), the end being the day after.
        event.add("DTSTART", followup.due_on)
        event.add("DTEND", followup.due_on + timedelta(days=1))
        event.add("SEQUENCE", followup.version)
        event.add("SUMMARY", followup.kind_label + "：" + org_name)
        event.add("DESCRIPTION", followup.notes)
        event.add("TRANSP", "TRANSPARENT")
        calendar.add_component(event)
    # In the order written above (icalendar would otherwise sort the properties).
    return calendar.to_ical(sorted=False).decode()
