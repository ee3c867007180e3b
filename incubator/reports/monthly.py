"""The monthly report (``GET /reports/monthly``, its page and its Excel export):
a month's figures from the shared counting functions (``projects.metrics``),
for the caller's scope, one community or one project's community, with a
per-community breakdown whose rows add up exactly to the total -- except people
served (distinct residents), where a resident signed in in two communities
counts once in each row and once in the total."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from flask import abort
from sqlalchemy import select

from incubator.activities.models import Form, ServiceType, TargetGroup
from incubator.auth.models import User
from incubator.community.models import Community
from incubator.community.scope import may_see_community, scope_ids
from incubator.extensions import db
from incubator.projects import metrics
from incubator.projects.metrics import Communities, Period
from incubator.projects.models import Project


@dataclass(frozen=True)
class ReportScope:
    """What a monthly report counts: ``communities`` (None: every community)
    and those communities' rows (in display order) for the breakdown."""

    communities: Communities
    rows: Sequence[Community]
    community_id: int | None = None
    project_id: int | None = None

    @property
    def several(self) -> bool:
        return len(self.rows) > 1


def report_scope(
    user: User | None, community_id: int | None = None, project_id: int | None = None
) -> ReportScope:
    """The communities of the report ``user`` asks for: one community, a
    project's community, or (neither) the user's whole scope. A community or a
    project outside the scope, or that does not exist, is a 404."""
    communities = scope_ids(user)
    if project_id is not None:
        project_community = db.session.scalar(
            select(Project.community_id).where(Project.id == project_id)
        )
        if project_community is None or not may_see_community(user, project_community):
            abort(404)
        if community_id is not None and community_id != project_community:
            abort(404)
        community_id = project_community
    if community_id is not None:
        if not may_see_community(user, community_id):
            abort(404)
        communities = frozenset({community_id})
    stmt = select(Community).where(metrics.within(Community.id, communities))
    rows = db.session.scalars(stmt.order_by(Community.position, Community.id)).all()
    if community_id is not None and not rows:
        abort(404)
    return ReportScope(communities, rows, community_id, project_id)


def _figures(
    *,
    total: int,
    by_form: dict[str, int],
    by_service_type: dict[str, int],
    by_target_group: dict[str, int],
    person_times: int,
    volunteer_hours: Decimal,
    resources_value: Decimal,
    new: int,
    stage_moves: int,
    done: int,
    overdue: int,
    held: int,
    attendees: int,
    people_served: int,
    space: metrics.Space,
) -> dict:
    return {
        "activities": {
            "total": total,
            "by_form": by_form,
            "by_service_type": by_service_type,
            "by_target_group": by_target_group,
        },
        "person_times": person_times,
        "volunteer_hours": str(volunteer_hours),
        "resources_value": f"{resources_value:.2f}",
        "organizations": {"new": new, "stage_moves": stage_moves},
        "followups": {"done": done, "overdue": overdue},
        "sessions": {"held": held, "attendees": attendees},
        "people_served": people_served,
        "space": {"uses": space.uses, "people": space.people},
    }


def monthly_report(
    period: Period,
    month: str,
    communities: Communities = None,
    *,
    breakdown: Sequence[Community] | None = None,
) -> dict:
    """The figures of ``GET /reports/monthly`` (API.md) for ``communities``
    (None: all); with ``breakdown``, also ``by_community``: the same figures for
    each of those communities (an archived one only when it has a figure)."""
    served, space = metrics.people_and_space(period, communities)
    report = {
        "month": month,
        **_figures(
            total=metrics.activities(period, None, communities),
            by_form=metrics.by_form(period, communities),
            by_service_type=metrics.by_service_type(period, communities),
            by_target_group=metrics.by_target_group(period, communities),
            person_times=metrics.person_times(period, communities),
            volunteer_hours=metrics.volunteer_hours(period, communities),
            resources_value=metrics.resources_value(period, communities),
            new=metrics.organizations_new(period, communities),
            stage_moves=metrics.stage_moves(period, communities),
            done=metrics.followups_done(period, communities),
            overdue=metrics.followups_overdue(period, communities),
            held=metrics.capacity_sessions(period, communities),
            attendees=metrics.session_attendees(period, communities),
            people_served=served,
            space=space,
        ),
    }
    if breakdown is not None:
        report["by_community"] = per_community(period, communities, breakdown)
    return report


def per_community(
    period: Period, communities: Communities, rows: Sequence[Community]
) -> list[dict]:
    """One row of figures per community of ``rows``, in a fixed number of
    queries (each figure grouped by community). People served is distinct per
    row: the rows' sum may exceed the total."""
    total = metrics.activities_per_community(period, communities)
    forms = metrics.by_form_per_community(period, communities)
    services = metrics.by_service_type_per_community(period, communities)
    targets = metrics.by_target_group_per_community(period, communities)
    people = metrics.person_times_per_community(period, communities)
    hours = metrics.volunteer_hours_per_community(period, communities)
    value = metrics.resources_value_per_community(period, communities)
    new = metrics.organizations_new_per_community(period, communities)
    moves = metrics.stage_moves_per_community(period, communities)
    done = metrics.followups_done_per_community(period, communities)
    overdue = metrics.followups_overdue_per_community(period, communities)
    held = metrics.capacity_sessions_per_community(period, communities)
    attendees = metrics.session_attendees_per_community(period, communities)
    served = metrics.people_served_per_community(period, communities)
    centre = metrics.space_per_community(period, communities)
    zero_form = {k.value: 0 for k in Form}
    zero_service = {k.value: 0 for k in ServiceType}
    zero_target = {k.value: 0 for k in TargetGroup}
    result = []
    for community in rows:
        i = community.id
        figures = _figures(
            total=total.get(i, 0),
            by_form=forms.get(i, zero_form),
            by_service_type=services.get(i, zero_service),
            by_target_group=targets.get(i, zero_target),
            person_times=people.get(i, 0),
            volunteer_hours=hours.get(i, Decimal("0.0")),
            resources_value=value.get(i, Decimal("0.00")),
            new=new.get(i, 0),
            stage_moves=moves.get(i, 0),
            done=done.get(i, 0),
            overdue=overdue.get(i, 0),
            held=held.get(i, 0),
            attendees=attendees.get(i, 0),
            people_served=served.get(i, 0),
            space=centre.get(i, metrics.Space(0, 0)),
        )
        counted = any(
            (
                total.get(i),
                people.get(i),
                hours.get(i),
                value.get(i),
                new.get(i),
                moves.get(i),
                done.get(i),
                overdue.get(i),
                held.get(i),
                attendees.get(i),
                served.get(i),
                centre.get(i),
            )
        )
        if community.archived_at is not None and not counted:
            continue
        result.append({"community_id": i, "name": community.name, **figures})
    return result
