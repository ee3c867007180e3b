"""The concurrent workload shared by ``make loadtest`` and the suite's short version.

Many clients at once create volunteers, hours, activities and ledger lines through
the API and pages, and read (one volunteer with full numbers, the roster as a list
and as an Excel export, pages) while others write. Every answer is tallied; every
create carries a unique marker, so afterwards the database can be checked for rows
that were acknowledged but are missing, saved twice, or saved although refused.
Audited reads (reveals, exports) must each have left an audit entry.

Only the standard library speaks HTTP here, and only to the server given (a
loopback address).
"""

from __future__ import annotations

import http.client
import itertools
import json
import random
import re
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

PASSWORD = "load-test-pass-9"
SERVER_ERROR = 500
TIMEOUT_S = 60

# Weights of the operations each client picks from at random.
OPERATIONS = {
    "api_create_volunteer": 12,
    "api_create_hours": 12,
    "api_create_activity": 10,
    "api_create_resource": 6,
    "api_get_volunteer": 14,  # full numbers: an audited reveal
    "api_list_volunteers": 6,  # full numbers: an audited export
    "page_export_roster": 6,  # Excel with full numbers: an audited export
    "page_reveal": 6,  # POST reveal: an audited reveal
    "page_volunteer": 6,
    "page_roster": 4,
    "page_home": 4,
    "page_create_volunteer": 6,
    "page_notifications": 4,
}


@dataclass
class Seeded:
    """What the workload needs from the database it runs against."""

    org_id: int
    volunteer_ids: list[int]
    staff_token: str
    leader_token: str
    staff_username: str
    # Counts of audit entries before the run, to compare with after.
    audit_before: dict[str, int] = field(default_factory=dict)


def seed(app) -> Seeded:
    """Create a community, an organization with 20 volunteers, a social worker and
    an org leader (with API tokens). Call inside ``app.app_context()`` on an empty
    database; commits."""
    from incubator.auth import services as user_services
    from incubator.auth.sessions import issue_token
    from incubator.community.models import Community, Compound
    from incubator.extensions import db
    from incubator.organizations import services as org_services
    from incubator.organizations.schemas import OrganizationRegistration
    from incubator.volunteers import services as volunteer_services
    from incubator.volunteers.schemas import VolunteerRegistration

    community = Community(name="压测社区", district="湖里区", city="厦门市")
    db.session.add_all([community, Compound(community=community, name="甲小区")])
    db.session.flush()
    staff = user_services.create_user(
        "load_sw", name="压测社工", role="social_worker", password=PASSWORD, actor=None
    )
    leader = user_services.create_user(
        "load_leader",
        name="压测负责人",
        role="org_leader",
        password=PASSWORD,
        actor=None,
    )
    db.session.flush()
    org = org_services.create_organization(
        OrganizationRegistration(
            name="压测合唱团",
            kind="culture_sports",
            leader_user_id=leader.id,
            social_worker_id=staff.id,
        ),
        actor=None,
    )
    volunteers = [
        volunteer_services.create_volunteer(
            VolunteerRegistration(
                role="member",
                name=f"压测{i:02d}",
                birth_year=1950 + i,
                phone=f"137{i:08d}",
            ),
            actor=staff,
            organization=org,
        )
        for i in range(20)
    ]
    staff_token, _row = issue_token(staff)
    leader_token, _row = issue_token(leader)
    db.session.flush()
    seeded = Seeded(
        org_id=org.id,
        volunteer_ids=[v.id for v in volunteers],
        staff_token=staff_token,
        leader_token=leader_token,
        staff_username="load_sw",
        audit_before=audit_counts(),
    )
    # Commit last: outside a request a transaction holds SQLite's write lock
    # until it ends, and the server's threads need it.
    db.session.commit()
    return seeded


def audit_counts() -> dict[str, int]:
    from sqlalchemy import func, select

    from incubator.audit.models import AuditEntry
    from incubator.extensions import db

    rows = db.session.execute(
        select(AuditEntry.action, func.count())
        .where(AuditEntry.action.in_(("reveal", "export")))
        .group_by(AuditEntry.action)
    )
    return {action: count for action, count in rows}


