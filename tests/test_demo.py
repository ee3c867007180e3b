from decimal import Decimal

from sqlalchemy import func, select

from incubator.auth.models import User
from incubator.demo.seed import COMPOUNDS, DEMO_PASSWORD, LOGINS
from incubator.organizations.models import Organization
from incubator.projects.models import Community, Project
from tests.conftest import login


def test_seed_loads_the_heshan_community_once(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    for login_ in LOGINS:
        assert login_.username in result.output
    community = db.session.scalar(select(Community))
    assert (community.name, community.district) == ("禾山社区", "湖里区")
    assert [c.name for c in community.compounds] == list(COMPOUNDS)
    assert len(COMPOUNDS) == 6
    project = db.session.scalar(select(Project))
    assert "幸福禾立方" in project.name and project.budget == Decimal("200000.00")
    assert project.year == 1 and project.kind == "single"
    roles = set(db.session.scalars(select(User.role)))
    assert roles == {"admin", "social_worker", "viewer", "org_leader"}
    users_before = db.session.scalar(select(func.count()).select_from(User))

    again = runner.invoke(args=["demo", "seed"])
    assert again.exit_code == 0 and "nothing loaded" in again.output
    assert db.session.scalar(select(func.count()).select_from(User)) == users_before


def test_demo_logins_work_and_leaders_see_their_organizations(app, client, db):
    app.test_cli_runner().invoke(args=["demo", "seed"])
    for login_ in LOGINS:
        fresh = app.test_client()
        assert login(fresh, login_.username, DEMO_PASSWORD).status_code == 302
    login(client, "leader_wu", DEMO_PASSWORD)
    page = client.get("/").get_data(as_text=True)
    assert "禾山夕阳红舞蹈队" in page
    assert "城上城平安巡逻队" not in page
    leaders = db.session.scalar(
        select(func.count())
        .select_from(Organization)
        .where(Organization.leader_user_id.is_not(None))
    )
    assert leaders >= 3


def test_readme_lists_the_demo_logins():
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text("utf-8")
    assert DEMO_PASSWORD in readme
    for login_ in LOGINS:
        assert login_.username in readme
