"""The round's story: the window, nine applications, two review batches and their
decisions, a terminated venture, three running with spending and a mid-term check,
and one closed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import select

from incubator.auth.models import User
from incubator.demo.clock import at as _at
from incubator.demo.ventures.proposals import (
    PROPOSALS,
    ROUND_BUDGET,
    ROUND_DESCRIPTION,
    ROUND_NAME,
)
from incubator.demo.ventures.reviewing import _panel, _review
from incubator.demo.ventures.running import _add_action, _complete, _midterm, _spend
from incubator.demo.ventures.steps import (
    _actions,
    _apply,
    _dated,
    _decide,
    _move,
    _reject,
    _terminate,
    _worker,
)
from incubator.extensions import db
from incubator.i18n import local_today
from incubator.organizations.models import Organization
from incubator.periods import months_before
from incubator.ventures import rounds
from incubator.ventures.models import State, VentureRound
from incubator.ventures.schemas import RoundChange, RoundSchedule


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
            RoundSchedule(
                name=ROUND_NAME,
                budget=f"{ROUND_BUDGET:.2f}",
                description=ROUND_DESCRIPTION,
                opens_on=opens,
                closes_on=today,  # open while the applications are taken
                runs_from=runs_from,
                runs_until=runs_until,
            ),
            actor=admin,
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
            RoundChange(version=round_.version, closes_on=closes),
            actor=admin,
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
