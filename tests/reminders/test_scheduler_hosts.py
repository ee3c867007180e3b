"""Two `flask scheduler run` processes against one database, as on two hosts
(issue 18): exactly one runs the jobs; killing it (kill -9) hands over within a
minute; no reminder is recorded or sent twice. On PostgreSQL the lock is the
advisory lock; on SQLite (one host) a file lock beside the database."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from flask import current_app
from sqlalchemy import func, select

from incubator.extensions import db as _db
from incubator.reminders.models import Delivery, Reminder

ROOT = Path(__file__).resolve().parents[2]


class SchedulerProcess:
    """A ``flask scheduler run`` subprocess writing JSON log lines to a file."""

    def __init__(self, env: dict, log: Path) -> None:
        self.log = log
        self.file = log.open("w")
        self.proc = subprocess.Popen(  # noqa: S603  (our own CLI, fixed arguments)
            [sys.executable, "-m", "flask", "--app", "wsgi", "scheduler", "run"],
            cwd=ROOT,
            env=env,
            stdout=self.file,
            stderr=subprocess.STDOUT,
        )

    def messages(self) -> list[str]:
        out = []
        for line in self.log.read_text().splitlines():
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if record.get("logger") == "incubator.scheduler":
                out.append(record["message"])
        return out

    def leading(self) -> bool:
        return any(m.startswith("scheduler: leading") for m in self.messages())

    def job_runs(self) -> int:
        return sum(m == "job deliver_reminders done" for m in self.messages())

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        self.file.close()


def wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"not within {timeout} s: {what}")


def sent_counts(smtp_server) -> Counter:
    return Counter(
        (m.rcpt_tos[0], m.content.split(b"Subject:")[1].split(b"\n")[0])
        for m in smtp_server.messages
    )


def test_two_hosts_one_leader_and_a_handover(
    monthly_world, db, smtp_server, wants, database_url, tmp_path
):
    for who, kind in (
        ("quiet", "monthly_log_reminder"),
        ("sw1", "monthly_digest"),
        ("admin", "monthly_report"),
    ):
        wants(monthly_world[who], kind, email=True)
    port = current_app.config["MAIL_PORT"]  # the smtp_server fixture's
    db.session.commit()
    db.session.remove()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(port),
        "LOG_FORMAT": "json",
        "LOG_LEVEL": "DEBUG",
        "SCHEDULER_STANDBY_POLL": "1",
        "SCHEDULER_LEADER_CHECK": "1",
        "DELIVERY_INTERVAL_SECONDS": "1",
        "INCUBATOR_CLI_LANG": "zh",
    }
    first = SchedulerProcess(env, tmp_path / "a.log")
    second = SchedulerProcess(env, tmp_path / "b.log")
    both = (first, second)
    try:
        wait_for(lambda: any(p.leading() for p in both), 60, "a leader")
        leader, standby = both if first.leading() else (second, first)
        wait_for(lambda: leader.job_runs() >= 3, 30, "the leader running jobs")
        assert not standby.leading() and standby.job_runs() == 0
        assert any(m.startswith("scheduler: standing by") for m in standby.messages())
        wait_for(lambda: smtp_server.messages, 30, "reminders sent")
        sent_before = sent_counts(smtp_server)

        leader.proc.send_signal(signal.SIGKILL)
        leader.proc.wait(10)
        wait_for(standby.leading, 60, "the standby taking over")
        wait_for(lambda: standby.job_runs() >= 3, 30, "the new leader running jobs")

        standby.proc.send_signal(signal.SIGTERM)
        assert standby.proc.wait(30) == 0
        assert standby.messages()[-1] == "scheduler: stopped"
    finally:
        for p in both:
            p.stop()

    sent = sent_counts(smtp_server)
    assert sent == sent_before  # the new leader sent nothing again
    assert set(sent.values()) == {1}
    assert {rcpt for rcpt, _subject in sent} >= {
        "quiet@example.test",
        "sw1@example.test",
        "boss@example.test",
    }
    reminders = _db.session.execute(
        select(Reminder.recipient_id, Reminder.kind, Reminder.period)
    ).all()
    assert len(reminders) == len(set(reminders))
    sent_rows = _db.session.scalar(
        select(func.count(Delivery.id)).where(Delivery.state == "sent")
    )
    assert sent_rows == sum(sent.values())


@pytest.mark.parametrize("engine", ["postgresql", "sqlite"])
def test_the_lock_matches_the_database(app, engine, tmp_path):
    from incubator import scheduler

    url = (
        "postgresql+psycopg://u@127.0.0.1/x"
        if engine == "postgresql"
        else f"sqlite:///{tmp_path / 'a.db'}"
    )
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    lock = scheduler.lock_for(app)
    try:
        if engine == "postgresql":
            assert isinstance(lock, scheduler.AdvisoryLock)
        else:
            assert isinstance(lock, scheduler.FileLock)
            other = scheduler.lock_for(app)
            assert lock.acquire() and lock.still_held()
            assert not other.acquire()  # one leader per database file
            lock.release()
            assert other.acquire()
            other.release()
    finally:
        lock.close()


def test_a_leader_whose_connection_drops_steps_down(app, db, database_url, caplog):
    if not database_url.startswith("postgresql"):
        pytest.skip("the advisory lock is PostgreSQL's; SQLite runs on one host")
    import threading

    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from incubator import scheduler

    app.config["SCHEDULER_LEADER_CHECK"] = 0.2
    lock = scheduler.AdvisoryLock(make_url(database_url))
    rival = scheduler.AdvisoryLock(make_url(database_url))
    stop = threading.Event()
    try:
        assert lock.acquire()
        assert not rival.acquire()
        leading = threading.Thread(target=scheduler.lead, args=(app, lock, stop))
        leading.start()
        pid = lock.conn.scalar(text("SELECT pg_backend_pid()"))
        db.session.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        db.session.commit()
        leading.join(30)
        assert not leading.is_alive()  # stepped down by itself, stop never set
        assert "scheduler: lock lost, stepping down" in caplog.messages
        assert rival.acquire()  # the server released the lock with the session
    finally:
        stop.set()
        lock.close()
        rival.close()
