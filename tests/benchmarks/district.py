"""``make bench``: the measure of issue 18 at district scale.

    python -m tests.benchmarks.district

For each scale of ``BENCH_SCALES`` (default "0.01 1.0") and each engine (SQLite
always; PostgreSQL when ``BENCH_DATABASE_URL`` names a server) it

1. fills or reuses a district database made by the product's own
   ``flask demo district --scale S`` (SQLite: ``instance/bench/district-S.sqlite3``;
   PostgreSQL: the database ``incubator_bench_S``), rebuilt when the migration
   head changes;
2. serves it with gunicorn on 127.0.0.1 (``gunicorn.conf.py`` at the top when
   present) beside a hello-world Flask app on the same settings;
3. for every page and API call of issue 18's table, per role: queries per request
   (counted in-process with the test client), p50, p95, req/s over N sequential
   requests after a warm-up, response bytes and req/s as a share of hello world's,
   each flagged against the issue's targets;
4. the monthly report's computation against its raw-SQL floor
   (``tests/benchmarks/report_floor.py``), median of N;
5. the activities and hours exports through gunicorn: time, bytes and the
   worker's peak RSS (or, when the answer is a background job, the job's run in a
   process of its own);
6. a 20-client mix of reads and a few writes for ``BENCH_MIX_SECONDS`` (60);

and writes ``docs/performance/bench-results.md`` and ``.json``.

Settings (environment): ``BENCH_SCALES``, ``BENCH_DATABASE_URL``,
``BENCH_REQUESTS`` (N, default 30), ``BENCH_MIX_SECONDS``, ``BENCH_MIX_CLIENTS``
(20), ``BENCH_QUICK=1`` (N=5, mix 5 s, no exports' job run), ``BENCH_PORT``
(5160; the hello app takes the next port; 0 picks free ports),
``BENCH_POSTGRES_SCALES`` (the scales on PostgreSQL; default ``BENCH_SCALES``),
``BENCH_ENGINES`` (default "sqlite postgresql"),
``BENCH_INSTANCE`` (instance/bench), ``BENCH_RESULTS`` (docs/performance),
``BENCH_EXPORTS=0`` (skip the exports), ``BENCH_GUNICORN_ARGS`` (used when
there is no gunicorn.conf.py; default "--workers 2 --threads 4").
Exits 1 when a measured call answered an error.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import platform
import random
import re
import shlex
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import psutil
import requests

ROOT = Path(__file__).resolve().parents[2]
P95_TARGET_MS = 150.0
DASHBOARD_SHARE_TARGET = 0.25
FLOOR_TARGET = 2.0
EXPORT_RSS_TARGET_MB = 300.0
MIX_P95_TARGET_MS = 500.0
SEED_USERS = {  # `flask demo seed`, when the district generator is absent
    "admin": "admin",
    "social_worker": "sw_lin",
    "org_leader": "leader_sun",
    "street_viewer": "street_viewer",
}
SEED_PASSWORD = "heshan2026"  # noqa: S105 - the published demo's password


# --------------------------------------------------------------------- settings


@dataclass
class Settings:
    scales: list[float]
    server_url: str
    requests: int
    warmup: int
    mix_seconds: float
    mix_clients: int
    quick: bool
    port: int
    instance: Path
    results: Path
    gunicorn_args: list[str]
    exports: bool

    @classmethod
    def from_env(cls) -> Settings:
        env = os.environ.get
        quick = env("BENCH_QUICK", "") not in ("", "0")
        instance = Path(env("BENCH_INSTANCE") or ROOT / "instance" / "bench")
        conf = ROOT / "gunicorn.conf.py"
        if conf.is_file():
            gargs = ["-c", str(conf)]
        else:
            gargs = shlex.split(env("BENCH_GUNICORN_ARGS") or "--workers 2 --threads 4")
        return cls(
            scales=[float(s) for s in (env("BENCH_SCALES") or "0.01 1.0").split()],
            server_url=env("BENCH_DATABASE_URL", "") or "",
            requests=int(env("BENCH_REQUESTS") or (5 if quick else 30)),
            warmup=1 if quick else 3,
            mix_seconds=float(env("BENCH_MIX_SECONDS") or (5 if quick else 60)),
            mix_clients=int(env("BENCH_MIX_CLIENTS") or 20),
            quick=quick,
            port=int(env("BENCH_PORT") or 5160),
            instance=instance,
            results=Path(env("BENCH_RESULTS") or ROOT / "docs" / "performance"),
            gunicorn_args=gargs,
            exports=env("BENCH_EXPORTS", "1") != "0",
        )


def local_today() -> date:
    """Today where the product's data lives (the default TIMEZONE)."""
    return datetime.now(ZoneInfo(os.environ.get("TIMEZONE") or "Asia/Shanghai")).date()


STARTED = time.monotonic()


def say(text: str = "") -> None:
    print(text, flush=True)


def phase(name: str) -> None:
    """A line with the seconds since the start, before each slow step."""
    say(f"  [{time.monotonic() - STARTED:6.1f} s] {name}")


