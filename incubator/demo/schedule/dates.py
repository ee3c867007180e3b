"""The schedule's dates: moments dated back (never after now), a session's local
day, an organization's founding day and a week's Saturday."""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import date, datetime, timedelta

from incubator.audit.models import AuditEntry
from incubator.database import utcnow
from incubator.demo import clock
from incubator.i18n import local_zone
from incubator.organizations.models import Organization
from incubator.sessions.models import SessionState, TrainingSession


def _at(day: date, hour: int = 10) -> datetime:
    return min(clock.at(day, hour), utcnow())


def _day(session: TrainingSession) -> date:
    return session.starts_at.astimezone(local_zone()).date()


def _with_series(session: TrainingSession) -> bool:
    return session.state == SessionState.SCHEDULED and not session.detached


def _since(org: Organization) -> date:
    return org.created_at.astimezone(local_zone()).date()


def _saturday(day: date) -> date:
    """The Saturday of ``day``'s week (Monday to Sunday)."""
    return day + timedelta(days=5 - day.weekday())


def _dated(day: date, hour: int = 10) -> AbstractContextManager[datetime]:
    """The audit entries written inside are dated ``day`` (never after now)."""
    return clock.dated(day, hour, (AuditEntry,), not_after_now=True)
