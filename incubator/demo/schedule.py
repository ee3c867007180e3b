"""The demo's year of capacity-building sessions (培力课程) and follow-ups (跟进回访).

Sessions: a monthly series of twelve 社区社会组织能力建设工作坊 on the 28th from ten
months ago, one occurrence moved on its own and one cancelled, and a handful of
single sessions, each on a capacity dimension and inviting the organizations whose
weakest dimension it is. Past sessions have their registrations and attendance,
coming ones some registrations.

Follow-ups: every organization still being incubated has a year of them, done one
after the other by its stage's cadence (completing one schedules the next), and one
open now: a few overdue today, a few due this week, the rest later.

Everything goes through the sessions' and follow-ups' services, with dates in the
past; the audit entries and creation times are then dated back, as an import of
earlier records would be."""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select, update

from incubator.audit.models import AuditEntry
from incubator.auth.models import User
from incubator.database import utcnow
from incubator.extensions import db
from incubator.followups import services as followups
from incubator.followups.queries import week_bounds
from incubator.followups.schemas import FollowUpCompletion, FollowUpPlan
from incubator.i18n import local_today, local_zone
from incubator.organizations.models import Organization
from incubator.periods import months_before
from incubator.sessions import services as sessions
from incubator.sessions.models import (
    Freq,
    SessionSeries,
    SessionState,
    TrainingSession,
)
from incubator.sessions.schemas import (
    Attendance,
    Recurrence,
    Registration,
    SessionCancellation,
    SessionChange,
    SessionSchedule,
)
from incubator.sessions.suggest import suggested_organizations
from incubator.volunteers.models import Membership

SERIES_TITLE = "社区社会组织能力建设工作坊"
SERIES_DAY = 28
SERIES_COUNT = 12
SERIES_CAPACITY = 36
MAX_INVITED = 6
CENTRE = "禾山社区服务中心二楼会议室"
HALL = "禾山社区党群服务中心多功能厅"
TRAINING_ROOM = "禾山社区服务中心三楼培训室"

# Each month's workshop: its dimension, topic and trainer.
WORKSHOPS = (
    (
        "governance",
        "组织治理：章程、例会与议事规则。结合各队实际，起草或修订本组织的简易章程。",
        "湖里区社会组织服务中心 陈老师",
    ),
    (
        "finance",
        "财务管理：收支流水账怎么记，账目如何向成员公开。",
        "禾山街道财政所 郑会计",
    ),
    (
        "volunteer_management",
        "志愿者管理：招募、排班与服务时长登记。",
        "厦门市志愿者联合会 李老师",
    ),
    (
        "leadership",
        "骨干领导力：分工、授权与培养接班人。",
        "集美大学社会工作系 王副教授",
    ),
    (
        "service_delivery",
        "服务策划与执行：从居民需求调研到活动复盘。",
        "林社工",
    ),
    (
        "resource_mobilization",
        "资源动员：对接物业、辖区商家与公益基金。",
        "厦门市慈善总会 吴老师",
    ),
    (
        "community_engagement",
        "社区参与：居民议事会与邻里动员的方法。",
        "黄社工",
    ),
    (
        "governance",
        "组织治理：社区社会组织备案流程与年度工作计划。",
        "湖里区民政局 张科长",
    ),
    (
        "finance",
        "财务管理：活动经费预算编制与票据报销。",
        "禾山街道财政所 郑会计",
    ),
    (
        "volunteer_management",
        "志愿者管理：激励、表彰与志愿者保险。",
        "厦门市志愿者联合会 李老师",
    ),
    (
        "service_delivery",
        "服务策划与执行：大型活动的安全预案与应急处置。",
        "禾山派出所 刘警官",
    ),
    (
        "leadership",
        "骨干领导力：年度总结、述职与来年计划。",
        "集美大学社会工作系 王副教授",
    ),
)
MOVED = 4  # the fifth workshop moved a week earlier on its own
MOVED_TO = HALL
CANCELLED = 7  # the eighth cancelled
CANCEL_REASON = (
    "受台风影响，市防汛防台风指挥部发布台风橙色预警，本期工作坊取消，"
    "内容并入下期一并讲授。"
)


@dataclass(frozen=True)
class Single:
    title: str
    dimension: str
    topic: str
    trainer: str
    place: str
    capacity: int
    days: int  # days from today (negative: past); held on that week's Saturday
    start: time
    hours: float


