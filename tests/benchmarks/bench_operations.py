"""``make bench``: how long the named operations take on a generated data set
(tests/benchmarks/dataset.py), with pytest-benchmark's median, IQR, min and max,
and each median as a multiple of a fixed pure-Python baseline timed in the same
run (conftest.py). Not part of ``make test``: nothing here asserts a time; the
few asserts check that each operation did its work."""

from __future__ import annotations

import hashlib
import random

import pytest
from sqlalchemy import delete, select

from incubator.auth.models import User
from incubator.demo.seed import DEMO_PASSWORD
from incubator.extensions import db
from incubator.reminders import jobs
from incubator.reminders.models import Delivery, Reminder
from tests.benchmarks import dataset

ROUNDS = 5
ROSTER_ROWS = 5000


@pytest.fixture(scope="module")
def admin_client(bench_app):
    client = bench_app.test_client()
    response = client.post(
        "/login", data={"username": "admin", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    return client


def _pure_python() -> str:
    """A fixed CPU workload: sort 50,000 seeded numbers and hash the result."""
    numbers = random.Random(13).sample(range(10**7), 50_000)
    return hashlib.sha256(repr(sorted(numbers)).encode()).hexdigest()


def test_baseline_pure_python(benchmark):
    benchmark.pedantic(_pure_python, rounds=ROUNDS * 4, warmup_rounds=2)


def test_roster_import_5000_rows(benchmark, bench_app):
    from incubator.volunteers.importer import confirm_import, prepare_import

    data = dataset.roster(ROSTER_ROWS)
    admin = db.session.scalar(select(User).where(User.username == "admin"))
    imported = []

    def run():
        batch = prepare_import(data, "roster.xlsx", actor=admin, organization=None)
        imported.append(confirm_import(batch, actor=admin))

    benchmark.pedantic(run, setup=db.session.rollback, rounds=ROUNDS)
    db.session.rollback()
    assert set(imported) == {ROSTER_ROWS}


def test_monthly_report(benchmark, admin_client):
    month = jobs.compose.previous_month(jobs.current_period())

    def run():
        response = admin_client.get(f"/reports/monthly?month={month}")
        assert response.status_code == 200

    benchmark.pedantic(run, rounds=ROUNDS * 2, warmup_rounds=1)


def test_dashboard(benchmark, admin_client):
    def run():
        assert admin_client.get("/reports").status_code == 200

    benchmark.pedantic(run, rounds=ROUNDS * 2, warmup_rounds=1)


def test_reminder_job(benchmark, bench_app):
    """The monthly job's work for one month (compose and record every
    reminder), from a month with nothing recorded each round."""
    period = jobs.current_period()

    def forget():
        # End the read transaction a page bench may have left open in this app
        # context, so the deletes run in a write transaction of their own.
        db.session.rollback()
        ids = select(Reminder.id).where(Reminder.period == period)
        db.session.execute(delete(Delivery).where(Delivery.reminder_id.in_(ids)))
        db.session.execute(delete(Reminder).where(Reminder.period == period))
        db.session.commit()

    results = []
    benchmark.pedantic(
        lambda: results.append(jobs.run_monthly(period, deliver=False)),
        setup=forget,
        rounds=ROUNDS,
    )
    assert all(r.recorded == len(r.drafts) > dataset.ORGS // 2 for r in results)
