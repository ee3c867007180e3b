"""The generated data set the benchmarks run against: the demo community plus
``BENCH_ORGS`` more organizations (default 60), each with a leader and an
approved activity in each of the last twelve months (half of them none last
month, so their leaders get the reminder to log), made through the services
(so it stays valid whatever the schema becomes)."""

from __future__ import annotations

import os
from datetime import UTC, datetime, time, timedelta
from io import BytesIO

from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from incubator.activities import services as activities
from incubator.activities.schemas import ActivityLog, ActivityReview
from incubator.auth import services as users
from incubator.auth.models import User
from incubator.demo.seed import seed_demo
from incubator.extensions import db
from incubator.i18n import local_today, local_zone
from incubator.organizations import services as organizations
from incubator.organizations.schemas import OrganizationRegistration
from incubator.periods import months_before

ORGS = int(os.environ.get("BENCH_ORGS", "60"))
MONTHS = 12


def build() -> None:
    """Fill the (empty, created) database; commits."""
    seed_demo()
    db.session.commit()
    admin = db.session.scalar(select(User).where(User.username == "admin"))
    worker = db.session.scalar(select(User).where(User.username == "sw_lin"))
    today = local_today()
    for i in range(ORGS):
        leader = users.create_user(
            f"bench_leader{i}",
            name=f"基准队长{i}",
            role="org_leader",
            password="bench-password-2026",
            actor=None,
        )
        org = organizations.create_organization(
            OrganizationRegistration(
                name=f"基准组织{i}",
                kind="culture_sports",
                leader_user_id=leader.id,
                social_worker_id=worker.id,
            ),
            actor=None,
        )
        org.created_at = datetime.now(UTC) - timedelta(days=400)
        for months_ago in range(1 + i % 2, MONTHS + 1):
            day = months_before(today.replace(day=1), months_ago) + timedelta(
                days=i % 27
            )
            starts = datetime.combine(day, time(9), tzinfo=local_zone())
            activity = activities.log_activity(
                org,
                ActivityLog(
                    organization_id=org.id,
                    title=f"月度活动{months_ago}",
                    form="group",
                    service_type="self_org_service",
                    target_group="elders",
                    starts_at=starts,
                    ends_at=starts + timedelta(hours=2),
                    place="活动室",
                    person_times=10 + i % 20,
                ),
                actor=admin,
            )
            activities.review_activity(
                activity, ActivityReview(decision="approve"), actor=admin
            )
        db.session.commit()


def roster(rows: int) -> bytes:
    """A roster workbook of ``rows`` new volunteers under the template's own
    header row (so the columns follow the importer)."""
    template = load_workbook(BytesIO(_template())).active
    header = [str(c.value or "") for c in template[1]]
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for i in range(rows):
        values = {
            "姓名": f"基准志愿者{i}",
            "性别": "女",
            "出生年份": "1960",
            "手机号": f"137{i:08d}",
            "技能": "舞蹈",
            "可服务时间": "周末",
        }
        sheet.append([values.get(h.rstrip("*"), "") for h in header])
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _template() -> bytes:
    from incubator.volunteers.importer import template_workbook

    return template_workbook()
