"""The demo roster: a few hundred volunteers across the demo organizations, with
service hours over the past year. Generated from a fixed seed, so every demo
database is the same."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from incubator.audit import services as audit
from incubator.auth.models import User
from incubator.extensions import db
from incubator.i18n import local_today
from incubator.organizations.models import Organization
from incubator.volunteers import services
from incubator.volunteers.models import Membership, ServiceRecord
from incubator.volunteers.schemas import VolunteerRegistration

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许邓冯韩曹曾彭萧蔡潘田董袁"
)
GIVEN = (
    "秀英",
    "桂英",
    "玉兰",
    "淑珍",
    "丽华",
    "建国",
    "志强",
    "国华",
    "海燕",
    "美玲",
    "春梅",
    "晓明",
    "文杰",
    "雅琴",
    "金凤",
    "德胜",
    "宝珍",
    "丽娟",
    "振华",
    "雪梅",
    "子涵",
    "欣怡",
    "浩然",
    "梓萱",
    "明轩",
    "思远",
    "丽琴",
    "红霞",
    "伟民",
    "素梅",
)
SKILLS = (
    "舞蹈",
    "摄影",
    "书法",
    "烹饪",
    "维修",
    "医护",
    "心理疏导",
    "法律咨询",
    "教学",
    "电脑",
    "合唱",
    "太极",
    "绘画",
    "手工",
    "驾驶",
    "财务",
    "文案",
    "急救",
)
SERVICES = {
    "culture_sports": ("排练演出", "广场舞教学", "社区文艺汇演"),
    "volunteer": ("夜间巡逻", "安全隐患排查", "防诈宣传"),
    "charity": ("独居长者探访", "助餐送餐", "节日慰问"),
    "life_service": ("便民维修", "义剪", "旧物交换"),
    "community_affairs": ("垃圾分类督导", "环境清洁", "议事协商"),
    "other": ("社区服务",),
}
COUNT = 300


def seed_volunteers(compound_ids: list[int], worker: User) -> int:
    """Create the demo roster; returns how many volunteers."""
    rng = random.Random(2020)
    orgs = list(
        db.session.scalars(
            select(Organization)
            .where(Organization.archived_at.is_(None))
            .order_by(Organization.id)
        )
    )
    today = local_today()
    phones = rng.sample(range(10_000_000, 99_999_999), COUNT)
    records = []
    for index in range(COUNT):
        birth_year = rng.choice(
            [rng.randint(1945, 1965)] * 3 + [rng.randint(1966, 2005)]
        )
        child = index % 60 == 7  # a few children of the picture-book club
        if child:
            birth_year = today.year - rng.randint(9, 13)
        joined = today - timedelta(days=rng.randint(60, 1500))
        home = rng.sample(orgs, 2 if rng.random() < 0.2 else 1)
        registration = VolunteerRegistration(
            role="backbone" if rng.random() < 0.12 else "member",
            name=rng.choice(SURNAMES) + rng.choice(GIVEN),
            gender=rng.choice(["female", "female", "male"]),
            birth_year=birth_year,
            phone=f"1{rng.choice('3589')}{rng.randint(0, 9)}{phones[index]}",
            compound_id=rng.choice(compound_ids),
            skills=rng.sample(SKILLS, rng.randint(0, 3)),
            availability=rng.sample(
                ["weekday_daytime", "weekday_evening", "weekend"], rng.randint(1, 2)
            ),
            joined_on=joined,
            guardian_name="家长" if child else None,
            guardian_consent_on=joined if child else None,
        )
        volunteer = services.create_volunteer(
            registration, actor=worker, organization=home[0]
        )
        for org in home[1:]:
            db.session.add(
                Membership(
                    volunteer_id=volunteer.id,
                    organization_id=org.id,
                    role="member",
                    joined_on=joined,
                )
            )
        for _n in range(rng.randint(0, 14)):
            org = rng.choice(home)
            served = today - timedelta(days=rng.randint(1, 365))
            records.append(
                ServiceRecord(
                    volunteer_id=volunteer.id,
                    organization_id=org.id,
                    service=rng.choice(SERVICES.get(org.kind, SERVICES["other"])),
                    served_on=served,
                    hours=Decimal(rng.randint(1, 8)) / 2,
                    recorded_by_id=worker.id,
                )
            )
    db.session.add_all(records)
    audit.record_event(
        "import",
        "ServiceRecord",
        actor=worker,
        summary=f"demo seed: {len(records)} service records",
    )
    db.session.flush()
    return COUNT
