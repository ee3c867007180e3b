"""The demo's second community, 西岭社区 of 禾山街道 (invented): its compounds,
the first year of its project, and the accounts split between the two
communities; its organizations (``incubator.demo.second_orgs``), roster,
activities and follow-ups (``incubator.demo.second_activity``) go through the
services too, dated back with ``incubator.demo.clock``."""

from __future__ import annotations

import random
from datetime import timedelta

from incubator.auth.models import User
from incubator.community import services as communities
from incubator.community.models import Community
from incubator.community.schemas import CommunityCreate, CompoundEntry
from incubator.community.users import change_scope
from incubator.demo import second_data
from incubator.demo.second_activity import seed_roster_and_activities
from incubator.demo.second_orgs import seed_organization
from incubator.extensions import db
from incubator.i18n import local_today
from incubator.periods import months_before
from incubator.projects import services as projects


def seed_second_community(first: Community, accounts: dict[str, User]) -> Community:
    """西岭社区 beside ``first`` (禾山社区), with ``accounts`` (the demo logins by
    username) scoped: sw_lin and sw_huang to ``first``, sw_zhou and leader_sun to
    西岭社区, street_viewer to both. The caller commits."""
    rng = random.Random(2027)
    admin, worker = accounts["admin"], accounts["sw_zhou"]
    if not first.street:
        first.street = second_data.STREET
    community = communities.create_community(
        CommunityCreate(
            name=second_data.NAME,
            street=second_data.STREET,
            district=first.district,
            city=first.city,
            position=first.position + 1,
        ),
        actor=admin,
    )
    compounds = [
        communities.add_compound(community, CompoundEntry(name=name), actor=admin)
        for name in second_data.COMPOUNDS
    ]
    for username, ids in (
        ("sw_lin", [first.id]),
        ("sw_huang", [first.id]),
        ("sw_zhou", [community.id]),
        ("leader_sun", [community.id]),
        ("street_viewer", [first.id, community.id]),
    ):
        change_scope(accounts[username], actor=admin, community_ids=ids)
    _seed_project(community, admin)
    orgs = [
        seed_organization(spec, worker, accounts, compounds, rng)
        for spec in second_data.ORGANIZATIONS
    ]
    seed_roster_and_activities(orgs, compounds, worker, admin, rng)
    db.session.flush()
    return community


def _seed_project(community: Community, admin: User) -> None:
    """The first year of 西岭社区's project: it began two months before this one."""
    starts = months_before(local_today().replace(day=1), 2)
    project = projects.create_project(
        actor=admin,
        name=second_data.PROJECT_NAME,
        agency=second_data.PROJECT_AGENCY,
        community_id=community.id,
        year=1,
        kind="single",
        renewal=False,
        budget=second_data.PROJECT_BUDGET,
        starts_on=starts,
        ends_on=months_before(starts, -12) - timedelta(days=1),
        description=second_data.PROJECT_DESCRIPTION,
    )
    for metric, target in second_data.INDICATORS:
        projects.add_indicator(project, actor=admin, metric=metric, target=target)
