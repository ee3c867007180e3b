"""Viewers (street office, civil affairs bureau) see figures and organizations,
never a list or record of individual residents: a resident's name is personal
data (README "Roles"; issue 13).

The audit is by kind, not by page: a viewer's client follows every link it can
reach from the home page and calls every GET route of the API, and no answer
(HTML, JSON or Excel) carries a volunteer's name or number. The same crawl as the
organization's leader does find them, so the check can fail.
"""

from __future__ import annotations

import re
import zipfile
from datetime import UTC, date, datetime, timedelta
from io import BytesIO
from urllib.parse import urldefrag, urlparse

import pytest

from incubator.activities import services as activities
from incubator.activities.schemas import ActivityLog, ActivityReview, ResourceEntry
from incubator.sessions import services as sessions
from incubator.sessions.schemas import Attendance, SessionSchedule
from incubator.volunteers import certificates, hours
from incubator.volunteers import services as volunteers
from tests.conftest import DEFAULT_PASSWORD, login
from tests.images import png_bytes

NAMES = ("王秀英", "李建国")  # the team's volunteers (tests/conftest.py ``team``)
PHONE_TAIL = "0001"
MAX_PAGES = 400
VARIANTS = 4


@pytest.fixture
def world(frozen_time, team, make_user, db):
    """The team's volunteers served at an approved activity, one has a
    certificate and came to a session by name, the other left; a resource has
    evidence. Returns the ids the API routes take."""
    org, sw, leader = team["org"], team["sw"], team["leader"]
    wang, li = team["helpers"]
    make_user("viewer", username="street_viewer", name="街道观察员")
    admin = make_user("admin", username="privacy_admin")
    activity = activities.log_activity(
        org,
        ActivityLog(
            organization_id=org.id,
            title="重阳节文艺汇演",
            form="community",
            service_type="self_org_service",
            target_group="elders",
            starts_at=datetime(2026, 2, 10, 6, tzinfo=UTC),
            ends_at=datetime(2026, 2, 10, 8, tzinfo=UTC),
            place="活动室",
            person_times=40,
            volunteer_hours=[
                {"volunteer_id": v, "hours": h}
                for v, h in [(wang.id, "2"), (li.id, "1.5")]
            ],
        ),
        actor=leader,
    )
    activities.review_activity(activity, ActivityReview(decision="approve"), actor=sw)
    activities.record_resource(
        ResourceEntry(
            partner="超市", kind="goods", value="100.00", received_on=date(2026, 2, 10)
        ),
        actor=leader,
        organization=org,
        activity=activity,
        evidence=(png_bytes(), "发票.png"),
    )
    record = hours.record_service(
        wang, org, actor=sw, served_on=date(2026, 2, 12), hours="3", service="探访"
    )
    certificate = certificates.issue_certificate(wang, actor=sw, issuer_name="舞蹈队")
    start = datetime.now(UTC) - timedelta(days=2)
    session = sessions.schedule_session(
        SessionSchedule(
            title="财务培力课",
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            capacity=20,
            organization_ids=[org.id],
        ),
        actor=sw,
    )[0]
    sessions.record_attendance(
        session,
        Attendance(organization_id=org.id, volunteer_ids=[wang.id]),
        actor=admin,
    )
    volunteers.change_membership(li.memberships[0], actor=sw, left_on=date(2026, 3, 1))
    db.session.commit()
    return {
        "org_id": org.id,
        "activity_id": activity.id,
        "volunteer_id": wang.id,
        "record_id": record.id,
        "certificate_id": certificate.id,
        "session_id": session.id,
        "membership_id": wang.memberships[0].id,
    }


def _texts(response) -> str:
    """What a person could read in the answer, Excel included."""
    data = response.get_data()
    if data[:2] == b"PK":  # an .xlsx: its shared strings and sheets
        with zipfile.ZipFile(BytesIO(data)) as book:
            return " ".join(
                book.read(n).decode("utf-8", "replace")
                for n in book.namelist()
                if n.endswith(".xml")
            )
    return data.decode("utf-8", "replace")  # a photo reads as noise


def _crawl(client) -> dict[str, str]:
    """Every page reachable by links from the home page (GET only), by URL; at
    most ``VARIANTS`` query strings of one path (a calendar links month after
    month)."""
    seen: dict[str, str] = {}
    variants: dict[str, int] = {}
    queue = ["/"]
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        path = urlparse(url).path
        if url in seen or variants.get(path, 0) >= VARIANTS:
            continue
        variants[path] = variants.get(path, 0) + 1
        response = client.get(url)
        seen[url] = _texts(response) if response.status_code == 200 else ""
        response.close()
        if response.status_code != 200 or not response.mimetype == "text/html":
            continue
        for href in re.findall(r'href="([^"#][^"]*)"', seen[url]):
            href = urldefrag(href.replace("&amp;", "&"))[0]
            parts = urlparse(href)
            if parts.netloc or not href.startswith("/"):
                continue
            if href.startswith(("/static/", "/bootstrap/", "/language/")):
                continue
            if href not in seen:
                queue.append(href)
    return seen


def _api_answers(app, client, token, ids) -> dict[str, str]:
    """Every GET route of the API, its parameters filled from ``ids``."""
    answers = {}
    fill = {**ids, "key": "x"}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/") or "GET" not in rule.methods:
            continue
        if any(arg not in fill for arg in rule.arguments):
            continue
        url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(fill[m.group(1)]), rule.rule)
        if "monthly" in url:
            url += "?month=2026-02"
        response = client.get(url, headers={"Authorization": f"Bearer {token}"})
        answers[url] = (
            response.get_data(as_text=True) if response.status_code == 200 else ""
        )
    return answers