def _today() -> date:
    return datetime.now(UTC).date()


def age_sessions() -> None:
    """Make every browser session look idle for two minutes, so the next request
    of each records its activity (a write during GETs, as in real use, where
    sessions are touched once a minute). Call inside an app context."""
    from sqlalchemy import update

    from incubator.auth.models import UserSession
    from incubator.extensions import db

    db.session.execute(
        update(UserSession).values(
            last_seen_at=datetime.now(UTC) - timedelta(minutes=2)
        )
    )
    db.session.commit()


# ---- the clients ----


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


class Client:
    """One simulated user on one loopback server: a fresh connection per request
    (so a retry is never ambiguous), a cookie for page sessions."""

    def __init__(self, base_url: str):
        parts = urlsplit(base_url)
        if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError("the load test only talks to a loopback server")
        self.host, self.port = parts.hostname, parts.port
        self.cookies: dict[str, str] = {}
        self.csrf = ""
        self.durations: list[float] | None = None

    def request(self, method, path, *, body=None, headers=None, form=None) -> Answer:
        headers = dict(headers or {})
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if form is not None:
            data = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        headers["Connection"] = "close"
        conn = http.client.HTTPConnection(self.host, self.port, timeout=TIMEOUT_S)
        started = time.monotonic()
        try:
            conn.request(method, path, body=data, headers=headers)
            response = conn.getresponse()
            payload = response.read()
            for value in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(value).items():
                    self.cookies[name] = morsel.value
            return Answer(response.status, dict(response.headers), payload)
        finally:
            conn.close()
            if self.durations is not None:
                self.durations.append(time.monotonic() - started)

    def log_in(self, username: str) -> None:
        page = self.request("GET", "/login")
        token = _csrf_token(page.body)
        answer = self.request(
            "POST",
            "/login",
            form={"username": username, "password": PASSWORD, "csrf_token": token},
        )
        if answer.status != 302:
            raise RuntimeError(f"login as {username} answered {answer.status}")
        self.csrf = _csrf_token(self.request("GET", "/volunteers/new").body)


def _csrf_token(html: bytes) -> str:
    found = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', html)
    return found.group(1).decode() if found else ""


# ---- the run ----


@dataclass
class Attempt:
    kind: str  # volunteer, hours, activity, resource
    marker: str
    outcome: str  # "acked", "refused" or "unknown"
    acked_id: int | None = None


@dataclass
class Tally:
    answers: Counter = field(default_factory=Counter)  # (op, status) -> n
    seconds: list[float] = field(default_factory=list)  # each request's duration
    failures: list[str] = field(default_factory=list)
    attempts: list[Attempt] = field(default_factory=list)
    audited_ok: Counter = field(default_factory=Counter)  # reveal/export -> n
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, op: str, status: int, detail: str = "") -> None:
        with self.lock:
            self.answers[(op, status)] += 1
            if status >= SERVER_ERROR or status == 0:
                if len(self.failures) < 50:
                    text = " ".join(detail.split())[:160]
                    self.failures.append(f"{op} -> {status} {text}")

    @property
    def server_errors(self) -> int:
        return sum(n for (_op, s), n in self.answers.items() if s >= 500 or s == 0)

    @property
    def requests(self) -> int:
        return sum(self.answers.values())


