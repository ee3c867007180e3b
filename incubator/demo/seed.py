"""The demo community of DOMAIN.md: 禾山社区 of 湖里区, its six compounds, the project
幸福禾立方, and accounts for every role. Loaded only into an empty database."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from incubator.audit import services as audit
from incubator.auth import services as users
from incubator.auth.models import User
from incubator.extensions import db
from incubator.organizations.models import Organization
from incubator.projects.models import Community, Compound, Project

logger = logging.getLogger(__name__)

DEMO_PASSWORD = "heshan2026"  # noqa: S105 - the published demo password

COMPOUNDS = (
    "新景龙郡",
    "城上城小区",
    "龙湖花园小区",
    "枋湖花园小区",
    "东晖广场小区",
    "凯悦新城小区",
)


@dataclass(frozen=True)
class DemoLogin:
    username: str
    name: str
    role: str


LOGINS = (
    DemoLogin("admin", "陈主管", "admin"),
    DemoLogin("sw_lin", "林社工", "social_worker"),
    DemoLogin("sw_huang", "黄社工", "social_worker"),
    DemoLogin("viewer", "街道观察员", "viewer"),
    DemoLogin("leader_wu", "吴阿姨", "org_leader"),
    DemoLogin("leader_zheng", "郑叔叔", "org_leader"),
    DemoLogin("leader_xu", "许老师", "org_leader"),
)

# name, kind, compound index, filing status, founded, members, owning sw, leader
ORGANIZATIONS = (
    (
        "禾山夕阳红舞蹈队",
        "culture_sports",
        0,
        "filed",
        date(2018, 5, 1),
        28,
        "sw_lin",
        "leader_wu",
    ),
    (
        "城上城平安巡逻队",
        "volunteer",
        1,
        "filed",
        date(2019, 3, 12),
        16,
        "sw_lin",
        "leader_zheng",
    ),
    (
        "龙湖花园长者关爱小组",
        "charity",
        2,
        "none",
        date(2020, 9, 1),
        12,
        "sw_huang",
        "leader_xu",
    ),
    (
        "枋湖书香读书会",
        "culture_sports",
        3,
        "none",
        date(2021, 4, 23),
        20,
        "sw_huang",
        "leader_xu",
    ),
    (
        "东晖邻里互助社",
        "life_service",
        4,
        "registered",
        date(2017, 10, 8),
        35,
        "sw_lin",
        None,
    ),
    (
        "凯悦新城环保先锋队",
        "community_affairs",
        5,
        "none",
        date(2022, 6, 5),
        9,
        "sw_huang",
        None,
    ),
)


def database_is_empty() -> bool:
    return not db.session.scalar(select(func.count()).select_from(User))


def seed_demo() -> bool:
    """Load the demo data; returns ``False`` (and changes nothing) if any user exists.

    The caller commits.
    """
    if not database_is_empty():
        return False
    community = Community(name="禾山社区", district="湖里区", city="厦门市")
    db.session.add(community)
    compounds = [
        Compound(community=community, name=name, position=i)
        for i, name in enumerate(COMPOUNDS)
    ]
    db.session.add_all(compounds)
    db.session.add(
        Project(
            name="“幸福禾立方”禾山社区社会组织培力增能社工服务项目",
            community=community,
            year=1,
            kind="single",
            renewal=False,
            budget=Decimal("200000.00"),
            starts_on=date(2020, 1, 1),
            ends_on=date(2020, 12, 31),
            description="三社一志：服务、孵化、培育、自治、爱心、共融",
        )
    )
    accounts: dict[str, User] = {}
    for login in LOGINS:
        accounts[login.username] = users.create_user(
            login.username,
            name=login.name,
            role=login.role,
            password=DEMO_PASSWORD,
            actor=None,
        )
    db.session.flush()
    for name, kind, compound, filing, founded, members, sw, leader in ORGANIZATIONS:
        org = Organization(
            name=name,
            kind=kind,
            compound=compounds[compound],
            filing_status=filing,
            founded_on=founded,
            member_count=members,
            social_worker_id=accounts[sw].id,
            leader_user_id=accounts[leader].id if leader else None,
        )
        db.session.add(org)
        audit.record("create", org, actor=None, summary="demo seed")
    db.session.flush()
    logger.info("demo community loaded")
    return True


def login_lines() -> list[str]:
    return [
        f"  {login.username:<14} {login.role:<14} {login.name}"
        f"  password: {DEMO_PASSWORD}"
        for login in LOGINS
    ]
