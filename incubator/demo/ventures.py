"""The demo's micro-venture round (微公益创投) 禾你益起 第一期: one application from
each demo organization, at every step of a venture's life (申报, 评审, 立项, 未通过,
实施, 结项, 终止), with reviews, support plans, a mid-term check and expenditures.

Every step goes through the ventures' services; its history and audit entries are
then dated back, as an import of earlier records would be. Applications are taken
while the window holds today and the window is closed afterwards, so the round
shows the dates of a window that closed months ago."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import func, select, update

from incubator.audit.models import AuditEntry
from incubator.auth.models import User
from incubator.extensions import db
from incubator.i18n import local_today, local_zone
from incubator.organizations.models import Organization
from incubator.periods import months_before
from incubator.ventures import plans, reviews, rounds, services, spending
from incubator.ventures.models import (
    PlanAction,
    State,
    Venture,
    VentureEvent,
    VentureReview,
    VentureRound,
)
from incubator.ventures.schemas import BudgetLineIn, VentureApplication

ROUND_NAME = "禾你益起 第一期"
ROUND_BUDGET = Decimal("90000.00")
ROUND_DESCRIPTION = (
    "禾山社区第一期微公益创投，面向辖区社区社会组织。"
    "未备案、未登记的组织可由已备案或已登记的组织支持申报。"
)


@dataclass(frozen=True)
class Proposal:
    org: str
    title: str
    target_group: str
    need: str
    planned_activities: str
    expected_outputs: str
    budget_lines: tuple[tuple[str, str], ...]
    sponsor: str | None = None

    @property
    def requested(self) -> Decimal:
        return sum((Decimal(a) for _i, a in self.budget_lines), Decimal("0.00"))


PROPOSALS = (
    Proposal(
        "禾山夕阳红舞蹈队",
        "广场舞进小区·邻里健身月月跳",
        "elders",
        "新景龙郡60岁以上居民约占三成，傍晚在小区空地自发跳舞的居民多，"
        "但缺少统一的音响、场地秩序和专业指导，扰民投诉时有发生。"
        "舞蹈队希望把自身排练经验带进小区，组织规范、有秩序的邻里健身活动。",
        "1. 每月开展两次小区广场舞公益教学，骨干轮流带教；\n"
        "2. 与物业协商划定活动区域，约定音量和时段；\n"
        "3. 举办一次重阳文艺汇演，邀请各小区居民参与。",
        "公益教学不少于16场、服务600人次；形成《广场舞文明公约》1份；"
        "培养带教骨干6名；举办汇演1场。",
        (
            ("演出服装与道具", "4800.00"),
            ("音响设备租赁", "2400.00"),
            ("场地布置", "1800.00"),
            ("志愿者餐补", "1600.00"),
            ("宣传印刷", "1400.00"),
        ),
    ),
    Proposal(
        "城上城平安巡逻队",
        "平安城上城·夜间巡逻与反诈宣传",
        "all_residents",
        "城上城小区老旧楼栋多、出入口多，夜间照明不足，近年发生过电动车被盗；"
        "老年居民接到诈骗电话的情况也在增多，居民对安全感的诉求强烈。",
        "1. 组建三个夜巡小组，每周巡逻三晚并记录安全隐患；\n"
        "2. 联合派出所民警开展反诈讲座4场；\n"
        "3. 入户发放反诈宣传折页，重点覆盖独居长者。",
        "夜间巡逻不少于100次，上报隐患并跟进整改；反诈讲座4场、覆盖200人次；"
        "入户宣传300户。",
        (
            ("巡逻装备（反光背心、强光手电）", "3200.00"),
            ("反诈宣传印刷", "2600.00"),
            ("志愿者餐补", "2400.00"),
            ("培训讲师费", "1800.00"),
        ),
    ),
    Proposal(
        "龙湖花园长者关爱小组",
        "长者智能手机互助课堂",
        "elders",
        "龙湖花园独居和空巢长者较多，不会用手机挂号、扫码乘车和视频通话；"
        "子女不在身边，遇到问题无人可问，也容易上当受骗。",
        "1. 每周二下午在社区活动室开设手机课堂，共12期；\n"
        "2. 招募年轻志愿者与长者结对，一对一辅导；\n"
        "3. 编印大字版操作手册，加入防诈骗情景演练。",
        "开课24次，结业长者不少于40人；结对志愿者15名；编印大字版手册200本。",
        (
            ("教学材料与讲义", "2200.00"),
            ("场地布置", "1200.00"),
            ("志愿者餐补", "2400.00"),
            ("宣传印刷", "800.00"),
            ("防诈骗情景演练道具", "1400.00"),
        ),
        sponsor="东晖邻里互助社",
    ),
    Proposal(
        "枋湖书香读书会",
        "枋湖周末亲子共读课堂",
        "children",
        "枋湖花园双职工家庭多，周末孩子多在家看手机，家长希望有就近的阅读活动；"
        "读书会成员中有退休教师，愿意带领亲子共读。",
        "1. 每月两个周六上午开展亲子共读，共16场；\n"
        "2. 每季度举办一次“小小故事会”展示；\n"
        "3. 建立小区图书漂流角，居民捐书、借书登记。",
        "亲子共读16场，服务家庭不少于30户、480人次；漂流图书不少于300册。",
        (
            ("图书采购", "3000.00"),
            ("场地布置", "800.00"),
            ("志愿者餐补", "1200.00"),
            ("宣传印刷", "1000.00"),
        ),
        sponsor="城上城书法协会",
    ),
    Proposal(
        "东晖邻里互助社",
        "邻里便民服务日·旧物循环集市",
        "all_residents",
        "东晖广场小区居民对小家电维修、磨刀、理发等便民服务需求大，"
        "闲置物品多却无处流转；互助社已独立承接便民服务日，"
        "希望形成常态并带动周边小区。",
        "1. 每月最后一个周日举办便民服务日，设维修、义剪、磨刀摊位；\n"
        "2. 同场开设旧物循环集市，以物换物、积分兑换；\n"
        "3. 带教两个周边小区的居民骨干，复制服务模式。",
        "便民服务日10场、服务1200人次；旧物流转不少于800件；带出新骨干团队2支。",
        (
            ("维修耗材", "3200.00"),
            ("场地布置", "1600.00"),
            ("志愿者餐补", "2400.00"),
            ("宣传印刷", "1000.00"),
            ("志愿者保险", "800.00"),
        ),
    ),
    Proposal(
        "凯悦新城环保先锋队",
        "垃圾分类积分兑换站",
        "all_residents",
        "凯悦新城垃圾分类准确率偏低，厨余垃圾混投严重；"
        "居民反映缺少激励，桶边督导志愿者人手不足。",
        "1. 在小区设立积分兑换站，正确分类可累计积分兑换生活用品；\n"
        "2. 早晚投放高峰安排志愿者桶边督导；\n"
        "3. 开展两场垃圾分类知识进家庭活动。",
        "参与积分的家庭不少于200户；分类准确率提升至80%以上；桶边督导不少于300小时。",
        (
            ("积分兑换物资", "3500.00"),
            ("分类宣传展板", "1500.00"),
            ("志愿者餐补", "1500.00"),
            ("督导工具（手套、长柄夹）", "1000.00"),
        ),
        sponsor="东晖邻里互助社",
    ),
    Proposal(
        "新景龙郡亲子绘本馆",
        "绘本漂流·亲子共读角",
        "children",
        "绘本馆借阅需求大，但现有绘本多为家长捐赠，低幼和科普类缺口明显；"
        "值班志愿者流动快，缺乏导读能力。",
        "1. 补充低幼和科普绘本约200册；\n"
        "2. 每周六开展一次亲子导读；\n"
        "3. 培训家长志愿者担任导读员。",
        "新增绘本200册、借阅1000人次；亲子导读30场；培养导读员8名。",
        (
            ("绘本采购", "2800.00"),
            ("书架与阅读垫", "1200.00"),
            ("宣传印刷", "500.00"),
            ("志愿者餐补", "500.00"),
        ),
        sponsor="禾山夕阳红舞蹈队",
    ),
    Proposal(
        "城上城书法协会",
        "翰墨传家·社区书法公益课",
        "all_residents",
        "协会会员多为退休书法爱好者，不少居民尤其是青少年有学习书法的意愿，"
        "但校外培训费用较高。",
        "1. 每周日开设书法公益课，分少儿班和成人班；\n"
        "2. 春节前开展写春联、送福字活动；\n"
        "3. 年底举办会员及学员作品展。",
        "公益课40节、学员60人；送春联500副；作品展1场。",
        (
            ("笔墨纸砚", "6000.00"),
            ("讲师费", "5000.00"),
            ("作品装裱与展览", "3000.00"),
            ("宣传印刷", "1000.00"),
        ),
    ),
    Proposal(
        "龙湖花园便民维修队",
        "便民维修进楼栋·工具共享站",
        "all_residents",
        "龙湖花园房龄近二十年，水电、门窗小故障多，长者请人上门维修费用高；"
        "居民家中常用工具重复购置、利用率低。",
        "1. 每月到两个楼栋开展上门便民维修；\n"
        "2. 改造工具间，建立工具共享站和借用登记制度；\n"
        "3. 培训居民掌握简单的家庭维修技能。",
        "上门维修不少于150户次；共享工具40件、借用200人次；维修技能课4场。",
        (
            ("共享工具采购", "3000.00"),
            ("维修耗材", "1500.00"),
            ("工具间改造", "1500.00"),
            ("宣传印刷", "500.00"),
        ),
    ),
)

# Criterion offsets (需求契合度, 可行性, 团队能力, 预算合理性, 社区参与) and reviewer
# comments by how well a venture scores.
CRITERION_OFFSETS = (4, 0, -3, -2, 1)
COMMENTS = {
    "high": (
        "需求调研扎实，活动设计贴近居民，预算清晰合理。",
        "团队执行力强，建议注意活动记录和票据留存。",
        "社区参与面广，可作为本期示范项目。",
    ),
    "low": (
        "预算结构不够合理，讲师费和装裱费占比偏高。",
        "受益对象以协会会员为主，面向社区的部分偏少。",
        "建议压缩预算、明确社区受益人群后再申报。",
    ),
}
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


def seed_ventures(admin: User, workers: Sequence[User], viewer: User) -> VentureRound:
    """The round 禾你益起 第一期 and its nine ventures: ``admin`` runs the round and
    decides, the social workers ``workers`` and ``viewer`` review, each
    organization's own social worker keeps its plan. Returns the round."""
    today = local_today()
    opens = months_before(today, 10)
    closes = months_before(today, 9)
    runs_from = months_before(today, 8)
    runs_until = months_before(today, -2)  # two months ahead
    orgs = {org.name: org for org in db.session.scalars(select(Organization))}

    with _dated(opens - timedelta(days=7)):
        round_ = rounds.create_round(
            actor=admin,
            name=ROUND_NAME,
            budget=ROUND_BUDGET,
            description=ROUND_DESCRIPTION,
            opens_on=opens,
            closes_on=today,  # open while the applications are taken
            runs_from=runs_from,
            runs_until=runs_until,
        )
        round_.created_at = _at(opens - timedelta(days=7))
    ventures = {}
    for index, proposal in enumerate(PROPOSALS):
        with _dated(opens + timedelta(days=2 + 3 * index)) as moment:
            venture = ventures[proposal.org] = _apply(round_, proposal, orgs)
            venture.created_at = venture.state_since = moment
    with _dated(closes, hour=18):
        rounds.update_round(
            round_,
            actor=admin,
            expected_version=round_.version,
            name=round_.name,
            budget=round_.budget,
            description=round_.description,
            opens_on=opens,
            closes_on=closes,
            runs_from=runs_from,
            runs_until=runs_until,
        )

    reviewers = [*workers, viewer]
    first, later = closes + timedelta(days=3), today - timedelta(days=40)
    decided, decided_later = closes + timedelta(days=18), today - timedelta(days=12)

    # 第一批评审 soon after the window closed.
    dance = ventures["禾山夕阳红舞蹈队"]
    patrol = ventures["城上城平安巡逻队"]
    green = ventures["凯悦新城环保先锋队"]
    repair = ventures["龙湖花园便民维修队"]
    calligraphy = ventures["城上城书法协会"]
    for venture, base in ((dance, 90), (patrol, 84), (green, 78), (repair, 86)):
        _review(venture, admin, _panel(venture, admin, reviewers), first, base)
    _review(calligraphy, admin, _panel(calligraphy, admin, reviewers), first, 55)
    _decide(dance, admin, decided, "评审等级A，按申请金额立项。")
    _decide(
        patrol,
        admin,
        decided,
        "讲师由派出所民警义务担任一部分，核减讲师费500元。",
        amount="9500.00",
    )
    _decide(green, admin, decided, "评审通过，按核定金额立项。", amount="7000.00")
    _decide(
        repair,
        admin,
        decided,
        "物业提供工具间改造板材，核减改造费500元。",
        amount="6000.00",
    )
    _reject(
        calligraphy,
        admin,
        decided,
        "讲师费和装裱费占比过高，受益以协会会员为主，社区参与不足。"
        "建议压缩预算、增加面向青少年和新居民的课时后参加下一期申报。",
    )
    _terminate(
        green,
        admin,
        runs_from + timedelta(days=5),
        "负责人搬离小区，先锋队活动暂停、进入休眠，项目无法按计划实施；"
        "经与队员和支持单位协商终止，资金未动用，退回本期创投资金。",
    )

    # 第二批评审: the round's balance, decided lately.
    elders = ventures["龙湖花园长者关爱小组"]
    neighbours = ventures["东晖邻里互助社"]
    for venture, base in ((elders, 88), (neighbours, 82)):
        _review(venture, admin, _panel(venture, admin, reviewers), later, base)
        _decide(venture, admin, decided_later, "利用本期结余资金补充立项。")
    _add_action(
        neighbours,
        decided_later + timedelta(days=2),
        goal="带动周边小区复制便民服务日",
        action="社工协助对接两个周边小区居委会，确定试点场地和骨干名单",
        due_on=today + timedelta(days=30),
    )
    books = ventures["新景龙郡亲子绘本馆"]
    other = next(w for w in workers if w.id != books.organization.social_worker_id)
    _review(books, admin, [other, viewer], today - timedelta(days=20), 83, submit=1)

    # 实施: the first batch runs from the round's running period.
    for venture in (dance, patrol, repair):
        _move(venture, State.RUNNING, runs_from, _worker(venture))
    _spend(
        dance,
        [
            (runs_from + timedelta(days=5), "4650.00", "演出服装（30套）"),
            (runs_from + timedelta(days=8), "1200.00", "音响设备租赁（上半期）"),
            (months_before(today, 6), "680.00", "公益教学宣传海报印刷"),
            (months_before(today, 4), "1760.00", "汇演场地布置"),
            (months_before(today, 2), "1200.00", "音响设备租赁（下半期）"),
            (months_before(today, 1), "1540.00", "志愿者餐补"),
            (today - timedelta(days=25), "690.00", "汇演节目单与宣传册印刷"),
        ],
    )
    _spend(
        patrol,
        [
            (runs_from + timedelta(days=6), "3080.00", "反光背心、强光手电等巡逻装备"),
            (runs_from + timedelta(days=35), "1960.00", "反诈宣传折页与海报印刷"),
            (months_before(today, 5), "780.00", "志愿者夜巡餐补（第一季度）"),
            (months_before(today, 3), "1500.00", "反诈知识培训讲师费"),
            (today - timedelta(days=15), "820.00", "志愿者夜巡餐补（第二季度）"),
        ],
    )
    _spend(
        repair,
        [
            (
                runs_from + timedelta(days=7),
                "2860.00",
                "共享工具采购（电钻、扳手、梯子等）",
            ),
            (runs_from + timedelta(days=20), "1380.00", "工具间改造（货架、板材）"),
            (months_before(today, 6), "620.00", "维修耗材（水龙头、灯管、开关）"),
            (months_before(today, 3), "540.00", "维修耗材（第二批）"),
            (months_before(today, 1), "360.00", "工具共享站宣传印刷"),
        ],
    )
    _midterm(
        dance,
        months_before(today, 4),
        "公益教学已开展9场、服务340人次，文明公约已张贴；经费使用规范，进度符合计划。",
    )
    _midterm(
        patrol,
        months_before(today, 4),
        "夜巡小组运转正常，已巡逻52次、上报隐患11处；反诈讲座完成2场，"
        "入户宣传进度偏慢，需加快。",
    )
    # The plan: the dance team's and the repair team's actions are done, the
    # patrol's first one too; its second is overdue.
    for venture in (dance, repair):
        for action in _actions(venture):
            _complete(action, action.due_on - timedelta(days=10))
    first_action = _actions(patrol)[0]
    _complete(first_action, first_action.due_on - timedelta(days=5))
    _add_action(
        patrol,
        months_before(today, 4) + timedelta(days=1),
        goal="加快入户反诈宣传进度",
        action="按楼栋分工入户发放反诈折页，每周汇总一次进度",
        due_on=today - timedelta(days=10),
    )
    _add_action(
        repair,
        months_before(today, 1),
        goal="把工具借用登记交给居民管理",
        action="推选两名居民担任工具共享站管理员，社工做一次交接培训",
        due_on=today + timedelta(days=21),
    )

    # 结项 of the dance team's venture.
    _move(
        dance,
        State.CLOSED,
        today - timedelta(days=20),
        _worker(dance),
        outputs_achieved="公益教学18场、服务680人次；《广场舞文明公约》经小区居民"
        "议事会通过；培养带教骨干7名；重阳文艺汇演1场，观众约300人。",
        closing_grade="excellent",
        lessons="与物业事先约定场地和时段，扰民投诉明显减少；骨干轮流带教，"
        "项目结束后教学仍可持续。下期可把模式带到其他小区。",
    )
    db.session.flush()
    return round_


