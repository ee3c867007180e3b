"""Requests beside other writers: a GET never fails because someone else writes, its
audit of personal data is on record before the data is shown, and a saved change is
never answered with an error.

These run on a SQLite file of their own (whatever the suite's backend): the
failures they guard against are SQLite's locks. The moment of the other writer is
chosen exactly (inside the request), so each test reproduces its failure every
time on the code before the fix, in well under the lock timeout.
"""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager

import pytest
from flask import has_request_context, request
from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from config import TestingConfig
from incubator import create_app, database
from incubator.audit.models import AuditEntry
from incubator.extensions import db
from incubator.volunteers.models import Volunteer
from tests.conftest import IsolatedClient
from tests.load import workload

LOCK_WAIT_MS = 1000


@pytest.fixture
def lone(tmp_path, monkeypatch):
    """An app on its own SQLite file, seeded by the load test's seed (a social
    worker ``load_sw`` with a token, an organization, 20 volunteers)."""
    monkeypatch.setattr(database, "SQLITE_BUSY_TIMEOUT_MS", LOCK_WAIT_MS)
    path = tmp_path / "lone.sqlite3"
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}")
    app.test_client_class = IsolatedClient
    with app.app_context():
        db.create_all()
        seeded = workload.seed(app)
        db.session.remove()
        yield app, path, seeded
        db.session.remove()
        db.engine.dispose()


def _commit_elsewhere(path) -> None:
    """Another process's write, committed now."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        changed = conn.execute("UPDATE user SET name = name || '.' WHERE id = 2")
        assert changed.rowcount == 1
        conn.execute("COMMIT")
    finally:
        conn.close()


@contextmanager
def _lock_held_elsewhere(path):
    """Another process holds the write lock (BEGIN IMMEDIATE) inside the block."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        conn.execute("ROLLBACK")
        conn.close()


def _audits(action: str) -> int:
    db.session.rollback()
    return db.session.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action)
    )


def _bearer(seeded) -> dict[str, str]:
    return {"Authorization": f"Bearer {seeded.staff_token}"}


def _full_phone(volunteer_id: int) -> str:
    return db.session.get(Volunteer, volunteer_id).phone


