"""A community at the reminder moment (frozen: 2026-03-01 09:00 Shanghai), an SMTP
server and a WeCom-like webhook on loopback; no test reaches outside the machine."""

from __future__ import annotations

import json
import socket
import threading
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from aiosmtpd.controller import Controller

from incubator.followups import services as followups
from incubator.followups.schemas import FollowUpPlan
from incubator.reminders.models import ReminderPreference


class _Collector:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.messages.append(envelope)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server(app):
    collector = _Collector()
    controller = Controller(collector, hostname="127.0.0.1", port=free_port())
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port)
    yield collector
    controller.stop()


@pytest.fixture
def webhook(app):
    """A WeCom-like robot: answers HTTP 200 with ``errcode`` (``answers`` is a
    list of errcodes used in turn, then 0; ``"http 429"`` answers that status)."""
    state = {"posts": [], "answers": []}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            length = int(self.headers.get("Content-Length", 0))
            state["posts"].append(json.loads(self.rfile.read(length)))
            code = state["answers"].pop(0) if state["answers"] else 0
            if isinstance(code, str):
                self.send_response(int(code.split()[1]))
                self.end_headers()
                return
            body = json.dumps({"errcode": code, "errmsg": "ok" if not code else "x"})
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body.encode())

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.config.update(
        WECOM_WEBHOOK_URL=f"http://127.0.0.1:{server.server_address[1]}/send?key=x"
    )
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def monthly_world(frozen_time, make_user, make_org, log, db):
    """Two leaders (one logged in February, one did not), two social workers, an
    admin; a follow-up overdue, one due in March, an activity waiting for review."""
    admin = make_user("admin", username="boss", name="陈主管")
    sw1 = make_user("social_worker", username="sw1", name="林社工")
    sw2 = make_user("social_worker", username="sw2", name="黄社工")
    busy = make_user("org_leader", username="busy", name="吴阿姨")
    quiet = make_user("org_leader", username="quiet", name="郑叔")
    dance = make_org("舞蹈队", leader=busy, social_worker=sw1)
    patrol = make_org("巡逻队", leader=quiet, social_worker=sw1)
    readers = make_org("读书会", social_worker=sw2)
    for org in (dance, patrol, readers):
        org.created_at = datetime(2025, 6, 1, tzinfo=UTC)
    db.session.commit()
    log(dance, busy, title="二月排练")  # 2026-02-10, waiting for review
    followups.schedule_followup(
        patrol,
        FollowUpPlan(organization_id=patrol.id, kind="visit", due_on=date(2026, 2, 20)),
        actor=sw1,
    )
    followups.schedule_followup(
        dance,
        FollowUpPlan(organization_id=dance.id, kind="phone", due_on=date(2026, 3, 15)),
        actor=sw1,
    )
    db.session.commit()
    return {
        "admin": admin,
        "sw1": sw1,
        "sw2": sw2,
        "busy": busy,
        "quiet": quiet,
        "dance": dance,
        "patrol": patrol,
        "readers": readers,
    }


@pytest.fixture
def wants(db):
    """Choose channels for a user and kind; give them an email address."""

    def do(user, kind, *, email=False, wecom=False):
        user.email = user.email or f"{user.username}@example.test"
        db.session.add(
            ReminderPreference(user_id=user.id, kind=kind, email=email, wecom=wecom)
        )
        db.session.commit()

    return do
