"""Each organization's year of follow-ups by its stage's cadence, done one after
the other, ending with the open one of ``FOLLOWUPS``."""

from __future__ import annotations

from datetime import date, timedelta

from incubator.demo.schedule.dates import _dated, _since
from incubator.extensions import db
from incubator.followups import services as followups
from incubator.followups.queries import week_bounds
from incubator.followups.schemas import FollowUpCompletion, FollowUpPlan
from incubator.i18n import local_today
from incubator.organizations.models import Organization
from incubator.periods import months_before

# The open follow-up each organization ends with: its kind, and when it is due
# ("week": this week; a number: days from today, negative when overdue).
FOLLOWUPS = {
    "城上城平安巡逻队": ("phone", -9),
    "禾山夕阳红舞蹈队": ("visit", "week"),
    "龙湖花园便民维修队": ("supervision", 24),
    "龙湖花园长者关爱小组": ("visit", -4),
    "城上城书法协会": ("meeting", -13),
    "新景龙郡亲子绘本馆": ("phone", "week"),
    "枋湖书香读书会": ("visit", 10),
}
OUTCOMES = {
    "visit": (
        "到活动现场走访，骨干分工基本明确，提醒做好活动签到和照片留存。",
        "走访排练场地，成员出勤稳定，建议把例会时间固定下来。",
        "入户走访负责人，了解近期活动安排，协助梳理下月计划。",
        "现场观摩活动，居民参与踊跃；活动后与骨干一起做了简短复盘。",
        "走访活动室，检查物资登记本，补充了借用登记栏目。",
        "与负责人面谈，讨论新成员加入后的分工调整。",
    ),
    "phone": (
        "电话回访负责人，近期活动正常开展，暂无需要协调的事项。",
        "电话沟通场地预约，已协调社区活动室周六上午使用。",
        "电话了解培训后的落实情况，流水账已开始按月记录。",
        "电话回访，负责人反映志愿者人手紧张，约定下次走访时一起商量招募。",
        "电话提醒提交活动记录和服务人次统计。",
        "电话沟通下月工作坊报名，确认参加人数。",
    ),
    "supervision": (
        "督导会：回顾上季度目标完成情况，骨干已能独立策划常规活动。",
        "督导会：讨论组织自主运作的难点，约定由骨干轮流主持例会。",
        "督导会：梳理财务公开流程，建议每季度在群内公布一次收支。",
        "督导会：回顾创投项目进度，协助调整下阶段计划。",
    ),
    "meeting": (
        "参加组织例会，讨论年度计划，社工提出调整建议。",
        "与居委会、物业召开协调会，落实活动场地和时段。",
        "参加骨干会议，协助制定成员公约。",
        "列席例会，会议由骨干主持，议程清楚，决议有记录。",
    ),
}


def _seed_followups(org: Organization, rng) -> int:
    """A year of follow-ups for ``org`` by its cadence, ending with the open one
    of ``FOLLOWUPS``; returns how many."""
    months = followups.cadence_for(org.stage)
    worker = org.social_worker
    if not months or worker is None:
        return 0
    today = local_today()
    kind, due = FOLLOWUPS.get(org.name, ("visit", 20))
    target = final = _due_date(today, due, months)
    since = max(months_before(today, 12), _since(org) + timedelta(days=14))
    # Working back from the open one: each was done ``months`` before the next
    # was due, a few days either side of its own due date.
    plan: list[tuple[date, date]] = []
    while True:
        done_on = months_before(target, months)
        if plan and done_on < since:
            break
        due_on = done_on - timedelta(days=rng.choice((-2, -1, 0, 0, 1, 2, 3, 5)))
        plan.append((due_on, done_on))
        target = due_on
    plan.reverse()
    first_due = plan[0][0]
    with _dated(first_due - timedelta(days=7)) as moment:
        followup = followups.schedule_followup(
            org,
            FollowUpPlan(
                organization_id=org.id,
                kind=kind,
                due_on=first_due,
                notes="按阶段节奏定期跟进。",
            ),
            actor=worker,
        )
        followup.created_at = moment
    outcomes = OUTCOMES[kind]
    offset = rng.randrange(len(outcomes))
    for index, (_due, done_on) in enumerate(plan):
        with _dated(done_on, hour=17) as moment:
            following = followups.complete_followup(
                followup,
                FollowUpCompletion(
                    outcome=outcomes[(offset + index) % len(outcomes)], done_on=done_on
                ),
                actor=worker,
            )
            if following is None:  # the stages of the demo all have a cadence
                raise LookupError(f"no follow-up came after {followup.id}")
            following.created_at = moment
        followup = following
    if followup.due_on != final:  # a month end the cadence cannot land on
        followup.due_on = final
    db.session.flush()
    return len(plan) + 1


def _due_date(today: date, due, months: int) -> date:
    """The open follow-up's due date: ``due`` days from today, or a day this week;
    a day of the month that the cadence can land on where there is a choice."""
    if due == "week":
        _monday, next_monday = week_bounds(today)
        left = (next_monday - today).days
        options = [today + timedelta(days=d) for d in (2, 1, 0) if d < left]
    else:
        options = [today + timedelta(days=due + d) for d in (0, -1, 1, -2, 2, -3, 3)]
    for day in options:
        if followups.add_months(months_before(day, months), months) == day:
            return day
    return options[0]