class Workload:
    """``clients`` threads running random operations for ``seconds`` (or each
    ``max_ops`` operations, whichever comes first) against ``base_url``."""

    def __init__(self, base_url: str, seeded: Seeded, *, clients: int, seconds: float):
        self.base_url = base_url
        self.seeded = seeded
        self.clients = clients
        self.seconds = seconds
        self.tally = Tally()
        self._numbers = itertools.count(1)
        self._number_lock = threading.Lock()
        self.run_id = f"{random.randrange(16**4):04x}"
        self.elapsed = 0.0

    def _next(self) -> int:
        with self._number_lock:
            return next(self._numbers)

    def run(self, max_ops: int | None = None, *, ager=None) -> Tally:
        """Run the clients; ``ager``, if given, is called every 2 s meanwhile (to
        age sessions, see ``age_sessions``)."""
        stop = threading.Event()
        aging = None
        if ager is not None:
            aging = threading.Thread(target=self._age, args=(ager, stop))
        barrier = threading.Barrier(self.clients + 1)
        threads = [
            threading.Thread(target=self._client, args=(i, barrier, max_ops))
            for i in range(self.clients)
        ]
        for thread in threads:
            thread.start()
        barrier.wait()
        started = time.monotonic()
        if aging is not None:
            aging.start()
        for thread in threads:
            thread.join()
        self.elapsed = time.monotonic() - started
        stop.set()
        if aging is not None:
            aging.join()
        return self.tally

    def _age(self, ager, stop: threading.Event) -> None:
        while not stop.wait(2):
            try:
                ager()
            except Exception as exc:  # noqa: BLE001 - reported, not fatal
                self.tally.note("age_sessions", 0, repr(exc))

    def _client(self, index: int, barrier, max_ops) -> None:
        rng = random.Random(index)
        client = Client(self.base_url)
        try:
            client.log_in(self.seeded.staff_username)
        except Exception as exc:  # noqa: BLE001 - a failed login is a failure
            self.tally.note("login", 0, repr(exc))
        barrier.wait()
        client.durations = self.tally.seconds  # list.append is thread-safe
        names, weights = zip(*OPERATIONS.items(), strict=True)
        deadline = time.monotonic() + self.seconds
        done = 0
        while time.monotonic() < deadline and (max_ops is None or done < max_ops):
            op = rng.choices(names, weights)[0]
            try:
                getattr(self, op)(client, rng)
            except Exception as exc:  # noqa: BLE001 - no answer at all
                self.tally.note(op, 0, repr(exc))
            done += 1

    # -- helpers --

    def _api(self, client, method, path, *, token, body=None) -> Answer:
        return client.request(
            method, path, body=body, headers={"Authorization": f"Bearer {token}"}
        )

    def _create(self, op, kind, marker, answer: Answer, ok: int, acked_id) -> None:
        self.tally.note(op, answer.status, answer.body[:300].decode("utf-8", "replace"))
        if answer.status == ok:
            outcome, ident = "acked", acked_id(answer)
        elif 400 <= answer.status < 500:
            outcome, ident = "refused", None
        else:
            outcome, ident = "unknown", None
        with self.tally.lock:
            self.tally.attempts.append(Attempt(kind, marker, outcome, ident))

    def _audited(self, op, kind, answer: Answer) -> None:
        self.tally.note(op, answer.status, answer.body[:300].decode("utf-8", "replace"))
        if answer.status == 200:
            with self.tally.lock:
                self.tally.audited_ok[kind] += 1

    def _volunteer_id(self, rng) -> int:
        return rng.choice(self.seeded.volunteer_ids)

    def _phone(self) -> str:
        return f"139{int(self.run_id, 16) % 100:02d}{self._next():06d}"

    # -- API writes --

    def api_create_volunteer(self, client, rng) -> None:
        phone = self._phone()
        answer = self._api(
            client,
            "POST",
            "/api/v1/volunteers",
            token=self.seeded.staff_token,
            body={
                "name": f"压测新人{phone[-4:]}",
                "birth_year": 1960,
                "phone": phone,
                "organization_id": self.seeded.org_id,
            },
        )
        self._create(
            "api_create_volunteer",
            "volunteer",
            phone,
            answer,
            201,
            lambda a: json.loads(a.body)["id"],
        )

    def api_create_hours(self, client, rng) -> None:
        marker = f"load h-{self.run_id}-{self._next()}"
        served = _today() - timedelta(days=rng.randrange(1, 700))
        answer = self._api(
            client,
            "POST",
            "/api/v1/hours",
            token=self.seeded.staff_token,
            body={
                "volunteer_id": self._volunteer_id(rng),
                "organization_id": self.seeded.org_id,
                "served_on": served.isoformat(),
                "hours": "0.5",
                "service": marker,
            },
        )
        self._create(
            "api_create_hours",
            "hours",
            marker,
            answer,
            201,
            lambda a: json.loads(a.body)["id"],
        )

    def api_create_activity(self, client, rng) -> None:
        marker = f"load a-{self.run_id}-{self._next()}"
        day = _today() - timedelta(days=rng.randrange(1, 60))
        answer = self._api(
            client,
            "POST",
            "/api/v1/activities",
            token=self.seeded.leader_token,
            body={
                "organization_id": self.seeded.org_id,
                "title": marker,
                "form": "group",
                "service_type": "self_org_service",
                "target_group": "elders",
                "starts_at": f"{day.isoformat()}T09:00:00+08:00",
                "ends_at": f"{day.isoformat()}T10:30:00+08:00",
                "place": "活动室",
                "person_times": rng.randrange(1, 40),
            },
        )
        self._create(
            "api_create_activity",
            "activity",
            marker,
            answer,
            201,
            lambda a: json.loads(a.body)["id"],
        )

    def api_create_resource(self, client, rng) -> None:
        marker = f"load r-{self.run_id}-{self._next()}"
        answer = self._api(
            client,
            "POST",
            "/api/v1/resources",
            token=self.seeded.leader_token,
            body={
                "partner": marker,
                "kind": "goods",
                "value": f"{rng.randrange(1, 5000)}.50",
                "received_on": (_today() - timedelta(days=3)).isoformat(),
                "organization_id": self.seeded.org_id,
            },
        )
        self._create(
            "api_create_resource",
            "resource",
            marker,
            answer,
            201,
            lambda a: json.loads(a.body)["id"],
        )

    # -- API reads (audited) --

    def api_get_volunteer(self, client, rng) -> None:
        answer = self._api(
            client,
            "GET",
            f"/api/v1/volunteers/{self._volunteer_id(rng)}",
            token=self.seeded.staff_token,
        )
        self._audited("api_get_volunteer", "reveal", answer)

    def api_list_volunteers(self, client, rng) -> None:
        answer = self._api(
            client,
            "GET",
            f"/api/v1/volunteers?per_page={rng.choice((5, 20, 50))}",
            token=self.seeded.staff_token,
        )
        self._audited("api_list_volunteers", "export", answer)

    # -- pages --

    def page_export_roster(self, client, rng) -> None:
        answer = client.request("GET", "/volunteers/export.xlsx")
        self._audited("page_export_roster", "export", answer)

    def page_reveal(self, client, rng) -> None:
        answer = client.request(
            "POST",
            f"/volunteers/{self._volunteer_id(rng)}/reveal",
            form={"field": "phone", "csrf_token": client.csrf},
        )
        self._audited("page_reveal", "reveal", answer)

    def page_volunteer(self, client, rng) -> None:
        answer = client.request("GET", f"/volunteers/{self._volunteer_id(rng)}")
        self.tally.note("page_volunteer", answer.status)

    def page_roster(self, client, rng) -> None:
        self.tally.note("page_roster", client.request("GET", "/volunteers").status)

    def page_home(self, client, rng) -> None:
        self.tally.note("page_home", client.request("GET", "/").status)

    def page_notifications(self, client, rng) -> None:
        answer = client.request("GET", "/notifications")
        self.tally.note("page_notifications", answer.status)

    def page_create_volunteer(self, client, rng) -> None:
        phone = self._phone()
        answer = client.request(
            "POST",
            "/volunteers/new",
            form={
                "name": f"页面新人{phone[-4:]}",
                "gender": "unknown",
                "birth_year": "1958",
                "phone": phone,
                "organization_id": str(self.seeded.org_id),
                "role": "member",
                "status": "active",
                "csrf_token": client.csrf,
            },
        )

        def acked_id(a: Answer) -> int:
            found = re.search(r"/volunteers/(\d+)", a.headers.get("Location", ""))
            if not found:
                raise ValueError(f"no volunteer in {a.headers.get('Location')!r}")
            return int(found.group(1))

        self._create("page_create_volunteer", "volunteer", phone, answer, 302, acked_id)


