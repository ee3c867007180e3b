"""The demo's second community, 西岭社区: its own records, its project's figures
counting only them, and the accounts split between the two communities."""

from datetime import time

from sqlalchemy import func, select

from incubator.activities.models import Activity
from incubator.audit.models import AuditEntry
from incubator.auth.models import User
from incubator.community.models import Community
from incubator.community.scope import scope_ids
from incubator.database import utcnow
from incubator.demo.clock import local
from incubator.demo.seed import DEMO_PASSWORD
from incubator.followups.models import FollowUp
from incubator.organizations.models import Organization
from incubator.projects import services as projects
from incubator.projects.models import Project
from incubator.volunteers.models import Membership, ServiceRecord, Volunteer
from tests.conftest import login


def _count(db, model, community_id):
    return db.session.scalar(
        select(func.count())
        .select_from(model)
        .where(model.community_id == community_id)
    )


def test_demo_second_community(app, db):
    result = app.test_cli_runner().invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    heshan, xiling = db.session.scalars(select(Community).order_by(Community.id))
    assert (xiling.name, xiling.street, xiling.district) == (
        "西岭社区",
        "禾山街道",
        "湖里区",
    )
    assert heshan.street == xiling.street
    assert len(xiling.compounds) == 4
    orgs = db.session.scalars(
        select(Organization).where(Organization.community_id == xiling.id)
    ).all()
    assert len(orgs) == 5
    assert {o.stage for o in orgs} == {"intake", "incubating", "cultivating", "dormant"}
    assert {o.compound.community_id for o in orgs} == {xiling.id}
    assert _count(db, Volunteer, xiling.id) == 25
    memberships = db.session.scalar(
        select(func.count())
        .select_from(Membership)
        .join(Organization)
        .where(Organization.community_id == xiling.id)
    )
    assert memberships == 30
    assert _count(db, ServiceRecord, xiling.id) >= 6
    states = db.session.scalars(
        select(Activity.review_state).where(Activity.community_id == xiling.id)
    ).all()
    assert len(states) >= 20
    assert {"approved", "pending", "returned"} <= set(states)
    assert states.count("approved") > len(states) * 3 // 4
    assert _count(db, FollowUp, xiling.id) >= 3
    # Its records are dated back, and their audit trail with them.
    registered = db.session.scalars(
        select(AuditEntry.at).where(
            AuditEntry.entity_type == "Organization",
            AuditEntry.action == "create",
            AuditEntry.entity_id.in_([o.id for o in orgs]),
        )
    ).all()
    assert sorted(registered) == sorted(o.created_at for o in orgs)
    assert (utcnow() - min(registered)).days > 150

    first, second = db.session.scalars(select(Project).order_by(Project.id))
    assert (first.community_id, second.community_id) == (heshan.id, xiling.id)
    assert second.year == 1 and not second.renewal
    assert [i.metric for i in second.indicators] == [i.metric for i in first.indicators]
    for mine, theirs in zip(second.indicators, first.indicators, strict=True):
        assert mine.target < theirs.target, mine.metric
    done = {p.metric: p.actual for p in projects.progress(second)}
    approved_here = db.session.scalar(
        select(func.sum(Activity.person_times)).where(
            Activity.community_id == xiling.id,
            Activity.review_state == "approved",
            Activity.starts_at >= local(second.starts_on, time(0)),
        )
    )
    assert 0 < done["person_times"] <= approved_here


def test_demo_accounts_are_split_between_the_communities(app, db):
    app.test_cli_runner().invoke(args=["demo", "seed"])
    heshan, xiling = db.session.scalars(select(Community).order_by(Community.id))
    scopes = {u.username: scope_ids(u) for u in db.session.scalars(select(User))}
    assert scopes["sw_lin"] == scopes["sw_huang"] == {heshan.id}
    assert scopes["sw_zhou"] == scopes["leader_sun"] == {xiling.id}
    assert scopes["street_viewer"] == {heshan.id, xiling.id}
    assert scopes["admin"] is None and scopes["viewer"] is None
    pages = {}
    for username in ("sw_lin", "sw_zhou", "street_viewer", "leader_sun"):
        client = app.test_client()
        assert login(client, username, DEMO_PASSWORD).status_code == 302
        pages[username] = client.get("/organizations").get_data(as_text=True)
    assert "西岭花园合唱团" in pages["sw_zhou"]
    assert "禾山夕阳红舞蹈队" not in pages["sw_zhou"]
    assert "禾山夕阳红舞蹈队" in pages["sw_lin"]
    assert "西岭花园合唱团" not in pages["sw_lin"]
    assert "西岭花园合唱团" in pages["street_viewer"]
    assert "禾山夕阳红舞蹈队" in pages["street_viewer"]


def test_demo_second_community_has_its_own_centre_figures(app, db, demo_today):
    """西岭社区's rooms and sign-ins give its own figures; residents who signed
    in at both centres count once in each."""
    from incubator.demo.centre import data
    from incubator.projects import metrics
    from incubator.projects.services import project_communities, project_period
    from incubator.signins.models import SignIn
    from tests.demo_centre_checks import raw_people_served, raw_space_uses

    first, second = db.session.scalars(select(Project).order_by(Project.id))
    period, only = project_period(second), project_communities(second)
    assert metrics.space_uses(period, only) == data.SECOND_SPACE_USES == 58
    assert metrics.people_served(period, only) == data.SECOND_PEOPLE_SERVED == 642
    assert raw_space_uses(db, second.community_id, period) == 58
    assert raw_people_served(db, second.community_id, period) == 642
    both = db.session.scalar(
        select(func.count()).select_from(
            select(SignIn.resident_id)
            .group_by(SignIn.resident_id)
            .having(func.count(func.distinct(SignIn.community_id)) == 2)
            .subquery()
        )
    )
    assert both == data.SHARED_RESIDENTS
    # Counted once in each community, and once over both.
    first_period = project_period(first)
    assert metrics.people_served(first_period, project_communities(first)) == 8338
    each = metrics.people_served_per_community(first_period, None)
    whole = metrics.people_served(first_period, None)
    assert max(each.values()) == 8338 < whole < sum(each.values())
