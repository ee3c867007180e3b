"""The one list of scheduled jobs, run by ``flask --app wsgi scheduler run`` in its
own process (one per deployment). Never started by ``create_app`` or a web worker:
every gunicorn worker would run every job (PITFALLS.md).

Jobs are reconcilers: at start-up the monthly job runs once to record every
month missed while the process was down (up to ``REMINDER_CATCH_UP_MONTHS``,
see ``reminders.jobs.periods_due``), and a generous grace time lets a late tick
still run. ``coalesce`` and ``max_instances=1`` keep one run at a
time; exactly-once comes from the outbox's unique key, not from the scheduler.

**Two hosts at once** (``Lock`` below): on PostgreSQL every
``scheduler run`` process tries a session-level advisory lock on a connection of
its own; the one that holds it runs the jobs, the others poll every
``SCHEDULER_STANDBY_POLL`` seconds. A leader that is killed or loses its
connection loses the lock with it (PostgreSQL releases it when the session
ends), and a standby takes over at its next poll, running the reconcilers first.
The leader checks its connection every ``SCHEDULER_LEADER_CHECK`` seconds and
steps down (stops its jobs) when the connection is gone. On SQLite the lock is a
file lock beside the database: one host, several processes on it safe.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy.engine import Connection

from incubator import observability, signals
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


def _export_jobs() -> None:
    exports.export_job()


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
            lambda app: IntervalTrigger(
                seconds=app.config["DELIVERY_INTERVAL_SECONDS"],
                timezone=app.config["TIMEZONE"],
            ),
        ),
        Job(
            "export_jobs",
            _l("Write large exports and delete expired ones"),
            _export_jobs,
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


# ---- who leads: one process runs the jobs ----

# The advisory lock's key: a fixed 64-bit number naming "incubator's scheduler"
# (any number works as long as every process of a deployment uses the same one).
ADVISORY_KEY = 0x1C0BA705C4ED


class Lock:
    """The right to run the jobs. ``acquire()`` tries without waiting;
    ``still_held()`` says whether the holder still has it (``False`` after a lost
    connection); ``release()`` gives it up; ``close()`` frees what it holds."""

    def acquire(self) -> bool:
        raise NotImplementedError

    def still_held(self) -> bool:
        raise NotImplementedError

    def release(self) -> None:
        raise NotImplementedError

    def close(self) -> None:
        self.release()

    def describe(self) -> str:
        raise NotImplementedError


class AdvisoryLock(Lock):
    """PostgreSQL: ``pg_try_advisory_lock`` on a connection of its own, kept open
    (autocommit, TCP keepalives) while leading. The server releases the lock when
    the session ends: the process killed, or its connection dropped."""

    def __init__(self, url, key: int = ADVISORY_KEY) -> None:
        from sqlalchemy import create_engine
        from sqlalchemy.pool import NullPool

        self.key = key
        self.engine = create_engine(
            url,
            poolclass=NullPool,
            isolation_level="AUTOCOMMIT",
            connect_args={
                "connect_timeout": 10,
                "keepalives": 1,
                "keepalives_idle": 10,
                "keepalives_interval": 5,
                "keepalives_count": 3,
                "application_name": "incubator-scheduler",
            },
        )
        self.conn: Connection | None = None

    def acquire(self) -> bool:
        from sqlalchemy import text

        try:
            if self.conn is None:
                self.conn = self.engine.connect()
            got = self.conn.scalar(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key}
            )
        except Exception as exc:  # noqa: BLE001 - the database away: stand by
            logger.warning("scheduler: cannot reach the database for the lock: %s", exc)
            self._drop()
            return False
        return bool(got)

    def still_held(self) -> bool:
        from sqlalchemy import text

        if self.conn is None:
            return False
        try:
            held = self.conn.scalar(
                text(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                    "AND pid = pg_backend_pid() AND granted "
                    "AND ((classid::bigint << 32) | objid::bigint) = :key"
                ),
                {"key": self.key},
            )
        except Exception as exc:  # noqa: BLE001 - the connection is gone
            logger.warning("scheduler: lock connection lost: %s", exc)
            self._drop()
            return False
        return bool(held)

    def release(self) -> None:
        from sqlalchemy import text

        if self.conn is not None:
            try:
                self.conn.execute(
                    text("SELECT pg_advisory_unlock(:key)"), {"key": self.key}
                )
            except Exception as exc:  # noqa: BLE001 - gone already: nothing held
                logger.debug("scheduler: unlock on a lost connection: %s", exc)
            self._drop()

    def _drop(self) -> None:
        if self.conn is not None:
            try:
                self.conn.invalidate()
                self.conn.close()
            except Exception as exc:  # noqa: BLE001 - closing a dead connection
                logger.debug("scheduler: closing the lock connection: %s", exc)
            self.conn = None

    def close(self) -> None:
        self.release()
        self.engine.dispose()

    def describe(self) -> str:
        return f"PostgreSQL advisory lock {self.key}"


class FileLock(Lock):
    """SQLite (one host): an exclusive ``flock`` on ``<database>.scheduler.lock``;
    the kernel releases it when the process ends."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.fd: int | None = None

    def acquire(self) -> bool:
        import fcntl
        import os

        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        self.fd = fd
        return True

    def still_held(self) -> bool:
        return self.fd is not None

    def release(self) -> None:
        import os

        if self.fd is not None:
            os.close(self.fd)  # closing the descriptor drops the flock
            self.fd = None

    def describe(self) -> str:
        return f"file lock {self.path}"


