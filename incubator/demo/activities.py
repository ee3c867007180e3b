"""A year of demo activities and a resources ledger, shaped like the figures of
DOMAIN.md: 7 group and 22 community activities among the approved ones, over
3,000 person-times in the project year, and resources linked worth 408,400.00 yuan."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import select

from incubator.activities import services
from incubator.activities.schemas import (
    ActivityLog,
    ActivityReview,
    ResourceEntry,
    VolunteerHoursIn,
)
from incubator.auth.models import User
from incubator.extensions import db
from incubator.i18n import local_today, local_zone
from incubator.organizations.models import Organization
from incubator.volunteers.models import Membership

TITLES = {
    "culture_sports": ("周末排练", "广场舞教学", "重阳文艺汇演", "书法交流"),
    "volunteer": ("夜间巡逻", "防诈骗宣传", "消防隐患排查"),
    "charity": ("独居长者探访", "爱心助餐", "节日慰问"),
    "life_service": ("便民维修日", "义剪服务", "旧物交换集市"),
    "community_affairs": ("垃圾分类督导", "楼道清洁", "居民议事会"),
    "other": ("社区服务",),
}
SERVICE = {
    "culture_sports": "self_org_service",
    "volunteer": "self_org_service",
    "charity": "self_org_service",
    "life_service": "resource_sharing",
    "community_affairs": "capacity",
    "other": "other",
}
TARGET = {
    "culture_sports": "all_residents",
    "volunteer": "all_residents",
    "charity": "elders",
    "life_service": "all_residents",
    "community_affairs": "all_residents",
    "other": "all_residents",
}
LEDGER = (
    (
        "禾山街道办事处",
        "venue",
        "社区活动中心多功能厅全年使用",
        "240000.00",
        "按同类场地市场租金每月 20,000 元折算 12 个月",
    ),
    ("厦门市慈善总会", "money", "微公益创投配套资金", "60000.00", "拨款凭证"),
    ("本地超市", "goods", "长者助餐食材与节日慰问品", "48400.00", "发票金额"),
    (
        "湖里区律师协会",
        "professional",
        "社区法律咨询服务 24 场",
        "36000.00",
        "每场 1,500 元服务费标准",
    ),
    (
        "社区卫生服务中心",
        "professional",
        "义诊与健康讲座 16 场",
        "24000.00",
        "每场 1,500 元服务费标准",
    ),
)


APPROVE = ActivityReview(decision="approve")
# Community activities gather several times the people of a group's own.
COMMUNITY_SCALE = 5


def seed_activities(worker: User, reviewer: User) -> int:
    """``worker`` logs a year of activities, ``reviewer`` reviews them; returns
    how many."""
    rng = random.Random(2021)
    admin = reviewer
    orgs = list(
        db.session.scalars(
            select(Organization)
            .where(Organization.archived_at.is_(None), Organization.stage != "dormant")
            .order_by(Organization.id)
        )
    )
    roster = {
        org.id: [
            m.volunteer
            for m in db.session.scalars(
                select(Membership).where(
                    Membership.organization_id == org.id, Membership.left_on.is_(None)
                )
            )
        ]
        for org in orgs
    }
    today = local_today()
    forms = ["group"] * 7 + ["community"] * 22
    count = 0
    for month_back in range(12, 0, -1):
        for org in orgs:
            day = today - timedelta(days=30 * month_back + rng.randint(0, 20))
            start = datetime.combine(
                day, time(rng.choice([9, 14, 19])), tzinfo=local_zone()
            )
            form = (
                forms.pop()
                if forms and rng.random() < 0.35
                else rng.choice(["training", "meeting", "other"])
            )
            helpers = rng.sample(
                roster[org.id], min(len(roster[org.id]), rng.randint(1, 3))
            )
            title = rng.choice(TITLES.get(org.kind, TITLES["other"]))
            typed = rng.randint(12, 40)
            entry = ActivityLog(
                organization_id=org.id,
                title=title,
                form=form,
                service_type=SERVICE.get(org.kind, "other"),
                target_group=TARGET.get(org.kind, "all_residents"),
                starts_at=start,
                ends_at=start + timedelta(hours=2),
                compound_id=org.compound_id,
                place="",
                # A community activity (社区活动) is open to all residents.
                person_times=typed * COMMUNITY_SCALE if form == "community" else typed,
                summary="示例活动记录。",
                volunteer_hours=[
                    VolunteerHoursIn(volunteer_id=v.id, hours="2") for v in helpers
                ],
            )
            activity = services.log_activity(org, entry, actor=worker)
            count += 1
            if month_back > 1 or rng.random() < 0.5:
                services.review_activity(activity, APPROVE, actor=admin)
            elif rng.random() < 0.3:
                services.review_activity(
                    activity,
                    ActivityReview(
                        decision="return",
                        reason="请补充活动照片和服务人次的统计方式。",
                    ),
                    actor=admin,
                )
    for forms_left in forms:  # make sure all 7 + 22 exist
        org = orgs[count % len(orgs)]
        day = today - timedelta(days=rng.randint(40, 300))
        start = datetime.combine(day, time(10), tzinfo=local_zone())
        entry = ActivityLog(
            organization_id=org.id,
            title="社区共融活动",
            form=forms_left,
            service_type="self_org_service",
            target_group="all_residents",
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            compound_id=org.compound_id,
            place="",
            person_times=30 * (COMMUNITY_SCALE if forms_left == "community" else 1),
            summary="",
        )
        activity = services.log_activity(org, entry, actor=worker)
        services.review_activity(activity, APPROVE, actor=admin)
        count += 1
    for index, (partner, kind, description, value, basis) in enumerate(LEDGER):
        ledger_line = ResourceEntry(
            partner=partner,
            kind=kind,
            value=str(Decimal(value)),
            received_on=today - timedelta(days=20 + index * 45),
            description=description,
            valuation_basis=basis,
        )
        services.record_resource(ledger_line, actor=admin)
    db.session.flush()
    return count
