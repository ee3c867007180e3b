"""The tables of the demo's community service centres: their rooms, who uses them
for what, and the figures each community's project year reaches. Read by
``incubator.demo.centre``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

# 禾山社区's project year reaches the figures of the seed's application form:
# the centre's space used for 386 services, 8,338 people served.
SPACE_USES = 386
PEOPLE_SERVED = 8338
# 西岭社区, a few months into its first year, has its own smaller figures.
SECOND_SPACE_USES = 58
SECOND_PEOPLE_SERVED = 642
# Residents of 禾山社区's figure who also signed in at 西岭社区 (counted in both).
SHARED_RESIDENTS = 120


@dataclass(frozen=True)
class RoomSpec:
    key: str
    name: str
    capacity: int
    equipment: str
    needs_approval: bool
    opens: time = time(8, 30)
    closes: time = time(21)


ROOMS = (
    RoomSpec(
        "hall",
        "党群服务中心多功能厅",
        150,
        "舞台、投影、音响、无线话筒、150把折叠椅",
        True,
    ),
    RoomSpec("meeting", "二楼会议室", 40, "会议桌、投影、白板、视频会议设备", False),
    RoomSpec("training", "三楼培训室", 50, "课桌椅、投影、白板、书法桌", False),
    RoomSpec("dance", "舞蹈排练室", 30, "镜墙、把杆、音响、木地板", False),
    RoomSpec("academy", "社区书院", 40, "图书三千余册、阅读桌、儿童绘本区", False),
    RoomSpec(
        "elders",
        "长者活动室",
        50,
        "棋牌桌、电视、血压计、助餐桌椅",
        False,
        time(8, 30),
        time(17, 30),
    ),
    RoomSpec(
        "case",
        "个案工作室",
        6,
        "沙发、沙盘、隔音门，仅供个案与咨询",
        True,
        time(9),
        time(17, 30),
    ),
)
SECOND_ROOMS = (
    RoomSpec("hall", "西岭社区多功能厅", 100, "舞台、投影、音响、100把椅子", True),
    RoomSpec("meeting", "二楼会议室", 20, "会议桌、电视屏、白板", False),
    RoomSpec("activity", "一楼活动室", 50, "音响、钢琴、镜墙", False),
    RoomSpec("kids", "四点半课堂", 30, "课桌椅、绘本、白板", False),
)

# The sessions' places (``incubator.demo.schedule.programme``) and their rooms.
SESSION_ROOMS = {
    "禾山社区服务中心二楼会议室": "meeting",
    "禾山社区党群服务中心多功能厅": "hall",
    "禾山社区服务中心三楼培训室": "training",
}

# Outside units received for meetings (会议接待) and visits (参访接待).
MEETING_UNITS = (
    ("禾山街道办事处", "街道社会组织工作推进会"),
    ("湖里区民政局", "社区社会组织培育工作调研座谈"),
    ("湖里区社会组织服务中心", "孵化项目季度督导会"),
    ("厦门市社会工作者协会", "社工督导交流会"),
    ("禾山派出所", "平安社区联防联动协调会"),
    ("辖区物业联席会", "物业与居委会联席会议"),
    ("湖里区妇女联合会", "妇女儿童之家工作对接会"),
    ("湖里区残疾人联合会", "残障居民服务需求座谈"),
)
VISIT_UNITS = (
    "集美区杏林街道社工站参访团",
    "漳州市芗城区民政局考察组",
    "泉州市丰泽区东海街道参访团",
    "厦门大学社会与人类学院实践团",
    "龙岩市新罗区社会组织孵化基地",
    "三明市沙县区民政局考察组",
    "思明区鹭江街道社区书记参访团",
    "海沧区嵩屿街道参访团",
    "翔安区新店街道社工站",
)
SECOND_MEETING_UNITS = MEETING_UNITS[:3]
SECOND_VISIT_UNITS = ("禾山社区“幸福禾立方”项目组", "湖里区民政局考察组")

# The one-off uses that fill the year: service type, room, purpose, who books
# ("agency", "org:<name>" an organization, or an outside unit's name), people
# (low, high), share of them signing in, weight.
ONE_OFF = (
    (
        "science",
        "hall",
        "社区健康讲座：慢病管理与合理用药",
        "湖里区社区卫生服务中心",
        (60, 140),
        0.85,
        5,
    ),
    (
        "science",
        "hall",
        "防灾减灾与消防安全科普讲座",
        "禾山消防救援站",
        (50, 130),
        0.85,
        3,
    ),
    ("science", "academy", "青少年科普小课堂", "湖里区科学技术协会", (20, 38), 0.9, 2),
    (
        "resource_sharing",
        "hall",
        "便民服务日：义诊、义剪、家电维修",
        "agency",
        (70, 150),
        0.8,
        4,
    ),
    ("resource_sharing", "case", "律师驻点法律咨询", "湖里区律师协会", (2, 6), 1.0, 2),
    ("other", "hall", "邻里节文艺联欢", "agency", (90, 150), 0.75, 3),
    ("other", "meeting", "居民议事会", "agency", (20, 38), 0.9, 2),
    ("capacity", "training", "居民骨干能力提升培训", "agency", (25, 48), 0.9, 2),
    ("public_class", "training", "周末亲子公益课堂", "agency", (24, 48), 0.85, 3),
    ("case_use", "case", "个案辅导", "agency", (1, 3), 1.0, 2),
    (
        "self_org_service",
        "elders",
        "长者茶话会",
        "org:龙湖花园长者关爱小组",
        (25, 48),
        0.85,
        2,
    ),
)
SECOND_ONE_OFF = (
    ("science", "hall", "社区健康讲座", "湖里区社区卫生服务中心", (30, 90), 0.85, 3),
    ("resource_sharing", "hall", "便民服务日", "agency", (40, 95), 0.8, 2),
    ("other", "meeting", "居民议事会", "agency", (10, 20), 0.9, 2),
    ("public_class", "kids", "周末亲子公益课堂", "agency", (12, 28), 0.85, 2),
    ("case_use", "meeting", "个案辅导", "agency", (1, 3), 1.0, 1),
)

# Activity titles of the demo's organizations held at the centre, and the rooms
# they prefer (the first that is free and large enough).
CENTRE_TITLES = {
    "周末排练": ("dance", "hall"),
    "重阳文艺汇演": ("hall",),
    "书法交流": ("training", "meeting"),
    "爱心助餐": ("elders", "hall"),
    "义剪服务": ("elders", "hall"),
    "便民维修日": ("elders", "hall"),
    "防诈骗宣传": ("meeting", "hall"),
    "居民议事会": ("meeting", "hall"),
    "合唱排练": ("activity", "hall"),
    "社区音乐会": ("hall",),
    "长者茶话会": ("activity", "hall"),
    "邻里互助议事": ("meeting", "activity"),
}

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许邓冯韩曹曾彭萧蔡潘田董袁"
    "叶苏吕魏蒋洪庄傅康"
)
GIVEN_FIRST = "秀桂玉淑丽建志国海美春晓文雅金德宝振雪子欣浩梓明思红伟素佳俊家嘉凤"
GIVEN_SECOND = "英兰珍华强燕玲梅明杰琴凤胜娟雪涵怡然萱轩远霞民平芳红军辉婷琳斌"
# Mobile prefixes of the three carriers.
PREFIXES = (
    "130 131 132 133 135 136 137 138 139 150 151 152 153 155 156 157 158 159"
    " 166 173 177 180 181 182 183 185 186 187 188 189 191 199"
).split()
