"""Service projects (服务项目) and their contract indicators, and progress computed
from the records by the shared counting functions, with the pace expected by
today so that a lagging indicator shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from incubator.audit import services as audit
from incubator.auth.models import User
from incubator.auth.roles import Role
from incubator.community.models import Community
from incubator.community.queries import community_named
from incubator.errors import NotPermitted, RuleViolation, ValidationFailed
from incubator.extensions import db
from incubator.i18n import local_today
from incubator.money import clean_money
from incubator.normalize import (
    clean_text,
    decimal_or_none,
    refuse_bidi_controls,
)
from incubator.projects import metrics
from incubator.projects.models import Indicator, Project

KINDS = ("comprehensive", "single")

# The usual indicators of a first-year project and their targets (the demo's
# contract): the template ``flask setup --indicators default`` offers. The ten
# of the contract, then the two figures the funder's report also asks for:
# people served (服务人数) and the centre's space uses (使用空间场次).
TEMPLATE_INDICATORS = (
    ("orgs_incubated", "6"),
    ("ventures_supported", "9"),
    ("group_activities", "7"),
    ("community_activities", "22"),
    ("person_times", "3000"),
    ("service_sessions", "386"),
    ("resources_value", "408400"),
    ("volunteer_hours", "4800"),
    ("capacity_sessions", "12"),
    ("followups_done", "40"),
    ("people_served", "8338"),
    ("space_uses", "386"),
)

METRIC_LABELS = {
    "orgs_incubated": _l("Organizations incubated"),
    "ventures_supported": _l("Micro-ventures supported"),
    "group_activities": _l("Group activities"),
    "community_activities": _l("Community activities"),
    "person_times": _l("Person-times served"),
    "service_sessions": _l("Service sessions"),
    "resources_value": _l("Resources linked (yuan)"),
    "volunteer_hours": _l("Volunteer hours"),
    "capacity_sessions": _l("Capacity-building sessions held"),
    "followups_done": _l("Follow-ups done"),
    "people_served": _l("People served"),
    "space_uses": _l("Space uses of the centre"),
    "space_people": _l("People at the centre"),
}
# The counting rule written next to each indicator.
METRIC_RULES = {
    "orgs_incubated": _l(
        "Distinct organizations that were at 孵化 or a later stage at any time in "
        "the period."
    ),
    "ventures_supported": _l("Micro-ventures approved (立项) in the period."),
    "group_activities": _l("Reviewed activities of the form 小组活动 in the period."),
    "community_activities": _l(
        "Reviewed activities of the form 社区活动 in the period."
    ),
    "person_times": _l("Sum of person-times over reviewed activities in the period."),
    "service_sessions": _l(
        "Reviewed activities of the centre's 13 service types in the period."
    ),
    "resources_value": _l(
        "Sum of the resources ledger's values received in the period."
    ),
    "volunteer_hours": _l(
        "Sum of volunteers' service hours served in the period (corrections count, "
        "not what they replace)."
    ),
    "capacity_sessions": _l("Capacity-building sessions held in the period."),
    "followups_done": _l("Follow-ups completed in the period."),
    "people_served": _l(
        "Distinct residents signed in to reviewed activities, held capacity-building "
        "sessions and used room bookings in the period (one person at ten activities "
        "is one; a person in two communities counts once in each and once overall)."
    ),
    "space_uses": _l(
        "Used bookings of the centre's rooms (confirmed and recorded as held) plus "
        "reviewed activities held in a centre room without such a booking, each once, "
        "in the period."
    ),
    "space_people": _l(
        "People recorded on the used bookings plus the person-times of the centre "
        "activities without a booking, in the period."
    ),
}


def _admin(actor: User | None) -> None:
    """Admins only; ``None`` is the command line (``flask setup``)."""
    if actor is not None and actor.role != Role.ADMIN:
        raise NotPermitted(_l("Only the project lead manages projects."))


def create_project(
    *,
    actor: User | None,
    name: str,
    community: str | None = None,
    community_id: int | None = None,
    year: int,
    kind: str,
    renewal: bool,
    budget,
    starts_on: date,
    ends_on: date,
    description: str = "",
    agency: str = "",
) -> Project:
    """A project of a community, named by ``community_id`` or by its name
    (``community``: a new name creates the community, as it always has). Two
    projects of one community and kind never overlap in time."""
    _admin(actor)
    # The same normalization as every form, body and cell (incubator.normalize):
    # the page posts these fields as typed.
    for field, value in (
        ("name", name),
        ("community", community or ""),
        ("description", description),
        ("agency", agency),
    ):
        refuse_bidi_controls(value, field)
    name = " ".join(clean_text(str(name or "")).split())
    if not name or len(name) > 200:
        raise ValidationFailed(_l("Please enter the name."), field="name")
    agency = " ".join(clean_text(str(agency or "")).split())
    if len(agency) > 200:
        raise ValidationFailed(_l("At most %(n)d characters.", n=200), field="agency")
    community_name = " ".join(clean_text(str(community or "")).split())
    if community_id is None and (not community_name or len(community_name) > 64):
        raise ValidationFailed(_l("Name the community."), field="community")
    if kind not in KINDS:
        raise ValidationFailed(_l("Please choose one."), field="kind")
    if isinstance(year, bool) or not isinstance(year, int) or not 1 <= year <= 50:
        raise ValidationFailed(_l("The project's year: 1 to 50."), field="year")
    if ends_on < starts_on:
        raise ValidationFailed(
            _l("The period cannot end before it starts."), field="ends_on"
        )
    place = _community(community_id, community_name)
    _check_no_overlap(place.id, kind, starts_on, ends_on)
    project = Project(
        name=name,
        agency=agency,
        community_id=place.id,
        year=year,
        kind=kind,
        renewal=bool(renewal),
        budget=clean_money(budget, "budget", positive=True),
        starts_on=starts_on,
        ends_on=ends_on,
        description=clean_text(str(description or ""))[:5000],
    )
    db.session.add(project)
    audit.record("create", project, actor=actor)
    db.session.flush()
    return project


def _community(community_id: int | None, name: str) -> Community:
    """The project's community: by id (it must exist, be open, and match the
    name when one is sent too), else by name."""
    if community_id is None:
        return community_named(name)
    place = db.session.get(Community, community_id)
    if place is None:
        raise ValidationFailed(_l("Unknown community."), field="community_id")
    if place.archived:
        raise ValidationFailed(_l("That community is archived."), field="community_id")
    if name and name != place.name:
        raise ValidationFailed(
            _l("community and community_id name different communities."),
            field="community",
        )
    return place


def _check_no_overlap(community_id: int, kind: str, starts_on: date, ends_on: date):
    """``RuleViolation`` when another project of the community and kind runs
    on any day of the period."""
    other = db.session.scalar(
        select(Project)
        .where(
            Project.community_id == community_id,
            Project.kind == kind,
            Project.starts_on <= ends_on,
            Project.ends_on >= starts_on,
        )
        .limit(1)
    )
    if other is not None:
        raise RuleViolation(
            _l(
                "The period overlaps the project %(name)s (%(start)s to %(end)s) of "
                "the same community and kind.",
                name=other.name,
                start=other.starts_on.isoformat(),
                end=other.ends_on.isoformat(),
            ),
            field="starts_on",
        )


def add_indicator(
    project: Project, *, actor: User | None, metric: str, target
) -> Indicator:
    _admin(actor)
    if metric not in metrics.METRICS:
        raise ValidationFailed(_l("Unknown metric."), field="metric")
    value = clean_target(metric, target)
    if any(i.metric == metric for i in project.indicators):
        raise RuleViolation(
            _l("The project already has an indicator for this metric."), field="metric"
        )
    indicator = Indicator(
        project_id=project.id,
        metric=metric,
        target=value,
        position=len(project.indicators),
    )
    project.indicators.append(indicator)
    audit.record("create", indicator, actor=actor)
    db.session.flush()
    return indicator


def clean_target(metric: str, target) -> Decimal:
    """A money target in yuan; hours in steps of 0.5; any other a whole number,
    at least one step and at most 10,000,000."""
    if metric in metrics.MONEY_METRICS:
        return clean_money(target, "target", positive=True)
    step = Decimal("0.5") if metric in metrics.HOURS_METRICS else Decimal("1")
    message = (
        _l("The target is a positive number of hours in steps of 0.5.")
        if metric in metrics.HOURS_METRICS
        else _l("The target is a positive whole number.")
    )
    if isinstance(target, bool | float):
        raise ValidationFailed(message, field="target")
    value = decimal_or_none(target, "target")
    if value is None or value < step or value > 10_000_000 or (value / step) % 1 != 0:
        raise ValidationFailed(message, field="target")
    return value


@dataclass(frozen=True)
class Progress:
    metric: str
    target: Decimal
    actual: Decimal
    expected_by_today: Decimal
    percent: Decimal
    # A renewal's previous project's actual figure of the same metric (None
    # when there is no previous project).
    previous_actual: Decimal | None = None

    @property
    def lagging(self) -> bool:
        return self.actual < self.expected_by_today


def elapsed_share(project: Project, today: date) -> Decimal:
    days = (project.ends_on - project.starts_on).days + 1
    done = (min(today, project.ends_on) - project.starts_on).days + 1
    return Decimal(max(0, min(done, days))) / Decimal(days)


def project_period(project: Project) -> metrics.Period:
    """The project's days as a period [start, end)."""
    return project.starts_on, project.ends_on + timedelta(days=1)


