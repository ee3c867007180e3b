"""People served and space use agree, to the person, across the project's
progress (API and dashboard), the monthly report (API, page, workbook, per
community), the dashboards and the annual summary, for a project's scope and
for every community; each page in a fixed number of queries whatever the
number of residents, sign-ins and bookings. The expected figures are computed
in Python over the rows (tests/centre_rows.py), not by the metrics."""

from datetime import date
from io import BytesIO

from openpyxl import load_workbook

from incubator.reminders.compose import month_figures
from tests.centre_rows import CentreRows, expected, february

API = "/api/v1"
YEAR = (date(2026, 1, 1), date(2027, 1, 1))
FEB = (date(2026, 2, 1), date(2026, 3, 1))
SO_FAR = (date(2026, 1, 1), date(2026, 3, 2))  # frozen at 1 March 2026
METRICS = ("people_served", "space_uses", "space_people")


def _setup(db, make_org, community, make_user, make_project):
    made = february(db, make_org, community)
    admin = make_user("admin", username="boss")
    project = make_project(
        admin, {"people_served": "8338", "space_uses": "386", "space_people": "5000"}
    )
    return made, project


def _summary(response) -> dict:
    book = load_workbook(BytesIO(response.data))
    return {row[0]: row[1] for row in book.active.iter_rows(values_only=True)}


def test_every_page_agrees_for_a_project(
    frozen_time,
    db,
    client,
    make_org,
    community,
    make_user,
    make_project,
    api_token,
    login_as,
):
    made, project = _setup(db, make_org, community, make_user, make_project)
    here = frozenset({community.id})
    year = expected(db, YEAR, here)
    month = expected(db, FEB, here)
    # by hand (tests/centre_rows.py): February 6 people, 5 uses, 55 people at
    # the centre; the year adds 31 January's session (1 person) and a booking
    # on 2 March (1 person, 40 people)
    assert month == {"people_served": 6, "space_uses": 5, "space_people": 55}
    assert year == {"people_served": 8, "space_uses": 6, "space_people": 95}

    viewer = api_token("viewer")
    progress = client.get(f"{API}/projects/{project.id}/progress", headers=viewer)
    actual = {i["metric"]: i["actual"] for i in progress.get_json()["indicators"]}
    assert actual == year

    report = client.get(
        f"{API}/reports/monthly?month=2026-02&project_id={project.id}", headers=viewer
    ).get_json()
    assert report["people_served"] == month["people_served"]
    assert report["space"] == {
        "uses": month["space_uses"],
        "people": month["space_people"],
    }
    assert "by_community" not in report or report["by_community"] is None

    login_as("admin")
    dashboard = client.get(f"/reports?project={project.id}").get_data(as_text=True)
    for metric in METRICS:
        assert f'data-testid="actual-{metric}">{year[metric]}<' in dashboard
        assert f'data-testid="centre-{metric}">{year[metric]}<' in dashboard
    assert "签到的不同居民人数" in dashboard  # the counting rule, on screen
    page = client.get(
        f"/reports/monthly?month=2026-02&project_id={project.id}"
    ).get_data(as_text=True)
    assert f'data-testid="people-served">{month["people_served"]}<' in page
    assert f'data-testid="space-uses">{month["space_uses"]}<' in page
    assert f'data-testid="space-people">{month["space_people"]}<' in page
    summary = _summary(
        client.get(f"/reports/monthly.xlsx?month=2026-02&project_id={project.id}")
    )
    assert summary["服务人数"] == month["people_served"]
    assert summary["使用空间场次"] == month["space_uses"]
    assert summary["空间服务人次"] == month["space_people"]

    annual = client.get(f"/reports/projects/{project.id}/annual").get_data(as_text=True)
    assert (
        f"使用空间 {year['space_uses']} 场服务，总服务人数达 {year['people_served']} 人"
        in annual
    )
    assert f"中心场地服务 {year['space_people']} 人次" in annual
    assert f'data-testid="annual-people-served">{year["people_served"]}<' in annual
    assert f'data-testid="annual-space-uses">{year["space_uses"]}<' in annual
    assert f'data-testid="annual-space-people">{year["space_people"]}<' in annual
    progress_page = client.get(f"/reports/projects/{project.id}").get_data(as_text=True)
    for metric in METRICS:
        assert f'data-testid="actual-{metric}">{year[metric]}<' in progress_page

    client.set_cookie("lang", "en")
    english = client.get(f"/reports/projects/{project.id}/annual").get_data(
        as_text=True
    )
    assert (
        f"the centre&#39;s space was used for {year['space_uses']} services and "
        f"{year['people_served']} people were served in total" in english
    )
    assert "People served" in english and "本年度" not in english


