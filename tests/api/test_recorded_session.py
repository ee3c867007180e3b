"""The API answers a scripted session on the demo exactly as it did when the session
was recorded: every status and every byte of every body.

The script logs in as four roles, reads every GET endpoint (lists, then the first
items they name), sends every write endpoint an empty body, a body of wrong types,
and a valid body, then reads again. Time stands still, so the demo and the answers
are the same on every run. A restructuring of the code must not change a byte of it.

When a change of behaviour is meant (a new field, a new endpoint), record again
and review the difference like any other change of the contract::

    RECORD_API_SESSION=1 .venv/bin/pytest tests/api/test_recorded_session.py
    git diff tests/api/recorded/
"""

from __future__ import annotations

import json
import os
import re
from datetime import UTC, datetime
from pathlib import Path

import time_machine

from incubator.api.core import ROUTES
from incubator.demo.seed import DEMO_PASSWORD, seed_demo

API = "/api/v1"
# One recording per engine: the two sort Chinese names differently.
RECORDINGS = Path(__file__).with_name("recorded")
ROLES = ("admin", "sw_lin", "viewer", "leader_wu")
# The list that names the ids each item route takes.
ID_SOURCES = {
    "activity_id": "/activities",
    "org_id": "/organizations",
    "project_id": "/projects",
    "session_id": "/sessions",
    "followup_id": "/followups",
    "round_id": "/rounds",
    "venture_id": "/ventures",
    "volunteer_id": "/volunteers",
    "notification_id": "/notifications",
    "record_id": "/hours",
    "room_id": "/rooms",
    "booking_id": "/bookings",
}
TOKEN = re.compile(r'"token":\s*"[^"]+"')


def _valid_bodies(ids: dict[str, int]) -> list[tuple[str, str, str, dict]]:
    """(role, method, path, body) of writes that succeed on the demo, in order."""
    org, venture, session = ids["org_id"], ids["venture_id"], ids["session_id"]
    volunteer = ids["volunteer_id"]
    return [
        (
            "admin",
            "POST",
            "/organizations",
            # The demo serves two communities: the admin names 禾山社区 (id 1).
            {"name": "录音测试合唱团", "kind": "culture_sports", "community_id": 1},
        ),
        (
            "sw_lin",
            "POST",
            f"/organizations/{org}/notes",
            {
                "noted_on": "2026-11-15",
                "body": "电话回访，活动正常。",
                "contact_kind": "phone",
            },
        ),
        (
            "sw_lin",
            "POST",
            "/followups",
            {"organization_id": org, "kind": "visit", "due_on": "2026-11-20"},
        ),
        (
            "leader_wu",
            "POST",
            "/activities",
            {
                "title": "录音测试活动",
                "form": "group",
                "service_type": "self_org_service",
                "target_group": "elders",
                "starts_at": "2026-11-14T09:00:00+08:00",
                "ends_at": "2026-11-14T11:00:00+08:00",
                "place": "社区活动室",
                "person_times": 12,
                "organization_id": ids["leader_org_id"],
            },
        ),
        (
            "admin",
            "POST",
            "/volunteers",
            {
                "name": "录音测试",
                "birth_year": 1960,
                "phone": "13700009999",
                "community_id": 1,
            },
        ),
        (
            "admin",
            "POST",
            "/sessions",
            {
                "title": "录音测试培训",
                "starts_at": "2026-12-02T14:00:00+08:00",
                "ends_at": "2026-12-02T16:00:00+08:00",
                "capacity": 20,
                "community_id": 1,
            },
        ),
        (
            "admin",
            "POST",
            f"/sessions/{session}/registrations",
            {"organization_id": org, "count": 2},
        ),
        (
            "admin",
            "POST",
            f"/ventures/{venture}/actions",
            {"goal": "录音", "action": "录音测试", "due_on": "2026-12-10"},
        ),
        (
            "admin",
            "POST",
            "/hours",
            {
                "volunteer_id": volunteer,
                "organization_id": org,
                "served_on": "2026-11-10",
                "hours": "2",
                "service": "录音测试",
            },
        ),
        ("sw_lin", "POST", "/activities/<new>/review", {"decision": "approve"}),
        (
            "admin",
            "POST",
            f"/organizations/{org}/stage",
            {"to": "incubating", "reason": "录音"},
        ),
        ("admin", "POST", "/tokens", {"username": "admin", "password": "wrong"}),
    ]