def scale_name(scale: float) -> str:
    return f"{scale:g}"


# --------------------------------------------------------------------- databases


def migration_head() -> str:
    from alembic.config import Config as AlembicConfig
    from alembic.script import ScriptDirectory

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    head = ScriptDirectory.from_config(cfg).get_current_head()
    return head or ""


def database_head(url: str) -> str | None:
    """The database's alembic revision, None when it is absent or unreadable."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            query = text("SELECT version_num FROM alembic_version")
            return conn.execute(query).scalar()
    except Exception:  # noqa: BLE001 - absent database or table: rebuild
        return None
    finally:
        engine.dispose()


def app_env(settings: Settings, url: str) -> dict[str, str]:
    keys = settings.instance
    return {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY_FILE": str(keys / "secret_key"),
        "RESIDENT_KEY_FILE": str(keys / "resident_key"),
        "UPLOAD_FOLDER": str(keys / "uploads"),
        "INCUBATOR_ENV": "development",
        "FLASK_APP": "wsgi",
        "PYTHONPATH": str(ROOT),
    }


def has_district_command() -> bool:
    try:
        import incubator.demo.district  # noqa: F401
    except ImportError:
        return False
    return True


def generate(settings: Settings, url: str, scale: float) -> float:
    """Migrate ``url`` and fill it; returns the seconds the generator took."""
    env = app_env(settings, url)
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    run = subprocess.run(  # noqa: S603 - our own command line
        [*flask, "db", "upgrade"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if run.returncode:
        sys.exit(f"flask db upgrade failed:\n{run.stderr[-3000:]}")
    if has_district_command():
        command = [*flask, "demo", "district", "--scale", str(scale)]
    else:
        say("  (demo district is not there: using demo seed)")
        command = [*flask, "demo", "seed"]
    started = time.monotonic()
    run = subprocess.run(  # noqa: S603
        command, cwd=ROOT, env=env, capture_output=True, text=True
    )
    if run.returncode:
        sys.exit(f"{' '.join(command[3:])} failed:\n{run.stderr[-3000:]}")
    return time.monotonic() - started


def sqlite_database(settings: Settings, scale: float, head: str) -> tuple[str, str]:
    """The cached SQLite file's URL (built when absent or at another head) and a
    note of what happened."""
    settings.instance.mkdir(parents=True, exist_ok=True)
    path = settings.instance / f"district-{scale_name(scale)}.sqlite3"
    url = f"sqlite:///{path}"
    if path.exists() and database_head(url) == head:
        return url, "reused"
    building = path.with_suffix(".building")
    for leftover in ("", "-wal", "-shm"):
        Path(f"{building}{leftover}").unlink(missing_ok=True)
    seconds = generate(settings, f"sqlite:///{building}", scale)
    os.replace(building, path)
    return url, f"generated in {seconds:.0f} s"


def postgres_database(settings: Settings, scale: float, head: str) -> tuple[str, str]:
    """The database ``incubator_bench_<scale>`` on the server, built under a
    temporary name and renamed when complete."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = "incubator_bench_" + scale_name(scale).replace(".", "_")
    server = make_url(settings.server_url)
    url = server.set(database=name).render_as_string(hide_password=False)
    if database_head(url) == head:
        return url, "reused"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}_building"'))
            conn.execute(text(f'CREATE DATABASE "{name}_building"'))
        building = server.set(database=f"{name}_building")
        seconds = generate(
            settings, building.render_as_string(hide_password=False), scale
        )
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            conn.execute(text(f'ALTER DATABASE "{name}_building" RENAME TO "{name}"'))
    finally:
        admin.dispose()
    return url, f"generated in {seconds:.0f} s"


# --------------------------------------------------------------------- servers