SINGLES = (
    Single(
        "骨干领导力训练营",
        "leadership",
        "面向各组织负责人和骨干的一天训练营：团队分工、带领会议、处理分歧，"
        "下午分组演练主持骨干例会。",
        "集美大学社会工作系 王副教授",
        HALL,
        30,
        -230,
        time(9),
        7.5,
    ),
    Single(
        "社区议事协商实务",
        "community_engagement",
        "如何召开居民议事会：议题收集、会前沟通、现场主持与会后公示。",
        "湖里区社区发展协会 蔡老师",
        CENTRE,
        24,
        -175,
        time(14, 30),
        2.5,
    ),
    Single(
        "活动策划实务",
        "service_delivery",
        "活动策划表的填写：目标、对象、流程、分工、预算和安全预案；活动后复盘。",
        "林社工",
        TRAINING_ROOM,
        28,
        -110,
        time(9, 30),
        3,
    ),
    Single(
        "财务票据规范",
        "finance",
        "哪些票据可以报销，发票与收据的区别，流水账与票据的对应，微创投经费的留存要求。",
        "禾山街道财政所 郑会计",
        CENTRE,
        20,
        -52,
        time(14, 30),
        2,
    ),
    Single(
        "志愿者激励与表彰",
        "volunteer_management",
        "志愿服务时长记录、积分兑换与年度表彰；如何留住志愿者。",
        "厦门市志愿者联合会 李老师",
        TRAINING_ROOM,
        32,
        18,
        time(14, 30),
        2,
    ),
    Single(
        "资源链接与公益募捐合规",
        "resource_mobilization",
        "向辖区单位和商家争取支持的方法，社区公益募捐的合规要求。",
        "厦门市慈善总会 吴老师",
        HALL,
        40,
        40,
        time(9, 30),
        2.5,
    ),
)

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


def seed_schedule(admin: User, workers: Sequence[User]) -> tuple[int, int]:
    """The demo's sessions and follow-ups; ``workers`` (the social workers) and
    ``admin`` organize the sessions, each organization's social worker does its
    follow-ups. Returns how many sessions and follow-ups."""
    rng = random.Random(2026)
    orgs = list(
        db.session.scalars(
            select(Organization)
            .where(
                Organization.archived_at.is_(None),
                Organization.stage.not_in(("graduated", "dormant")),
            )
            .order_by(Organization.id)
        )
    )
    count = _seed_series(workers[0], orgs, rng)
    organizers = [workers[-1], admin]
    for index, single in enumerate(SINGLES):
        _seed_single(single, organizers[index % 2], orgs, rng)
        count += 1
    done = sum(_seed_followups(org, rng) for org in orgs)
    db.session.flush()
    return count, done


# ---- sessions ----


def _seed_series(organizer: User, orgs: list[Organization], rng) -> int:
    today = local_today()
    first = months_before(today, 10).replace(day=SERIES_DAY)
    starts = _local(first, time(14, 30))
    founding = [o for o in orgs if _since(o) <= first - timedelta(days=30)]
    invited = founding[:MAX_INVITED]
    planned = first - timedelta(days=21)
    with _dated(planned):
        series = sessions.schedule_session(
            SessionSchedule(
                starts_at=starts,
                ends_at=starts + timedelta(hours=2),
                organization_ids=[o.id for o in invited],
                recurrence=Recurrence(freq=Freq.MONTHLY, count=SERIES_COUNT),
                title=SERIES_TITLE,
                topic="每月一期，轮流讲授社区社会组织能力的七个维度。",
                dimension="",
                trainer="",
                place=CENTRE,
                capacity=SERIES_CAPACITY,
            ),
            actor=organizer,
        )
    # Organizations founded later join the series from their first month there.
    joining = []
    for org in orgs:
        if org in invited:
            continue
        joins = next(
            (
                s
                for s in series
                if _day(s) >= _since(org) + timedelta(days=30) and _with_series(s)
            ),
            None,
        )
        if joins is not None:
            joining.append((joins.sequence, org.id, org, joins))
    for _sequence, _id, org, joins in sorted(joining, key=lambda j: j[:2]):
        if len(invited) >= MAX_INVITED:
            break
        invited.append(org)
        with _dated(min(_day(joins) - timedelta(days=10), today)):
            sessions.update_session(
                joins,
                SessionChange(
                    version=joins.version,
                    scope="following",
                    organization_ids=[o.id for o in invited],
                ),
                actor=organizer,
            )
    # The year's plan gave each month its topic.
    for occurrence, (dimension, topic, trainer) in zip(series, WORKSHOPS, strict=True):
        occurrence.dimension = dimension
        occurrence.topic = topic
        occurrence.trainer = trainer
        occurrence.created_at = _at(planned)
    db.session.get_one(SessionSeries, series[0].series_id).created_at = _at(planned)
    db.session.flush()

    moved = series[MOVED]
    with _dated(_day(moved) - timedelta(days=12)):
        earlier = moved.starts_at - timedelta(days=7)
        sessions.update_session(
            moved,
            SessionChange(
                version=moved.version,
                scope="this",
                starts_at=earlier,
                ends_at=earlier + timedelta(hours=2),
                place=MOVED_TO,
            ),
            actor=organizer,
        )
    for index, occurrence in enumerate(series):
        _registrations(occurrence, rng)
        if index == CANCELLED:
            with _dated(_day(occurrence) - timedelta(days=2)):
                sessions.cancel_session(
                    occurrence,
                    SessionCancellation(reason=CANCEL_REASON),
                    actor=organizer,
                )
        else:
            _attendance(occurrence, organizer, rng)
    return len(series)


