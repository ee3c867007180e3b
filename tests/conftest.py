"""Fixtures shared by the whole suite.

The backend is SQLite unless ``TEST_DATABASE_URL`` names a PostgreSQL server: then a
database with a unique name is created for this run and dropped at the end. Each test
gets a fresh ``app`` whose tables are emptied afterwards.

Requests made with ``client`` run in their own app context (as in production), so a
view never sees objects the test holds in its session; before each request the test's
own transaction is committed, so the request sees what the test set up.
"""

from __future__ import annotations

import contextvars
import itertools
import os
import threading
import uuid
from contextlib import contextmanager
from datetime import UTC, date, datetime

import pytest
import time_machine
from flask import has_app_context
from flask.testing import FlaskClient
from sqlalchemy import event, select, text
from sqlalchemy.engine import make_url
from werkzeug.serving import make_server

from config import TestingConfig
from incubator import create_app
from incubator.activities import services as activity_services
from incubator.activities.schemas import ActivityLog
from incubator.auth import services as user_services
from incubator.auth.models import User
from incubator.community.models import Community, Compound
from incubator.demo.seed import seed_demo
from incubator.extensions import db as _db
from incubator.forms import form_input
from incubator.i18n import local_today
from incubator.organizations import services as org_services
from incubator.organizations.models import Organization
from incubator.organizations.schemas import OrganizationRegistration
from incubator.volunteers import services as volunteer_services
from incubator.volunteers.schemas import RosterRegistration, VolunteerRegistration
from tests.browser_support import CHROMIUM, FLAGS, _require_browser
from tests.databases import temporary_postgres_database

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "").strip()
DEFAULT_PASSWORD = "correct-horse-9"


def pytest_configure(config):
    config.addinivalue_line("markers", "config(**settings): app config overrides")
    _compile_catalogues()


def _compile_catalogues() -> None:
    """Compile the .po files, so the suite never runs on a stale .mo."""
    from pathlib import Path

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    root = Path(__file__).resolve().parent.parent / "incubator" / "translations"
    for po in root.glob("*/LC_MESSAGES/messages.po"):
        with po.open("rb") as handle:
            catalogue = read_po(handle)
        with po.with_suffix(".mo").open("wb") as handle:
            write_mo(handle, catalogue)


def pytest_report_header(config):
    backend = (
        make_url(TEST_DATABASE_URL).get_backend_name()
        if TEST_DATABASE_URL
        else "sqlite"
    )
    return f"incubator test database backend: {backend}"


# ---- database ----


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    if not TEST_DATABASE_URL:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
        return
    with temporary_postgres_database(TEST_DATABASE_URL, "incubator_test") as url:
        yield url


@pytest.fixture(scope="session")
def postgres_server_url():
    """A server URL for tests that need their own extra database (migrations)."""
    return TEST_DATABASE_URL or None


@pytest.fixture(scope="session")
def temporary_database(tmp_path_factory):
    """A factory of empty databases of the suite's backend."""

    @contextmanager
    def make():
        if TEST_DATABASE_URL:
            with temporary_postgres_database(
                TEST_DATABASE_URL, "incubator_test"
            ) as url:
                yield url
        else:
            path = tmp_path_factory.mktemp("extra") / f"{uuid.uuid4().hex}.sqlite3"
            yield f"sqlite:///{path}"

    return make


@pytest.fixture(scope="session")
def _schema(database_url):
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=database_url)
    with app.app_context():
        _db.create_all()
        _db.engine.dispose()


def _empty_all_tables() -> None:
    tables = _db.metadata.sorted_tables
    with _db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(tables):
                conn.execute(table.delete())


# ---- app and client ----


class IsolatedClient(FlaskClient):
    """Each request runs in a fresh context, like a real one; the test's pending
    work is committed first so the request sees it (and SQLite's write lock is
    free)."""

    def open(self, *args, **kwargs):
        if has_app_context() and _db.session.registry.has():
            _db.session.commit()
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture
def app(request, database_url, _schema):
    overrides = {}
    for marker in request.node.iter_markers("config"):
        overrides = {**marker.kwargs, **overrides}
    application = create_app(
        TestingConfig, SQLALCHEMY_DATABASE_URI=database_url, **overrides
    )
    application.test_client_class = IsolatedClient
    with application.app_context():
        yield application
        _db.session.remove()
        _empty_all_tables()
        _db.engine.dispose()


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


# ---- factories ----

_counter = itertools.count(1)
_phones = itertools.count(13800000000)


@pytest.fixture
def make_user(db):
    def make(
        role: str = "social_worker",
        *,
        username: str | None = None,
        name: str | None = None,
        password: str = DEFAULT_PASSWORD,
        organizations=(),
        active: bool = True,
    ) -> User:
        username = username or f"{role.replace('_', '')}{next(_counter)}"
        user = user_services.create_user(
            username,
            name=name or username,
            role=role,
            password=password,
            organization_ids=[o.id for o in organizations],
            actor=None,
        )
        user.active = active
        db.session.commit()
        return user

    return make


