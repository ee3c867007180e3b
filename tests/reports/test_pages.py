"""Report pages for each role: the dashboard (charts each with a table), the
monthly report page and workbook agree with the API, projects and indicators."""

from datetime import UTC, datetime
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from incubator.activities import services as activity_services
from incubator.activities.schemas import ActivityReview, ResourceEntry
from incubator.community.models import Community
from incubator.projects.models import Project
from tests.conftest import login


def _approved(team, log, db, person_times=30, form="group"):
    activity = log(
        team["org"],
        team["leader"],
        form=form,
        person_times=person_times,
        starts_at=datetime(2026, 2, 10, 6, tzinfo=UTC),
        ends_at=datetime(2026, 2, 10, 8, tzinfo=UTC),
    )
    activity_services.review_activity(
        activity, ActivityReview(decision="approve"), actor=team["sw"]
    )
    db.session.commit()
    return activity


def test_monthly_page_workbook_and_api_agree(
    frozen_time, team, log, db, client, login_as, api_token
):
    _approved(team, log, db, 30)
    _approved(team, log, db, 45, form="community")
    log(team["org"], team["leader"], person_times=500)  # waiting: not counted
    api = client.get(
        "/api/v1/reports/monthly?month=2026-02", headers=api_token("viewer")
    ).get_json()
    login_as("viewer")
    page = client.get("/reports/monthly?month=2026-02").get_data(as_text=True)
    assert 'data-testid="person-times">75<' in page
    assert 'data-testid="total">2<' in page
    book = load_workbook(
        BytesIO(client.get("/reports/monthly.xlsx?month=2026-02").data)
    )
    summary = {row[0]: row[1] for row in book.active.iter_rows(values_only=True)}
    assert api["person_times"] == 75
    assert [v for k, v in summary.items() if k == "服务人次"] == [75]
    assert len(book.sheetnames) == 4
    assert client.get("/reports/monthly?month=bad").status_code == 200