def test_full_number_via_api_while_another_writer_commits(lone, monkeypatch):
    app, path, seeded = lone
    from incubator.volunteers import api as api_volunteers

    real = api_volunteers.log_reveal

    def reveal_after_a_commit_elsewhere(*args, **kwargs):
        # The GET has read the volunteer; another writer commits before its audit.
        _commit_elsewhere(path)
        return real(*args, **kwargs)

    monkeypatch.setattr(api_volunteers, "log_reveal", reveal_after_a_commit_elsewhere)
    volunteer_id = seeded.volunteer_ids[0]
    response = app.test_client().get(
        f"/api/v1/volunteers/{volunteer_id}", headers=_bearer(seeded)
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["phone"] == _full_phone(volunteer_id)
    assert _audits("reveal") == 1


def test_roster_export_while_another_writer_commits(lone, monkeypatch):
    app, path, seeded = lone
    from incubator.volunteers import export

    real = export.log_export

    def export_after_a_commit_elsewhere(*args, **kwargs):
        _commit_elsewhere(path)
        return real(*args, **kwargs)

    monkeypatch.setattr(export, "log_export", export_after_a_commit_elsewhere)
    client = app.test_client()
    client.post("/login", data={"username": "load_sw", "password": workload.PASSWORD})
    response = client.get("/volunteers/export.xlsx")
    assert response.status_code == 200
    assert response.data[:2] == b"PK"  # an xlsx (zip) file
    assert _audits("export") == 1


def test_no_full_number_when_its_reveal_cannot_be_recorded(lone, monkeypatch):
    app, _path, seeded = lone
    from incubator.audit import services as audit_services

    @contextmanager
    def broken():
        raise OperationalError("INSERT INTO audit_entry", {}, Exception("disk full"))
        yield

    monkeypatch.setattr(audit_services, "write_apart", broken)
    volunteer_id = seeded.volunteer_ids[0]
    response = app.test_client().get(
        f"/api/v1/volunteers/{volunteer_id}", headers=_bearer(seeded)
    )
    assert response.status_code == 500
    assert _full_phone(volunteer_id) not in response.get_data(as_text=True)
    assert _audits("reveal") == 0


@contextmanager
def _lock_taken_after_commit(path):
    """Once a POST request commits, another process takes the write lock and
    keeps it until the block ends: what the request does after its commit must
    not need the lock."""
    held = []

    def after_commit(session):
        if has_request_context() and request.method == "POST" and not held:
            conn = sqlite3.connect(path, isolation_level=None)
            conn.execute("BEGIN IMMEDIATE")
            held.append(conn)

    event.listen(Session, "after_commit", after_commit)
    try:
        yield held
    finally:
        event.remove(Session, "after_commit", after_commit)
        for conn in held:
            conn.execute("ROLLBACK")
            conn.close()


def test_volunteer_created_via_api_is_answered_while_the_lock_is_taken(lone):
    app, path, seeded = lone
    with _lock_taken_after_commit(path) as held:
        response = app.test_client().post(
            "/api/v1/volunteers",
            headers=_bearer(seeded),
            json={"name": "新志愿者", "birth_year": 1962, "phone": "13912345678"},
        )
        assert held, "the lock was taken after the commit"
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.get_json()["phone"] == "13912345678"
    assert db.session.get(Volunteer, response.get_json()["id"]) is not None


def test_volunteer_created_on_the_page_is_answered_while_the_lock_is_taken(lone):
    app, path, seeded = lone
    client = app.test_client()
    client.post("/login", data={"username": "load_sw", "password": workload.PASSWORD})
    with _lock_taken_after_commit(path) as held:
        response = client.post(
            "/volunteers/new",
            data={
                "name": "页面志愿者",
                "gender": "unknown",
                "birth_year": "1961",
                "phone": "13912345679",
                "organization_id": str(seeded.org_id),
                "role": "member",
                "status": "active",
            },
        )
        assert held, "the lock was taken after the commit"
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.rollback()
    saved = db.session.scalar(select(Volunteer).where(Volunteer.name == "页面志愿者"))
    assert response.headers["Location"].endswith(f"/volunteers/{saved.id}")


def test_a_page_is_shown_when_its_session_touch_must_wait(lone):
    """Recording a session's last activity is best effort: the page is shown even
    when the write lock is held elsewhere for longer than the wait."""
    app, path, _seeded = lone
    from datetime import timedelta

    from sqlalchemy import update

    from incubator.auth.models import UserSession

    client = app.test_client()
    client.post("/login", data={"username": "load_sw", "password": workload.PASSWORD})
    db.session.execute(
        update(UserSession).values(
            last_seen_at=database.utcnow() - timedelta(minutes=5)
        )
    )
    db.session.commit()
    with _lock_held_elsewhere(path):
        response = client.get("/volunteers")
    assert response.status_code == 200


def test_a_write_in_a_read_request_is_refused_while_testing(tmp_path, caplog):
    """Writing in a GET's own transaction is the mistake behind "database is
    locked" under load; the suite refuses it wherever it happens."""
    app = create_app(
        TestingConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/strict.db"
    )

    @app.get("/_writes_in_a_get")
    def writes_in_a_get():
        db.session.add(AuditEntry(action="x", entity_type="y"))
        db.session.flush()
        return "written"

    with app.app_context():
        db.create_all()
        response = app.test_client().get("/_writes_in_a_get")
        written = db.session.scalar(select(func.count()).select_from(AuditEntry))
        db.session.remove()
        db.engine.dispose()
    assert response.status_code == 500
    assert written == 0
    assert "write in a read transaction (GET /_writes_in_a_get)" in caplog.text


def _volunteers_named(name: str) -> int:
    db.session.rollback()
    return db.session.scalar(
        select(func.count()).select_from(Volunteer).where(Volunteer.name == name)
    )


def test_api_create_while_the_lock_is_held_past_the_wait_is_busy_not_500(lone):
    """Past the lock wait, the client is told to retry (503 + Retry-After), and
    nothing was saved, so the retry cannot make a duplicate."""
    app, path, seeded = lone
    with _lock_held_elsewhere(path):
        response = app.test_client().post(
            "/api/v1/volunteers",
            headers=_bearer(seeded),
            json={"name": "等锁志愿者", "birth_year": 1962, "phone": "13912345670"},
        )
    assert response.status_code == 503, response.get_data(as_text=True)
    assert response.headers["Retry-After"] == "5"
    assert response.get_json()["error"]["code"] == "busy"
    assert "请稍后再试" in response.get_json()["error"]["message"]
    assert _volunteers_named("等锁志愿者") == 0
    retried = app.test_client().post(
        "/api/v1/volunteers",
        headers=_bearer(seeded),
        json={"name": "等锁志愿者", "birth_year": 1962, "phone": "13912345670"},
    )
    assert retried.status_code == 201
    assert _volunteers_named("等锁志愿者") == 1


def test_page_create_while_the_lock_is_held_past_the_wait_says_try_again(lone):
    app, path, seeded = lone
    client = app.test_client()
    client.post("/login", data={"username": "load_sw", "password": workload.PASSWORD})
    with _lock_held_elsewhere(path):
        response = client.post(
            "/volunteers/new",
            data={
                "name": "等锁页面志愿者",
                "gender": "unknown",
                "birth_year": "1961",
                "phone": "13912345671",
                "organization_id": str(seeded.org_id),
                "role": "member",
                "status": "active",
            },
        )
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert "系统正忙" in response.get_data(as_text=True)
    assert _volunteers_named("等锁页面志愿者") == 0