@pytest.fixture
def community(db):
    """The community organizations belong to, with two compounds."""
    found = db.session.scalar(select(Community).where(Community.name == "测试社区"))
    if found is None:
        found = Community(name="测试社区", district="湖里区", city="厦门市")
        db.session.add_all(
            [
                found,
                Compound(community=found, name="甲小区", position=0),
                Compound(community=found, name="乙小区", position=1),
            ]
        )
        db.session.commit()
    return found


@pytest.fixture
def make_org(db, community):
    def make(
        name: str | None = None,
        *,
        kind: str = "culture_sports",
        leader: User | None = None,
        social_worker: User | None = None,
        **fields,
    ) -> Organization:
        if "compound_id" not in fields and "compound" not in fields:
            fields.setdefault("community_id", community.id)
        org = org_services.create_organization(
            OrganizationRegistration(
                name=name or f"测试组织{next(_counter)}",
                kind=kind,
                leader_user_id=leader.id if leader else None,
                social_worker_id=social_worker.id if social_worker else None,
                **fields,
            ),
            actor=None,
        )
        db.session.commit()
        return org

    return make


def login(client, username: str, password: str = DEFAULT_PASSWORD, **extra):
    return client.post(
        "/login",
        data={"username": username, "password": password, **extra},
        follow_redirects=False,
    )


@pytest.fixture
def login_as(client, make_user):
    """Create a user of ``role`` and log the test client in as them."""

    def do(role: str = "social_worker", **kwargs) -> User:
        user = make_user(role, **kwargs)
        response = login(
            client, user.username, kwargs.get("password", DEFAULT_PASSWORD)
        )
        assert response.status_code == 302, response.get_data(as_text=True)
        return user

    return do


@pytest.fixture
def make_volunteer(db, make_user):
    """Create a volunteer (by an admin unless ``actor``), optionally in ``org``."""
    state = {}

    def make(org=None, *, actor=None, role="member", **fields):
        if actor is None:
            if "admin" not in state:
                state["admin"] = make_user("admin")
            actor = state["admin"]
        values = {"name": "志愿者", "birth_year": 1960, "phone": str(next(_phones))}
        values.update(fields)
        volunteer = volunteer_services.create_volunteer(
            RosterRegistration(role=role, **values), actor=actor, organization=org
        )
        db.session.commit()
        return volunteer

    return make


@pytest.fixture
def sw_client(client, login_as):
    """The test client logged in as a social worker; returns (client, user)."""
    user = login_as("social_worker", name="林社工")
    return client, user


@pytest.fixture
def api_token(client, make_user):
    """Create a user of ``role`` and return the headers of a bearer token for them."""

    def do(role: str = "social_worker", **kwargs) -> dict[str, str]:
        user = make_user(role, **kwargs)
        response = client.post(
            "/api/v1/tokens",
            json={"username": user.username, "password": DEFAULT_PASSWORD},
        )
        assert response.status_code == 201, response.get_json()
        return {"Authorization": f"Bearer {response.get_json()['token']}"}

    return do


# ---- time and queries ----


@pytest.fixture
def frozen_time():
    """Time stands still at 2026-03-01 09:00 Asia/Shanghai; ``.move_to()`` and
    ``.shift()`` move it."""
    with time_machine.travel(datetime(2026, 3, 1, 1, 0, tzinfo=UTC), tick=False) as t:
        yield t


class QueryCounter:
    def __init__(self):
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)

    def __repr__(self) -> str:
        return f"<{self.count} queries>\n" + "\n".join(self.statements)


@pytest.fixture
def count_queries(db):
    """``with count_queries() as q: ...`` then ``q.count``: SQL statements run inside
    (test and requests alike), transaction control excluded."""

    @contextmanager
    def counting():
        counter = QueryCounter()

        def before(conn, cursor, statement, parameters, context, executemany):
            head = statement.lstrip().split(None, 1)[0].upper() if statement else ""
            if head not in {"BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"}:
                counter.statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", before)
        try:
            yield counter
        finally:
            event.remove(db.engine, "before_cursor_execute", before)

    return counting


@pytest.fixture
def assert_constant_queries(client, count_queries):
    """``assert_constant_queries(url, grow)``: GET ``url``, call ``grow()`` to add
    rows, GET again; the query count must not change. Returns the count."""

    def check(url: str, grow, *, headers=None, budget: int | None = None) -> int:
        def measure() -> int:
            with count_queries() as counter:
                response = client.get(url, headers=headers or {})
                assert response.status_code == 200, url
            return counter.count

        before = measure()
        grow()
        after = measure()
        assert after == before, f"{url}: {before} queries, then {after} with more rows"
        if budget is not None:
            assert after <= budget, f"{url}: {after} queries, budget {budget}"
        return after

    return check


# ---- browser and activity fixtures ----