def test_dashboards_for_each_role(frozen_time, team, log, db, client, make_user, app):
    _approved(team, log, db)
    make_user("admin", username="boss")
    login(client, "boss")
    page = client.get("/reports").get_data(as_text=True)
    assert "data-chart" in page and "2026-02" in page  # the trend table
    assert client.get("/reports/projects").status_code == 200
    response = client.post(
        "/reports/projects/new",
        data={
            "name": "幸福禾立方",
            "community": "测试社区",
            "year": "1",
            "kind": "single",
            "budget": "200000",
            "starts_on": "2026-01-01",
            "ends_on": "2026-12-31",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    project_url = response.headers["Location"]
    client.post(
        project_url + "/indicators", data={"metric": "person_times", "target": "3000"}
    )
    page = client.get(project_url).get_data(as_text=True)
    assert 'data-testid="actual-person_times">30<' in page
    assert "lagging" in page or "滞后" in page
    sw = app.test_client()
    login(sw, "team_sw")
    assert 'data-testid="reviews">0<' in sw.get("/reports").get_data(as_text=True)
    leader = app.test_client()
    login(leader, "team_leader")
    page = leader.get("/reports").get_data(as_text=True)
    assert "舞蹈队" in page
    assert leader.get("/reports/monthly").status_code == 403


def test_five_places_agree_to_the_fen_and_person_time(
    frozen_time, team, log, db, client, make_user, api_token, make_project
):
    from datetime import date

    from incubator.projects import services as project_services

    _approved(team, log, db, 30)
    _approved(team, log, db, 45, form="community")
    for value in ("1200.50", "99.99"):
        activity_services.record_resource(
            ResourceEntry(
                partner="伙伴", kind="goods", value=value, received_on=date(2026, 2, 5)
            ),
            actor=team["sw"],
        )
    admin = make_user("admin", username="boss")
    project = make_project(admin)
    for metric, target in (("person_times", 3000), ("resources_value", "408400")):
        project_services.add_indicator(
            project, actor=admin, metric=metric, target=target
        )
    db.session.commit()
    headers = api_token("viewer")
    monthly_api = client.get("/api/v1/reports/monthly?month=2026-02", headers=headers)
    progress_api = client.get(
        f"/api/v1/projects/{project.id}/progress", headers=headers
    )
    by_metric = {i["metric"]: i for i in progress_api.get_json()["indicators"]}
    login(client, "boss")
    dashboard = client.get("/reports").get_data(as_text=True)
    monthly_page = client.get("/reports/monthly?month=2026-02").get_data(as_text=True)
    book = load_workbook(
        BytesIO(client.get("/reports/monthly.xlsx?month=2026-02").data)
    )
    summary = {row[0]: row[1] for row in book.active.iter_rows(values_only=True)}
    annual = client.get(f"/reports/projects/{project.id}/annual").get_data(as_text=True)
    # person-times: 30 + 45
    assert monthly_api.get_json()["person_times"] == 75
    assert by_metric["person_times"]["actual"] == 75
    assert 'data-testid="actual-person_times">75<' in dashboard
    assert 'data-testid="person-times">75<' in monthly_page
    assert summary["服务人次"] == 75
    assert (
        'data-testid="annual-person-times">75<' in annual and "服务 75 人次" in annual
    )
    # money: 1200.50 + 99.99, to the fen
    assert monthly_api.get_json()["resources_value"] == "1300.49"
    assert by_metric["resources_value"]["actual"] == "1300.49"
    assert "1,300.49" in dashboard and "1,300.49" in monthly_page
    assert summary["链接资源价值（元）"] == 1300.49
    assert "链接资源总价值 1,300.49 元" in annual


def test_application_draft_is_editable_then_printable(
    frozen_time, team, db, client, make_user, make_project
):

    admin = make_user("admin", username="boss")
    project = make_project(admin)
    db.session.commit()
    login(client, "boss")
    url = f"/reports/projects/{project.id}/application"
    page = client.get(url).get_data(as_text=True)
    assert "申报理由" in page and "本年度共开展服务" in page and "第 2 年" in page
    printed = client.post(url, data={"reason": "我们的理由：居民需要。"}).get_data(
        as_text=True
    )
    assert 'data-testid="reason">我们的理由：居民需要。<' in printed


def test_dashboards_and_reports_keep_flat_query_counts(
    frozen_time, team, log, db, client, make_user, assert_constant_queries, make_project
):

    from incubator.projects import services as project_services

    admin = make_user("admin", username="boss")
    project = make_project(admin)
    for metric in ("person_times", "group_activities", "orgs_incubated"):
        project_services.add_indicator(project, actor=admin, metric=metric, target=10)
    db.session.commit()
    state = {"n": 0}

    def grow():
        for _ in range(10):
            state["n"] += 1
            _approved(team, log, db, person_times=state["n"])

    grow()
    login(client, "boss")
    for url in (
        "/reports",
        "/reports/monthly?month=2026-02",
        f"/reports/projects/{project.id}",
        f"/reports/projects/{project.id}/annual",
        "/reports/projects",
    ):
        assert_constant_queries(url, grow, budget=40)


def test_a_target_can_be_corrected_or_removed(
    frozen_time, db, client, make_user, make_project
):

    from sqlalchemy import select

    from incubator.projects import services as project_services
    from incubator.projects.models import Indicator

    admin = make_user("admin", username="boss")
    project = make_project(admin)
    indicator = project_services.add_indicator(
        project, actor=admin, metric="person_times", target=30000
    )
    db.session.commit()
    login(client, "boss")
    client.post(f"/reports/indicators/{indicator.id}", data={"target": "3000"})
    db.session.expire_all()
    assert str(indicator.target) == "3000.00"
    client.post(f"/reports/indicators/{indicator.id}", data={"target": "1e-9"})
    db.session.expire_all()
    assert str(indicator.target) == "3000.00"
    client.post(f"/reports/indicators/{indicator.id}", data={"remove": "1"})
    assert db.session.scalars(select(Indicator)).all() == []


PROJECT_FORM = {
    "name": "幸福禾立方",
    "community": "测试社区",
    "year": "1",
    "kind": "single",
    "budget": "200000",
    "starts_on": "2026-01-01",
    "ends_on": "2026-12-31",
}


def _post_project(client, make_user, **fields):
    make_user("admin", username="boss")
    login(client, "boss")
    return client.post("/reports/projects/new", data={**PROJECT_FORM, **fields})


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("name", "幸福\u202e禾立方", "方向控制字符"),
        ("community", "测试\u2067社区", "方向控制字符"),
        ("description", "见附件\u202bexe.pdf", "方向控制字符"),
        ("year", "\u0661", "0 到 9"),
        ("starts_on", "\u0662\u0660\u0662\u0666-01-01", "0 到 9"),
        ("starts_on", "0", "YYYY-MM-DD"),
    ],
)
def test_project_page_refuses_what_every_other_form_refuses(
    client, make_user, db, field, value, message
):
    response = _post_project(client, make_user, **{field: value})
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(Project.id)) is None
    assert db.session.scalar(select(Community.id)) is None


def test_project_page_reads_full_width_digits_like_every_other_form(
    client, make_user, db
):
    response = _post_project(
        client,
        make_user,
        name="ＡＢＣ项目　",
        year="１",
        starts_on="２０２６-０１-０１",
        ends_on="２０２６-１２-３１",
    )
    assert response.status_code == 302, response.get_data(as_text=True)[-800:]
    project = db.session.scalars(select(Project)).one()
    assert (project.name, project.year) == ("ABC项目", 1)
    assert (str(project.starts_on), str(project.ends_on)) == (
        "2026-01-01",
        "2026-12-31",
    )