# ---- checking the database afterwards ----


@dataclass
class Verdict:
    lost: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    refused_but_saved: list[str] = field(default_factory=list)
    unaudited: list[str] = field(default_factory=list)
    rows: Counter = field(default_factory=Counter)  # kind -> rows found

    @property
    def ok(self) -> bool:
        return not (
            self.lost or self.duplicates or self.refused_but_saved or self.unaudited
        )


def check_database(seeded: Seeded, tally: Tally) -> Verdict:
    """Compare what the clients were told with what the database holds. Call
    inside an app context on the database the server used."""
    from sqlalchemy import select

    from incubator.activities.models import Activity, ResourceLink
    from incubator.extensions import db
    from incubator.volunteers.models import ServiceRecord, Volunteer

    db.session.rollback()
    found: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    queries = {
        "volunteer": select(Volunteer.phone, Volunteer.id),
        "hours": select(ServiceRecord.service, ServiceRecord.id).where(
            ServiceRecord.service.like("load h-%")
        ),
        "activity": select(Activity.title, Activity.id).where(
            Activity.title.like("load a-%")
        ),
        "resource": select(ResourceLink.partner, ResourceLink.id).where(
            ResourceLink.partner.like("load r-%")
        ),
    }
    for kind, stmt in queries.items():
        for marker, ident in db.session.execute(stmt):
            found[kind][marker].append(ident)
    verdict = Verdict()
    for attempt in tally.attempts:
        ids = found[attempt.kind].get(attempt.marker, [])
        verdict.rows[attempt.kind] += len(ids)
        label = f"{attempt.kind} {attempt.marker}"
        if len(ids) > 1:
            verdict.duplicates.append(f"{label}: ids {ids}")
        if attempt.outcome == "acked" and attempt.acked_id not in ids:
            verdict.lost.append(f"{label}: acknowledged id {attempt.acked_id}")
        if attempt.outcome == "refused" and ids:
            verdict.refused_but_saved.append(f"{label}: ids {ids}")
    after = audit_counts()
    for action in ("reveal", "export"):
        written = after.get(action, 0) - seeded.audit_before.get(action, 0)
        shown = tally.audited_ok[action]
        if written < shown:
            verdict.unaudited.append(f"{action}: {shown} answered, {written} audited")
    return verdict


