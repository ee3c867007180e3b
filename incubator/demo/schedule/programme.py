"""The year's programme, as data: the monthly workshop series (each month's topic,
the occurrence moved and the one cancelled) and the single sessions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

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
