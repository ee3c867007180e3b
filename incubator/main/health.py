"""Probes for a load balancer and an orchestrator: ``/healthz`` (the process
answers; touches nothing) and ``/readyz`` (this server can serve: the database
answers ``SELECT 1``, its schema is at the migrations' head, the object store is
reachable).

Both answer JSON ``{"status": "ok" | "fail", "checks": {name: "ok" | message}}``,
200 or 503, without login, without a session cookie, without an audit row, and
their request log line is at DEBUG (``incubator.observability.QUIET_PATHS``).
Each check of ``/readyz`` runs in a worker thread and counts as failed after
``READY_TIMEOUT`` seconds, so a database that hangs makes the probe fail, not hang.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from functools import cache

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Blueprint, current_app, jsonify
from sqlalchemy import text
from sqlalchemy.engine import Engine

from incubator import storage
from incubator.extensions import db

logger = logging.getLogger(__name__)

bp = Blueprint("health", __name__)

# A few threads for the checks; one stuck on a hung database does not block the
# next probe's checks for long (the pool grows to its bound, then they queue).
_executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="readyz")


@cache
def migration_heads(directory: str) -> frozenset[str]:
    """The head revisions of the migration scripts in ``directory`` (read once per
    process: the scripts do not change under a running server)."""
    return frozenset(ScriptDirectory(directory).get_heads())


def check_database(engine: Engine, migrations_dir: str) -> str:
    """``"ok"`` when ``SELECT 1`` answers and the schema is at the migrations'
    head; raises ``RuntimeError`` naming the revisions otherwise (or the driver's
    error when the database is unreachable)."""
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
        current = frozenset(MigrationContext.configure(conn).get_current_heads())
        conn.rollback()
    heads = migration_heads(migrations_dir)
    if current != heads:
        raise RuntimeError(
            f"schema at {', '.join(sorted(current)) or 'no revision'}, "
            f"migrations at {', '.join(sorted(heads))}: run flask db upgrade"
        )
    return "ok"


def check_storage() -> str:
    """``"ok"`` when the upload store answers; raises when it does not."""
    # --- storage: `incubator.storage.check()` (branch i18-storage) raises when the
    # object store (or the local upload folder) is unreachable. Until that branch
    # is merged there is nothing to check and this reports "ok".
    check = getattr(storage, "check", None)
    if check is not None:
        check()
    return "ok"


def _run_checks(checks: dict[str, Callable[[], str]], timeout: float) -> dict:
    futures = {name: _executor.submit(call) for name, call in checks.items()}
    results: dict[str, str] = {}
    for name, future in futures.items():
        try:
            results[name] = future.result(timeout=timeout)
        except FutureTimeout:
            results[name] = f"no answer within {timeout:g} s"
        except Exception as exc:  # noqa: BLE001 - a failed check is the answer
            results[name] = f"{type(exc).__name__}: {exc}"[:300]
    return results


def _answer(checks: dict[str, str]):
    ok = all(value == "ok" for value in checks.values())
    response = jsonify(status="ok" if ok else "fail", checks=checks)
    response.status_code = 200 if ok else 503
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/healthz")
def healthz():
    return _answer({"process": "ok"})


@bp.get("/readyz")
def readyz():
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    engine = db.engine
    migrations_dir = str(app.extensions["migrate"].directory)

    def storage_in_context() -> str:
        with app.app_context():
            return check_storage()

    results = _run_checks(
        {
            "database": lambda: check_database(engine, migrations_dir),
            "storage": storage_in_context,
        },
        app.config["READY_TIMEOUT"],
    )
    failed = {k: v for k, v in results.items() if v != "ok"}
    if failed:
        logger.warning("not ready: %s", failed)
    return _answer(results)
