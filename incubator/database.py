"""Database plumbing shared by every feature: UTC timestamps and SQLite pragmas.

SQLite is the embedded default. It is made safe for several web workers by WAL,
``busy_timeout``, enforced foreign keys and write transactions that take the write lock
when they begin (``BEGIN IMMEDIATE``), so two workers never both read, then both try to
upgrade to a write and one fails with "database is locked".
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import DateTime, event
from sqlalchemy.engine import Engine
from sqlalchemy.types import TypeDecorator

SQLITE_BUSY_TIMEOUT_MS = 5000
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_force_immediate: ContextVar[bool] = ContextVar("force_immediate", default=False)


@contextmanager
def immediate() -> Iterator[None]:
    """Begin SQLite transactions opened inside as write transactions, even during a
    GET request (e.g. to record when a session was last seen)."""
    token = _force_immediate.set(True)
    try:
        yield
    finally:
        _force_immediate.reset(token)


def _begins_immediately() -> bool:
    from flask import has_request_context, request

    if _force_immediate.get():
        return True
    return not (has_request_context() and request.method in READ_METHODS)


def utcnow() -> datetime:
    return datetime.now(UTC)


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

    Write transactions (any request but GET/HEAD/OPTIONS, the CLI, jobs, and code
    inside ``immediate()``) take the write lock when they begin, so two workers
    never both read and then fail to upgrade to a write (see PITFALLS.md). Reads
    begin deferred and, in WAL mode, never block or wait for writers.
    """
    if engine.dialect.name != "sqlite":
        return
    path = engine.url.database
    if path and path != ":memory:" and not path.startswith("file:"):
        # The default database lives in instance/, which a fresh clone lacks.
        Path(path).parent.mkdir(parents=True, exist_ok=True)

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

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql(
            "BEGIN IMMEDIATE" if _begins_immediately() else "BEGIN"
        )


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

    from incubator.extensions import db

    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(
            text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": key}
        )
