"""Background exports: an export too large to write while its requester waits
(``spreadsheets.answer_export``) is recorded as a queued ``ExportJob``; the
scheduler's ``export_job`` (every ``EXPORT_TICK_SECONDS``) writes it and notifies
the requester in the app with a link to download it.

- **Claiming**: a conditional UPDATE moves one job from queued to running and
  counts the attempt; only the process whose UPDATE matched the row writes it, so
  two schedulers running at once (two hosts) never both do (portable: SQLite and
  PostgreSQL alike, no lock held while the file is written).
- **Crash and restart**: while it writes, the worker renews its lease
  (``claimed_at``, every ``HEARTBEAT_ROWS`` rows, on a connection of its own). A
  job still running past ``LEASE`` without renewal was left by a dead process: it
  is queued again, up to ``MAX_ATTEMPTS`` attempts, then failed. The worker
  finishes only if its attempt is still the job's (a reclaimed job's slower first
  worker throws its file away), so one job gives one file.
- **Scope**: the rows are computed when the job runs, with the requester's scope
  at that time (the same ``Export.rows`` the page's download uses).
- **Expiry**: a file is kept ``EXPORT_KEEP_DAYS`` days, then deleted and the job
  marked expired. Only its requester may download it (anyone else: 404).
"""

from __future__ import annotations

import logging
import tempfile
import uuid
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select, update

from incubator import signals
from incubator.auth.models import User
from incubator.database import reading, rowcount, utcnow, write_apart
from incubator.extensions import db
from incubator.i18n import local_today
from incubator.reminders import export_files, outbox
from incubator.reminders.compose import Draft
from incubator.reminders.models import ExportJob, ExportState, Kind
from incubator.reminders.notices import event_key
from incubator.spreadsheets import EXPORTS, Export, write_workbook
from incubator.transaction import commit_now

logger = logging.getLogger(__name__)

EXPORT_TICK_SECONDS = 15
LEASE = timedelta(minutes=5)
HEARTBEAT_ROWS = 20000
MAX_ATTEMPTS = 3
JOBS_PER_TICK = 5
EXPORT_KEEP_DAYS = 7


class ExportLost(RuntimeError):
    """This worker's claim was taken over (its lease ran out): its file is not
    the job's."""


@signals.export_requested.connect
def queue_export(kind: str, *, user: User, args: dict, rows: int, **_extra) -> int:
    """Record a queued export job for ``user`` (in a write transaction of its own:
    the page asking is a read request) and return its id. The same export with
    the same filters already queued or running for ``user`` (a second click) is
    not queued twice."""
    with write_apart() as session:
        existing = session.scalar(
            select(ExportJob.id)
            .where(
                ExportJob.user_id == user.id,
                ExportJob.kind == kind,
                ExportJob.state.in_([ExportState.QUEUED, ExportState.RUNNING]),
            )
            .order_by(ExportJob.id.desc())
        )
        if existing is not None:
            job = session.get(ExportJob, existing)
            if job is not None and job.args == args:
                return job.id
        job = ExportJob(
            user_id=user.id,
            kind=kind,
            args=args,
            state=ExportState.QUEUED,
            rows=rows,
            attempts=0,
            error="",
            download_name="",
        )
        session.add(job)
        session.flush()
        logger.info("export %s queued for user %s (%d rows)", kind, user.id, rows)
        return job.id


def requeue_stale(now: datetime | None = None) -> int:
    """Jobs left running by a process that died (no renewal for ``LEASE``):
    queued again, or failed after ``MAX_ATTEMPTS``. Returns how many changed."""
    now = now or utcnow()
    stale = (ExportJob.state == ExportState.RUNNING) & (
        ExportJob.claimed_at < now - LEASE
    )
    failed = db.session.execute(
        update(ExportJob)
        .where(stale, ExportJob.attempts >= MAX_ATTEMPTS)
        .values(
            state=ExportState.FAILED,
            finished_at=now,
            error="interrupted too many times",
        )
    )
    again = db.session.execute(
        update(ExportJob)
        .where(stale, ExportJob.attempts < MAX_ATTEMPTS)
        .values(state=ExportState.QUEUED)
    )
    commit_now()  # the claims below must see them queued
    return rowcount(failed) + rowcount(again)


def claim(job_id: int, now: datetime | None = None) -> int | None:
    """Move job ``job_id`` from queued to running for this process; returns the
    attempt number it now holds, or ``None`` when another process had it first."""
    now = now or utcnow()
    result = db.session.execute(
        update(ExportJob)
        .where(ExportJob.id == job_id, ExportJob.state == ExportState.QUEUED)
        .values(
            state=ExportState.RUNNING,
            claimed_at=now,
            attempts=ExportJob.attempts + 1,
        )
    )
    if rowcount(result) != 1:
        db.session.rollback()
        return None
    attempt = db.session.scalar(
        select(ExportJob.attempts).where(ExportJob.id == job_id)
    )
    commit_now()  # the claim is seen by every other process before work starts
    return attempt


def _renew(job_id: int, attempt: int) -> None:
    """Renew this worker's lease, on a connection of its own (the rows are being
    read in the session's transaction). Raises ``ExportLost`` when the job is no
    longer this attempt's."""
    with write_apart() as session:
        result = session.execute(
            update(ExportJob)
            .where(
                ExportJob.id == job_id,
                ExportJob.state == ExportState.RUNNING,
                ExportJob.attempts == attempt,
            )
            .values(claimed_at=utcnow())
        )
        if rowcount(result) != 1:
            raise ExportLost(job_id)


