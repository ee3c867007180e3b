"""Database plumbing shared by every feature: UTC timestamps, SQLite pragmas and the
rules that keep concurrent requests from failing each other.

SQLite is the embedded default. It is made safe for several web workers by WAL,
``busy_timeout``, enforced foreign keys and write transactions that take the write lock
when they begin (``BEGIN IMMEDIATE``), so two workers never both read, then both try to
upgrade to a write and one fails with "database is locked".

Three rules follow (they hold on PostgreSQL too, where they cost nothing):

- A read request (GET, HEAD, OPTIONS) reads in a deferred transaction and never
  writes in it: in WAL a deferred transaction that has read cannot become a write
  once another connection has committed (``SQLITE_BUSY_SNAPSHOT``, which
  ``busy_timeout`` does not retry). What a read request must write (the audit of a
  reveal or export, a session's last activity) goes through ``write_apart()``: a
  short transaction of its own that begins with the write lock. A write statement
  in a read transaction is refused while testing (``STRICT_READ_TRANSACTIONS``) and
  logged otherwise, so a new one is found by the suite, not by users.
- A write request's first transaction is its unit of work. Once it has committed,
  later transactions of the request only build the answer (reloading expired
  attributes, rendering), so they begin deferred and never wait for the write lock:
  a saved change is never answered 500 because another writer held the lock.
- ``immediate()`` forces the write lock for code that deliberately writes again.
"""

import logging
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from sqlalchemy import CursorResult, DateTime, Result, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeDecorator

from incubator.extensions import db

logger = logging.getLogger(__name__)

# How long a write waits for SQLite's write lock before failing. With 64 busy
# clients on two shared cores, 5 s was passed (logins hash passwords inside their
# write transaction); a wait is better than an error.
SQLITE_BUSY_TIMEOUT_MS = 30_000
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
WRITE_STATEMENTS = ("INSERT", "UPDATE", "DELETE", "REPLACE")
_force_immediate: ContextVar[bool] = ContextVar("force_immediate", default=False)
_force_read: ContextVar[bool] = ContextVar("force_read", default=False)
# Set on the request's ``g`` once a transaction of a write request committed.
_COMMITTED = "_unit_of_work_committed"
# ``connection.info`` key: the transaction open on it was begun as a read.
_READ_TRANSACTION = "incubator_read_transaction"
# ``connection.info`` key: this connection holds its process's SQLite write gate.
_HOLDS_GATE = "incubator_holds_write_gate"


class WriteInReadTransaction(RuntimeError):
    """A write statement ran in a transaction begun for reading (see the module
    docstring); raised only when ``STRICT_READ_TRANSACTIONS`` is on."""


@contextmanager
def immediate() -> Iterator[None]:
    """Begin the transactions opened inside as write transactions (``BEGIN
    IMMEDIATE`` on SQLite), whatever the request."""
    token = _force_immediate.set(True)
    try:
        yield
    finally:
        _force_immediate.reset(token)


@contextmanager
def reading() -> Iterator[None]:
    """Begin the transactions opened inside as reads (deferred on SQLite), also
    outside a request: a job that reads for minutes (a background export) must
    not hold the write lock meanwhile. What it writes inside goes through
    ``write_apart``; ``immediate()`` still wins."""
    token = _force_read.set(True)
    try:
        yield
    finally:
        _force_read.reset(token)


@contextmanager
def write_apart() -> Iterator[Session]:
    """A short write transaction of its own, on a connection of its own, committed
    when the block ends (rolled back if it raises).

    For what a read request must write (an audit entry, a session's last activity):
    it never touches the request's session or its read transaction, and it begins
    with the write lock, so it waits its turn instead of failing. It needs a second
    pooled connection while the request holds one: keep the pool (``DB_POOL_SIZE``
    + ``DB_MAX_OVERFLOW``) above the threads per worker. Errors: the database's own
    (``sqlalchemy.exc.OperationalError`` when the lock is not had within
    ``busy_timeout``), after rolling back.
    """
    with immediate(), Session(db.engine, expire_on_commit=False) as session:
        with session.begin():
            yield session


