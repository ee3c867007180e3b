"""The monthly reminder job: a reconciler that records every reminder due and not
yet recorded (this month's, and those of months missed while the scheduler was
down), then delivers what is pending. Idempotent by the data
(the outbox's unique key), so the scheduler runs it at its hour and again at
start-up to catch up after downtime; running it twice changes nothing."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from sqlalchemy import func, select

from incubator.database import utcnow
from incubator.extensions import db
from incubator.i18n import local_zone
from incubator.periods import month_key
from incubator.reminders import compose, outbox
from incubator.reminders.models import MONTHLY_KINDS, JobRun, Reminder
from incubator.transaction import commit_now

logger = logging.getLogger(__name__)


@dataclass
class MonthlyResult:
    period: str
    drafts: list = field(default_factory=list)
    recorded: int = 0
    delivered: dict = field(default_factory=dict)


def current_period(now: datetime | None = None) -> str:
    local = (now or utcnow()).astimezone(local_zone())
    return month_key(local)


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
    commit_now()  # deliberate: the outbox is committed before anything is sent
    if deliver:
        result.delivered = outbox.deliver_due()
    return result


def record_run(job: str, call: Callable[[], object]) -> None:
    """Run ``call()`` and keep a ``JobRun`` row of it for the admin page."""
    run = db.session.scalar(select(JobRun).where(JobRun.job == job))
    if run is None:
        run = JobRun(job=job)
        db.session.add(run)
    run.started_at, run.finished_at, run.ok = utcnow(), None, None
    try:
        commit_now()  # deliberate: the run is on record even if the job fails
    except Exception:  # two processes made the row at once: use theirs
        db.session.rollback()
        run = db.session.scalars(select(JobRun).where(JobRun.job == job)).one()
    try:
        summary = call()
    except Exception as exc:
        db.session.rollback()
        run = db.session.get_one(JobRun, run.id)
        run.ok, run.finished_at, run.summary = False, utcnow(), repr(exc)[:1000]
        commit_now()  # deliberate: the failure is on record, the job's work is not
        logger.exception("job %s failed", job)
        return
    run = db.session.get_one(JobRun, run.id)
    run.ok, run.finished_at, run.summary = True, utcnow(), str(summary or "")[:1000]
    commit_now()  # the end of the job's unit of work, with its record


def last_recorded_period() -> str | None:
    """The latest month (YYYY-MM) holding a monthly reminder, or None on a new
    instance. Every month's run records at least the admins' report, so this is
    the last month the job ran for."""
    return db.session.scalar(
        select(func.max(Reminder.period)).where(Reminder.kind.in_(MONTHLY_KINDS))
    )


def periods_due(now: datetime | None = None) -> tuple[list[str], list[str]]:
    """(months to record now, oldest first; missed months skipped as too old).

    The months after the last one recorded whose reminder moment has passed:
    this month once its day and hour have come, and each earlier month missed
    while the scheduler was down, at most ``REMINDER_CATCH_UP_MONTHS`` of them
    (the most recent). A new instance (nothing recorded yet) starts with this
    month: it never sends reminders about months before it existed.
    """
    current = current_period(now)
    last = last_recorded_period()
    # this month again even when recorded: it adds only what is new (a channel
    # chosen since, a leader appointed since); the outbox keeps the rest once
    months = [current] if due_now(now) else []
    if last is None:
        return months, []
    missed = []
    month = compose.previous_month(current)
    while month > last:
        missed.append(month)
        month = compose.previous_month(month)
    limit = max(current_app.config["REMINDER_CATCH_UP_MONTHS"], 0)
    return sorted(missed[:limit]) + months, sorted(missed[limit:])


def monthly_job() -> None:
    """The scheduled entry, run at the reminder moment and at start-up: records
    every month due and not yet recorded (see ``periods_due``), oldest first and
    each with its own period and commit, so a crash part-way resumes where it
    stopped and a second run records nothing more."""

    def call() -> str:
        months, skipped = periods_due()
        if skipped:
            logger.warning(
                "monthly reminders of %s were missed and are older than "
                "REMINDER_CATCH_UP_MONTHS: not recorded",
                ", ".join(skipped),
            )
        if not months:
            return "not yet due this month"
        # Record only: the delivery job (every minute) sends, so a slow mail
        # server never holds this one up.
        lines = []
        for period in months:
            result = run_monthly(period, deliver=False)
            lines.append(
                f"{result.period}: {result.recorded} new of {len(result.drafts)} due"
            )
        if skipped:
            lines.append(f"too old to catch up: {', '.join(skipped)}")
        return "; ".join(lines)

    record_run("monthly_reminders", call)


def delivery_job() -> None:
    record_run("deliver_reminders", lambda: outbox.deliver_due())