def _seed_single(
    single: Single, organizer: User, orgs: list[Organization], rng
) -> TrainingSession:
    today = local_today()
    day = _saturday(today + timedelta(days=single.days))
    starts = _local(day, single.start)
    preferred = {o.id for o in suggested_organizations(single.dimension)}
    eligible = [o for o in orgs if _since(o) <= day - timedelta(days=30)]
    invited = sorted(eligible, key=lambda o: (o.id not in preferred, o.id))
    invited = invited[: max(3, min(MAX_INVITED, len(preferred) + 2))]
    planned = min(day - timedelta(days=21), today - timedelta(days=3))
    with _dated(planned):
        (session,) = sessions.schedule_session(
            SessionSchedule(
                starts_at=starts,
                ends_at=starts + timedelta(hours=single.hours),
                organization_ids=[o.id for o in invited],
                title=single.title,
                topic=single.topic,
                dimension=single.dimension,
                trainer=single.trainer,
                place=single.place,
                capacity=single.capacity,
            ),
            actor=organizer,
        )
    session.created_at = _at(planned)
    db.session.flush()
    _registrations(session, rng)
    _attendance(session, organizer, rng)
    return session


def _registrations(session: TrainingSession, rng) -> None:
    """Past sessions and those of the next eight weeks: the invited organizations
    (their leaders, or the social worker for them) say how many will come."""
    now = utcnow()
    if session.starts_at > now + timedelta(weeks=8):
        return
    upcoming = session.starts_at > now
    left = session.capacity
    for invite in list(session.invites):
        org = invite.organization
        if upcoming and rng.random() < 0.4:
            continue  # not yet registered
        wanted = rng.randint(3, max(3, min(8, org.member_count // 3)))
        count = min(wanted, left)
        if count <= 0:
            break
        left -= count
        day = min(_day(session) - timedelta(days=rng.randint(3, 9)), local_today())
        with _dated(day, hour=rng.choice((9, 11, 15, 20))):
            # Past registrations are entered by the social worker (from the
            # paper sign-up list); leaders register for coming sessions.
            actor = org.leader if upcoming and org.leader else org.social_worker
            actor = actor or org.social_worker
            if actor is None:
                raise LookupError(f"demo organization {org.name} has no social worker")
            sessions.register(
                session,
                org,
                Registration(organization_id=org.id, count=count),
                actor=actor,
            )


def _attendance(session: TrainingSession, organizer: User, rng) -> None:
    """A session that has begun: who came from each registered organization (a
    headcount, or the members named from its roster), walk-ins and the average
    feedback."""
    if session.starts_at > utcnow() or session.state != SessionState.SCHEDULED:
        return
    day = _day(session)
    attended = 0
    named: set[int] = set()  # someone in two organizations is named once
    with _dated(day, hour=session.ends_at.astimezone(local_zone()).hour + 1):
        for invite in list(session.invites):
            if not invite.registered:
                continue
            came = max(0, invite.registered - rng.choice((0, 0, 0, 1, 1, 2)))
            roster = [v for v in _roster(invite.organization_id, day) if v not in named]
            if came and len(roster) >= came and rng.random() < 0.5:
                members = rng.sample(roster, came)
                named.update(members)
                sessions.record_attendance(
                    session,
                    Attendance(
                        organization_id=invite.organization_id, volunteer_ids=members
                    ),
                    actor=organizer,
                )
            else:
                sessions.record_attendance(
                    session,
                    Attendance(organization_id=invite.organization_id, attendees=came),
                    actor=organizer,
                )
            attended += came
        sessions.record_attendance(
            session,
            Attendance(
                walk_ins=min(rng.choice((0, 0, 1, 2, 3)), session.capacity - attended),
                feedback_score=f"{rng.randint(38, 48) / 10:.1f}",
            ),
            actor=organizer,
        )


def _roster(org_id: int, day: date) -> list[int]:
    return list(
        db.session.scalars(
            select(Membership.volunteer_id)
            .where(
                Membership.organization_id == org_id,
                Membership.joined_on <= day,
                (Membership.left_on.is_(None)) | (Membership.left_on >= day),
            )
            .order_by(Membership.volunteer_id)
        )
    )


# ---- follow-ups ----


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


# ---- dates ----


def _local(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=local_zone())


def _at(day: date, hour: int = 10) -> datetime:
    return min(_local(day, time(hour)).astimezone(UTC), utcnow())


def _day(session: TrainingSession) -> date:
    return session.starts_at.astimezone(local_zone()).date()


def _with_series(session: TrainingSession) -> bool:
    return session.state == SessionState.SCHEDULED and not session.detached


def _since(org: Organization) -> date:
    return org.created_at.astimezone(local_zone()).date()


def _saturday(day: date) -> date:
    """The Saturday of ``day``'s week (Monday to Sunday)."""
    return day + timedelta(days=5 - day.weekday())


@contextmanager
def _dated(day: date, hour: int = 10) -> Iterator[datetime]:
    """The audit entries written inside are dated ``day`` (never after now)."""
    db.session.flush()
    entries = db.session.scalar(select(func.coalesce(func.max(AuditEntry.id), 0)))
    moment = _at(day, hour)
    yield moment
    db.session.flush()
    db.session.execute(
        update(AuditEntry).where(AuditEntry.id > entries).values(at=moment)
    )
