"""The monthly report (``GET /reports/monthly``, its page and its Excel export):
a month's figures from the shared counting functions (``projects.metrics``),
for the caller's scope, one community or one project's community, with a
per-community breakdown whose rows add up exactly to the total -- except people
served (distinct residents), where a resident signed in in two communities
counts once in each row and once in the total."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from flask import abort
from sqlalchemy import select

from incubator.activities.models import Form, ServiceType, TargetGroup
from incubator.auth.models import User
from incubator.community.models import Community
from incubator.community.scope import may_see_community, scope_ids
from incubator.extensions import db
from incubator.projects import metrics, tallies
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


@dataclass
class _Counted:
    """One community's figures of the month (or their sum)."""

    activities: tallies.ActivityTally = field(default_factory=tallies.ActivityTally)
    volunteer_hours: Decimal = Decimal("0.0")
    resources_value: Decimal = Decimal("0.00")
    new: int = 0
    stage_moves: int = 0
    done: int = 0
    overdue: int = 0
    held: int = 0
    attendees: int = 0
    people_served: int = 0
    space: metrics.Space = metrics.Space(0, 0)

    def add(self, other: _Counted) -> None:
        """Add ``other``'s figures (people served excepted: not additive)."""
        self.activities.add(other.activities)
        self.volunteer_hours += other.volunteer_hours
        self.resources_value += other.resources_value
        self.new += other.new
        self.stage_moves += other.stage_moves
        self.done += other.done
        self.overdue += other.overdue
        self.held += other.held
        self.attendees += other.attendees
        self.space = metrics.Space(
            self.space.uses + other.space.uses, self.space.people + other.space.people
        )

    @property
    def counted(self) -> bool:
        return any(
            (
                self.activities.total,
                self.activities.person_times,
                self.volunteer_hours,
                self.resources_value,
                self.new,
                self.stage_moves,
                self.done,
                self.overdue,
                self.held,
                self.attendees,
                self.people_served,
                self.space.uses,
                self.space.people,
            )
        )

    def figures(self) -> dict:
        tally = self.activities
        return _figures(
            total=tally.total,
            by_form={k.value: tally.by_form[k.value] for k in Form},
            by_service_type={
                k.value: tally.by_service_type[k.value] for k in ServiceType
            },
            by_target_group={
                k.value: tally.by_target_group[k.value] for k in TargetGroup
            },
            person_times=tally.person_times,
            volunteer_hours=self.volunteer_hours,
            resources_value=self.resources_value,
            new=self.new,
            stage_moves=self.stage_moves,
            done=self.done,
            overdue=self.overdue,
            held=self.held,
            attendees=self.attendees,
            people_served=self.people_served,
            space=self.space,
        )


def _per_community(
    period: Period, communities: Communities, *, people: bool
) -> dict[int, _Counted]:
    """Every figure of the month per community, one grouped query per table
    (``people``: with people served per community too)."""
    rows: dict[int, _Counted] = defaultdict(_Counted)
    for i, tally in tallies.activity_tallies(period, communities).items():
        rows[i].activities = tally
    for i, hours in metrics.volunteer_hours_per_community(period, communities).items():
        rows[i].volunteer_hours = hours
    for i, value in metrics.resources_value_per_community(period, communities).items():
        rows[i].resources_value = value
    for i, n in metrics.organizations_new_per_community(period, communities).items():
        rows[i].new = n
    for i, n in metrics.stage_moves_per_community(period, communities).items():
        rows[i].stage_moves = n
    for i, (done, overdue) in tallies.followups(period, communities).items():
        rows[i].done, rows[i].overdue = done, overdue
    for i, (held, attendees) in tallies.sessions(period, communities).items():
        rows[i].held, rows[i].attendees = held, attendees
    for i, used in tallies.space(period, communities).items():
        rows[i].space = used
    if people:
        for i, n in metrics.people_served_per_community(period, communities).items():
            rows[i].people_served = n
    return rows


def monthly_report(
    period: Period,
    month: str,
    communities: Communities = None,
    *,
    breakdown: Sequence[Community] | None = None,
) -> dict:
    """The figures of ``GET /reports/monthly`` (API.md) for ``communities``
    (None: all); with ``breakdown``, also ``by_community``: the same figures for
    each of those communities (an archived one only when it has a figure).

    About ten queries whatever the number of communities: each table's figures
    grouped by community once, the total their sum (people served, which does
    not add up, counted once more for the whole)."""
    one = communities is not None and len(communities) == 1
    rows = _per_community(period, communities, people=breakdown is not None or one)
    total = _Counted()
    for row in rows.values():
        total.add(row)
    if one:
        total.people_served = sum(r.people_served for r in rows.values())
    else:
        total.people_served = metrics.people_served(period, communities)
    report = {"month": month, **total.figures()}
    if breakdown is not None:
        report["by_community"] = [
            {"community_id": c.id, "name": c.name, **rows[c.id].figures()}
            for c in breakdown
            if c.archived_at is None or (c.id in rows and rows[c.id].counted)
        ]
    return report