def _wrong_types(route) -> dict:
    """A body whose every field has the wrong type."""
    if route.body is None:
        return {}
    return {name: [] for name in route.body.model_fields}


def _record(client) -> list[dict]:
    answers: list[dict] = []

    def call(role: str | None, method: str, path: str, body=None) -> dict | None:
        headers = {"Authorization": f"Bearer {tokens[role]}"} if role else {}
        response = client.open(
            API + path,
            method=method,
            headers=headers,
            **({"json": body} if body is not None else {}),
        )
        text = TOKEN.sub('"token": "<token>"', response.get_data(as_text=True))
        answers.append(
            {
                "request": f"{role or '-'} {method} {path}",
                **({"body": body} if body is not None else {}),
                "status": response.status_code,
                "answer": text,
            }
        )
        return response.get_json(silent=True)

    tokens: dict[str, str] = {}
    for role in ROLES:
        created = client.post(
            f"{API}/tokens", json={"username": role, "password": DEMO_PASSWORD}
        )
        tokens[role] = created.get_json()["token"]

    item_routes = [r for r in ROUTES if "GET" in r.methods and "<" in r.rule]
    list_routes = [r for r in ROUTES if "GET" in r.methods and "<" not in r.rule]

    def read_everything() -> dict[str, int]:
        ids: dict[str, int] = {}
        for role in ROLES:
            for route in list_routes:
                if route.rule == "/openapi.json" and role != "admin":
                    continue
                if route.rule == "/reports/monthly":
                    query = "?month=2026-10"
                elif route.query is not None and "per_page" in route.query.model_fields:
                    query = "?per_page=8"
                else:
                    query = ""
                found = call(role, "GET", route.rule + query)
                for key, source in ID_SOURCES.items():
                    if route.rule == source and role == "admin" and found:
                        items = found.get("items") or []
                        if items:
                            ids[key] = items[0]["id"]
            for route in item_routes:
                path = route.rule
                for key, value in ids.items():
                    path = path.replace(f"<int:{key}>", str(value))
                if "<" in path:
                    path = re.sub(r"<int:\w+>", "1", path)
                call(role, "GET", path)
        return ids

    ids = read_everything()
    leader_orgs = call("leader_wu", "GET", "/organizations")
    ids["leader_org_id"] = leader_orgs["items"][0]["id"]
    ids.setdefault("action_id", 1)

    for route in ROUTES:
        writes = [m for m in route.methods if m in ("POST", "PATCH")]
        if not writes or route.rule == "/tokens":
            continue
        path = route.rule
        for key, value in ids.items():
            path = path.replace(f"<int:{key}>", str(value))
        path = re.sub(r"<int:\w+>", "1", path)
        for method in writes:
            call("admin", method, path, {})
            call("admin", method, path, _wrong_types(route))
            call("leader_wu", method, path, {})
    created: dict | None = None
    for role, method, path, body in _valid_bodies(ids):
        if "<new>" in path:  # the activity the leader has just logged
            path = path.replace("<new>", str(created["id"]))
        answer = call(role, method, path, body)
        if path == "/activities":
            created = answer
    read_everything()
    call("admin", "DELETE", "/tokens/current")
    call("admin", "GET", "/me")
    return answers


def test_the_api_answers_the_recorded_session_byte_for_byte(app, db, client):
    # sign-in codes are keyed on the resident key, random per test run otherwise
    app.config["RESIDENT_KEY"] = "the recorded session's resident key, fixed"
    # list cursors (``next``) are signed with the secret key, random per run too
    app.config["SECRET_KEY"] = "the recorded session's secret key, fixed"
    with time_machine.travel(datetime(2026, 11, 16, 2, 0, tzinfo=UTC), tick=False):
        seed_demo()
        db.session.commit()
        answers = _record(client)
    text = json.dumps(answers, ensure_ascii=False, indent=1) + "\n"
    recording = RECORDINGS / f"{db.engine.dialect.name}.json"
    if os.environ.get("RECORD_API_SESSION") == "1":
        RECORDINGS.mkdir(exist_ok=True)
        recording.write_text(text, encoding="utf-8")
    recorded = json.loads(recording.read_text(encoding="utf-8"))
    assert len(answers) == len(recorded), "the session made a different number of calls"
    for got, expected in zip(answers, recorded, strict=True):
        assert got["request"] == expected["request"]
        assert (got["status"], got["answer"]) == (
            expected["status"],
            expected["answer"],
        ), got["request"]
