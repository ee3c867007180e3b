"""An admin configures the stages, the assessment dimensions and the graduation
criteria. Saving writes every row (so the defaults become explicit) and audits each
change; history rows keep the labels they were made with."""

from __future__ import annotations

import re
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from incubator.audit import services as audit
from incubator.auth.models import User
from incubator.errors import StaleRecord, ValidationFailed
from incubator.extensions import db
from incubator.normalize import decimal_or_none, whole_or_none
from incubator.organizations.incubation import (
    DORMANT,
    FIXED_STAGES,
    GRADUATED,
    INCUBATING,
    INTAKE,
    all_dimensions,
    all_stages,
    forget_cached_config,
    graduation_criteria,
)
from incubator.organizations.models import (
    DimensionSetting,
    GraduationSetting,
    Organization,
    StageSetting,
)

KEY_RE = re.compile(r"[a-z][a-z0-9_]{1,31}")
MAX_POSITION = 1_000_000


def _clean_rows(rows: list[dict], prefix: str) -> list[dict]:
    seen = set()
    clean = []
    for row in rows:
        key = (row.get("key") or "").strip()
        if not KEY_RE.fullmatch(key):
            raise ValidationFailed(
                _l(
                    "A key has 2 to 32 lowercase letters, digits or underscores, "
                    "starting with a letter."
                ),
                field=f"{prefix}.{key or 'new'}.key",
            )
        if key in seen:
            raise ValidationFailed(
                _l("The key %(key)s is used twice.", key=key),
                field=f"{prefix}.{key}.key",
            )
        seen.add(key)
        label_zh = (row.get("label_zh") or "").strip()
        label_en = (row.get("label_en") or "").strip()
        if not label_zh or not label_en or len(label_zh) > 64 or len(label_en) > 64:
            raise ValidationFailed(
                _l(
                    "Each row needs a Chinese and an English label (at most 64 "
                    "characters)."
                ),
                field=f"{prefix}.{key}.label_zh",
            )
        try:
            # a missing position raises TypeError, refused below
            position = int(row.get("position"))  # type: ignore[arg-type]
            if not 0 <= position <= MAX_POSITION:
                raise ValueError
        except (TypeError, ValueError):
            raise ValidationFailed(
                _l("The order must be a whole number from 0 to 1000000."),
                field=f"{prefix}.{key}.position",
            ) from None
        clean.append(
            {
                "key": key,
                "label_zh": label_zh,
                "label_en": label_en,
                "position": position,
                "active": bool(row.get("active")),
            }
        )
    return clean


def _save(model, rows: list[dict], *, actor: User) -> None:
    existing = {r.key: r for r in db.session.scalars(select(model))}
    for row in rows:
        record = existing.get(row["key"])
        if record is None:
            record = model(**row)
            db.session.add(record)
            audit.record("create", record, actor=actor)
            continue
        for name, value in row.items():
            setattr(record, name, value)
        audit.record("update", record, actor=actor)
    db.session.flush()
    forget_cached_config()


def save_stages(rows: list[dict], *, actor: User) -> None:
    """Replace the stage configuration. The stages the rules name (萌芽, 孵化, 出壳,
    休眠) stay active; an existing stage can be switched off but not removed."""
    rows = _clean_rows(rows, "stages")
    keys = {r["key"] for r in rows}
    missing = {s.key for s in all_stages()} - keys
    if missing:
        raise ValidationFailed(
            _l("Stages are never removed, only switched off."), field="stages"
        )
    for row in rows:
        if row["key"] in FIXED_STAGES and not row["active"]:
            raise ValidationFailed(
                _l(
                    "The stage %(label)s is used by the rules and stays active.",
                    label=row["label_zh"],
                ),
                field=f"stages.{row['key']}.active",
            )
    line = sorted(
        (r for r in rows if r["active"] and r["key"] != DORMANT),
        key=lambda r: r["position"],
    )
    positions = [r["position"] for r in line]
    if len(set(positions)) != len(positions):
        raise ValidationFailed(
            _l("Two stages have the same order; give each its own."), field="stages"
        )
    order = [r["key"] for r in line]
    if not order.index(INTAKE) < order.index(INCUBATING) < order.index(GRADUATED):
        raise ValidationFailed(
            _l("The order must keep 萌芽 before 孵化 and 孵化 before 出壳."),
            field="stages",
        )
    for row in rows:
        if not row["active"] and _stage_in_use(row["key"]):
            raise ValidationFailed(
                _l(
                    "The stage %(label)s has organizations in it (or dormant from it); "
                    "move them before switching it off.",
                    label=row["label_zh"],
                ),
                field=f"stages.{row['key']}.active",
            )
    if len([r for r in rows if r["active"] and r["key"] != DORMANT]) < 2:
        raise ValidationFailed(
            _l("At least two stages must be active."), field="stages"
        )
    _save(StageSetting, rows, actor=actor)


def _stage_in_use(key: str) -> bool:
    return (
        db.session.scalar(
            select(Organization.id)
            .where(
                (Organization.stage == key) | (Organization.stage_before_dormant == key)
            )
            .limit(1)
        )
        is not None
    )


def save_dimensions(rows: list[dict], *, actor: User) -> None:
    rows = _clean_rows(rows, "dimensions")
    missing = {d.key for d in all_dimensions()} - {r["key"] for r in rows}
    if missing:
        raise ValidationFailed(
            _l("Dimensions are never removed, only switched off."), field="dimensions"
        )
    if not any(r["active"] for r in rows):
        raise ValidationFailed(
            _l("At least one dimension must be active."), field="dimensions"
        )
    _save(DimensionSetting, rows, actor=actor)


def _whole(value, low: int, high: int, field: str, message) -> int:
    number = whole_or_none(value, field)
    if number is None:
        raise ValidationFailed(message, field=field)
    if not low <= number <= high:
        raise ValidationFailed(message, field=field)
    return number


def save_criteria(
    *,
    actor: User,
    min_average: str,
    min_activities,
    activity_months,
    require_filing: bool,
    expected_version: int | None = None,
) -> None:
    average = decimal_or_none(min_average, "min_average")
    # Far out of range is refused before rounding: quantize cannot hold a
    # 30-digit number (it raised InvalidOperation, a 500).
    if average is not None and abs(average) <= 1000:
        average = average.quantize(Decimal("0.01"))
    else:
        average = None
    if average is None or not Decimal("1") <= average <= Decimal("5"):
        raise ValidationFailed(
            _l("The minimum average is a number from 1 to 5."), field="min_average"
        )
    min_activities = _whole(
        min_activities,
        0,
        1000,
        "min_activities",
        _l("The number of activities is from 0 to 1000."),
    )
    activity_months = _whole(
        activity_months,
        1,
        36,
        "activity_months",
        _l("The period is from 1 to 36 months."),
    )
    row = db.session.scalar(select(GraduationSetting).limit(1))
    if row is None:
        current = graduation_criteria()
        row = GraduationSetting(
            min_average=current.min_average,
            min_activities=current.min_activities,
            activity_months=current.activity_months,
            require_filing=current.require_filing,
        )
        db.session.add(row)
        db.session.flush()
    elif expected_version is not None and expected_version != row.version:
        raise StaleRecord(
            _l("Someone else changed the criteria meanwhile; reload and edit again.")
        )
    row.min_average = average
    row.min_activities = int(min_activities)
    row.activity_months = int(activity_months)
    row.require_filing = bool(require_filing)
    audit.record("update", row, actor=actor)
    db.session.flush()
    forget_cached_config()
