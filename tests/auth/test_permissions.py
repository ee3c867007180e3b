import pytest
from sqlalchemy import select
from werkzeug.exceptions import NotFound

from incubator.auth.permissions import mask_phone, may_see_personal_data
from incubator.organizations.access import get_visible_organization_or_404, org_scope
from incubator.organizations.models import Organization


def _visible(db, user):
    return set(db.session.scalars(select(Organization.name).where(org_scope(user))))


def test_org_leader_sees_only_their_organizations(db, make_user, make_org):
    leader = make_user("org_leader")
    other = make_user("org_leader")
    make_org("我的", leader=leader)
    theirs = make_org("别人的", leader=other)
    assert _visible(db, leader) == {"我的"}
    with pytest.raises(NotFound):
        get_visible_organization_or_404(leader, theirs.id)
    with pytest.raises(NotFound):
        get_visible_organization_or_404(leader, 999999)


@pytest.mark.parametrize("role", ["admin", "social_worker", "viewer"])
def test_staff_and_viewers_see_every_organization(db, make_user, make_org, role):
    make_org("甲")
    make_org("乙")
    assert _visible(db, make_user(role)) == {"甲", "乙"}


def test_deactivated_users_see_nothing(db, make_user, make_org):
    make_org("甲")
    assert _visible(db, make_user("admin", active=False)) == set()


@pytest.mark.parametrize(
    "role, allowed",
    [
        ("admin", True),
        ("social_worker", True),
        ("org_leader", False),
        ("viewer", False),
    ],
)
def test_personal_data_only_for_admins_and_social_workers(make_user, role, allowed):
    assert may_see_personal_data(make_user(role)) is allowed


def test_phone_masking():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("") == ""
