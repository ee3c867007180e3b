"""``make bench`` (tests/benchmarks/district.py) still runs end to end: a tiny
district on SQLite, one request per page, two clients for a second, no exports
(their own tests cover them). Wall time is never asserted: this proves every page
the bench times answers, that the results are written, and that a busy port stops
the run."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def bench_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("bench")


def _run(folder: Path, **extra: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "BENCH_SCALES": "0.01",
        "BENCH_DATABASE_URL": "",
        "BENCH_QUICK": "1",
        "BENCH_REQUESTS": "1",
        "BENCH_MIX_SECONDS": "1",
        "BENCH_MIX_CLIENTS": "2",
        "BENCH_PORT": "0",
        "BENCH_EXPORTS": "0",  # their own tests cover them
        "BENCH_INSTANCE": str(folder / "instance"),
        "BENCH_RESULTS": str(folder / "results"),
        **extra,
    }
    return subprocess.run(  # noqa: S603 - our own harness
        [sys.executable, "-m", "tests.benchmarks.district"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=280,
    )


def test_bench_measures_every_page_on_a_tiny_district(bench_dir):
    run = _run(bench_dir)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    doc = json.loads((bench_dir / "results" / "bench-results.json").read_text())
    (only,) = doc["runs"]
    assert (only["engine"], only["scale"]) == ("sqlite", 0.01)
    calls = {(c["role"], c["label"]): c for c in only["calls"]}
    dashboard = calls[("admin", "admin dashboard")]
    assert dashboard["queries"] > 0 and dashboard["bytes"] > 0
    assert [c["path"] for c in only["calls"] if c["status"] != 200] == []
    assert {"monthly report", "pipeline board", "API activities page 1"} <= {
        label for _, label in calls
    }
    assert only["mix"]["requests"] > 0 and only["mix"]["errors"] == 0
    assert only["hello_rps"] > 0
    text = (bench_dir / "results" / "bench-results.md").read_text()
    assert "| admin | admin dashboard | 200 |" in text
    assert "PostgreSQL skipped" in text


def test_bench_refuses_a_busy_port(bench_dir):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        run = _run(bench_dir, BENCH_PORT=str(port))
    assert run.returncode != 0
    assert f"port {port} is busy" in run.stderr
