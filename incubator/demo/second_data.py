"""The tables of the demo's second community, 西岭社区: invented, in the same street
(禾山街道) as 禾山社区, three months into its first project year. Read by
``incubator.demo.second_community``."""

from __future__ import annotations

from datetime import date

NAME = "西岭社区"
STREET = "禾山街道"
COMPOUNDS = ("西岭花园小区", "岭下新村", "西岭安置房小区", "金岭华庭")

PROJECT_NAME = "“邻里西岭”西岭社区社会组织培育社工服务项目"
PROJECT_BUDGET = "120000.00"
PROJECT_AGENCY = "厦门市同心社工服务中心"  # the same agency holds both projects
PROJECT_DESCRIPTION = "第一年：摸底、孵化、培育，带动居民参与社区治理。"
# The same indicators as 幸福禾立方's contract, with a first year's smaller targets.
INDICATORS = (
    ("orgs_incubated", "4"),
    ("ventures_supported", "3"),
    ("group_activities", "4"),
    ("community_activities", "10"),
    ("person_times", "1200"),
    ("service_sessions", "60"),
    ("resources_value", "80000"),
    ("volunteer_hours", "1200"),
    ("capacity_sessions", "6"),
    ("followups_done", "16"),
    ("space_uses", "240"),
    ("people_served", "2400"),
)

# name, kind, compound index, filing status, founded, members, leader,
# stage path [(stage, days ago)] (each move after an assessment that day)
ORGANIZATIONS: tuple[
    tuple[str, str, int, str, date, int, str | None, list[tuple[str, int]]], ...
] = (
    (
        "西岭花园合唱团",
        "culture_sports",
        0,
        "filed",
        date(2019, 9, 1),
        24,
        "leader_sun",
        [("incubating", 150), ("cultivating", 60)],
    ),
    (
        "岭下新村睦邻互助队",
        "life_service",
        1,
        "none",
        date(2021, 3, 15),
        15,
        None,
        [("incubating", 80)],
    ),
    (
        "西岭安置房长者茶话会",
        "charity",
        2,
        "none",
        date(2022, 10, 1),
        10,
        None,
        [("incubating", 70)],
    ),
    (
        "金岭华庭亲子自然营",
        "culture_sports",
        3,
        "none",
        date(2024, 4, 20),
        8,
        None,
        [],
    ),
    (
        "西岭花园垃圾分类督导队",
        "community_affairs",
        0,
        "none",
        date(2020, 5, 10),
        7,
        None,
        [("incubating", 160), ("dormant", 40)],
    ),
)

# The open follow-ups sw_zhou plans: organization, kind, days from today
# (negative when overdue), and whether one before it was done.
FOLLOWUPS = (
    ("西岭花园合唱团", "visit", 12, True),
    ("岭下新村睦邻互助队", "phone", -3, True),
    ("金岭华庭亲子自然营", "visit", 20, False),
)
OUTCOMES = {
    "visit": "到排练现场走访，骨干已能自主排班，提醒做好签到和照片留存。",
    "phone": "电话回访负责人，近期活动正常开展，约定下月一起商量招募。",
}

VOLUNTEERS = 25
GIVEN = ("桂兰", "志明", "秀珍", "海峰", "丽萍", "建华", "美华", "金生", "雅婷")
SKILLS = ("合唱", "维修", "烹饪", "手工", "摄影", "教学", "急救")
SERVICES = {
    "culture_sports": "排练演出",
    "life_service": "便民维修",
    "charity": "长者探访",
    "community_affairs": "垃圾分类督导",
}
TITLES = {
    "culture_sports": ("合唱排练", "社区音乐会", "亲子自然观察"),
    "life_service": ("便民维修日", "邻里互助议事"),
    "charity": ("长者茶话会", "独居长者探访"),
    "community_affairs": ("垃圾分类督导",),
}
SERVICE_TYPE = {
    "culture_sports": "self_org_service",
    "life_service": "resource_sharing",
    "charity": "self_org_service",
    "community_affairs": "capacity",
}