class Servers:
    """gunicorn processes in sessions of their own, stopped on exit or signal."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.procs: list[subprocess.Popen] = []
        atexit.register(self.stop_all)

    def start(self, name: str, target: str, port: int, env: dict) -> subprocess.Popen:
        if port_busy(port):
            sys.exit(f"port {port} is busy: refusing to run (set BENCH_PORT)")
        log = (self.settings.instance / f"gunicorn-{name}.log").open("wb")
        proc = subprocess.Popen(  # noqa: S603 - our own command line
            [
                sys.executable,
                "-m",
                "gunicorn",
                *self.settings.gunicorn_args,
                "--bind",
                f"127.0.0.1:{port}",
                target,
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.procs.append(proc)
        wait_ready(port, proc, log.name)
        return proc

    def stop(self, proc: subprocess.Popen) -> None:
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=20)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait(timeout=10)
        if proc in self.procs:
            self.procs.remove(proc)

    def stop_all(self) -> None:
        for proc in list(self.procs):
            self.stop(proc)


def port_busy(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_ready(port: int, proc: subprocess.Popen, log: str) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"gunicorn stopped:\n{Path(log).read_text()[-3000:]}")
        try:
            answer = requests.get(f"http://127.0.0.1:{port}/login", timeout=5)
            if answer.status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    sys.exit(f"gunicorn on port {port} was not ready within 90 s")


def workers(master: subprocess.Popen) -> list[psutil.Process]:
    try:
        return psutil.Process(master.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


class PeakRss:
    """Samples the largest resident set of ``processes()`` every 20 ms."""

    def __init__(self, processes):
        self.processes = processes
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            for proc in self.processes():
                try:
                    self.peak = max(self.peak, proc.memory_info().rss)
                except psutil.Error:
                    pass
            self._stop.wait(0.02)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


# --------------------------------------------------------------------- the pages


@dataclass
class Call:
    role: str
    label: str
    path: str
    api: bool = False
    dashboard: bool = False
    # A deep ?page= past the 10,000-row offset cap answers 422 by design
    # (README, Long lists): the cursor call measures deep pages then.
    expected: tuple[int, ...] = (200,)


@dataclass
class Measure:
    role: str
    label: str
    path: str
    status: int = 0
    queries: int | None = None
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    rps: float = 0.0
    share: float = 0.0
    bytes: int = 0
    verdict: str = ""


@dataclass
class Fixtures:
    """Ids the pages need, read from the database in-process."""

    project_id: int | None
    leader_org_id: int | None
    deep_page: int
    month: str
    first_day: date
    end_day: date  # the day after the month


def calls(fx: Fixtures) -> list[Call]:
    a, sw, lead, view = "admin", "social_worker", "org_leader", "street_viewer"
    out = [
        Call(a, "admin dashboard", "/", dashboard=True),
        Call(sw, "social worker's home", "/", dashboard=True),
        Call(lead, "leader's home", "/", dashboard=True),
        Call(view, "street viewer's home", "/", dashboard=True),
        Call(a, "activities list", "/activities"),
        Call(sw, "activities list", "/activities"),
        Call(a, "API activities page 1", "/api/v1/activities", api=True),
        Call(
            a,
            f"API activities page {fx.deep_page}",
            f"/api/v1/activities?page={fx.deep_page}",
            api=True,
            expected=(200, 422),
        ),
        Call(a, "month calendar", f"/calendar?month={fx.month}"),
        Call(a, "activity calendar", f"/activities/calendar?month={fx.month}"),
        Call(sw, "month calendar", f"/calendar?month={fx.month}"),
        Call(a, "pipeline board", "/organizations/board"),
        Call(a, "admin caseload", "/organizations/caseload"),
        Call(sw, "caseload", "/organizations/caseload"),
        Call(a, "monthly report", f"/reports/monthly?month={fx.month}"),
        Call(view, "monthly report", f"/reports/monthly?month={fx.month}"),
        Call(a, "organizations", "/organizations"),
        Call(a, "volunteers", "/volunteers"),
        Call(a, "service hours", "/volunteers/hours"),
        Call(a, "resources", "/resources"),
        Call(a, "bookings", "/bookings"),
        Call(a, "follow-ups", "/followups"),
        Call(sw, "my follow-ups", "/followups/mine"),
        Call(a, "sessions", "/sessions"),
        Call(a, "review queue", "/activities/review"),
        Call(a, "audit log", "/admin/audit"),
        Call(a, "notifications", "/notifications"),
        Call(a, "ventures", "/ventures"),
        Call(a, "projects", "/reports/projects"),
        Call(lead, "activities list", "/activities"),
        Call(a, "API volunteers", "/api/v1/volunteers", api=True),
        Call(a, "API organizations", "/api/v1/organizations", api=True),
        Call(a, "API hours", "/api/v1/hours", api=True),
        Call(a, "API resources", "/api/v1/resources", api=True),
        Call(a, "API follow-ups", "/api/v1/followups", api=True),
        Call(a, "API sessions", "/api/v1/sessions", api=True),
        Call(a, "API bookings", "/api/v1/bookings", api=True),
        Call(
            a,
            "API monthly report",
            f"/api/v1/reports/monthly?month={fx.month}",
            api=True,
        ),
    ]
    if fx.project_id is not None:
        out += [
            Call(a, "annual summary", f"/reports/projects/{fx.project_id}/annual"),
            Call(a, "project progress", f"/reports/projects/{fx.project_id}"),
        ]
    return out


def read_fixtures(app, scale: float) -> Fixtures:
    from sqlalchemy import func, select

    from incubator.activities.models import Activity
    from incubator.extensions import db
    from incubator.organizations.models import Organization
    from incubator.projects.models import Project

    with app.app_context():
        users = bench_users()[0]
        project_id = db.session.scalar(select(func.min(Project.id)))
        from incubator.auth.models import User

        leader = db.session.scalar(
            select(User).where(User.username == users["org_leader"])
        )
        org_id = None
        if leader is not None:
            org_id = db.session.scalar(
                select(func.min(Organization.id)).where(
                    Organization.leader_user_id == leader.id
                )
            )
        activities = db.session.scalar(select(func.count(Activity.id))) or 0
        db.session.remove()
    # Page 3000 at scale 1 (the table), the same depth at other scales,
    # at most the last page of 100.
    deep = max(2, min(round(3000 * scale), max(1, activities // 100)))
    today = local_today()
    end = today.replace(day=1)
    first = (end - timedelta(days=1)).replace(day=1)
    return Fixtures(project_id, org_id, deep, first.strftime("%Y-%m"), first, end)


def bench_users() -> tuple[dict[str, str], str]:
    if has_district_command():
        from incubator.demo.district import BENCH_USERS, DISTRICT_PASSWORD

        return dict(BENCH_USERS), DISTRICT_PASSWORD
    return dict(SEED_USERS), SEED_PASSWORD


def csrf_token(html: str) -> str:
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    return found.group(1) if found else ""


class Browser:
    """One logged-in user over HTTP: a page session and an API token."""

    def __init__(self, base: str, username: str, password: str):
        self.base = base
        self.http = requests.Session()
        page = self.http.get(f"{base}/login", timeout=60)
        answer = self.http.post(
            f"{base}/login",
            data={
                "username": username,
                "password": password,
                "csrf_token": csrf_token(page.text),
            },
            allow_redirects=False,
            timeout=60,
        )
        if answer.status_code != 302:
            raise RuntimeError(f"login as {username} answered {answer.status_code}")
        token = requests.post(
            f"{base}/api/v1/tokens",
            json={"username": username, "password": password},
            timeout=60,
        )
        self.api = requests.Session()
        if token.status_code == 201:
            self.api.headers["Authorization"] = f"Bearer {token.json()['token']}"

    def get(self, path: str, api: bool = False, **kw) -> requests.Response:
        return (self.api if api else self.http).get(
            f"{self.base}{path}", timeout=kw.pop("timeout", 120), **kw
        )


def count_queries(app, call_list: list[Call]) -> dict[tuple[str, str], int]:
    """Statements per request of each call, counted once in-process as the
    query budget tests count them. Returns ``{(role, path): statements}``."""
    from sqlalchemy import event

    from incubator.extensions import db

    users, password = bench_users()
    counts: dict[tuple[str, str], int] = {}
    # The requests run outside this app context: inside it they would share
    # one database session (and its transaction) and count what they reuse.
    with app.app_context():
        engine = db.engine
    counter = [0]

    def on_execute(_conn, _cursor, statement, *_args) -> None:
        # As tests/conftest.py's count_queries: transaction control excluded.
        head = statement.lstrip().split(None, 1)[0].upper() if statement else ""
        if head not in {"BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"}:
            counter[0] += 1

    event.listen(engine, "before_cursor_execute", on_execute)
    try:
        for role in {c.role for c in call_list}:
            client = app.test_client()
            client.post("/login", data={"username": users[role], "password": password})
            token = app.test_client().post(
                "/api/v1/tokens",
                json={"username": users[role], "password": password},
            )
            headers = {}
            if token.status_code == 201:
                headers = {"Authorization": f"Bearer {token.get_json()['token']}"}
            for c in call_list:
                if c.role != role:
                    continue
                counter[0] = 0
                if c.api:
                    app.test_client().get(c.path, headers=headers)
                else:
                    client.get(c.path)
                counts[(c.role, c.path)] = counter[0]
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)
    return counts


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def time_calls(
    browser: Browser, path: str, api: bool, n: int, warmup: int
) -> tuple[int, list[float], float, int]:
    """(last status, durations in s, wall seconds of the n requests, bytes)."""
    status, size = 0, 0
    for _ in range(warmup):
        answer = browser.get(path, api)
        status, size = answer.status_code, len(answer.content)
    durations: list[float] = []
    started = time.perf_counter()
    for _ in range(n):
        t0 = time.perf_counter()
        answer = browser.get(path, api)
        durations.append(time.perf_counter() - t0)
        status, size = answer.status_code, len(answer.content)
    return status, durations, time.perf_counter() - started, size


def keyset_call(browser: Browser) -> Call | None:
    """The API's next page by cursor, when page 1 names one (``next``)."""
    answer = browser.get("/api/v1/activities", True)
    if answer.status_code != 200:
        return None
    following = answer.json().get("next")
    if not following or not isinstance(following, str):
        return None
    if following.startswith("http"):
        following = following.split("://", 1)[1].split("/", 1)[1]
        following = "/" + following
    elif not following.startswith("/"):
        following = f"/api/v1/activities?after={following}"
    return Call("admin", "API activities next page by cursor", following, api=True)


