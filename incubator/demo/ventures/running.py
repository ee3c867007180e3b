"""A venture being carried out: its plan's actions added and done, its
expenditures and its mid-term check, each on its own day."""

from __future__ import annotations

from datetime import date

from incubator.demo.ventures.steps import _dated, _social_worker, _worker
from incubator.ventures import plans, services, spending
from incubator.ventures.models import PlanAction, Venture
from incubator.ventures.schemas import MidtermCheck, PlanActionEntry

# What the social worker notes when a plan action of each dimension is done.
DONE_NOTES = {
    "governance": "已召开骨干会议，讨论通过例会制度和议事规则。",
    "leadership": "两名骨干轮流主持例会，并独立带领了一次活动。",
    "service_delivery": "使用活动策划表完成一次活动，并做了活动后复盘。",
    "resource_mobilization": "对接辖区超市和物业，获得物资和场地支持。",
    "finance": "已建立收支流水账，每笔支出附票据，并向成员公开一次。",
    "volunteer_management": "完成志愿者名册，按活动登记服务时长。",
    "community_engagement": "联合居委会开展一次居民活动，张贴公告邀请居民参加。",
}


def _complete(action: PlanAction, day: date) -> None:
    """Mark a plan action done on ``day`` with a note of what was done."""
    with _dated(day, hour=16):
        plans.complete_action(
            action,
            actor=_worker(action.venture),
            note=DONE_NOTES.get(action.dimension, "已按计划完成。"),
            done_on=day,
        )


def _add_action(venture: Venture, day: date, **values) -> None:
    """The social worker adds an action to the plan on ``day``."""
    worker = _worker(venture)
    with _dated(day, hour=16) as moment:
        added = plans.add_action(
            venture, PlanActionEntry(owner=worker.name, **values), actor=worker
        )
        added.created_at = moment


def _spend(venture: Venture, lines: list[tuple[date, str, str]]) -> None:
    org = venture.organization
    for day, amount, purpose in lines:
        with _dated(day, hour=17) as moment:
            line = spending.record_expenditure(
                venture,
                actor=org.leader or _social_worker(org),
                spent_on=day,
                amount=amount,
                purpose=purpose,
            )
            line.created_at = moment


def _midterm(venture: Venture, day: date, note: str) -> None:
    with _dated(day, hour=14):
        services.record_midterm(
            venture, MidtermCheck(checked_on=day, note=note), actor=_worker(venture)
        )
