"""Every figure per community (issue 15): the rows of the monthly report's
per-community breakdown add up to the agency-wide figure to the person-time and
the fen; a project counts only its community's records in its period; a renewal
shows last year's actual; an organization that moves moves its future figures,
never its past ones; the budgets of the pages do not grow with the number of
communities; a caller scoped to one community cannot ask for another's."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from incubator.activities import services as activity_services
from incubator.activities.schemas import ActivityReview, ResourceEntry
from incubator.community.models import Community, Compound
from incubator.community.scope import set_scope
from incubator.organizations import records, stages
from incubator.projects import services as project_services
from incubator.projects.models import Indicator, Project
from incubator.volunteers import hours as hours_service
from incubator.volunteers import services as volunteer_services
from incubator.volunteers.schemas import VolunteerRegistration
from tests.conftest import DEFAULT_PASSWORD, login
from tests.sessions.conftest import WEAK_FINANCE

API = "/api/v1"


def _at(month: int, day: int, hour: int = 9) -> datetime:
    return datetime(2026, month, day, hour - 8, tzinfo=UTC)


@pytest.fixture
def two(db, community, make_user, make_org, log, frozen_time):
    """Two communities, each with an organization, its volunteer, reviewed
    activities, ledger lines, service hours and a stage move in February 2026
    (and some in March)."""
    other = Community(name="第二社区", district="湖里区", city="厦门市", position=1)
    db.session.add(other)
    db.session.add(Compound(community=other, name="丙小区", position=0))
    db.session.commit()
    first_compound = community.compounds[0]
    other_compound = other.compounds[0]
    sw = make_user("social_worker", username="two_sw")
    leader = make_user("org_leader", username="two_leader")
    a = make_org(
        "甲舞蹈队", leader=leader, social_worker=sw, compound_id=first_compound.id
    )
    b = make_org(
        "丙合唱团", leader=leader, social_worker=sw, compound_id=other_compound.id
    )
    made = {"a": a, "b": b, "A": community, "B": other, "sw": sw, "leader": leader}
    frozen_time.move_to("2026-04-01 09:00+08:00")
    for org, people, value in ((a, 30, "1200.55"), (b, 45, "99.99")):
        helper = volunteer_services.create_volunteer(
            VolunteerRegistration(
                name=f"{org.name}志愿者",
                birth_year=1960,
                phone=f"1391111{org.id:04d}",
                compound_id=org.compound_id,
            ),
            actor=sw,
            organization=org,
        )
        db.session.commit()
        for month, day, form in (
            (2, 10, "group"),
            (2, 12, "community"),
            (3, 5, "group"),
        ):
            activity = log(
                org,
                leader,
                title=f"{org.name}{month}-{day}",
                form=form,
                person_times=people + day,
                starts_at=_at(month, day),
                ends_at=_at(month, day, 11),
            )
            activity_services.review_activity(
                activity, ActivityReview(decision="approve"), actor=sw
            )
        activity_services.record_resource(
            ResourceEntry(
                partner="超市", kind="goods", value=value, received_on=date(2026, 2, 6)
            ),
            actor=sw,
            organization=org,
        )
        hours_service.record_service(
            helper,
            org,
            actor=sw,
            served_on=date(2026, 2, 20),
            hours="1.5",
            service="值班",
        )
        records.record_assessment(
            org, actor=sw, assessed_on=date(2026, 2, 1), scores=WEAK_FINANCE
        )
        db.session.commit()
    frozen_time.move_to("2026-02-15 10:00+08:00")
    stages.change_stage(a, "incubating", actor=sw)
    stages.change_stage(b, "incubating", actor=sw)
    db.session.commit()
    frozen_time.move_to("2026-05-01 09:00+08:00")
    return made


def _leaves(figures: dict, prefix: str = "") -> dict[str, Decimal]:
    """Every figure of a report (nested keys joined by '.') as a number."""
    found: dict[str, Decimal] = {}
    for key, value in figures.items():
        if key in ("month", "community_id", "name", "by_community"):
            continue
        if isinstance(value, dict):
            found.update(_leaves(value, f"{prefix}{key}."))
        else:
            found[prefix + key] = Decimal(str(value))
    return found


def test_per_community_figures_add_up_to_the_agency_figure_every_key(
    two, client, api_token
):
    admin = api_token("admin")
    for month in ("2026-02", "2026-03"):
        whole = client.get(f"{API}/reports/monthly?month={month}", headers=admin)
        assert whole.status_code == 200
        report = whole.get_json()
        # two communities in the caller's scope: the breakdown comes unasked
        rows = report["by_community"]
        assert [r["name"] for r in rows] == ["测试社区", "第二社区"]
        total = _leaves(report)
        for key, value in total.items():
            assert sum(_leaves(r)[key] for r in rows) == value, key
        for row in rows:
            alone = client.get(
                f"{API}/reports/monthly?month={month}&community_id={row['community_id']}",
                headers=admin,
            ).get_json()
            assert "by_community" not in alone
            assert _leaves(alone) == _leaves(row)
    february = _leaves(
        client.get(f"{API}/reports/monthly?month=2026-02", headers=admin).get_json()
    )
    assert february["person_times"] == (30 + 10) + (30 + 12) + (45 + 10) + (45 + 12)
    assert february["resources_value"] == Decimal("1300.54")
    assert february["volunteer_hours"] == Decimal("3.0")
    assert february["organizations.stage_moves"] == 2


def test_a_single_community_answer_has_no_breakdown_unless_asked(
    client, api_token, community
):
    admin = api_token("admin")
    plain = client.get(f"{API}/reports/monthly?month=2026-02", headers=admin)
    assert "by_community" not in plain.get_json()
    asked = client.get(
        f"{API}/reports/monthly?month=2026-02&breakdown=community", headers=admin
    ).get_json()
    assert [r["name"] for r in asked["by_community"]] == ["测试社区"]
    assert _leaves(asked["by_community"][0]) == _leaves(plain.get_json())


def test_a_caller_scoped_to_one_community_sees_its_figures_only(
    two, client, make_user, db
):
    viewer = make_user("viewer", username="street_a")
    set_scope(viewer, [two["A"].id])
    db.session.commit()
    token = client.post(
        f"{API}/tokens", json={"username": "street_a", "password": DEFAULT_PASSWORD}
    )
    headers = {"Authorization": f"Bearer {token.get_json()['token']}"}
    mine = client.get(f"{API}/reports/monthly?month=2026-02", headers=headers)
    assert "by_community" not in mine.get_json()
    assert mine.get_json()["person_times"] == (30 + 10) + (30 + 12)
    other = client.get(
        f"{API}/reports/monthly?month=2026-02&community_id={two['B'].id}",
        headers=headers,
    )
    assert other.status_code == 404
    project = Project(
        name="第二社区项目",
        community_id=two["B"].id,
        budget=Decimal("1000"),
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 12, 31),
    )
    db.session.add(project)
    db.session.commit()
    assert (
        client.get(
            f"{API}/reports/monthly?month=2026-02&project_id={project.id}",
            headers=headers,
        ).status_code
        == 404
    )
    assert (
        client.get(f"{API}/projects/{project.id}/progress", headers=headers).status_code
        == 404
    )
    assert client.get(f"{API}/projects", headers=headers).get_json()["items"] == []
    login(client, "street_a")
    assert client.get(f"/reports/projects/{project.id}").status_code == 404
    assert "第二社区项目" not in client.get("/reports/projects").get_data(as_text=True)
    # the dashboard counts the viewer's community: A's February ledger only
    dashboard = client.get("/reports").get_data(as_text=True)
    assert "1,200.55" in dashboard and "1,300.54" not in dashboard


def _project(db, community, starts_on, ends_on, indicators, **fields) -> Project:
    project = Project(
        name=fields.pop("name", "幸福禾立方"),
        community_id=community.id,
        budget=Decimal("200000"),
        starts_on=starts_on,
        ends_on=ends_on,
        **fields,
    )
    db.session.add(project)
    db.session.flush()
    for position, (metric, target) in enumerate(indicators.items()):
        db.session.add(
            Indicator(
                project_id=project.id,
                metric=metric,
                target=Decimal(target),
                position=position,
            )
        )
    db.session.commit()
    return project


def test_a_project_counts_only_its_community_in_its_period(two, db, client, api_token):
    project = _project(
        db,
        two["A"],
        date(2026, 2, 1),
        date(2026, 2, 28),
        {"person_times": 100, "resources_value": "2000", "orgs_incubated": 1},
    )
    answer = client.get(
        f"{API}/projects/{project.id}/progress", headers=api_token("viewer")
    ).get_json()
    actual = {row["metric"]: row["actual"] for row in answer["indicators"]}
    # community B's February and community A's March do not count
    assert actual == {
        "person_times": (30 + 10) + (30 + 12),
        "resources_value": "1200.55",
        "orgs_incubated": 1,
    }
    assert all("previous_actual" not in row for row in answer["indicators"])
    # the monthly report of the project: its community, the month asked
    by_project = client.get(
        f"{API}/reports/monthly?month=2026-03&project_id={project.id}",
        headers=api_token("admin"),
    ).get_json()
    assert by_project["month"] == "2026-03"
    assert by_project["person_times"] == 30 + 5
    annual = client.get(f"/reports/projects/{project.id}/annual")
    assert annual.status_code in (302, 401)  # a page behind the login


def test_a_renewal_shows_last_years_actual_beside_this_years_target(
    two, db, client, api_token, login_as
):
    last = _project(
        db, two["A"], date(2026, 2, 1), date(2026, 2, 28), {"person_times": 50}
    )
    # another community's later project is never the previous one
    _project(
        db,
        two["B"],
        date(2026, 2, 1),
        date(2026, 3, 10),
        {"person_times": 50},
        name="第二社区项目",
    )
    renewal = _project(
        db,
        two["A"],
        date(2026, 3, 1),
        date(2026, 12, 31),
        {"person_times": 200, "volunteer_hours": "10"},
        year=2,
        renewal=True,
        name="幸福禾立方（第2年）",
    )
    answer = client.get(
        f"{API}/projects/{renewal.id}/progress", headers=api_token("viewer")
    ).get_json()
    rows = {row["metric"]: row for row in answer["indicators"]}
    assert rows["person_times"]["previous_actual"] == (30 + 10) + (30 + 12)
    assert rows["person_times"]["actual"] == 30 + 5
    assert rows["volunteer_hours"]["previous_actual"] == "1.5"
    assert project_services.previous_project(renewal).id == last.id
    login_as("admin")
    page = client.get(f"/reports/projects/{renewal.id}")
    assert page.status_code == 200
    assert 'data-testid="previous-person_times">82<' in page.get_data(as_text=True)
    draft = client.get(f"/reports/projects/{renewal.id}/application")
    assert "上一年度" in draft.get_data(as_text=True)
    assert "服务 82 人次" in draft.get_data(as_text=True)
    first_year = client.get(f"/reports/projects/{last.id}/application")
    assert "上一年度" not in first_year.get_data(as_text=True)


def test_an_organization_that_moves_moves_its_future_figures_never_its_past(
    two, db, client, api_token, log, frozen_time
):
    a, sw, leader = two["a"], two["sw"], two["leader"]
    admin = api_token("admin")

    def person_times(month: str) -> dict[str, int]:
        report = client.get(
            f"{API}/reports/monthly?month={month}", headers=admin
        ).get_json()
        return {r["name"]: r["person_times"] for r in report["by_community"]}

    before = person_times("2026-02")
    a.community_id = two["B"].id
    a.compound_id = two["B"].compounds[0].id
    db.session.commit()
    later = log(
        a,
        leader,
        title="搬家后",
        person_times=7,
        starts_at=_at(4, 10),
        ends_at=_at(4, 10, 11),
    )
    activity_services.review_activity(
        later, ActivityReview(decision="approve"), actor=sw
    )
    db.session.commit()
    assert later.community_id == two["B"].id
    assert person_times("2026-02") == before
    assert person_times("2026-04") == {"测试社区": 0, "第二社区": 7}


def test_budgets_do_not_grow_with_communities(
    two, db, client, api_token, login_as, assert_constant_queries, make_org, log
):
    project = _project(
        db,
        two["A"],
        date(2026, 1, 1),
        date(2026, 12, 31),
        {"person_times": 100, "orgs_incubated": 2},
    )
    counter = iter(range(3, 100))

    def another_community():
        n = next(counter)
        place = Community(name=f"社区{n}", position=n)
        db.session.add(place)
        db.session.add(Compound(community=place, name=f"小区{n}"))
        db.session.commit()
        org = make_org(
            f"组织{n}", compound_id=place.compounds[0].id, leader=two["leader"]
        )
        activity = log(org, two["leader"], starts_at=_at(2, 11), ends_at=_at(2, 11, 11))
        db.session.commit()
        assert activity.community_id == place.id

    headers = api_token("admin")
    assert_constant_queries(
        f"{API}/reports/monthly?month=2026-02&breakdown=community",
        another_community,
        headers=headers,
    )
    assert_constant_queries(
        f"{API}/projects/{project.id}/progress", another_community, headers=headers
    )
    login_as("admin")
    for url in (
        "/reports/monthly?month=2026-02",
        "/reports/monthly.xlsx?month=2026-02",
        f"/reports/projects/{project.id}",
        f"/reports/projects/{project.id}/annual",
        "/reports",
    ):
        assert_constant_queries(url, another_community)


def test_the_page_shows_the_per_community_table(two, client, login_as):
    login_as("viewer")
    page = client.get("/reports/monthly?month=2026-02").get_data(as_text=True)
    assert 'data-testid="by-community"' in page
    assert "第二社区" in page
    one = client.get(
        f"/reports/monthly?month=2026-02&community_id={two['B'].id}"
    ).get_data(as_text=True)
    assert 'data-testid="by-community"' not in one
    assert f'data-testid="person-times">{45 + 10 + 45 + 12}<' in one
