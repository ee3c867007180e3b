"""Nothing of community B reaches a user scoped to community A.

Generated from the application itself: every GET page route of ``app.url_map``
and every GET API operation is asked, by an admin, a social worker and a viewer
scoped to A, with B's record ids put into the URL; a record route answers 404
(or 403 where the role never goes), and no answer (pages, JSON, xlsx) names
any of B's records. An all-communities admin sees both. One app, one database,
a few hundred requests.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, date, datetime

import pytest

from incubator.activities import services as activity_services
from incubator.activities.schemas import ResourceEntry
from incubator.community.models import Community, Compound
from incubator.community.scope import set_scope
from incubator.followups import services as followup_services
from incubator.followups.schemas import FollowUpPlan
from incubator.organizations import records, stages
from incubator.sessions import services as session_services
from incubator.sessions.schemas import SessionSchedule
from incubator.ventures import rounds
from incubator.ventures import services as venture_services
from incubator.ventures.schemas import CriterionIn, RoundSchedule
from incubator.volunteers import hours as hours_service
from tests.conftest import DEFAULT_PASSWORD, login
from tests.ventures.conftest import CRITERIA, SCORES, application_input

# Names only B's records carry: none may appear in an answer to an A user.
B_NAMES = {
    "org": "乙区独有合唱团",
    "volunteer": "乙区独有志愿者",
    "activity": "乙区独有活动",
    "session": "乙区独有培训",
    "venture": "乙区独有创投",
    "partner": "乙区独有伙伴",
    "ledger": "乙区独有场地",
    "sw": "乙区独有社工",
}
A_NAMES = {"org": "甲区合唱团", "volunteer": "甲区志愿者"}
# URL parameters a B record fills; routes with any other parameter are skipped
# (rounds and projects are not community records here; files and keys neither).
PARAMS = {
    "org_id": "org",
    "volunteer_id": "volunteer",
    "record_id": "hours",
    "activity_id": "activity",
    "line_id": "ledger",
    "venture_id": "venture",
    "session_id": "session",
    "user_id": "sw",
}
# Parameters naming a record every community shares (a funding round): its
# pages answer, without B's records in them.
SHARED = {"round_id": "round"}
ROLES = ("admin", "social_worker", "viewer")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def world(frozen_time, db, community, make_user, make_org, make_volunteer, log):
    a = community
    b = Community(name="乙社区", district="湖里区", city="厦门市", position=1)
    b_compound = Compound(community=b, name="丙小区", position=0)
    db.session.add_all([b, b_compound])
    db.session.commit()
    boss = make_user("admin", username="boss", name="总管")
    sw_b = make_user("social_worker", username="sw_b", name=B_NAMES["sw"])
    set_scope(sw_b, [b.id])
    org_a = make_org(A_NAMES["org"], filing_status="filed")
    org_b = make_org(
        B_NAMES["org"],
        social_worker=sw_b,
        compound_id=b_compound.id,
        filing_status="filed",
    )
    assert org_b.community_id == b.id and org_a.community_id == a.id
    make_volunteer(org_a, actor=boss, name=A_NAMES["volunteer"])
    volunteer = make_volunteer(org_b, actor=boss, name=B_NAMES["volunteer"])
    activity = log(
        org_b,
        boss,
        title=B_NAMES["activity"],
    )
    (session,) = session_services.schedule_session(
        SessionSchedule(
            title=B_NAMES["session"],
            starts_at=datetime(2026, 3, 10, 6, 0, tzinfo=UTC),
            ends_at=datetime(2026, 3, 10, 8, 0, tzinfo=UTC),
            capacity=20,
            organization_ids=[org_b.id],
            community_id=b.id,
        ),
        actor=boss,
    )
    followup = followup_services.schedule_followup(
        org_b,
        FollowUpPlan(organization_id=org_b.id, kind="visit", due_on=date(2026, 3, 5)),
        actor=boss,
    )
    records.record_assessment(
        org_b, actor=boss, assessed_on=date(2026, 2, 20), scores=SCORES
    )
    stages.change_stage(org_b, "incubating", actor=boss)
    round_ = rounds.create_round(
        RoundSchedule(
            name="测试批次",
            budget="20000.00",
            opens_on=date(2026, 2, 1),
            closes_on=date(2026, 3, 31),
            runs_from=date(2026, 3, 1),
            runs_until=date(2026, 12, 31),
            criteria=[CriterionIn(name=n, weight=w) for n, w in CRITERIA],
        ),
        actor=boss,
    )
    venture = venture_services.apply(
        round_,
        org_b,
        application_input(round_, org_b, title=B_NAMES["venture"]),
        actor=boss,
    )
    ledger = activity_services.record_resource(
        ResourceEntry(
            partner=B_NAMES["partner"],
            kind="venue",
            value="300",
            received_on=date(2026, 2, 20),
            description=B_NAMES["ledger"],
            community_id=b.id,
        ),
        actor=boss,
    )
    activity_services.record_resource(
        ResourceEntry(
            partner=B_NAMES["partner"],
            kind="goods",
            value="100",
            received_on=date(2026, 2, 21),
            organization_id=org_b.id,
        ),
        actor=boss,
        organization=org_b,
    )
    hours = hours_service.record_service(
        volunteer,
        org_b,
        actor=boss,
        served_on=date(2026, 2, 22),
        hours="2",
        service="巡逻",
    )
    users = {}
    for role in ROLES:
        user = make_user(role, username=f"{role.replace('_', '')}_a")
        set_scope(user, [a.id])
        users[role] = user
    db.session.commit()
    assert ledger.community_id == b.id and session.community_id == b.id
    assert volunteer.community_id == b.id and followup.community_id == b.id
    ids = {
        "org": org_b.id,
        "volunteer": volunteer.id,
        "hours": hours.id,
        "activity": activity.id,
        "ledger": ledger.id,
        "venture": venture.id,
        "session": session.id,
        "sw": sw_b.id,
        "round": round_.id,
    }
    return {"a": a, "b": b, "ids": ids, "users": users, "boss": boss}


def _text(response) -> str:
    if response.mimetype == XLSX:
        with zipfile.ZipFile(io.BytesIO(response.get_data())) as book:
            return "".join(
                book.read(name).decode("utf-8", "replace")
                for name in book.namelist()
                if name.endswith(".xml")
            )
    return response.get_data(as_text=True)


def _fill(rule: str, ids: dict[str, int]) -> str | None:
    """The rule with B's ids put in, or None when it takes another parameter."""
    names = re.findall(r"<(?:[a-z]+:)?([a-z_]+)>", rule)
    known = {**PARAMS, **SHARED}
    if any(name not in known for name in names):
        return None
    return re.sub(
        r"<(?:[a-z]+:)?([a-z_]+)>", lambda m: str(ids[known[m.group(1)]]), rule
    )