# --------------------------------------------------------------------- the floor


def report_against_floor(app, fx: Fixtures, n: int) -> dict[str, Any]:
    from sqlalchemy import select

    from incubator.community.models import Community
    from incubator.extensions import db
    from incubator.reports.monthly import monthly_report

    try:
        from tests.benchmarks.report_floor import monthly_floor
    except ImportError:
        return {"note": "floor not available"}
    with app.app_context():
        communities = list(db.session.scalars(select(Community).order_by(Community.id)))
        period = (fx.first_day, fx.end_day)
        report_times, floor_times = [], []
        for _ in range(n):
            t0 = time.perf_counter()
            monthly_report(period, fx.month, None, breakdown=communities)
            report_times.append(time.perf_counter() - t0)
            db.session.rollback()
            t0 = time.perf_counter()
            monthly_floor(
                db.session.connection(),
                fx.first_day,
                fx.end_day - timedelta(days=1),
                None,
            )
            floor_times.append(time.perf_counter() - t0)
            db.session.rollback()
        db.session.remove()
    report = statistics.median(report_times) * 1e3
    floor = statistics.median(floor_times) * 1e3
    ratio = report / floor if floor else 0.0
    return {
        "month": fx.month,
        "report_ms": round(report, 1),
        "floor_ms": round(floor, 1),
        "ratio": round(ratio, 2),
        "verdict": "ok" if ratio <= FLOOR_TARGET else "OVER 2x",
    }