def test_a_resident_of_two_communities_counts_in_each_and_once_overall(
    frozen_time, db, client, make_org, community, make_user, api_token, login_as
):
    made = february(db, make_org, community)
    here, there = community.id, made["second"].id
    total = expected(db, FEB)
    rows = {c: expected(db, FEB, frozenset({c})) for c in (here, there)}
    assert (total["people_served"], rows[here]["people_served"]) == (7, 6)
    assert rows[there]["people_served"] == 2  # 居民1 in both communities
    report = client.get(
        f"{API}/reports/monthly?month=2026-02&breakdown=community",
        headers=api_token("viewer"),
    ).get_json()
    assert report["people_served"] == total["people_served"]
    assert report["space"] == {
        "uses": total["space_uses"],
        "people": total["space_people"],
    }
    by_row = {r["community_id"]: r for r in report["by_community"]}
    for c in (here, there):
        assert by_row[c]["people_served"] == rows[c]["people_served"]
        assert by_row[c]["space"] == {
            "uses": rows[c]["space_uses"],
            "people": rows[c]["space_people"],
        }
    # the admin's monthly reminder says the same
    reminder = month_figures("2026-02")
    assert (reminder["people_served"], reminder["space_uses"]) == (
        total["people_served"],
        total["space_uses"],
    )
    # space adds up; people served does not (and says so)
    assert sum(r["space"]["uses"] for r in by_row.values()) == total["space_uses"]
    assert sum(r["people_served"] for r in by_row.values()) == 8 != 7

    login_as("admin")
    page = client.get("/reports/monthly?month=2026-02").get_data(as_text=True)
    assert 'data-testid="people-served">7<' in page
    assert f'data-testid="people-served-{here}">6<' in page
    assert f'data-testid="people-served-{there}">2<' in page
    assert 'data-testid="people-served-note"' in page and "合计只计一人" in page
    book = load_workbook(
        BytesIO(client.get("/reports/monthly.xlsx?month=2026-02").data)
    )
    sheet = book["按社区"]
    values = list(sheet.iter_rows(values_only=True))
    header = values[0]
    column = header.index("服务人数")
    people = {row[0]: row[column] for row in values[1:] if row[1] is not None}
    assert people == {"测试社区": 6, "第二社区": 2}
    assert "合计只计一人" in values[-1][0]

    # a social worker's day: this year so far in her communities (all here)
    client.post("/logout")
    login_as("social_worker")
    day = client.get("/").get_data(as_text=True)
    so_far = expected(db, SO_FAR)
    for metric in METRICS:
        assert f'data-testid="centre-{metric}">{so_far[metric]}<' in day


def test_query_counts_do_not_grow_with_residents_and_bookings(
    frozen_time,
    db,
    client,
    make_org,
    community,
    make_user,
    make_project,
    api_token,
    login_as,
    assert_constant_queries,
):
    made, project = _setup(db, make_org, community, make_user, make_project)
    rows = CentreRows(db)
    org = made["org"]

    def grow():
        room = rows.room(community)  # a room of its own: no two bookings overlap
        for day in range(1, 8):
            activity = rows.activity(org, date(2026, 2, 20 + day), room=room)
            booking = rows.booking(room, date(2026, 2, 20 + day), hour=16)
            for _ in range(3):
                person = rows.resident()
                rows.sign(person, activity)
                rows.sign(person, booking)
        db.session.commit()

    headers = api_token("viewer")
    for url in (
        f"{API}/projects/{project.id}/progress",
        f"{API}/reports/monthly?month=2026-02",
        f"{API}/reports/monthly?month=2026-02&project_id={project.id}",
    ):
        assert_constant_queries(url, grow, headers=headers)
    login_as("admin")
    for url in (
        "/reports",
        f"/reports?project={project.id}",
        "/reports/monthly?month=2026-02",
        "/reports/monthly.xlsx?month=2026-02",
        f"/reports/projects/{project.id}",
        f"/reports/projects/{project.id}/annual",
    ):
        assert_constant_queries(url, grow, budget=40)
    client.post("/logout")
    login_as("social_worker")
    assert_constant_queries("/", grow, budget=14)