def _get_routes(app):
    pages, api = [], []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in ("static", "bootstrap.static"):
            continue
        (api if rule.rule.startswith("/api/v1") else pages).append(rule.rule)
    return sorted(set(pages)), sorted(set(api))


def _leaks(text: str) -> list[str]:
    return [name for name in B_NAMES.values() if name in text]


def _token(client, username: str) -> dict[str, str]:
    response = client.post(
        "/api/v1/tokens", json={"username": username, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 201
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def test_nothing_of_community_b_reaches_users_scoped_to_a(app, world):
    pages, api = _get_routes(app)
    ids = world["ids"]
    problems: list[str] = []
    asked = 0
    for role, user in world["users"].items():
        browser = app.test_client()
        assert login(browser, user.username).status_code == 302
        api_client = app.test_client()
        headers = _token(api_client, user.username)
        for rule in pages + api:
            if "<" in rule:
                url = _fill(rule, ids)
                if url is None:
                    continue
            else:
                url = rule + ("?month=2026-03" if "monthly" in rule else "")
            if rule.startswith("/api/v1"):
                response = api_client.get(url, headers=headers)
            else:
                response = browser.get(url)
            asked += 1
            own = "<" in rule and not any(f"{p}>" in rule for p in SHARED)
            if own and response.status_code not in (403, 404):
                problems.append(f"{role} {url}: {response.status_code}")
                continue
            leaked = _leaks(_text(response))
            if leaked:
                problems.append(f"{role} {url}: shows {', '.join(leaked)}")
            if rule.startswith("/api/v1") and response.is_json:
                body = response.get_json(silent=True)
                items = body.get("items") if isinstance(body, dict) else None
                for item in items or []:
                    if not isinstance(item, dict):
                        continue
                    if item.get("organization_id") == ids["org"]:
                        problems.append(f"{role} {url}: names B's organization")
    assert asked > 100
    assert not problems, "\n".join(problems)


def test_an_all_communities_user_sees_both(app, world):
    client = app.test_client()
    headers = _token(client, "boss")
    ids = world["ids"]
    for path in (
        f"/organizations/{ids['org']}",
        f"/volunteers/{ids['volunteer']}",
        f"/activities/{ids['activity']}",
        f"/sessions/{ids['session']}",
        f"/ventures/{ids['venture']}",
    ):
        assert client.get("/api/v1" + path, headers=headers).status_code == 200, path
    orgs = client.get("/api/v1/organizations", headers=headers).get_json()
    names = {o["name"] for o in orgs["items"]}
    assert {A_NAMES["org"], B_NAMES["org"]} <= names
    volunteers = client.get("/api/v1/volunteers", headers=headers).get_json()
    assert {A_NAMES["volunteer"], B_NAMES["volunteer"]} <= {
        v["name"] for v in volunteers["items"]
    }
    ledger = client.get("/api/v1/resources", headers=headers).get_json()
    assert B_NAMES["partner"] in {line["partner"] for line in ledger["items"]}
    browser = app.test_client()
    login(browser, "boss")
    assert B_NAMES["session"] in browser.get("/sessions").get_data(as_text=True)