def project_communities(project: Project) -> frozenset[int]:
    """What a project's figures count: its community's records."""
    return frozenset({project.community_id})


def previous_project(project: Project) -> Project | None:
    """For a renewal (续约, or a year after the first): the same community's
    latest project ending on or before this one starts."""
    if not project.renewal and project.year <= 1:
        return None
    return db.session.scalar(
        select(Project)
        .where(
            Project.community_id == project.community_id,
            Project.id != project.id,
            Project.ends_on <= project.starts_on,
        )
        .order_by(Project.ends_on.desc(), Project.starts_on.desc(), Project.id.desc())
        .limit(1)
    )


def actual(metric: str, project: Project) -> Decimal:
    """The metric counted over ``project``'s community and period."""
    return Decimal(
        metrics.METRICS[metric](project_period(project), project_communities(project))
    )


def progress(project: Project, today: date | None = None) -> list[Progress]:
    today = today or local_today()
    share = elapsed_share(project, today)
    previous = previous_project(project)
    result = []
    for indicator in project.indicators:
        done = actual(indicator.metric, project)
        target = Decimal(indicator.target)
        places = (
            Decimal("0.01")
            if indicator.metric in metrics.MONEY_METRICS
            else (Decimal("0.1"))
        )
        result.append(
            Progress(
                metric=indicator.metric,
                target=target,
                actual=done,
                expected_by_today=(target * share).quantize(places, ROUND_HALF_UP),
                percent=(done * 100 / target).quantize(Decimal("0.1"), ROUND_HALF_UP)
                if target > 0
                else Decimal("0.0"),
                previous_actual=actual(indicator.metric, previous)
                if previous is not None
                else None,
            )
        )
    return result


def change_indicator(indicator: Indicator, *, actor: User, target) -> Indicator:
    """A new target (e.g. a typo fixed, or the contract amended)."""
    _admin(actor)
    value = clean_target(indicator.metric, target)
    before = indicator.target
    indicator.target = value
    audit.record(
        "update",
        indicator,
        actor=actor,
        changes={"target": [str(before), str(value)]},
    )
    db.session.flush()
    return indicator


def remove_indicator(indicator: Indicator, *, actor: User) -> None:
    _admin(actor)
    audit.record(
        "delete",
        indicator,
        actor=actor,
        changes={
            "metric": [indicator.metric, None],
            "target": [str(indicator.target), None],
        },
    )
    db.session.delete(indicator)
    db.session.flush()
