"""The monthly reminders: who gets what, exactly once (twice run, two processes,
a crash, a restart), catching up across a month boundary, and a flat query count."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from incubator.database import utcnow
from incubator.extensions import db as _db
from incubator.organizations import services as org_services
from incubator.reminders import jobs, outbox
from incubator.reminders.models import Delivery, JobRun, Reminder

ROOT = Path(__file__).resolve().parents[2]


def reminders(db, kind=None):
    stmt = select(Reminder).order_by(Reminder.id)
    if kind:
        stmt = stmt.where(Reminder.kind == kind)
    return db.session.scalars(stmt).all()


def test_exactly_the_leaders_without_last_months_log(monthly_world, db):
    result = jobs.run_monthly("2026-03")
    assert result.recorded == 4  # one leader, two social workers, the admin
    leader_notes = reminders(db, "monthly_log_reminder")
    assert [r.recipient_id for r in leader_notes] == [monthly_world["quiet"].id]
    note = leader_notes[0]
    assert note.period == "2026-03" and note.title == "请记录上月活动"
    assert "巡逻队" in note.body and "2026年2月" in note.body
    assert note.link.endswith(f"/activities/new?org={monthly_world['patrol'].id}")


def test_each_social_worker_gets_one_digest_with_their_items(monthly_world, db):
    jobs.run_monthly("2026-03")
    digests = {r.recipient_id: r for r in reminders(db, "monthly_digest")}
    assert set(digests) == {monthly_world["sw1"].id, monthly_world["sw2"].id}
    mine = digests[monthly_world["sw1"].id].body
    assert "逾期的跟进：1" in mine and "本月到期的跟进：1" in mine
    assert "等待你审核的活动记录：1" in mine
    theirs = digests[monthly_world["sw2"].id].body
    assert "逾期的跟进：0" in theirs and "读书会" in theirs  # silent for months
    report = reminders(db, "monthly_report")
    assert [r.recipient_id for r in report] == [monthly_world["admin"].id]
    assert "2026年2月" in report[0].title


def test_running_twice_records_and_sends_nothing_twice(
    monthly_world, db, smtp_server, wants
):
    wants(monthly_world["quiet"], "monthly_log_reminder", email=True)
    first = jobs.run_monthly("2026-03")
    second = jobs.run_monthly("2026-03")
    assert (first.recorded, second.recorded) == (4, 0)
    assert len(reminders(db)) == 4
    assert len(smtp_server.messages) == 1
    message = smtp_server.messages[0]
    assert message.rcpt_tos == ["quiet@example.test"]
    from email import message_from_bytes, policy

    parsed = message_from_bytes(message.content, policy=policy.default)
    plain = parsed.get_body(("plain",)).get_content()
    html = parsed.get_body(("html",)).get_content()
    assert "郑叔，您好" in plain and "请记录上月活动" in plain
    assert "<h2>请记录上月活动</h2>" in html
    assert str(parsed["Subject"]) == "请记录上月活动"


def test_a_crash_between_recording_and_delivering(
    monthly_world, db, smtp_server, wants
):
    wants(monthly_world["quiet"], "monthly_log_reminder", email=True)
    jobs.run_monthly("2026-03", deliver=False)  # the process dies after the commit
    assert db.session.scalar(select(Delivery.state)) == "pending"
    assert smtp_server.messages == []
    jobs.run_monthly("2026-03")  # the restart
    jobs.run_monthly("2026-03")
    assert len(smtp_server.messages) == 1


def test_a_crash_while_sending_is_never_sent_again(
    monthly_world, db, smtp_server, wants, frozen_time
):
    wants(monthly_world["quiet"], "monthly_log_reminder", email=True)
    jobs.run_monthly("2026-03", deliver=False)
    delivery = db.session.scalar(select(Delivery))
    delivery.state, delivery.claimed_at = "sending", utcnow()
    db.session.commit()
    frozen_time.shift(timedelta(minutes=20))
    assert outbox.deliver_due() == {
        "sent": 0,
        "retrying": 0,
        "failed": 0,
        "postponed": 0,
    }
    db.session.refresh(delivery)
    assert delivery.state == "failed" and "not retried" in delivery.last_error
    assert smtp_server.messages == []


def test_two_processes_at_once_send_once(
    monthly_world, db, smtp_server, wants, database_url
):
    for who, kind in (
        ("quiet", "monthly_log_reminder"),
        ("sw1", "monthly_digest"),
        ("sw2", "monthly_digest"),
        ("admin", "monthly_report"),
    ):
        wants(monthly_world[who], kind, email=True)
    db.session.commit()
    db.session.remove()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp_server_port(db)),
        "INCUBATOR_CLI_LANG": "zh",
    }
    command = [
        sys.executable,
        "-m",
        "flask",
        "--app",
        "wsgi",
        "reminders",
        "run",
        "--month",
        "2026-03",
    ]
    runs = [
        subprocess.Popen(  # noqa: S603  (our own CLI, fixed arguments)
            command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for _ in range(2)
    ]
    outputs = [r.communicate(timeout=120) for r in runs]
    assert [r.returncode for r in runs] == [0, 0], outputs
    assert _db.session.scalar(select(func.count(Reminder.id))) == 4
    assert _db.session.scalar(select(func.count(Delivery.id))) == 4
    assert sorted(m.rcpt_tos[0] for m in smtp_server.messages) == [
        "boss@example.test",
        "quiet@example.test",
        "sw1@example.test",
        "sw2@example.test",
    ]


def smtp_server_port(db) -> int:
    from flask import current_app

    return current_app.config["MAIL_PORT"]


def test_catching_up_across_a_month_boundary(monthly_world, db, frozen_time):
    """The scheduler was down at 09:00 on 1 April; it catches up when it starts,
    and never twice."""
    jobs.monthly_job()  # 1 March, 09:00: March's reminders
    assert {r.period for r in reminders(db)} == {"2026-03"}
    frozen_time.move_to("2026-04-01 08:59+08:00")
    jobs.monthly_job()
    assert {r.period for r in reminders(db)} == {"2026-03"}  # not yet
    frozen_time.move_to("2026-04-03 10:00+08:00")  # started again two days late
    from flask import current_app

    from incubator import scheduler

    db.session.commit()  # the scheduler uses its own connection
    scheduler.catch_up(current_app)
    april = [r for r in reminders(db) if r.period == "2026-04"]
    assert {r.kind for r in april} == {
        "monthly_log_reminder",
        "monthly_digest",
        "monthly_report",
    }
    # nobody logged in March: both leaders are reminded
    assert len([r for r in april if r.kind == "monthly_log_reminder"]) == 2
    db.session.commit()
    scheduler.catch_up(current_app)
    assert len(reminders(db)) == len(april) + 4
    run = db.session.scalar(select(JobRun).where(JobRun.job == "monthly_reminders"))
    assert run.ok and "2026-04" in run.summary


def _down_until(db, frozen_time, moment):
    """The scheduler process starts again at ``moment`` (Shanghai time)."""
    from flask import current_app

    from incubator import scheduler

    frozen_time.move_to(moment)
    db.session.commit()  # the scheduler uses its own connection
    scheduler.catch_up(current_app)
    db.session.expire_all()


def _by_period(db) -> dict[str, list[Reminder]]:
    found: dict[str, list[Reminder]] = {}
    for reminder in reminders(db):
        found.setdefault(reminder.period, []).append(reminder)
    return found


def test_down_for_the_whole_of_december_records_december_once(
    monthly_world, db, frozen_time
):
    """Reminders went out on 1 November; the scheduler was down from then until
    5 January: at start-up December's and January's reminders are recorded,
    each with its own period and speaking of its own last month; once."""
    _down_until(db, frozen_time, "2025-11-01 09:00+08:00")
    assert set(_by_period(db)) == {"2025-11"}
    _down_until(db, frozen_time, "2026-01-05 10:00+08:00")
    months = _by_period(db)
    assert set(months) == {"2025-11", "2025-12", "2026-01"}
    for period, about in (("2025-12", "2025年11月"), ("2026-01", "2025年12月")):
        kinds = sorted(r.kind for r in months[period])
        assert kinds == [
            "monthly_digest",
            "monthly_digest",
            "monthly_log_reminder",
            "monthly_log_reminder",
            "monthly_report",
        ]
        report = next(r for r in months[period] if r.kind == "monthly_report")
        assert report.title == f"{about} 月度报表"
        nudge = next(r for r in months[period] if r.kind == "monthly_log_reminder")
        assert about in nudge.body
    total = len(reminders(db))
    run = db.session.scalar(select(JobRun).where(JobRun.job == "monthly_reminders"))
    assert "2025-12" in run.summary and "2026-01" in run.summary
    # started again the same day, and again a week later: nothing more
    _down_until(db, frozen_time, "2026-01-05 11:00+08:00")
    _down_until(db, frozen_time, "2026-01-12 09:00+08:00")
    assert len(reminders(db)) == total


def test_a_start_before_the_moment_records_only_the_missed_month(
    monthly_world, db, frozen_time
):
    _down_until(db, frozen_time, "2025-11-01 09:00+08:00")
    _down_until(db, frozen_time, "2026-01-01 08:30+08:00")
    assert set(_by_period(db)) == {"2025-11", "2025-12"}
    _down_until(db, frozen_time, "2026-01-01 09:00+08:00")  # the cron tick
    assert set(_by_period(db)) == {"2025-11", "2025-12", "2026-01"}


def test_catching_up_stops_at_the_configured_limit(monthly_world, db, frozen_time, app):
    """Down from November to April with REMINDER_CATCH_UP_MONTHS=2: February
    and March are caught up with April; December and January are too old."""
    app.config["REMINDER_CATCH_UP_MONTHS"] = 2
    _down_until(db, frozen_time, "2025-11-01 09:00+08:00")
    _down_until(db, frozen_time, "2026-04-02 10:00+08:00")
    assert set(_by_period(db)) == {"2025-11", "2026-02", "2026-03", "2026-04"}
    run = db.session.scalar(select(JobRun).where(JobRun.job == "monthly_reminders"))
    assert run.ok and "too old to catch up: 2025-12, 2026-01" in run.summary
    total = len(reminders(db))
    _down_until(db, frozen_time, "2026-04-02 11:00+08:00")
    assert len(reminders(db)) == total


def test_the_default_limit_is_three_months(monthly_world, db, frozen_time, app):
    assert app.config["REMINDER_CATCH_UP_MONTHS"] == 3
    _down_until(db, frozen_time, "2025-10-01 09:00+08:00")
    _down_until(db, frozen_time, "2026-03-01 09:00+08:00")
    assert set(_by_period(db)) == {
        "2025-10",
        "2025-12",
        "2026-01",
        "2026-02",
        "2026-03",
    }


def test_the_scheduler_is_never_started_by_the_app(app):
    import threading

    from incubator import scheduler

    assert not any("APScheduler" in t.name for t in threading.enumerate())
    built = scheduler.build(app)
    jobs_by_id = {j.id: j for j in built.get_jobs()}
    assert set(jobs_by_id) == {
        "monthly_reminders",
        "deliver_reminders",
        "anonymize_residents",
        "export_jobs",
    }
    monthly = jobs_by_id["monthly_reminders"]
    assert monthly.coalesce and monthly.max_instances == 1
    assert monthly.misfire_grace_time >= 24 * 3600
    assert not built.running


def test_the_job_queries_do_not_grow_with_organizations(
    frozen_time, make_user, make_org, db, count_queries
):
    make_user("admin", username="boss")
    workers = [make_user("social_worker") for _ in range(3)]

    def grow(n):
        from datetime import UTC, datetime

        for i in range(n):
            leader = make_user("org_leader")
            org = make_org(leader=leader, social_worker=workers[i % 3])
            org.created_at = datetime(2026, 1, 1, tzinfo=UTC)
        db.session.commit()

    def measure(period):
        with count_queries() as counter:
            jobs.run_monthly(period, deliver=False)
        return counter.count

    frozen_time.move_to("2026-06-01 09:00+08:00")
    grow(10)
    small = measure("2026-04")
    grow(90)
    large = measure("2026-05")
    assert small == large, (small, large)
    assert (
        db.session.scalar(
            select(func.count(Reminder.id)).where(Reminder.period == "2026-05")
        )
        == 100 + 3 + 1
    )


def test_an_archived_or_new_organization_is_not_nagged(
    monthly_world, db, make_user, make_org
):
    from datetime import UTC, datetime

    org_services.archive_organization(
        monthly_world["patrol"], actor=monthly_world["sw1"]
    )
    newcomer = make_user("org_leader", username="newcomer")
    young = make_org("新组织", leader=newcomer)
    young.created_at = datetime(2026, 2, 27, tzinfo=UTC)  # registered in February
    db.session.commit()
    jobs.run_monthly("2026-03")
    assert reminders(db, "monthly_log_reminder") == []


def test_the_admin_report_carries_indicator_progress(monthly_world, db, make_project):
    from incubator.projects import services as projects

    project = make_project(monthly_world["admin"])
    projects.add_indicator(
        project, actor=monthly_world["admin"], metric="person_times", target=3000
    )
    db.session.commit()
    jobs.run_monthly("2026-03")
    report = reminders(db, "monthly_report")[0]
    assert "幸福禾立方 指标进度" in report.body
    assert "服务人次：0 / 3000（0.0%），滞后" in report.body
    assert "/reports/monthly?month=2026-02" in report.link


def test_notes_carry_no_address_and_messages_use_the_public_base_url(
    monthly_world, db, app, smtp_server, webhook, wants
):
    """The bell shows a note without a raw address (its Open button follows the
    page's host); email and WeCom link to PUBLIC_BASE_URL, never to a fixed port."""
    app.config["PUBLIC_BASE_URL"] = "https://incubator.example.org/"
    wants(monthly_world["quiet"], "monthly_log_reminder", email=True)
    wants(monthly_world["sw1"], "monthly_digest", wecom=True)
    jobs.run_monthly("2026-03")
    for note in reminders(db):
        assert "http" not in note.body and ":5000" not in note.body, note.body
    from email import message_from_bytes, policy

    parsed = message_from_bytes(smtp_server.messages[0].content, policy=policy.default)
    plain = parsed.get_body(("plain",)).get_content()
    org = monthly_world["patrol"].id
    assert f"https://incubator.example.org/activities/new?org={org}" in plain
    content = webhook["posts"][0]["markdown"]["content"]
    assert "[查看](https://incubator.example.org/followups/mine)" in content
    assert ":5000" not in plain + content