# ---- steps ----


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=local_zone()).astimezone(UTC)


def _max_id(model) -> int:
    return db.session.scalar(select(func.coalesce(func.max(model.id), 0)))


@contextmanager
def _dated(day: date, hour: int = 10) -> Iterator[datetime]:
    """The venture history and audit entries written inside are dated ``day``."""
    db.session.flush()
    events, entries = _max_id(VentureEvent), _max_id(AuditEntry)
    moment = _at(day, hour)
    yield moment
    db.session.flush()
    db.session.execute(
        update(VentureEvent).where(VentureEvent.id > events).values(at=moment)
    )
    db.session.execute(
        update(AuditEntry).where(AuditEntry.id > entries).values(at=moment)
    )


def _apply(
    round_: VentureRound, proposal: Proposal, orgs: dict[str, Organization]
) -> Venture:
    org = orgs[proposal.org]
    sponsor = orgs[proposal.sponsor] if proposal.sponsor else None
    application = VentureApplication(
        round_id=round_.id,
        organization_id=org.id,
        sponsor_id=sponsor.id if sponsor else None,
        budget_lines=[
            BudgetLineIn(item=item, amount=amount)
            for item, amount in proposal.budget_lines
        ],
        title=proposal.title,
        target_group=proposal.target_group,
        need=proposal.need,
        planned_activities=proposal.planned_activities,
        expected_outputs=proposal.expected_outputs,
        requested_amount=f"{proposal.requested:.2f}",
    )
    return services.apply(
        round_, org, application, actor=org.leader or _social_worker(org)
    )