def summary(tally: Tally, verdict: Verdict, seconds: float) -> str:
    lines = [
        f"{tally.requests} requests in {seconds:.0f} s "
        f"({tally.requests / max(seconds, 0.001):.0f}/s), "
        f"{tally.server_errors} 5xx or no answer",
    ]
    if tally.seconds:
        times = sorted(tally.seconds)
        lines.append(
            "  seconds per request: median "
            f"{times[len(times) // 2]:.2f}, 99th percentile "
            f"{times[int(len(times) * 0.99)]:.2f}, longest {times[-1]:.2f}"
        )
    by_op: dict[str, Counter] = defaultdict(Counter)
    for (op, status), n in sorted(tally.answers.items()):
        by_op[op][status] += n
    for op, statuses in by_op.items():
        shown = ", ".join(f"{s or 'none'}: {n}" for s, n in sorted(statuses.items()))
        lines.append(f"  {op:24} {shown}")
    outcomes = Counter((a.kind, a.outcome) for a in tally.attempts)
    for kind in ("volunteer", "hours", "activity", "resource"):
        lines.append(
            f"  {kind:10} acknowledged {outcomes[(kind, 'acked')]}, "
            f"refused {outcomes[(kind, 'refused')]}, "
            f"unknown {outcomes[(kind, 'unknown')]}, rows {verdict.rows[kind]}"
        )
    lines.append(
        f"  audited reads answered: reveal {tally.audited_ok['reveal']}, "
        f"export {tally.audited_ok['export']}"
    )
    for name in ("lost", "duplicates", "refused_but_saved", "unaudited"):
        items = getattr(verdict, name)
        lines.append(f"  {name}: {len(items)}")
        lines.extend(f"    {item}" for item in items[:10])
    if tally.failures:
        lines.append("  first failures:")
        lines.extend(f"    {item}" for item in tally.failures[:15])
    return "\n".join(lines)