def _client(app, username):
    client = app.test_client()
    assert login(client, username).status_code == 302
    token = client.post(
        "/api/v1/tokens", json={"username": username, "password": DEFAULT_PASSWORD}
    ).get_json()["token"]
    return client, token


def _leaks(answers: dict[str, str]) -> dict[str, list[str]]:
    found = {}
    for url, text in answers.items():
        names = [n for n in NAMES if n in text]
        if "1391111" in text or "****" + PHONE_TAIL in text:
            names.append("phone")
        if names:
            found[url] = names
    return found


def test_a_viewer_reaches_no_resident_anywhere(app, world):
    client, token = _client(app, "street_viewer")
    pages = _crawl(client)
    assert f"/organizations/{world['org_id']}" in pages  # organizations stay open
    assert f"/activities/{world['activity_id']}" in pages
    assert f"/sessions/{world['session_id']}" in pages
    assert not any(p.startswith("/volunteers") for p in pages), "a link to the roster"
    assert len(pages) < MAX_PAGES  # the crawl ended by itself: nothing left out
    assert f"/organizations/{world['org_id']}/timeline" in pages
    answers = {**pages, **_api_answers(app, client, token, world)}
    assert not _leaks(answers)


def test_the_same_crawl_finds_them_as_the_leader(app, world):
    client, token = _client(app, "team_leader")
    answers = {**_crawl(client), **_api_answers(app, client, token, world)}
    leaks = _leaks(answers)
    assert any("王秀英" in names for names in leaks.values())
    assert any("李建国" in names for names in leaks.values())


@pytest.mark.parametrize(
    "path",
    [
        "/volunteers",
        "/volunteers/export.xlsx",
        "/volunteers/hours",
        "/volunteers/hours/export.xlsx",
        "/volunteers/{volunteer_id}",
        "/volunteers/organization/{org_id}",
        "/volunteers/certificates/{certificate_id}",
        "/api/v1/volunteers",
        "/api/v1/volunteers/{volunteer_id}",
        "/api/v1/organizations/{org_id}/members",
        "/api/v1/hours",
    ],
)
def test_roster_pages_and_api_answer_403_to_a_viewer(app, world, path):
    client, token = _client(app, "street_viewer")
    url = path.format(**world)
    response = client.get(url, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403
    assert "王秀英" not in response.get_data(as_text=True)


def test_a_viewer_cannot_search_the_roster(app, world):
    client, token = _client(app, "street_viewer")
    response = client.post(
        "/api/v1/volunteers/search",
        json={"name": "王"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 403
    assert client.post("/volunteers/search", data={"q": "王"}).status_code == 403


def test_a_viewer_sees_how_many_volunteers_served_not_who(app, world):
    client, token = _client(app, "street_viewer")
    page = client.get(f"/activities/{world['activity_id']}").get_data(as_text=True)
    assert "2 名志愿者，共 3.5 小时" in page
    answer = client.get(
        f"/api/v1/activities/{world['activity_id']}",
        headers={"Authorization": f"Bearer {token}"},
    ).get_json()
    assert answer["volunteer_hours"] is None
    assert answer["volunteer_count"] == 2
    timeline = client.get(f"/organizations/{world['org_id']}/timeline").get_data(
        as_text=True
    )
    assert "一名志愿者以成员身份加入" in timeline and "一名志愿者已离开" in timeline


def test_staff_still_see_who_served(app, world):
    client, token = _client(app, "team_sw")
    page = client.get(f"/activities/{world['activity_id']}").get_data(as_text=True)
    assert "王秀英（2.0）" in page or "王秀英（2）" in page
    answer = client.get(
        f"/api/v1/activities/{world['activity_id']}",
        headers={"Authorization": f"Bearer {token}"},
    ).get_json()
    assert {h["name"] for h in answer["volunteer_hours"]} == set(NAMES)


def test_the_menu_offers_a_viewer_no_roster(app, world):
    client, _token = _client(app, "street_viewer")
    home = client.get("/").get_data(as_text=True)
    assert 'href="/volunteers"' not in home
    org_page = client.get(f"/organizations/{world['org_id']}").get_data(as_text=True)
    assert f'href="/volunteers/organization/{world["org_id"]}"' not in org_page
    leader, _token = _client(app, "team_leader")
    assert 'href="/volunteers"' in leader.get("/").get_data(as_text=True)


def test_the_demo_viewer_meets_none_of_the_demo_volunteers(app, db):
    """The issue's own case: the demo viewer browsed and exported all the demo
    volunteers. Now no page, export or API answer it reaches names one."""
    from sqlalchemy import select

    from incubator.demo.seed import DEMO_PASSWORD, seed_demo
    from incubator.volunteers.models import Volunteer

    seed_demo()
    db.session.commit()
    names = set(db.session.scalars(select(Volunteer.name)))
    assert len(names) > 100
    client = app.test_client()
    assert login(client, "viewer", DEMO_PASSWORD).status_code == 302
    token = client.post(
        "/api/v1/tokens", json={"username": "viewer", "password": DEMO_PASSWORD}
    ).get_json()["token"]
    answers = _crawl(client)
    answers.update(_api_answers(app, client, token, {}))
    leaks = {
        url: found
        for url, text in answers.items()
        if (found := [n for n in names if n in text])
    }
    assert not leaks