def lock_for(app: Flask) -> Lock:
    """The lock for the app's database: an ``AdvisoryLock`` on PostgreSQL, a
    ``FileLock`` beside an SQLite file (or in the instance folder for an
    in-memory database)."""
    import os

    from sqlalchemy.engine import make_url

    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "postgresql":
        return AdvisoryLock(url)
    if (
        url.database
        and url.database != ":memory:"
        and not url.database.startswith("file:")
    ):
        return FileLock(f"{url.database}.scheduler.lock")
    os.makedirs(app.instance_path, exist_ok=True)
    return FileLock(os.path.join(app.instance_path, "scheduler.lock"))


def _in_context(
    app: Flask, run: Callable[[], None], job_id: str = "job"
) -> Callable[[], None]:
    def wrapped():
        with app.app_context(), observability.job_context(job_id):
            try:
                with unit_of_work():  # one commit when the job ends
                    run()
                logger.debug("job %s done", job_id)
            finally:
                db.session.remove()

    return wrapped


def build(app: Flask, scheduler_class=None):
    """A scheduler with every job added (not started)."""
    from apscheduler.schedulers.blocking import BlockingScheduler

    scheduler = (scheduler_class or BlockingScheduler)(timezone=app.config["TIMEZONE"])
    for job in JOBS():
        scheduler.add_job(
            _in_context(app, job.run, job.id),
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
        _in_context(app, job.run, job.id)()


def lead(app: Flask, lock: Lock, stop: threading.Event) -> None:
    """Run the jobs while ``lock`` is held: catch up, start the scheduler, check
    the lock every ``SCHEDULER_LEADER_CHECK`` seconds; return (jobs stopped) when
    the lock is lost or ``stop`` is set."""
    from apscheduler.schedulers.background import BackgroundScheduler

    logger.info("scheduler: leading (%s); catching up", lock.describe())
    catch_up(app)
    scheduler = build(app, BackgroundScheduler)
    scheduler.start()
    logger.info("scheduler: running %d jobs", len(JOBS()))
    try:
        while not stop.wait(app.config["SCHEDULER_LEADER_CHECK"]):
            if not lock.still_held():
                logger.warning("scheduler: lock lost, stepping down")
                return
    finally:
        scheduler.shutdown(wait=True)


def run(app: Flask, stop: threading.Event | None = None) -> None:
    """The ``scheduler run`` process: lead while holding the lock, else stand by
    and try again every ``SCHEDULER_STANDBY_POLL`` seconds, until ``stop`` is set
    (SIGTERM and SIGINT set it)."""
    stop = stop or threading.Event()
    lock = lock_for(app)
    poll = app.config["SCHEDULER_STANDBY_POLL"]
    standing_by = False
    try:
        while not stop.is_set():
            if lock.acquire():
                standing_by = False
                try:
                    lead(app, lock, stop)
                finally:
                    lock.release()
            elif not standing_by:
                logger.info(
                    "scheduler: standing by, another process leads (%s); "
                    "trying every %g s",
                    lock.describe(),
                    poll,
                )
                standing_by = True
            if not stop.is_set():
                stop.wait(poll)
    finally:
        lock.close()


scheduler_cli = AppGroup("scheduler", help="The scheduler process.")


@scheduler_cli.command("run")
def run_scheduler() -> None:
    """Run the scheduled jobs in this process (one per deployment)."""
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    # current_app is typed as the Flask app it stands for, not as the proxy it is
    run(current_app._get_current_object(), stop)  # type: ignore[attr-defined]
    logger.info("scheduler: stopped")


@signals.scheduled_jobs.connect
def _schedule(app: Flask, *, now: datetime) -> tuple[list[Job], dict]:
    return JOBS(), next_runs(app, now)
