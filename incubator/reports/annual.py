"""The annual summary (年度总结) of a project year and the draft of the next year's
application (申报表), both from the shared counting functions, with the narrative
paragraph in the style of a funder report."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from incubator.money import yuan
from incubator.projects import metrics
from incubator.projects.models import Project
from incubator.projects.services import (
    previous_project,
    project_communities,
    project_period,
)

__all__ = [
    "AnnualFigures",
    "annual_figures",
    "application_reason",
    "narrative",
    "previous_results",
    "previous_year",
    "project_period",
]


@dataclass(frozen=True)
class AnnualFigures:
    service_sessions: int
    person_times: int
    resources_value: Decimal
    orgs_incubated: int
    orgs_cultivated: int
    ventures_supported: int
    group_activities: int
    community_activities: int
    volunteer_hours: Decimal
    capacity_sessions: int
    people_served: int
    space_uses: int
    space_people: int


def annual_figures(project: Project) -> AnnualFigures:
    """The project's year: its community's records in its period."""
    period = project_period(project)
    only = project_communities(project)
    people, centre = metrics.people_and_space(period, only)
    return AnnualFigures(
        service_sessions=metrics.service_sessions(period, only),
        person_times=metrics.person_times(period, only),
        resources_value=metrics.resources_value(period, only),
        orgs_incubated=metrics.orgs_incubated(period, None, only),
        orgs_cultivated=metrics.orgs_cultivated(period, only),
        ventures_supported=metrics.ventures_supported(period, only),
        group_activities=metrics.group_activities(period, only),
        community_activities=metrics.community_activities(period, only),
        volunteer_hours=metrics.volunteer_hours(period, only),
        capacity_sessions=metrics.capacity_sessions(period, only),
        people_served=people,
        space_uses=centre.uses,
        space_people=centre.people,
    )


def previous_year(project: Project) -> tuple[Project, AnnualFigures] | None:
    """A renewal's previous project (the same community's) and its figures."""
    previous = previous_project(project)
    if previous is None:
        return None
    return previous, annual_figures(previous)


def narrative(figures: AnnualFigures, english: bool = False) -> str:
    """The year in one paragraph, as a funder report words it: in Chinese, the
    language of the report (and of the application it goes into); ``english``
    for a page shown in English."""
    f = figures
    if english:
        return _narrative_in_english(f)
    parts = [
        f"本年度共开展服务 {f.service_sessions} 场，",
        f"服务 {f.person_times} 人次；",
        f"使用空间 {f.space_uses} 场服务，总服务人数达 {f.people_served} 人，",
        f"中心场地服务 {f.space_people} 人次；",
        f"链接资源总价值 {yuan(f.resources_value)} 元。",
        f"孵化社区社会组织 {f.orgs_incubated} 个，",
        f"其中进入培育及以上阶段 {f.orgs_cultivated} 个；",
        f"通过“微公益创投”支持 {f.ventures_supported} 个项目，量身定制服务策略。",
        f"开展小组活动 {f.group_activities} 场、",
        f"社区活动 {f.community_activities} 场，",
        f"举办培力课程 {f.capacity_sessions} 场，",
        f"志愿者累计服务 {f.volunteer_hours} 小时。",
    ]
    return "".join(parts)


def _narrative_in_english(f: AnnualFigures) -> str:
    return " ".join(
        (
            f"This year the project held {f.service_sessions} service sessions,",
            f"serving {f.person_times} person-times;",
            f"the centre's space was used for {f.space_uses} services and",
            f"{f.people_served} people were served in total",
            f"({f.space_people} person-times at the centre);",
            f"resources worth {yuan(f.resources_value)} yuan were linked.",
            f"{f.orgs_incubated} community organizations were incubated,",
            f"{f.orgs_cultivated} of them at the cultivating stage or beyond;",
            f"{f.ventures_supported} micro-ventures were supported.",
            f"{f.group_activities} group activities and",
            f"{f.community_activities} community activities were held,",
            f"with {f.capacity_sessions} capacity-building sessions,",
            f"and volunteers served {f.volunteer_hours} hours.",
        )
    )


def previous_results(previous: Project, figures: AnnualFigures) -> str:
    """The previous project year's actual results in one sentence."""
    f = figures
    return (
        f"上一年度（{previous.starts_on.year}年{previous.starts_on.month}月至"
        f"{previous.ends_on.year}年{previous.ends_on.month}月）项目实际完成："
        f"开展服务 {f.service_sessions} 场，服务 {f.person_times} 人次，"
        f"使用空间 {f.space_uses} 场服务，总服务人数达 {f.people_served} 人，"
        f"链接资源总价值 {yuan(f.resources_value)} 元，"
        f"孵化社区社会组织 {f.orgs_incubated} 个，"
        f"支持微公益创投项目 {f.ventures_supported} 个，"
        f"志愿者累计服务 {f.volunteer_hours} 小时。"
    )


def application_reason(
    project: Project,
    figures: AnnualFigures,
    previous: tuple[Project, AnnualFigures] | None = None,
) -> str:
    """A first draft of 申报理由 for renewing the project, from last year's figures
    and the organizations' progress (and, for a renewal, the previous project
    year's actual results); the admin edits it before printing."""
    return (
        f"{project.community.name}自第{project.year}年项目实施以来，"
        "以“三社一志”为模式，围绕服务、孵化、培育、自治开展工作。"
        f"{previous_results(*previous) if previous else ''}"
        f"{narrative(figures)}"
        "社区社会组织的自我管理和服务能力明显提升，居民参与社区事务的意愿不断增强。"
        "为巩固已有成果，推动更多组织从孵化走向自治，形成可持续的社区治理力量，"
        f"特申请续约第{project.year + 1}年项目。"
    )