# --------------------------------------------------------------------- exports

EXPORTS = (
    ("activities export", "/activities/export.xlsx"),
    ("hours export", "/volunteers/hours/export.xlsx"),
)


def measure_export(
    settings: Settings,
    browser: Browser,
    server: subprocess.Popen,
    env: dict,
    label: str,
    path: str,
) -> dict[str, Any]:
    before = max((p.memory_info().rss for p in workers(server)), default=0)
    started = time.perf_counter()
    with PeakRss(lambda: workers(server)) as rss:
        answer = browser.get(path, stream=True, timeout=600)
        size = sum(len(chunk) for chunk in answer.iter_content(65536))
    seconds = time.perf_counter() - started
    kind = answer.headers.get("Content-Type", "")
    result: dict[str, Any] = {
        "export": label,
        "path": path,
        "status": answer.status_code,
        "seconds": round(seconds, 2),
        "bytes": size,
        "worker_rss_before_mb": round(before / 2**20, 1),
        "peak_rss_mb": round(rss.peak / 2**20, 1),
    }
    if answer.status_code == 200 and "spreadsheet" in kind:
        result["how"] = "streamed"
    elif answer.status_code < 400:
        result["how"] = "background job"
        if not settings.quick:
            result["job"] = run_export_job(env)
    else:
        result["how"] = "error"
    peak = result.get("job", {}).get("peak_rss_mb", result["peak_rss_mb"])
    ok = answer.status_code < 400 and peak <= EXPORT_RSS_TARGET_MB
    result["verdict"] = "ok" if ok else "OVER"
    return result


JOB_SCRIPT = """
import json, time
from wsgi import app
from incubator.reminders.exports import export_job
with app.app_context():
    t0 = time.perf_counter()
    outcome = export_job()
    print(json.dumps({"seconds": time.perf_counter() - t0, "outcome": outcome},
                     default=str))
"""


def run_export_job(env: dict) -> dict[str, Any]:
    """The scheduler's export job in a process of its own, with its peak RSS."""
    proc = subprocess.Popen(  # noqa: S603 - our own script
        [sys.executable, "-c", JOB_SCRIPT],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    child = psutil.Process(proc.pid)
    with PeakRss(lambda: [child]) as rss:
        out, err = proc.communicate(timeout=900)
    if proc.returncode:
        return {"error": err[-1500:], "peak_rss_mb": round(rss.peak / 2**20, 1)}
    lines = [line for line in out.splitlines() if line.startswith("{")]
    data = json.loads(lines[-1]) if lines else {}
    return {
        "seconds": round(data.get("seconds", 0.0), 2),
        "outcome": data.get("outcome"),
        "peak_rss_mb": round(rss.peak / 2**20, 1),
    }


# --------------------------------------------------------------------- the mix


@dataclass
class MixTally:
    durations: list[float] = field(default_factory=list)
    errors: int = 0
    writes: int = 0
    error_samples: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, seconds: float, error: str | None, write: bool = False) -> None:
        with self.lock:
            self.durations.append(seconds)
            self.writes += write
            if error:
                self.errors += 1
                if len(self.error_samples) < 5:
                    self.error_samples.append(error)


MIX_ROLES = (
    ["social_worker"] * 10 + ["org_leader"] * 5 + ["admin"] * 3 + ["street_viewer"] * 2
)