def _social_worker(org: Organization) -> User:
    """Every demo organization has one (``seed.ORGANIZATIONS`` names it)."""
    if org.social_worker is None:
        raise LookupError(f"demo organization {org.name} has no social worker")
    return org.social_worker


def _worker(venture: Venture) -> User:
    return _social_worker(venture.organization)


def _panel(venture: Venture, admin: User, reviewers: list[User]) -> list[User]:
    """The lead and every reviewer but the organization's own social worker."""
    own = venture.organization.social_worker_id
    return [admin, *(r for r in reviewers if r.id != own)]


def _review(
    venture: Venture,
    admin: User,
    panel: list[User],
    day: date,
    base: int,
    *,
    submit: int | None = None,
) -> None:
    """Name ``panel``, open the review and have the first ``submit`` reviewers
    (all by default) score around ``base``, a day apart."""
    with _dated(day, hour=9) as moment:
        services.set_reviewers(venture, [u.id for u in panel], actor=admin)
        _move(venture, State.REVIEWING, day, admin, hour=9)
        for review in _reviews(venture):
            review.assigned_at = moment
    criteria = venture.round.criteria
    comments = COMMENTS["high" if base >= 60 else "low"]
    for index, reviewer in enumerate(panel[:submit]):
        scores = {
            c.id: max(0, min(100, base + offset + (index * 3) % 5 - 2))
            for c, offset in zip(criteria, CRITERION_OFFSETS, strict=False)
        }
        with _dated(day + timedelta(days=2 + index), hour=15) as moment:
            review = reviews.submit_review(
                venture,
                actor=reviewer,
                scores=scores,
                comment=comments[index % len(comments)],
            )
            review.submitted_at = moment


