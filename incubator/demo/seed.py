"""The demo community of DOMAIN.md: 禾山社区 of 湖里区, its six compounds, the project
幸福禾立方, and accounts for every role. Loaded only into an empty database."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import func, select, update

from incubator.audit import services as audit
from incubator.audit.models import AuditEntry
from incubator.auth import services as users
from incubator.auth.models import User
from incubator.community.models import Community, Compound
from incubator.demo.activities import seed_activities
from incubator.demo.centre import seed_centre
from incubator.demo.schedule import seed_schedule
from incubator.demo.second_community import seed_second_community
from incubator.demo.ventures import seed_ventures
from incubator.demo.volunteers import seed_volunteers
from incubator.extensions import db
from incubator.i18n import local_today, local_zone
from incubator.organizations import records
from incubator.organizations import services as org_services
from incubator.organizations.incubation import dimensions, stages
from incubator.organizations.models import StageChange
from incubator.organizations.schemas import OrganizationRegistration
from incubator.periods import months_before
from incubator.projects.models import Indicator, Project
from incubator.reminders import compose, jobs, outbox

logger = logging.getLogger(__name__)

DEMO_PASSWORD = "heshan2026"  # noqa: S105 - the published demo password
# The agency (承接机构) holding both demo projects: printed on certificates.
DEMO_AGENCY = "厦门市同心社工服务中心"

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
    # The second community, 西岭社区, and the street office over both.
    DemoLogin("sw_zhou", "周社工", "social_worker"),
    DemoLogin("street_viewer", "街道观察员", "viewer"),
    DemoLogin("leader_sun", "孙大姐", "org_leader"),
)

# name, kind, compound index, filing status, founded, members, owning sw, leader,
# stage path [(stage, months ago)], assessments [(months ago, scores)],
# notes [(days ago, contact kind, text)]
OrganizationSpec = tuple[
    str,
    str,
    int,
    str,
    date,
    int,
    str,
    str | None,
    list[tuple[str, int]],
    list[tuple[int, tuple[int, ...]]],
    list[tuple[int, str, str]],
]
ORGANIZATIONS: tuple[OrganizationSpec, ...] = (
    (
        "禾山夕阳红舞蹈队",
        "culture_sports",
        0,
        "filed",
        date(2018, 5, 1),
        28,
        "sw_lin",
        "leader_wu",
        [("incubating", 30), ("cultivating", 22), ("self_governing", 10)],
        [
            (31, (2, 3, 2, 2, 1, 2, 3)),
            (23, (3, 3, 3, 3, 2, 3, 3)),
            (11, (4, 4, 4, 3, 3, 4, 4)),
            (2, (4, 5, 4, 4, 3, 4, 5)),
        ],
        [
            (12, "visit", "到排练现场走访，骨干分工明确，已开始自主组织每周排练。"),
            (75, "phone", "电话沟通年度汇演的场地需求。"),
        ],
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
        [("incubating", 20), ("cultivating", 9)],
        [(21, (2, 2, 3, 2, 1, 3, 3)), (10, (3, 3, 3, 2, 2, 4, 3))],
        [(40, "meeting", "与物业、居委会召开巡逻排班协调会。")],
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
        [("incubating", 5)],
        [(6, (2, 2, 2, 1, 1, 2, 3))],
        [(90, "visit", "入户探访独居长者名单核对，骨干意愿强但缺乏分工。")],
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
        [],
        [],
        [],
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
        [
            ("incubating", 48),
            ("cultivating", 40),
            ("self_governing", 28),
            ("graduated", 14),
        ],
        [
            (49, (2, 3, 2, 2, 2, 2, 3)),
            (41, (3, 3, 3, 3, 3, 3, 3)),
            (29, (4, 4, 4, 3, 4, 4, 4)),
            (15, (5, 4, 5, 4, 4, 4, 5)),
        ],
        [(30, "phone", "回访：已独立承接社区便民服务日。")],
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
        [("incubating", 26), ("dormant", 8)],
        [(27, (2, 1, 2, 1, 1, 2, 2))],
        [(240, "phone", "负责人搬离小区，活动暂停，进入休眠。")],
    ),
    (
        "新景龙郡亲子绘本馆",
        "charity",
        0,
        "none",
        date(2023, 2, 18),
        14,
        "sw_huang",
        None,
        [("incubating", 3)],
        [(4, (3, 2, 3, 2, 1, 2, 3))],
        [(20, "visit", "协助制定借阅值班表。")],
    ),
    (
        "城上城书法协会",
        "culture_sports",
        1,
        "filed",
        date(2016, 11, 1),
        22,
        "sw_huang",
        None,
        [("incubating", 18), ("cultivating", 6)],
        [(19, (3, 3, 2, 2, 2, 2, 3)), (7, (3, 4, 3, 3, 2, 3, 4))],
        [],
    ),
    (
        "龙湖花园便民维修队",
        "life_service",
        2,
        "filed",
        date(2019, 7, 1),
        11,
        "sw_lin",
        None,
        [("incubating", 24), ("cultivating", 16), ("self_governing", 4)],
        [
            (25, (2, 3, 3, 2, 2, 2, 2)),
            (17, (3, 3, 4, 3, 3, 3, 3)),
            (5, (4, 4, 4, 3, 4, 4, 4)),
        ],
        [(65, "visit", "走访维修工具间，建议建立工具借用登记。")],
    ),
)


def database_is_empty() -> bool:
    return not db.session.scalar(select(func.count()).select_from(User))


DEMO_INDICATORS = (
    ("orgs_incubated", "6"),
    ("ventures_supported", "9"),
    ("group_activities", "7"),
    ("community_activities", "22"),
    ("person_times", "3000"),
    ("service_sessions", "96"),
    ("resources_value", "408400"),
    ("volunteer_hours", "4800"),
    ("capacity_sessions", "12"),
    ("followups_done", "40"),
    # The centre (爱有道): the space used for 386 services, 8,338 people served.
    ("space_uses", "386"),
    ("people_served", "8338"),
)


def seed_demo() -> bool:
    """Load the demo data; returns ``False`` (and changes nothing) if any user exists.

    The caller commits.
    """
    if not database_is_empty():
        return False
    community = Community(
        name="禾山社区", street="禾山街道", district="湖里区", city="厦门市"
    )
    db.session.add(community)
    compounds = [
        Compound(community=community, name=name, position=i)
        for i, name in enumerate(COMPOUNDS)
    ]
    db.session.add_all(compounds)
    db.session.flush()
    # The project year is the demo's year: it began eleven months ago.
    today = local_today()
    starts = months_before(today.replace(day=1), 11)
    project = Project(
        name="“幸福禾立方”禾山社区社会组织培力增能社工服务项目",
        community=community,
        agency=DEMO_AGENCY,
        year=1,
        kind="single",
        renewal=False,
        budget=Decimal("200000.00"),
        starts_on=starts,
        ends_on=months_before(starts, -12) - timedelta(days=1),
        description="三社一志：服务、孵化、培育、自治、爱心、共融",
    )
    db.session.add(project)
    db.session.flush()
    # The contract's indicators, shaped on the figures the seed reports.
    for position, (metric, target) in enumerate(DEMO_INDICATORS):
        db.session.add(
            Indicator(
                project_id=project.id,
                metric=metric,
                target=Decimal(target),
                position=position,
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
    for spec in ORGANIZATIONS:
        _seed_organization(spec, accounts, compounds)
    db.session.flush()
    seed_volunteers([c.id for c in compounds], accounts["sw_lin"])
    seed_activities(accounts["sw_lin"], accounts["admin"])
    seed_ventures(
        accounts["admin"],
        [accounts["sw_lin"], accounts["sw_huang"]],
        accounts["viewer"],
    )
    seed_schedule(accounts["admin"], [accounts["sw_lin"], accounts["sw_huang"]])
    second = seed_second_community(community, accounts)
    seed_centre(community, second, accounts["admin"])
    # This month's reminders, as the scheduler would have recorded them (in-app).

    period = jobs.current_period()
    outbox.record(compose.drafts_for(period), period)
    logger.info("demo community loaded")
    return True


def login_lines() -> list[str]:
    return [
        f"  {login.username:<14} {login.role:<14} {login.name}"
        f"  password: {DEMO_PASSWORD}"
        for login in LOGINS
    ]


def _moment(months_ago: int, days: int = 0) -> datetime:
    day = months_before(local_today(), months_ago) - timedelta(days=days)
    return datetime.combine(day, time(10), tzinfo=local_zone()).astimezone(UTC)


def _seed_organization(
    spec: OrganizationSpec, accounts: dict[str, User], compounds: list[Compound]
) -> None:
    """One demo organization with a plausible past: its stage moves, assessments
    and case notes are dated back, as an import of earlier records would be."""
    (
        name,
        kind,
        compound,
        filing,
        founded,
        members,
        sw,
        leader,
        path,
        assessments,
        notes,
    ) = spec
    worker = accounts[sw]
    start = _moment(max([m for _s, m in path] + [m for m, _x in assessments] + [1]) + 1)
    org = org_services.create_organization(
        OrganizationRegistration(
            name=name,
            kind=kind,
            compound_id=compounds[compound].id,
            filing_status=filing,
            founded_on=founded,
            member_count=members,
            social_worker_id=worker.id,
            leader_user_id=accounts[leader].id if leader else None,
            description=f"{compounds[compound].name}居民自发成立的{name}。",
        ),
        actor=worker,
    )
    org.created_at = org.stage_since = start
    db.session.flush()
    history = db.session.scalars(
        select(StageChange).where(StageChange.organization_id == org.id)
    ).all()
    for change in history:
        db.session.execute(
            update(StageChange)
            .where(StageChange.id == change.id)
            .values(changed_at=start)
        )
    db.session.execute(
        update(AuditEntry)
        .where(AuditEntry.entity_type == "Organization", AuditEntry.entity_id == org.id)
        .values(at=start)
    )
    labels = {s.key: s.label_zh for s in stages()}
    for months_ago, scores in assessments:
        record = records.record_assessment(
            org,
            actor=worker,
            assessed_on=_moment(months_ago).date(),
            scores=dict(zip([d.key for d in dimensions()], scores, strict=True)),
            notes="定期能力评估。",
        )
        record.created_at = _moment(months_ago)
    previous = org.stage
    for stage, months_ago in path:
        at = _moment(months_ago)
        db.session.add(
            StageChange(
                organization_id=org.id,
                changed_at=at,
                from_stage=previous,
                to_stage=stage,
                from_label=labels[previous],
                to_label=labels[stage],
                direction="dormant" if stage == "dormant" else "forward",
                reason="示例数据：按孵化进展调整阶段。",
                actor_id=worker.id,
            )
        )
        entry = audit.record_event(
            "stage",
            "Organization",
            actor=worker,
            entity_id=org.id,
            summary="示例数据：按孵化进展调整阶段。",
            changes={"stage": [previous, stage]},
        )
        entry.at = at
        org.stage_before_dormant = previous if stage == "dormant" else None
        org.stage, org.stage_since, previous = stage, at, stage
    for days_ago, contact, text in notes:
        records.add_case_note(
            org,
            actor=worker,
            noted_on=local_today() - timedelta(days=days_ago),
            body=text,
            contact_kind=contact,
        )
    db.session.flush()
