"""The monthly reminder job: a reconciler that records every reminder due for the
month and not yet recorded, then delivers what is pending. Idempotent by the data
(the outbox's unique key), so the scheduler runs it at its hour and again at
start-up to catch up after downtime; running it twice changes nothing."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app

from incubator.database import utcnow
from incubator.extensions import db
from incubator.i18n import local_zone
from incubator.reminders import compose, outbox
from incubator.reminders.models import JobRun

logger = logging.getLogger(__name__)


@dataclass
class MonthlyResult:
    period: str
    drafts: list = field(default_factory=list)
    recorded: int = 0
    delivered: dict = field(default_factory=dict)


def current_period(now: datetime | None = None) -> str:
    local = (now or utcnow()).astimezone(local_zone())
    return f"{local.year:04d}-{local.month:02d}"


def due_now(now: datetime | None = None) -> bool:
    """Whether this month's reminder moment (day and hour, project time) has come."""
    local = (now or utcnow()).astimezone(local_zone())
    day = current_app.config["REMINDER_DAY"]
    hour = current_app.config["REMINDER_HOUR"]
    return (local.day, local.hour) >= (day, hour)


def is_future(period: str) -> bool:
    return period > current_period()


def run_monthly(
    period: str | None = None, *, dry_run: bool = False, deliver: bool = True
) -> MonthlyResult:
    """Record (unless ``dry_run``) and deliver the reminders of ``period``
    (default: this month). Commits."""
    period = period or current_period()
    if is_future(period):
        raise ValueError(f"{period} has not begun; its reminders cannot be made yet")
    result = MonthlyResult(period=period, drafts=compose.drafts_for(period))
    if dry_run:
        db.session.rollback()
        return result
    result.recorded = outbox.record(result.drafts, period)
    db.session.commit()
    if deliver:
        result.delivered = outbox.deliver_due()
    return result


def record_run(job: str, call) -> None:
    """Run ``call()`` and keep a ``JobRun`` row of it for the admin page."""
    from sqlalchemy import select

    run = db.session.scalar(select(JobRun).where(JobRun.job == job))
    if run is None:
        run = JobRun(job=job)
        db.session.add(run)
    run.started_at, run.finished_at, run.ok = utcnow(), None, None
    try:
        db.session.commit()
    except Exception:  # two processes made the row at once: use theirs
        db.session.rollback()
        run = db.session.scalar(select(JobRun).where(JobRun.job == job))
    try:
        summary = call()
    except Exception as exc:
        db.session.rollback()
        run = db.session.get(JobRun, run.id)
        run.ok, run.finished_at, run.summary = False, utcnow(), repr(exc)[:1000]
        db.session.commit()
        logger.exception("job %s failed", job)
        return
    run = db.session.get(JobRun, run.id)
    run.ok, run.finished_at, run.summary = True, utcnow(), str(summary or "")[:1000]
    db.session.commit()


def monthly_job() -> None:
    """The scheduled entry: this month's reminders if their moment has come."""

    def call():
        if not due_now():
            return "not yet due this month"
        # Record only: the delivery job (every minute) sends, so a slow mail
        # server never holds this one up.
        result = run_monthly(deliver=False)
        return f"{result.period}: {result.recorded} new of {len(result.drafts)} due"

    record_run("monthly_reminders", call)


def delivery_job() -> None:
    record_run("deliver_reminders", lambda: outbox.deliver_due())
