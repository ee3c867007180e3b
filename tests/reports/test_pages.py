"""Report pages for each role: the dashboard (charts each with a table), the
monthly report page and workbook agree with the API, projects and indicators."""

from datetime import UTC, datetime
from io import BytesIO

from openpyxl import load_workbook

from incubator.activities import services as activity_services
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
    activity_services.review_activity(activity, actor=team["sw"], decision="approve")
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
    admin = make_user("admin", username="boss")
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
    assert admin.id
