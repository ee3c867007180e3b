"""The two review batches: the first soon after the window closed (four approved,
one rejected, one of the four terminated as it began), the second lately, from the
round's balance, with one review still under way."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from incubator.auth.models import User
from incubator.demo.ventures.reviewing import _panel, _review
from incubator.demo.ventures.running import _add_action
from incubator.demo.ventures.steps import _decide, _reject, _terminate
from incubator.ventures.models import Venture


def _first_batch(
    ventures: dict[str, Venture],
    admin: User,
    reviewers: list[User],
    closes: date,
    runs_from: date,
) -> None:
    first, decided = closes + timedelta(days=3), closes + timedelta(days=18)
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


def _second_batch(
    ventures: dict[str, Venture],
    admin: User,
    workers: Sequence[User],
    viewer: User,
    today: date,
) -> None:
    reviewers = [*workers, viewer]
    later, decided_later = today - timedelta(days=40), today - timedelta(days=12)
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
