"""The one list of scheduled jobs, run by ``flask --app wsgi scheduler run`` in its
own process (one per deployment). Never started by ``create_app`` or a web worker:
every gunicorn worker would run every job (PITFALLS.md).

Jobs are reconcilers: at start-up the monthly job runs once to record every
month missed while the process was down (up to ``REMINDER_CATCH_UP_MONTHS``,
see ``reminders.jobs.periods_due``), and a generous grace time lets a late tick
still run. ``coalesce`` and ``max_instances=1`` keep one run at a
time; exactly-once comes from the outbox's unique key, not from the scheduler.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask, current_app
from flask.cli import AppGroup

from incubator import signals
from incubator.extensions import db
from incubator.reminders import exports, jobs
from incubator.signins import jobs as signin_jobs
from incubator.transaction import unit_of_work

logger = logging.getLogger(__name__)

GRACE_SECONDS = 3 * 24 * 3600


@dataclass(frozen=True)
class Job:
    id: str
    label: str
    run: Callable[[], None]
    trigger: Callable[[Flask], BaseTrigger]


def _jobs() -> list[Job]:
    from flask_babel import lazy_gettext as _l

    return [
        Job(
            "monthly_reminders",
            _l("Monthly reminders"),
            jobs.monthly_job,
            lambda app: CronTrigger(
                day=app.config["REMINDER_DAY"],
                hour=app.config["REMINDER_HOUR"],
                timezone=app.config["TIMEZONE"],
            ),
        ),
        Job(
            "deliver_reminders",
            _l("Deliver pending email and WeCom reminders"),
            jobs.delivery_job,
            lambda app: IntervalTrigger(minutes=1, timezone=app.config["TIMEZONE"]),
        ),
        Job(
            "export_jobs",
            _l("Write large exports and delete expired ones"),
            exports.export_job,
            lambda app: IntervalTrigger(
                seconds=exports.EXPORT_TICK_SECONDS, timezone=app.config["TIMEZONE"]
            ),
        ),
        Job(
            "anonymize_residents",
            _l("Anonymize residents past the sign-in retention period"),
            signin_jobs.daily_job,
            lambda app: CronTrigger(hour=3, minute=30, timezone=app.config["TIMEZONE"]),
        ),
    ]


JOBS = _jobs


def next_runs(app: Flask, now: datetime) -> dict[str, datetime | None]:
    """When each job fires next (for the admin page, computed from the triggers)."""
    return {job.id: job.trigger(app).get_next_fire_time(None, now) for job in JOBS()}


def _in_context(app: Flask, run: Callable[[], None]) -> Callable[[], None]:
    def wrapped():
        with app.app_context():
            try:
                with unit_of_work():  # one commit when the job ends
                    run()
            finally:
                db.session.remove()

    return wrapped


def build(app: Flask, scheduler_class=None):
    """A scheduler with every job added (not started)."""
    from apscheduler.schedulers.blocking import BlockingScheduler

    scheduler = (scheduler_class or BlockingScheduler)(timezone=app.config["TIMEZONE"])
    for job in JOBS():
        scheduler.add_job(
            _in_context(app, job.run),
            job.trigger(app),
            id=job.id,
            name=str(job.id),
            coalesce=True,
            max_instances=1,
            misfire_grace_time=GRACE_SECONDS,
            replace_existing=True,
        )
    return scheduler


def catch_up(app: Flask) -> None:
    """Run the reconcilers once now: whatever was due while down is recorded."""
    for job in JOBS():
        _in_context(app, job.run)()


def run(app: Flask) -> None:
    scheduler = build(app)
    logger.info("scheduler: catching up, then running %d jobs", len(JOBS()))
    catch_up(app)
    scheduler.start()


scheduler_cli = AppGroup("scheduler", help="The scheduler process.")


@scheduler_cli.command("run")
def run_scheduler() -> None:
    """Run the scheduled jobs in this process (one per deployment)."""
    # current_app is typed as the Flask app it stands for, not as the proxy it is
    run(current_app._get_current_object())  # type: ignore[attr-defined]


@signals.scheduled_jobs.connect
def _schedule(app: Flask, *, now: datetime) -> tuple[list[Job], dict]:
    return JOBS(), next_runs(app, now)
