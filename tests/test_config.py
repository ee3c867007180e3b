import pytest
from sqlalchemy import event, text

from config import Config, ProductionConfig, TestingConfig
from incubator import create_app
from incubator.extensions import db


def test_production_refuses_to_start_without_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(ProductionConfig)


def test_production_starts_with_secret_key_and_secure_cookies(
    monkeypatch, database_url
):
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    app = create_app(ProductionConfig, SQLALCHEMY_DATABASE_URI=database_url)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SECRET_KEY"] == "x" * 40


def test_default_database_is_sqlite_under_instance(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    import importlib

    import config

    reloaded = importlib.reload(config)
    try:
        uri = reloaded.Config.SQLALCHEMY_DATABASE_URI
        assert uri.startswith("sqlite:///") and "/instance/" in uri
        assert reloaded.Config.TIMEZONE == "Asia/Shanghai"
    finally:
        importlib.reload(config)


def test_session_settings(app):
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["SESSION_PROTECTION"] == "basic"
    assert app.config["PERMANENT_SESSION_LIFETIME"].days == 14


@pytest.fixture
def sqlite_engine(tmp_path):
    """An app on a SQLite file, whatever backend the rest of the suite uses."""
    app = create_app(
        TestingConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/x.db"
    )
    with app.app_context():
        yield db.engine
        db.engine.dispose()


def test_sqlite_connections_are_configured(sqlite_engine):
    with sqlite_engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 30_000


def test_sqlite_reads_in_get_requests_begin_deferred(tmp_path):
    """On SQLite (whatever the suite's backend), a GET reads in a deferred
    transaction and a POST writes in an immediate one."""
    from incubator.auth.services import create_user

    app = create_app(
        TestingConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/rw.db"
    )
    seen = []

    def before(conn, cursor, statement, *args):
        if statement.startswith("BEGIN"):
            seen.append(statement)

    with app.app_context():
        db.create_all()
        create_user(
            "rwadmin", name="a", role="admin", password="rw-pass-2026", actor=None
        )
        db.session.commit()
        db.session.remove()
        client = app.test_client()
        event.listen(db.engine, "before_cursor_execute", before)
    client.post("/login", data={"username": "rwadmin", "password": "rw-pass-2026"})
    seen.clear()
    client.get("/admin/users")
    gets = list(seen)
    seen.clear()
    client.post("/admin/users/new", data={})
    posts = list(seen)
    with app.app_context():
        event.remove(db.engine, "before_cursor_execute", before)
        db.engine.dispose()
    assert gets and set(gets) == {"BEGIN"}
    assert posts and set(posts) == {"BEGIN IMMEDIATE"}


def test_sqlite_transactions_begin_immediately(sqlite_engine):
    statements = []

    def before(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(sqlite_engine, "before_cursor_execute", before)
    try:
        with sqlite_engine.begin() as conn:
            conn.execute(text("SELECT 1"))
    finally:
        event.remove(sqlite_engine, "before_cursor_execute", before)
    assert statements[0] == "BEGIN IMMEDIATE"


def test_sqlite_concurrent_writers_do_not_fail(sqlite_engine):
    """Two connections that both read then write: with BEGIN IMMEDIATE the second
    waits for the first instead of failing with "database is locked"."""
    import threading

    with sqlite_engine.begin() as conn:
        conn.execute(text("CREATE TABLE counter (n INTEGER)"))
        conn.execute(text("INSERT INTO counter VALUES (0)"))
    errors = []

    def bump():
        try:
            for _ in range(25):
                with sqlite_engine.begin() as conn:
                    n = conn.execute(text("SELECT n FROM counter")).scalar()
                    conn.execute(text("UPDATE counter SET n = :n"), {"n": n + 1})
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=bump) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with sqlite_engine.connect() as conn:
        assert conn.execute(text("SELECT n FROM counter")).scalar() == 100


def test_the_sqlite_folder_is_created_on_a_fresh_clone(tmp_path):
    target = tmp_path / "instance" / "fresh.sqlite3"
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{target}")
    with app.app_context():
        with db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        db.engine.dispose()
    assert target.exists()


def test_worker_pools_fit_threads_and_the_postgres_limit():
    """A GET that audits holds two connections, so a worker's pool must exceed
    its 16 threads; 4 workers must stay under PostgreSQL's 100 connections."""
    from incubator.database import engine_options

    pg = engine_options(
        {**vars(Config), "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://u@h/db"}
    )
    assert 16 < pg["pool_size"] + pg["max_overflow"]
    assert 4 * (pg["pool_size"] + pg["max_overflow"]) < 100
    assert pg["pool_pre_ping"] is True
    lite = engine_options(
        {**vars(Config), "SQLALCHEMY_DATABASE_URI": "sqlite:////tmp/x.sqlite3"}
    )
    assert lite["max_overflow"] == -1  # no server limit to respect
    memory = engine_options({**vars(Config), "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert "pool_size" not in memory  # one shared connection (StaticPool)


def test_a_sqlite_database_the_app_creates_is_the_owners_only(tmp_path):
    """It holds residents' personal data (so do its WAL files)."""
    from sqlalchemy import text

    from config import TestingConfig
    from incubator import create_app
    from incubator.extensions import db

    path = tmp_path / "instance" / "new.sqlite3"
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}")
    with app.app_context():
        with db.engine.begin() as conn:
            conn.execute(text("CREATE TABLE t (x INTEGER)"))
        for made in tmp_path.glob("instance/new.sqlite3*"):
            assert made.stat().st_mode & 0o077 == 0, made
        db.engine.dispose()