def _with_heartbeat(rows, job_id: int, attempt: int):
    for number, row in enumerate(rows, start=1):
        if number % HEARTBEAT_ROWS == 0:
            _renew(job_id, attempt)
        yield row


def _ready_draft(job: ExportJob, export: Export) -> Draft:
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        return Draft(
            recipient_id=job.user_id,
            kind=Kind.EXPORT_READY,
            title=_("Export ready: %(what)s", what=export.title())[:200],
            body=_(
                "%(rows)d rows. The file can be downloaded for %(days)d days.",
                rows=job.rows or 0,
                days=EXPORT_KEEP_DAYS,
            ),
            link=f"/exports/{job.id}/download",
        )


def run(job_id: int, attempt: int) -> bool:
    """Write the export of claimed job ``job_id``, store it, mark the job done and
    notify its requester. Returns whether this worker's file became the job's.
    Any error marks the job failed (with the error) and is logged."""
    job = db.session.get(ExportJob, job_id)
    assert job is not None  # claimed just now
    export = EXPORTS.get(job.kind)
    user = db.session.get(User, job.user_id)
    if export is None or user is None or not user.active:
        _fail(job_id, attempt, "unknown export" if export is None else "user inactive")
        return False
    name = f"export-{job_id}-{attempt}-{uuid.uuid4().hex[:12]}.xlsx"
    args = dict(job.args)
    # The rows are read in a read transaction of their own: on SQLite a job's
    # transaction would otherwise hold the write lock for the whole export.
    db.session.rollback()
    try:
        with reading(), tempfile.TemporaryFile() as spool:
            with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
                count = write_workbook(
                    spool,
                    export.title(),
                    export.headers(),
                    _with_heartbeat(export.rows(user, args), job_id, attempt),
                )
            spool.seek(0)
            db.session.rollback()  # the read ends; the outcome below is a write
            export_files.put(name, spool)
    except ExportLost:
        db.session.rollback()
        logger.warning("export %s: taken over by another worker", job_id)
        return False
    except Exception as exc:  # noqa: BLE001 - recorded on the job, shown to the user
        db.session.rollback()
        logger.exception("export %s failed", job_id)
        _fail(job_id, attempt, f"{type(exc).__name__}: {exc}"[:2000])
        return False
    now = utcnow()
    result = db.session.execute(
        update(ExportJob)
        .where(
            ExportJob.id == job_id,
            ExportJob.state == ExportState.RUNNING,
            ExportJob.attempts == attempt,
        )
        .values(
            state=ExportState.DONE,
            rows=count,
            file_name=name,
            download_name=f"{export.name}-{local_today()}.xlsx",
            finished_at=now,
            expires_at=now + timedelta(days=EXPORT_KEEP_DAYS),
            error="",
        )
    )
    if rowcount(result) != 1:
        db.session.rollback()
        export_files.delete(name)
        logger.warning("export %s: finished after losing its claim", job_id)
        return False
    db.session.refresh(job)
    outbox.record([_ready_draft(job, export)], event_key(job_id))
    commit_now()  # the job is done and its notice recorded before the next one
    logger.info("export %s done: %d rows in %s", job_id, count, name)
    return True


def _fail(job_id: int, attempt: int, error: str) -> None:
    db.session.execute(
        update(ExportJob)
        .where(ExportJob.id == job_id, ExportJob.attempts == attempt)
        .values(state=ExportState.FAILED, finished_at=utcnow(), error=error)
    )
    commit_now()  # the failure is recorded whatever comes next


def expire(now: datetime | None = None) -> int:
    """Delete the files of exports past ``expires_at`` and mark those jobs
    expired; returns how many."""
    now = now or utcnow()
    due = db.session.execute(
        select(ExportJob.id, ExportJob.file_name).where(
            ExportJob.state == ExportState.DONE, ExportJob.expires_at < now
        )
    ).all()
    for job_id, name in due:
        if name:
            export_files.delete(name)
        db.session.execute(
            update(ExportJob)
            .where(ExportJob.id == job_id, ExportJob.state == ExportState.DONE)
            .values(state=ExportState.EXPIRED, file_name=None)
        )
    commit_now()  # each deleted file's job says so
    return len(due)


def export_job(limit: int = JOBS_PER_TICK) -> dict[str, Any]:
    """The scheduled job: retry what a dead process left running, write up to
    ``limit`` queued exports (oldest first), delete expired files. Idempotent;
    safe to run in several processes at once."""
    retried = requeue_stale()
    done = 0
    for _attempt in range(limit):
        candidates = db.session.scalars(
            select(ExportJob.id)
            .where(ExportJob.state == ExportState.QUEUED)
            .order_by(ExportJob.created_at, ExportJob.id)
            .limit(limit)
        ).all()
        claimed = None
        for job_id in candidates:
            attempt = claim(job_id)
            if attempt is not None:
                claimed = (job_id, attempt)
                break
        if claimed is None:
            break
        done += run(*claimed)
    expired = expire()
    return {"retried": retried, "done": done, "expired": expired}
