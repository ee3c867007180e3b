"""The configurable side of incubation: stages, assessment dimensions and the
graduation criteria, with the defaults of DOMAIN.md when an admin has saved none.

Labels are stored in both languages; history rows copy the label they were made
with, so renaming a stage or dimension never rewrites the past.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask import g, has_request_context
from sqlalchemy import select

from incubator import signals
from incubator.extensions import db
from incubator.i18n import is_chinese
from incubator.organizations.models import (
    DimensionSetting,
    GraduationSetting,
    StageSetting,
)

INTAKE = "intake"
INCUBATING = "incubating"
GRADUATED = "graduated"
DORMANT = "dormant"
# Stages the rules name; an admin may relabel them but not switch them off.
FIXED_STAGES = frozenset({INTAKE, INCUBATING, GRADUATED, DORMANT})


@dataclass(frozen=True)
class Labelled:
    key: str
    label_zh: str
    label_en: str
    position: int
    active: bool = True

    @property
    def label(self) -> str:
        return self.label_zh if is_chinese() else self.label_en


class StageDef(Labelled):
    @property
    def on_line(self) -> bool:
        """Dormant (休眠) stands aside the line of stages."""
        return self.key != DORMANT


class DimensionDef(Labelled):
    pass


DEFAULT_STAGES = (
    StageDef(INTAKE, "萌芽", "Intake", 10),
    StageDef(INCUBATING, "孵化", "Incubating", 20),
    StageDef("cultivating", "培育", "Cultivating", 30),
    StageDef("self_governing", "自治", "Self-governing", 40),
    StageDef(GRADUATED, "出壳", "Graduated", 50),
    StageDef(DORMANT, "休眠", "Dormant", 90),
)

DEFAULT_DIMENSIONS = (
    DimensionDef("governance", "组织治理", "Governance", 10),
    DimensionDef("leadership", "骨干领导力", "Backbone leadership", 20),
    DimensionDef(
        "service_delivery", "服务策划与执行", "Service planning and delivery", 30
    ),
    DimensionDef("resource_mobilization", "资源动员", "Resource mobilization", 40),
    DimensionDef("finance", "财务管理", "Financial management", 50),
    DimensionDef("volunteer_management", "志愿者管理", "Volunteer management", 60),
    DimensionDef("community_engagement", "社区参与", "Community engagement", 70),
)


@dataclass(frozen=True)
class GraduationCriteria:
    min_average: Decimal = Decimal("4.00")
    min_activities: int = 6
    activity_months: int = 6
    require_filing: bool = True


def _cached(name: str, load: Callable):
    if not has_request_context():
        return load()
    cache = g.setdefault("_incubation_config", {})
    if name not in cache:
        cache[name] = load()
    return cache[name]


def forget_cached_config() -> None:
    if has_request_context():
        g.pop("_incubation_config", None)


def all_stages() -> list[StageDef]:
    """Every configured stage (active or not), in order."""

    def load():
        rows = db.session.scalars(select(StageSetting)).all()
        if not rows:
            return list(DEFAULT_STAGES)
        return sorted(
            (
                StageDef(r.key, r.label_zh, r.label_en, r.position, r.active)
                for r in rows
            ),
            key=lambda s: (s.position, s.key),
        )

    return _cached("stages", load)


def stages() -> list[StageDef]:
    """The active stages in order, dormant last."""
    active = [s for s in all_stages() if s.active]
    return sorted(active, key=lambda s: (not s.on_line, s.position))


def stage_map() -> dict[str, StageDef]:
    return {s.key: s for s in all_stages()}


def stage_label(key: str | None) -> str:
    if key is None:
        return ""
    found = stage_map().get(key)
    return found.label if found else key


def all_dimensions() -> list[DimensionDef]:
    def load():
        rows = db.session.scalars(select(DimensionSetting)).all()
        if not rows:
            return list(DEFAULT_DIMENSIONS)
        return sorted(
            (
                DimensionDef(r.key, r.label_zh, r.label_en, r.position, r.active)
                for r in rows
            ),
            key=lambda d: (d.position, d.key),
        )

    return _cached("dimensions", load)


def dimensions() -> list[DimensionDef]:
    return [d for d in all_dimensions() if d.active]


def graduation_criteria() -> GraduationCriteria:
    def load():
        row = db.session.scalar(select(GraduationSetting).limit(1))
        if row is None:
            return GraduationCriteria()
        return GraduationCriteria(
            min_average=row.min_average,
            min_activities=row.min_activities,
            activity_months=row.activity_months,
            require_filing=row.require_filing,
        )

    return _cached("criteria", load)


def count_activities(organization_id: int, since: date) -> int:
    """The activities ``organization_id`` logged on or after ``since`` that count
    for graduation, as the features answer ``signals.activity_counted``."""
    found = signals.activity_counted.send(organization_id=organization_id, since=since)
    return sum(signals.values(found))


@signals.audit_value_labels.connect
def _stage_labels_for_audit(sender) -> dict[tuple[str, str], dict[str, str]]:
    """The audit log shows stages and capacity dimensions by their configured
    labels."""
    labels = {s.key: s.label for s in all_stages()}
    return {
        ("Organization", "stage"): labels,
        ("Organization", "stage_before_dormant"): labels,
        ("*", "dimension"): {d.key: d.label for d in all_dimensions()},
    }
