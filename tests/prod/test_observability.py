"""Request ids and log lines (issue 18): what an operator reading the logs sees."""

from __future__ import annotations

import io
import json
import logging

import pytest

from incubator import observability


@pytest.fixture
def log_lines():
    """``log_lines(fmt)``: route the root logger through the product's handler in
    ``fmt`` for the test; returns a callable giving the lines written so far."""
    root = logging.getLogger()
    installed: list[logging.Handler] = []
    level = root.level

    def install(fmt: str):
        stream = io.StringIO()
        handler = observability.make_handler(fmt, stream)
        root.addHandler(handler)
        root.setLevel(logging.INFO)
        installed.append(handler)
        return lambda: stream.getvalue().splitlines()

    yield install
    for handler in installed:
        root.removeHandler(handler)
    root.setLevel(level)


def test_a_sane_request_id_is_kept_and_returned(client):
    response = client.get("/login", headers={"X-Request-ID": "nginx-4f2a.9:1"})
    assert response.headers["X-Request-ID"] == "nginx-4f2a.9:1"


@pytest.mark.parametrize(
    "header", ["", "has space", "x" * 129, "tab\there", 'quote"d', "a;b"]
)
def test_an_insane_request_id_is_replaced(client, header):
    response = client.get("/login", headers={"X-Request-ID": header})
    rid = response.headers["X-Request-ID"]
    assert rid != header
    assert len(rid) == 32 and int(rid, 16) >= 0


def test_each_request_gets_its_own_id(client):
    ids = {client.get("/healthz").headers["X-Request-ID"] for _ in range(3)}
    assert len(ids) == 3


def test_error_page_shows_the_request_id(client):
    response = client.get("/no-such-page", headers={"X-Request-ID": "abc123"})
    assert response.status_code == 404
    assert "abc123" in response.get_data(as_text=True)


def test_json_lines_carry_the_request(client, login_as, log_lines):
    user = login_as("social_worker")
    lines = log_lines("json")
    response = client.get("/", headers={"X-Request-ID": "req-42"})
    assert response.status_code == 200
    records = [json.loads(line) for line in lines()]
    (access,) = [r for r in records if r["logger"] == "incubator.request"]
    assert access["request_id"] == "req-42"
    assert access["method"] == "GET"
    assert access["path"] == "/"
    assert access["status"] == 200
    assert access["duration_ms"] > 0
    assert access["user_id"] == user.id
    assert access["level"] == "INFO"
    assert access["message"].startswith("GET / 200 ")
    assert {"time", "level", "logger", "message"} <= access.keys()


def test_json_line_outside_a_request_has_null_context(log_lines):
    lines = log_lines("json")
    logging.getLogger("incubator.test").warning("人数 %d", 3)
    (record,) = [json.loads(line) for line in lines()]
    assert record["message"] == "人数 3"
    assert record["level"] == "WARNING"
    assert record["request_id"] is None and record["path"] is None


def test_text_lines_name_the_request_id(client, log_lines):
    lines = log_lines("text")
    client.get("/login", headers={"X-Request-ID": "txt-1"})
    (line,) = [x for x in lines() if "incubator.request" in x]
    assert "INFO incubator.request [txt-1] GET /login 200" in line
    assert not line.startswith("{")


def test_a_job_run_has_an_id_in_its_lines(log_lines):
    lines = log_lines("json")
    with observability.job_context("deliver_reminders") as rid:
        logging.getLogger("incubator.jobs").info("sent 2")
    logging.getLogger("incubator.jobs").info("after")
    first, second = [json.loads(line) for line in lines()]
    assert first["request_id"] == rid and rid.startswith("deliver_reminders-")
    assert second["request_id"] is None


def test_unknown_log_format_is_refused():
    with pytest.raises(ValueError, match="LOG_FORMAT"):
        observability.make_handler("xml")


def test_configure_logging_replaces_its_own_handler():
    root = logging.getLogger()
    before = list(root.handlers)
    level = root.level
    try:
        observability.configure_logging("json", "WARNING", io.StringIO())
        handler = observability.configure_logging("text", "INFO", io.StringIO())
        ours = [h for h in root.handlers if getattr(h, "_incubator", False)]
        assert ours == [handler]
    finally:
        for h in list(root.handlers):
            if h not in before:
                root.removeHandler(h)
        root.setLevel(level)