def _buffered(app):
    """``app`` answering each request with its body read and the response closed
    before Werkzeug writes it: when a browser resets a connection, Werkzeug's dev
    server skips ``close()`` and a static file stays open (a ResourceWarning that
    fails a random test under ``filterwarnings = error``)."""

    def serve(environ, start_response):
        body = app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            if hasattr(body, "close"):
                body.close()

    return serve


@contextmanager
def serving(app):
    """``app`` on a threaded HTTP server on a free loopback port; yields its URL."""
    server = make_server("127.0.0.1", 0, _buffered(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


# the demo's rows per (database, day): seeding through the services takes ~6 s, copying
# the rows back ~0.5 s, and the browser walks each need a fresh demo
_DEMO_ROWS: dict[tuple[str, date], list[tuple[object, list[dict]]]] = {}


def seed_demo_once_a_day() -> None:
    """The demo on the (empty) test database, committed. The first call of the day
    seeds it through the services (``seed_demo``); later calls insert the same rows
    again, table by table, and move PostgreSQL's id sequences past them. Only for
    tests that need "the demo" as it is today, not for tests of the seeding itself
    or under a frozen clock (the key is today's date)."""
    key = (str(_db.engine.url), local_today())
    saved = _DEMO_ROWS.get(key)
    if saved is None:
        seed_demo()
        _db.session.commit()
        with _db.engine.connect() as conn:
            _DEMO_ROWS[key] = [
                (table, [dict(row._mapping) for row in conn.execute(table.select())])
                for table in _db.metadata.sorted_tables
            ]
        return
    _db.session.commit()
    with _db.engine.begin() as conn:
        for table, rows in saved:
            if rows:
                conn.execute(table.insert(), rows)
        if conn.dialect.name == "postgresql":
            for table, rows in saved:
                id_column = table.c.get("id")
                if rows and id_column is not None and id_column.autoincrement:
                    conn.execute(
                        text(
                            "SELECT setval(pg_get_serial_sequence(:t, 'id'), "
                            f'(SELECT max(id) FROM "{table.name}"))'
                        ),
                        {"t": table.name},
                    )
    _db.session.expire_all()


@pytest.fixture
def demo_today(app, db):
    """The demo, seeded for today (see ``seed_demo_once_a_day``)."""
    seed_demo_once_a_day()


@pytest.fixture
def live_server(app, db, demo_today):
    with serving(app) as url:
        yield url


@pytest.fixture
def browser():
    _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        launched = pw.chromium.launch(
            executable_path=CHROMIUM, args=FLAGS, headless=True
        )
        yield launched
        launched.close()


@pytest.fixture
def team(make_user, make_org, db):
    """An organization with its leader, social worker and two volunteers."""
    from incubator.volunteers import services as volunteer_services

    sw = make_user("social_worker", username="team_sw", name="林社工")
    leader = make_user("org_leader", username="team_leader", name="吴阿姨")
    org = make_org("舞蹈队", leader=leader, social_worker=sw)
    helpers = [
        volunteer_services.create_volunteer(
            VolunteerRegistration(name=name, birth_year=1960, phone=phone),
            actor=sw,
            organization=org,
        )
        for name, phone in (("王秀英", "13911110001"), ("李建国", "13911110002"))
    ]
    db.session.commit()
    return {"org": org, "sw": sw, "leader": leader, "helpers": helpers}


@pytest.fixture
def log(db):
    """Log an activity through the service (defaults fill what is not given)."""

    def do(org, actor, **values):
        fields = {
            "title": "周末排练",
            "form": "group",
            "service_type": "self_org_service",
            "target_group": "elders",
            "starts_at": datetime(2026, 2, 10, 6, 0, tzinfo=UTC),
            "ends_at": datetime(2026, 2, 10, 8, 0, tzinfo=UTC),
            "place": "活动室",
            "person_times": 20,
        }
        fields.update(values)
        fields["volunteer_hours"] = [
            {"volunteer_id": v, "hours": h}
            for v, h in fields.get("volunteer_hours", [])
        ]
        # Built as a page builds it: a refused value is a ValidationFailed on it.
        entry = form_input(ActivityLog, organization_id=org.id, **fields)
        activity = activity_services.log_activity(org, entry, actor=actor)
        db.session.commit()
        return activity

    return do


@pytest.fixture
def make_project(db):
    """A service project for 2026 with the given indicators {metric: target}."""
    from datetime import date

    from incubator.projects import services as projects

    def make(admin, indicators=None, **overrides):
        values = {
            "name": "幸福禾立方",
            "community": "测试社区",
            "year": 1,
            "kind": "single",
            "renewal": False,
            "budget": "200000",
            "starts_on": date(2026, 1, 1),
            "ends_on": date(2026, 12, 31),
        }
        values.update(overrides)
        project = projects.create_project(actor=admin, **values)
        for metric, target in (indicators or {}).items():
            projects.add_indicator(project, actor=admin, metric=metric, target=target)
        db.session.commit()
        return project

    return make