def in_unit_of_work() -> bool:
    """Whether the request's session (or the CLI's, a job's) is in a write
    transaction whose changes its caller will commit: false in a read request and
    after a write request's unit of work committed."""
    return _begins_immediately()


def end_unit_of_work() -> None:
    """Mark the request's unit of work as over (rolled back after an error): what
    the request still reads, e.g. to render its error page, begins as a read and
    never waits for the write lock that another process may be holding."""
    from flask import g, has_request_context

    if has_request_context():
        setattr(g, _COMMITTED, True)


def _begins_immediately() -> bool:
    from flask import g, has_request_context, request

    if _force_immediate.get():
        return True
    if _force_read.get():
        return False
    if not has_request_context():
        return True  # the CLI, jobs, tests' own sessions
    if request.method in READ_METHODS:
        return False
    return not g.get(_COMMITTED, False)


def utcnow() -> datetime:
    return datetime.now(UTC)


def rowcount(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE matched. ``Session.execute`` is typed as
    returning a ``Result``; for these statements it is a ``CursorResult``, which
    counts them."""
    return cast(CursorResult[Any], result).rowcount


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always handed back timezone-aware.

    SQLite keeps no offset, PostgreSQL keeps ``timestamptz``; both come back as aware
    UTC datetimes. A naive datetime is refused: it is a bug to guess its zone.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def install_sqlite_pragmas(engine: Engine) -> None:
    """Turn on WAL, busy_timeout, foreign keys and ``BEGIN IMMEDIATE`` for SQLite.

    Write transactions (any request but GET/HEAD/OPTIONS until its unit of work
    committed, the CLI, jobs, and code inside ``immediate()``) take the write lock
    when they begin, so two workers never both read and then fail to upgrade to a
    write (see PITFALLS.md). Reads begin deferred and, in WAL mode, never block or
    wait for writers.

    Within one process, write transactions also queue on a lock of the engine's
    before asking SQLite for its lock. SQLite's busy handler polls with sleeps of up
    to 100 ms, so among dozens of threads some lose turn after turn: under
    ``make loadtest`` (4 workers x 16 threads, 64 clients, two shared cores) the
    longest request took 25 s without the queue, near the 30 s limit, and 5.5 s
    with it. Queued threads are woken as soon as the lock is free, and only one per
    process polls SQLite (one per gunicorn worker).
    """
    if engine.dialect.name != "sqlite":
        return
    path = engine.url.database
    if path and path != ":memory:" and not path.startswith("file:"):
        # The default database lives in instance/, which a fresh clone lacks.
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        # It holds residents' personal data: a database file made here is the
        # owner's only (SQLite gives its -wal and -shm files the same mode).
        with suppress(FileExistsError):
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    gate = threading.Lock()

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy's "begin" event issue BEGIN itself.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "close")
    def _on_close(dbapi_connection, _record):
        # Let SQLite refresh the statistics of the tables this connection's
        # queries leaned on, if they changed much (issue 18; cheap, and a no-op
        # when nothing is to be done).
        with suppress(sqlite3.Error):
            # Never wait for a writer: skipped this time, done at a later close.
            dbapi_connection.execute("PRAGMA busy_timeout = 0")
            dbapi_connection.execute("PRAGMA analysis_limit=1000")
            dbapi_connection.execute("PRAGMA optimize")

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        if not _begins_immediately():
            connection.exec_driver_sql("BEGIN")
            return
        info = connection.info
        if not info.get(_HOLDS_GATE):
            if not gate.acquire(timeout=SQLITE_BUSY_TIMEOUT_MS / 1000):
                raise OperationalError(
                    "BEGIN IMMEDIATE",
                    None,
                    sqlite3.OperationalError("database is locked"),
                )
            info[_HOLDS_GATE] = True
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            _release(info)
            raise

    def _release(info) -> None:
        if info.pop(_HOLDS_GATE, False):
            gate.release()

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def _on_end(connection):
        _release(connection.info)

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection, record):
        _release(record.info)

    @event.listens_for(engine, "invalidate")
    def _on_invalidate(_dbapi_connection, record, _exception):
        _release(record.info)

    def _fresh_gate_in_child() -> None:
        nonlocal gate
        gate = threading.Lock()

    os.register_at_fork(after_in_child=_fresh_gate_in_child)


def install_transaction_rules(engine: Engine) -> None:
    """Watch the rules of the module docstring on every backend: note which
    transactions are reads, refuse (or log) a write statement in one, and mark the
    request's unit of work committed."""

    @event.listens_for(engine, "begin")
    def _note_kind(connection):
        connection.info[_READ_TRANSACTION] = not _begins_immediately()

    def _ended(connection):
        connection.info.pop(_READ_TRANSACTION, None)

    @event.listens_for(engine, "commit")
    def _committed(connection):
        from flask import g, has_request_context

        if has_request_context() and not connection.info.get(_READ_TRANSACTION):
            setattr(g, _COMMITTED, True)
        _ended(connection)

    event.listen(engine, "rollback", _ended)

    @event.listens_for(engine, "before_cursor_execute")
    def _check_write(conn, cursor, statement, parameters, context, executemany):
        if not conn.info.get(_READ_TRANSACTION):
            return
        head = statement.lstrip()[:8].upper()
        if not head.startswith(WRITE_STATEMENTS):
            return
        from flask import current_app, has_app_context, has_request_context, request

        where = f"{request.method} {request.path}" if has_request_context() else "?"
        message = f"write in a read transaction ({where}): {statement[:80]}"
        if has_app_context() and current_app.config.get("STRICT_READ_TRANSACTIONS"):
            raise WriteInReadTransaction(message)
        logger.error(message)


def engine_options(config) -> dict:
    """``SQLALCHEMY_ENGINE_OPTIONS`` with the pool sized for threaded workers.

    A read request that audits holds two connections at once (its own and
    ``write_apart``'s), so each worker's pool must exceed its threads or threads can
    wait on each other until the pool times out. PostgreSQL: ``DB_POOL_SIZE`` +
    ``DB_MAX_OVERFLOW`` per worker (default 5 + 15 = 20, enough for 16 threads;
    4 workers use at most 80 of the server's default ``max_connections`` 100).
    SQLite has no connection limit: its overflow is unbounded. Options the
    configuration already sets win.
    """
    from sqlalchemy.engine import make_url

    options = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    url = make_url(config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite":
        if url.database in (None, "", ":memory:") or url.database.startswith("file:"):
            return options  # one shared in-memory connection (StaticPool)
        options.setdefault("pool_size", config.get("DB_POOL_SIZE", 5))
        options.setdefault("max_overflow", -1)
    else:
        options.setdefault("pool_size", config.get("DB_POOL_SIZE", 5))
        options.setdefault("max_overflow", config.get("DB_MAX_OVERFLOW", 15))
    return options


def dispose_after_fork(engine: Engine) -> None:
    """Drop pooled connections inherited by a forked process (gunicorn
    ``--preload``), so a worker never shares a connection with its parent or
    siblings; the parent's connections are left open for the parent."""
    import weakref

    ref = weakref.ref(engine)

    def _in_child() -> None:
        engine = ref()
        if engine is not None:
            engine.dispose(close=False)

    os.register_at_fork(after_in_child=_in_child)


def render_migration_item(type_, obj, autogen_context):
    """Write our column types into migrations as plain SQLAlchemy types, so a
    migration never imports the application."""
    if type_ == "type" and isinstance(obj, TypeDecorator):
        return f"sa.{obj.impl!r}"
    return False


def serialize_on(key: str) -> None:
    """Make concurrent transactions that touch ``key`` (e.g. one volunteer's day of
    hours) run one after the other until the current transaction ends.

    PostgreSQL: a transaction-scoped advisory lock. SQLite: nothing to do, since
    write transactions already begin with the write lock (BEGIN IMMEDIATE).
    """
    from sqlalchemy import text

    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(
            text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": key}
        )
