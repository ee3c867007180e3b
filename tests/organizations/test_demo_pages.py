"""The demo community fills every organization page with something real."""

import pytest
from sqlalchemy import distinct, func, select

from incubator.community.models import Community
from incubator.demo.seed import DEMO_PASSWORD
from incubator.organizations.models import Organization
from tests.conftest import login


@pytest.fixture
def demo(db, demo_today):
    """The demo, as seeded today."""


def test_demo_spreads_organizations_over_every_stage(demo, db):
    stages = set(db.session.scalars(select(Organization.stage)))
    assert stages >= {
        "intake",
        "incubating",
        "cultivating",
        "self_governing",
        "graduated",
        "dormant",
    }
    # Every compound has an organization: 禾山社区's six and 西岭社区's four.
    rows = db.session.execute(
        select(Community.name, func.count(distinct(Organization.compound_id)))
        .join(Organization.community)
        .group_by(Community.name)
    ).all()
    assert dict(rows) == {"禾山社区": 6, "西岭社区": 4}


@pytest.mark.parametrize(
    "username", ["admin", "sw_lin", "viewer", "street_viewer", "leader_wu"]
)
def test_every_demo_login_sees_working_pages(demo, app, db, username):
    client = app.test_client()
    assert login(client, username, DEMO_PASSWORD).status_code == 302
    orgs = db.session.scalars(select(Organization)).all()
    urls = ["/", "/organizations", "/organizations/board", "/organizations/caseload"]
    urls += [f"/organizations/{o.id}" for o in orgs]
    urls += [f"/organizations/{o.id}/timeline" for o in orgs]
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 403, 404), (url, response.status_code)
    dance = next(o for o in orgs if o.name == "禾山夕阳红舞蹈队")
    page = client.get(f"/organizations/{dance.id}").get_data(as_text=True)
    assert "data-radar" in page and "自治" in page
