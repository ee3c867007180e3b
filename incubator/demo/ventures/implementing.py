"""The first batch carried out from the round's running period: spending, a
mid-term check and the support plan's actions done, added or overdue."""

from __future__ import annotations

from datetime import date, timedelta

from incubator.demo.ventures.running import (
    _add_action,
    _complete,
    _midterm,
    _spend,
)
from incubator.demo.ventures.steps import _actions, _move, _worker
from incubator.periods import months_before
from incubator.ventures.models import State, Venture


def _carry_out(ventures: dict[str, Venture], today: date, runs_from: date) -> None:
    dance = ventures["禾山夕阳红舞蹈队"]
    patrol = ventures["城上城平安巡逻队"]
    repair = ventures["龙湖花园便民维修队"]
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
