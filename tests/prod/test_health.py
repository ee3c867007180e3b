"""/healthz and /readyz: what a load balancer sees (issue 18)."""

from __future__ import annotations

import logging
import threading

import pytest
from sqlalchemy import func, select, text

from incubator import storage
from incubator.audit.models import AuditEntry
from incubator.main import health


@pytest.fixture
def at_head(app, db):
    """The suite's schema (made by create_all) stamped at the migrations' head,
    as `flask db upgrade` leaves a real one; the stamp is removed afterwards."""
    heads = health.migration_heads(str(app.extensions["migrate"].directory))
    (head,) = heads
    with db.engine.begin() as conn:
        conn.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32))"))
        conn.execute(text("INSERT INTO alembic_version VALUES (:v)"), {"v": head})
    yield head
    db.session.commit()  # the test's own transaction holds SQLite's write lock
    with db.engine.begin() as conn:
        conn.execute(text("DROP TABLE alembic_version"))


def _audit_rows(db) -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEntry))


def test_healthz_answers_without_login_cookie_or_database(client, db, count_queries):
    with count_queries() as q:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "checks": {"process": "ok"}}
    assert "Set-Cookie" not in response.headers
    assert q.count == 0


def test_readyz_ok_when_database_at_head(client, db, at_head):
    before = _audit_rows(db)
    response = client.get("/readyz")
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {
        "status": "ok",
        "checks": {"database": "ok", "storage": "ok"},
    }
    assert "Set-Cookie" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"
    assert _audit_rows(db) == before


def test_readyz_fails_when_schema_behind(client, db, at_head):
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "fail"
    assert "flask db upgrade" in body["checks"]["database"]
    assert body["checks"]["storage"] == "ok"


def test_readyz_fails_when_database_unreachable(app, client, monkeypatch):
    from incubator.extensions import db

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("connection refused")

    monkeypatch.setattr(db.engine, "connect", refuse)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert "connection refused" in response.get_json()["checks"]["database"]


@pytest.mark.config(READY_TIMEOUT=0.2)
def test_readyz_fails_in_time_when_a_check_hangs(client, at_head, monkeypatch):
    release = threading.Event()

    def hang():
        release.wait(10)

    monkeypatch.setattr(storage, "check", hang, raising=False)
    try:
        response = client.get("/readyz")
    finally:
        release.set()
    assert response.status_code == 503
    body = response.get_json()
    assert body["checks"] == {"database": "ok", "storage": "no answer within 0.2 s"}


def test_readyz_fails_when_storage_check_raises(client, at_head, monkeypatch):
    def unreachable():
        raise OSError("bucket unreachable")

    monkeypatch.setattr(storage, "check", unreachable, raising=False)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["storage"] == "OSError: bucket unreachable"


def test_probes_are_not_logged_at_info(client, at_head, caplog):
    caplog.set_level(logging.INFO, logger="incubator.request")
    client.get("/healthz")
    client.get("/readyz")
    assert [r for r in caplog.records if r.name == "incubator.request"] == []
    client.get("/login")
    lines = [r.getMessage() for r in caplog.records if r.name == "incubator.request"]
    assert [line.split()[:3] for line in lines] == [["GET", "/login", "200"]]