def run_mix(
    settings: Settings, base: str, readable: list[Call], fx: Fixtures
) -> dict[str, Any]:
    users, password = bench_users()
    tally = MixTally()
    window: dict[str, float] = {}

    def begin() -> None:  # when every client has logged in
        window["start"] = time.monotonic()
        window["stop"] = window["start"] + settings.mix_seconds

    barrier = threading.Barrier(settings.mix_clients, action=begin)
    roles = [MIX_ROLES[i % len(MIX_ROLES)] for i in range(settings.mix_clients)]

    def client(index: int, role: str) -> None:
        rng = random.Random(index)
        try:
            browser = Browser(base, users[role], password)
        except Exception as exc:  # noqa: BLE001 - a failed login is an error
            tally.note(0.0, f"login {role}: {exc!r}")
            barrier.wait()
            return
        barrier.wait()
        stop = window["stop"]
        mine = [c for c in readable if c.role == role] or [
            c for c in readable if c.role == "admin"
        ]
        while time.monotonic() < stop:
            write = role == "org_leader" and fx.leader_org_id and rng.random() < 0.1
            t0 = time.perf_counter()
            try:
                if write:
                    day = local_today() - timedelta(days=rng.randrange(1, 30))
                    answer = browser.api.post(
                        f"{base}/api/v1/activities",
                        json={
                            "organization_id": fx.leader_org_id,
                            "title": f"bench mix {index}-{rng.randrange(10**9)}",
                            "form": "group",
                            "service_type": "self_org_service",
                            "target_group": "elders",
                            "starts_at": f"{day.isoformat()}T09:00:00+08:00",
                            "ends_at": f"{day.isoformat()}T10:30:00+08:00",
                            "place": "活动室",
                            "person_times": rng.randrange(1, 40),
                        },
                        timeout=120,
                    )
                    error = (
                        None
                        if answer.status_code == 201
                        else (f"POST activity {answer.status_code}")
                    )
                else:
                    c = rng.choice(mine)
                    answer = browser.get(c.path, c.api)
                    error = (
                        None
                        if answer.status_code == 200
                        else (f"{c.path} {answer.status_code}")
                    )
            except requests.RequestException as exc:
                error = f"{exc!r}"
            tally.note(time.perf_counter() - t0, error, bool(write))

    threads = [
        threading.Thread(target=client, args=(i, role), daemon=True)
        for i, role in enumerate(roles)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(settings.mix_seconds + 600)
    seconds = time.monotonic() - window.get("start", time.monotonic())
    done = len(tally.durations)
    p95 = percentile(tally.durations, 0.95) * 1e3
    return {
        "clients": settings.mix_clients,
        "seconds": round(seconds, 1),
        "requests": done,
        "writes": tally.writes,
        "rps": round(done / seconds, 1) if seconds else 0.0,
        "p50_ms": round(percentile(tally.durations, 0.5) * 1e3, 1),
        "p95_ms": round(p95, 1),
        "errors": tally.errors,
        "error_samples": tally.error_samples,
        "verdict": "ok" if p95 <= MIX_P95_TARGET_MS and not tally.errors else "MISSED",
    }


# --------------------------------------------------------------------- one run


def run_one(settings: Settings, servers: Servers, engine: str, scale: float) -> dict:
    from config import DevelopmentConfig
    from incubator import create_app

    head = migration_head()
    say(f"\n=== {engine}, scale {scale_name(scale)} (migration head {head})")
    phase("the database")
    if engine == "sqlite":
        url, how = sqlite_database(settings, scale, head)
    else:
        url, how = postgres_database(settings, scale, head)
    say(f"  database {how}")
    env = app_env(settings, url)
    app = create_app(
        DevelopmentConfig,
        SQLALCHEMY_DATABASE_URI=url,
        SECRET_KEY_FILE=env["SECRET_KEY_FILE"],
        RESIDENT_KEY_FILE=env["RESIDENT_KEY_FILE"],
        UPLOAD_FOLDER=env["UPLOAD_FOLDER"],
        WTF_CSRF_ENABLED=False,
    )
    # The in-process app's own log lines would interleave with the table.
    logging.getLogger("incubator").setLevel(logging.CRITICAL)
    fx = read_fixtures(app, scale)
    call_list = calls(fx)

    if settings.port:
        port, hello_port = settings.port, settings.port + 1
    else:
        port, hello_port = free_port(), free_port()
    phase("starting gunicorn")
    server = servers.start(f"app-{engine}", "wsgi:app", port, env)
    hello = servers.start("hello", "tests.benchmarks.hello:app", hello_port, env)
    base = f"http://127.0.0.1:{port}"
    result: dict[str, Any] = {
        "engine": engine,
        "scale": scale,
        "database": how,
        "migration_head": head,
        "requests_per_call": settings.requests,
    }
    try:
        hello_browser = requests.Session()
        for _ in range(settings.warmup * 10):
            hello_browser.get(f"http://127.0.0.1:{hello_port}/", timeout=10)
        n_hello = max(50, settings.requests * 10)
        t0 = time.perf_counter()
        for _ in range(n_hello):
            hello_browser.get(f"http://127.0.0.1:{hello_port}/", timeout=10)
        hello_rps = n_hello / (time.perf_counter() - t0)
        servers.stop(hello)
        result["hello_rps"] = round(hello_rps, 1)
        say(f"  hello world: {hello_rps:.0f} req/s")

        users, password = bench_users()
        browsers = {
            role: Browser(base, users[role], password)
            for role in {c.role for c in call_list}
        }
        cursor = keyset_call(browsers["admin"])
        if cursor is not None:
            call_list.insert(8, cursor)
        phase("counting queries in-process")
        counts = count_queries(app, call_list)
        say(
            f"  {'role':<14}{'page or call':<38}{'status':>6}{'queries':>8}"
            f"{'p50 ms':>9}{'p95 ms':>9}{'req/s':>8}{'x hello':>9}{'KB':>8}  verdict"
        )
        measures = []
        for c in call_list:
            status, durations, wall, size = time_calls(
                browsers[c.role], c.path, c.api, settings.requests, settings.warmup
            )
            m = Measure(c.role, c.label, c.path, status, counts.get((c.role, c.path)))
            m.p50_ms = round(percentile(durations, 0.5) * 1e3, 1)
            m.p95_ms = round(percentile(durations, 0.95) * 1e3, 1)
            m.rps = round(settings.requests / wall, 1)
            m.share = round(m.rps / hello_rps, 4)
            m.bytes = size
            problems = []
            if status not in c.expected:
                problems.append(f"status {status}")
            elif status != 200:
                problems.append(
                    f"{status} as designed (offset cap; see the cursor row)"
                )
            if m.p95_ms > P95_TARGET_MS:
                problems.append("p95 > 150 ms")
            if c.dashboard and c.role == "admin" and m.share < DASHBOARD_SHARE_TARGET:
                problems.append("< 25% of hello")
            m.verdict = "; ".join(problems) or "ok"
            measures.append(m)
            say(
                f"  {c.role:<14}{c.label[:37]:<38}{status:>6}"
                f"{'' if m.queries is None else m.queries:>8}{m.p50_ms:>9.1f}"
                f"{m.p95_ms:>9.1f}{m.rps:>8.1f}{m.share:>8.1%} {size / 1024:>8.0f}"
                f"  {m.verdict}"
            )
        result["calls"] = [asdict(m) for m in measures]

        phase("monthly report against its floor")
        try:
            floor = report_against_floor(app, fx, 3 if settings.quick else 7)
        except Exception as exc:  # noqa: BLE001 - report it, measure the rest
            floor = {"note": f"failed: {exc!r}"[:300]}
        result["monthly_floor"] = floor
        if "ratio" in floor:
            say(
                f"  monthly report {fx.month}: {floor['report_ms']} ms, raw-SQL floor "
                f"{floor['floor_ms']} ms, {floor['ratio']}x ({floor['verdict']})"
            )
        else:
            say(f"  monthly report vs floor: {floor['note']}")

        phase("exports")
        exports = []
        for label, path in EXPORTS if settings.exports else ():
            e = measure_export(settings, browsers["admin"], server, env, label, path)
            exports.append(e)
            job = e.get("job")
            extra = ""
            if job:
                extra = (
                    f"; job run {job.get('seconds')} s, peak RSS "
                    f"{job.get('peak_rss_mb')} MB"
                )
            say(
                f"  {label}: {e['how']}, status {e['status']}, {e['seconds']} s, "
                f"{e['bytes'] / 2**20:.1f} MB, worker peak RSS {e['peak_rss_mb']} MB"
                f"{extra} ({e['verdict']})"
            )
        result["exports"] = exports

        pairs = zip(measures, call_list, strict=True)
        readable = [c for m, c in pairs if m.status == 200]
        phase("the mix")
        mix = run_mix(settings, base, readable, fx)
        result["mix"] = mix
        say(
            f"  mix: {mix['clients']} clients, {mix['seconds']} s: {mix['rps']} req/s, "
            f"p50 {mix['p50_ms']} ms, p95 {mix['p95_ms']} ms, {mix['errors']} errors, "
            f"{mix['writes']} writes ({mix['verdict']})"
        )
        for sample in mix["error_samples"]:
            say(f"    error: {sample}")
    finally:
        servers.stop_all()
        with app.app_context():
            from incubator.extensions import db

            db.engine.dispose()
    return result


# --------------------------------------------------------------------- results


def machine() -> dict[str, Any]:
    return {
        "cores": os.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "cpu": platform.processor() or platform.machine(),
        "system": platform.platform(),
        "python": platform.python_version(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def commit() -> str:
    try:
        sha = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],  # noqa: S607
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return sha + ("+changes" if dirty else "")


def markdown(doc: dict) -> str:
    m = doc["machine"]
    lines = [
        "# Benchmark results (`make bench`)",
        "",
        f"Run {doc['date']} at commit `{doc['commit']}` on {m['cores']} cores, "
        f"{m['memory_gb']} GB ({m['system']}, Python {m['python']}); load average "
        f"at the start {m['load_average']}. Gunicorn: `{doc['gunicorn']}`. "
        f"{doc['requests_per_call']} sequential requests per call after a warm-up, "
        "one client; queries counted in-process once per call. Targets (issue 18): "
        "p95 ≤ 150 ms, the admin dashboard ≥ 25% of hello world's req/s, the monthly "
        "report ≤ 2× its raw-SQL floor, exports' peak RSS ≤ 300 MB, the 20-client "
        "mix p95 ≤ 500 ms with no errors. Total run time "
        f"{doc['total_seconds']:.0f} s.",
        "",
    ]
    for note in doc.get("notes", []):
        lines += [f"- {note}"]
    for run in doc["runs"]:
        lines += [
            "",
            f"## {run['engine']}, scale {scale_name(run['scale'])}",
            "",
            f"Database {run['database']} (migration {run['migration_head']}); "
            f"hello world {run['hello_rps']} req/s.",
            "",
            "| role | page or call | status | queries | p50 ms | p95 ms | req/s "
            "| × hello | KB | verdict |",
            "|---|---|---|---|---|---|---|---|---|---|",
        ]
        for c in run["calls"]:
            lines.append(
                f"| {c['role']} | {c['label']} | {c['status']} | "
                f"{'' if c['queries'] is None else c['queries']} | {c['p50_ms']} | "
                f"{c['p95_ms']} | {c['rps']} | {c['share']:.1%} | "
                f"{c['bytes'] / 1024:.0f} | {c['verdict']} |"
            )
        f = run["monthly_floor"]
        lines.append("")
        if "ratio" in f:
            lines.append(
                f"Monthly report {f['month']} (every community, with the per-community "
                f"rows): {f['report_ms']} ms against a raw-SQL floor of "
                f"{f['floor_ms']} ms: {f['ratio']}× ({f['verdict']})."
            )
        else:
            lines.append(f"Monthly report against its floor: {f['note']}.")
        lines += [
            "",
            "| export | how | status | s | MB | peak RSS MB | verdict |",
            "|---|---|---|---|---|---|---|",
        ]
        for e in run["exports"]:
            peak = e["peak_rss_mb"]
            how = e["how"]
            if "job" in e:
                job = e["job"]
                how += f" (job run {job.get('seconds')} s)"
                peak = f"{peak} (job {job.get('peak_rss_mb')})"
            lines.append(
                f"| {e['export']} | {how} | {e['status']} | {e['seconds']} | "
                f"{e['bytes'] / 2**20:.1f} | {peak} | {e['verdict']} |"
            )
        x = run["mix"]
        lines += [
            "",
            f"Mix: {x['clients']} clients for {x['seconds']} s (reads of the pages "
            f"above per role, leaders logging activities): {x['rps']} req/s, p50 "
            f"{x['p50_ms']} ms, p95 {x['p95_ms']} ms, {x['errors']} errors, "
            f"{x['writes']} writes ({x['verdict']}).",
        ]
    return "\n".join(lines) + "\n"


def write_results(
    settings: Settings, notes: list[str], runs: list[dict], total: float
) -> None:
    doc = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit(),
        "machine": machine(),
        "gunicorn": " ".join(settings.gunicorn_args),
        "requests_per_call": settings.requests,
        "total_seconds": round(total, 1),
        "notes": notes,
        "runs": runs,
    }
    settings.results.mkdir(parents=True, exist_ok=True)
    (settings.results / "bench-results.json").write_text(
        json.dumps(doc, indent=1, ensure_ascii=False, default=str) + "\n"
    )
    (settings.results / "bench-results.md").write_text(markdown(doc))


def main() -> int:
    settings = Settings.from_env()
    started = time.monotonic()
    logging.getLogger().setLevel(logging.WARNING)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    settings.instance.mkdir(parents=True, exist_ok=True)
    chosen = (os.environ.get("BENCH_ENGINES") or "sqlite postgresql").split()
    engines = ["sqlite"] if "sqlite" in chosen else []
    notes = []
    settings_pg: list[float] = []
    if settings.server_url and "postgresql" in chosen:
        engines.append("postgresql")
        pg_scales = os.environ.get("BENCH_POSTGRES_SCALES")
        if pg_scales:
            settings_pg = [float(s) for s in pg_scales.split()]
        else:
            settings_pg = settings.scales
    else:
        notes.append("PostgreSQL skipped: BENCH_DATABASE_URL is not set.")
        say("PostgreSQL is skipped: set BENCH_DATABASE_URL to a server URL to run it.")
    if not has_district_command():
        notes.append("`demo district` is absent: measured on `demo seed`.")
    notes.append(
        "The machine may be shared with other work: compare a page with hello "
        "world of the same run rather than across runs."
    )
    servers = Servers(settings)
    runs = []
    try:
        for engine in engines:
            scales = settings_pg if engine == "postgresql" else settings.scales
            for scale in scales:
                runs.append(run_one(settings, servers, engine, scale))
                # Written after each run, so a long run interrupted keeps the rest.
                write_results(settings, notes, runs, time.monotonic() - started)
    except KeyboardInterrupt:
        say("interrupted: servers stopped")
        return 130
    finally:
        servers.stop_all()
    total = time.monotonic() - started
    write_results(settings, notes, runs, total)
    say(f"\nresults: {settings.results / 'bench-results.md'} (and .json)")
    say(f"total run time {total:.0f} s")
    failed = any(
        c["verdict"].startswith("status ") for run in runs for c in run["calls"]
    ) or any(run["mix"]["errors"] for run in runs)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