def _reviews(venture: Venture) -> list[VentureReview]:
    return list(
        db.session.scalars(
            select(VentureReview).where(VentureReview.venture_id == venture.id)
        )
    )


def _move(
    venture: Venture, to: State, day: date, actor: User, *, hour: int = 10, **values
) -> None:
    """Move ``venture`` on ``day``; its decision or closing carries that date."""
    with _dated(day, hour) as moment:
        services.transition(venture, to, actor=actor, **values)
        venture.state_since = moment
        if to in (State.APPROVED, State.REJECTED):
            venture.decided_on = day
        if to == State.CLOSED:
            venture.closed_on = day


def _decide(
    venture: Venture, admin: User, day: date, note: str, *, amount: str | None = None
) -> None:
    """立项 on ``day``; the proposed plan is timed from that day."""
    _move(venture, State.APPROVED, day, admin, note=note, approved_amount=amount)
    due_days = {(e.dimension, e.action): e.due_days for e in plans.catalogue()}
    worker = _worker(venture)
    with _dated(day, hour=11) as moment:
        for action in _actions(venture):
            days = due_days.get((action.dimension, action.action))
            due = action.due_on
            if days is not None:
                due = min(day + timedelta(days=days), venture.round.runs_until)
            if due != action.due_on:
                plans.update_action(
                    action, actor=worker, expected_version=action.version, due_on=due
                )
            action.created_at = moment


def _reject(venture: Venture, admin: User, day: date, note: str) -> None:
    _move(venture, State.REJECTED, day, admin, note=note)


def _terminate(venture: Venture, admin: User, day: date, reason: str) -> None:
    _move(venture, State.TERMINATED, day, admin, note=reason)


def _actions(venture: Venture) -> list[PlanAction]:
    return list(
        db.session.scalars(
            select(PlanAction)
            .where(PlanAction.venture_id == venture.id)
            .order_by(PlanAction.due_on, PlanAction.id)
        )
    )


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
        added = plans.add_action(venture, actor=worker, owner=worker.name, **values)
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
            venture, actor=_worker(venture), checked_on=day, note=note
        )
