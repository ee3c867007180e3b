"""The load test's short version: a few clients on a multi-threaded server for a
few dozen requests each, on the suite's database. It counts, never times: no
answer may be a 5xx, no acknowledged row may be missing or saved twice, every
reveal and export shown must be on record. ``make loadtest`` is the full run."""

from __future__ import annotations

from incubator.extensions import db
from tests.conftest import serving
from tests.load import workload

CLIENTS = 8
OPERATIONS_EACH = 25


def test_concurrent_clients_get_no_errors_and_lose_nothing(app):
    seeded = workload.seed(app)

    def age():
        with app.app_context():
            workload.age_sessions()

    with serving(app) as url:
        run = workload.Workload(
            url,
            seeded,
            clients=CLIENTS,
            seconds=600,  # a ceiling only: the run ends after its operations
        )
        tally = run.run(max_ops=OPERATIONS_EACH, ager=age)
    verdict = workload.check_database(seeded, tally)
    db.session.rollback()
    assert tally.requests >= CLIENTS * OPERATIONS_EACH
    assert tally.server_errors == 0, tally.failures
    assert verdict.ok, workload.summary(tally, verdict, run.elapsed)
    acknowledged = sum(a.outcome == "acked" for a in tally.attempts)
    assert acknowledged > 0
    assert sum(verdict.rows.values()) == acknowledged
