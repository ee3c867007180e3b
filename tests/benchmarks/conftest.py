"""Fixtures of ``make bench`` (tests/benchmarks/bench_operations.py, never part
of ``make test``): one generated SQLite instance for the session, and a summary
that sets each operation's median beside the baseline's, measured in the same
run, so numbers from a loaded machine can still be compared."""

from __future__ import annotations

import pytest

BASELINE = "test_baseline_pure_python"


@pytest.fixture(scope="session")
def bench_app(tmp_path_factory):
    from config import TestingConfig
    from incubator import create_app
    from incubator.extensions import db
    from tests.benchmarks import dataset

    folder = tmp_path_factory.mktemp("bench")
    app = create_app(
        TestingConfig,
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{folder / 'bench.sqlite3'}",
        UPLOAD_FOLDER=str(folder / "uploads"),
    )
    with app.app_context():
        db.create_all()
        dataset.build()
        yield app
        db.session.remove()
        db.engine.dispose()


def pytest_terminal_summary(terminalreporter, config):
    session = getattr(config, "_benchmarksession", None)
    benchmarks = [b for b in getattr(session, "benchmarks", []) if b.stats]
    by_name = {b.name: b.stats for b in benchmarks}
    if BASELINE not in by_name:
        return
    base = by_name[BASELINE].median
    write = terminalreporter.write_line
    write("")
    write(
        f"{'operation':<32}{'median ms':>11}{'IQR ms':>9}{'min ms':>9}"
        f"{'max ms':>9}{'rounds':>8}{'x baseline':>12}"
    )
    for bench in benchmarks:
        s = bench.stats
        write(
            f"{bench.name.removeprefix('test_'):<32}{s.median * 1e3:>11.1f}"
            f"{s.iqr * 1e3:>9.1f}{s.min * 1e3:>9.1f}{s.max * 1e3:>9.1f}"
            f"{s.rounds:>8}{s.median / base:>12.2f}"
        )
