"""One unit of work per request, CLI command and job: committed once after the view
returns, before the answer leaves; rolled back on a domain error or an error
answer; a commit that fails is answered 409 or 503, never 200."""

from __future__ import annotations

import ast
import sqlite3
from pathlib import Path

import pytest
from flask import has_request_context
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, OperationalError

from incubator.errors import RuleViolation
from incubator.extensions import db as _db
from incubator.organizations import services as org_services
from incubator.organizations.models import Organization

PACKAGE = Path(__file__).resolve().parent.parent / "incubator"

# The only module that calls ``db.session.commit()``.
COMMITS_ALLOWED = {"incubator/transaction.py"}

# Who may commit midway on purpose (``transaction.commit_now``), and why.
COMMIT_NOW_ALLOWED = {
    "incubator/transaction.py": "roll_back keeps what a refused change asks to keep",
    "incubator/auth/views.py": "a refused login still counts toward the throttle",
    "incubator/api/auth.py": "a refused token request still counts toward the throttle",
    "incubator/signins/public.py": "a refused public sign-in still counts toward "
    "the page's throttle",
    "incubator/reminders/views.py": "the monthly job run from a page, then its audit "
    "entry: two units of work in one request",
    "incubator/reminders/jobs.py": "the outbox is committed before anything is sent; "
    "a job's run record outlives the job's failure",
    "incubator/reminders/outbox.py": "each delivery's claim and outcome is its own "
    "unit of work: nothing held open while a message is on the wire",
    "incubator/demo/district/generate.py": "the district data set commits each "
    "step of hundreds of thousands of rows (memory stays bounded), and ANALYZE "
    "runs after the last",
    "incubator/reminders/exports.py": "each export job's claim, outcome and expiry "
    "is its own unit of work: other schedulers see the claim before the file is "
    "written, and one export's failure does not undo another's",
}


def _calls(name: str) -> dict[str, list[int]]:
    """``{module: [line, ...]}`` of calls to ``...name(...)`` in the package."""
    found: dict[str, list[int]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func_ = node.func
            called = (
                ast.unparse(func_)
                if isinstance(func_, ast.Attribute | ast.Name)
                else ""
            )
            if called == name or called.endswith("." + name):
                module = str(path.relative_to(PACKAGE.parent))
                found.setdefault(module, []).append(node.lineno)
    return found


def test_nothing_commits_outside_the_transaction_module():
    commits = {
        module: lines
        for module, lines in _calls("session.commit").items()
        if module not in COMMITS_ALLOWED
    }
    assert commits == {}, "commit through incubator.transaction, once per unit of work"


def test_deliberate_commits_are_the_listed_ones():
    unexpected = {
        module: lines
        for module, lines in _calls("commit_now").items()
        if module not in COMMIT_NOW_ALLOWED
    }
    assert unexpected == {}, "a new midway commit needs a reason in this list"
    services = [m for m in _calls("commit_now") if m.endswith("services.py")]
    assert services == []


def _org_count() -> int:
    return _db.session.scalar(select(func.count()).select_from(Organization))


def _create_then_refuse(monkeypatch) -> None:
    real = org_services.create_organization

    def create_then_refuse(*args, **kwargs):
        real(*args, **kwargs)
        _db.session.flush()  # the row is written in the transaction...
        raise RuleViolation("refused after the write")  # ...then refused

    monkeypatch.setattr(org_services, "create_organization", create_then_refuse)


def _org_body(community):
    return {"name": "新成立的队伍", "kind": "charity"}


def _write_org(community_id: int, name: str) -> None:
    _db.session.add(
        Organization(
            name=name, name_key=name, kind="charity", community_id=community_id
        )
    )
    _db.session.flush()


def test_api_domain_error_after_a_write_leaves_nothing(
    client, api_token, community, monkeypatch, db
):
    headers = api_token("social_worker")
    before = _org_count()
    _create_then_refuse(monkeypatch)
    response = client.post(
        "/api/v1/organizations", json=_org_body(community), headers=headers
    )
    assert response.status_code == 409
    assert response.get_json()["error"]["message"] == "refused after the write"
    db.session.remove()
    assert _org_count() == before


def test_page_domain_error_after_a_write_leaves_nothing(app, client, community, db):
    community_id = community.id

    def write_then_refuse():
        _write_org(community_id, "写了又拒")
        raise RuleViolation("页面拒绝了")

    app.add_url_rule("/_test/refuse", "refuse", write_then_refuse, methods=["POST"])
    before = _org_count()
    response = client.post("/_test/refuse")
    assert response.status_code == 409
    assert "页面拒绝了" in response.get_data(as_text=True)
    db.session.remove()
    assert _org_count() == before


def test_a_successful_write_is_committed_before_the_answer(
    app, client, api_token, community, db
):
    headers = api_token("social_worker")
    response = client.post(
        "/api/v1/organizations", json=_org_body(community), headers=headers
    )
    assert response.status_code == 201, response.get_json()
    # Another session (not the request's) sees the row: it was committed.
    with _db.engine.connect() as other:
        names = other.execute(select(Organization.name)).scalars().all()
    assert "新成立的队伍" in names


@pytest.mark.parametrize(
    ("failure", "status"),
    [
        (
            IntegrityError("INSERT", {}, sqlite3.IntegrityError("UNIQUE failed")),
            409,
        ),
        (
            OperationalError(
                "COMMIT", {}, sqlite3.OperationalError("database is locked")
            ),
            503,
        ),
    ],
)
def test_api_commit_failure_is_answered_not_200(
    client, api_token, community, monkeypatch, db, failure, status
):
    headers = api_token("social_worker")
    before = _org_count()

    real_commit = _db.session.commit

    def fail():
        if not has_request_context():  # the test client's own commit
            return real_commit()
        raise failure

    monkeypatch.setattr(_db.session, "commit", fail)
    response = client.post(
        "/api/v1/organizations", json=_org_body(community), headers=headers
    )
    monkeypatch.undo()
    assert response.status_code == status
    body = response.get_json()
    assert body["error"]["code"] == ("busy" if status == 503 else "conflict")
    if status == 503:
        assert response.headers["Retry-After"]
    db.session.remove()
    assert _org_count() == before


def test_page_commit_failure_is_answered_busy_and_flashes_nothing(
    app, client, login_as, community, monkeypatch, db
):
    community_id = community.id
    real_commit = _db.session.commit

    def fail():
        if not has_request_context():  # the test client's own commit
            return real_commit()
        raise OperationalError(
            "COMMIT", {}, sqlite3.OperationalError("database is locked")
        )

    def write_and_flash():
        from flask import flash, redirect

        _write_org(community_id, "没存上")
        flash("Saved.", "success")
        return redirect("/")

    app.add_url_rule("/_test/write", "write", write_and_flash, methods=["POST"])
    login_as("social_worker")
    before = _org_count()
    monkeypatch.setattr(_db.session, "commit", fail)
    response = client.post("/_test/write")
    monkeypatch.undo()
    assert response.status_code == 503
    assert response.headers["Retry-After"]
    with client.session_transaction() as session:
        assert "_flashes" not in session
    db.session.remove()
    assert _org_count() == before


def test_cli_unit_of_work_rolls_back_on_error(app, community, db):
    community_id = community.id
    from incubator.transaction import unit_of_work

    before = _org_count()
    with pytest.raises(RuntimeError), unit_of_work():
        _write_org(community_id, "命令失败")
        raise RuntimeError("the command failed")
    assert _org_count() == before
    with unit_of_work():
        _write_org(community_id, "命令成功")
    db.session.remove()
    assert _org_count() == before + 1
