"""Capacity assessments and case notes."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import lazy_gettext as _l

from incubator.audit import services as audit
from incubator.auth.models import User
from incubator.errors import RuleViolation, ValidationFailed
from incubator.extensions import db
from incubator.i18n import local_today
from incubator.organizations.incubation import dimensions
from incubator.organizations.models import (
    Assessment,
    AssessmentScore,
    CaseNote,
    ContactKind,
    Organization,
)

MAX_TEXT = 5000


def _check_day(day: date | None, field: str) -> date:
    if day is None:
        raise ValidationFailed(_l("Please enter the date."), field=field)
    if day > local_today():
        raise ValidationFailed(_l("The date cannot be in the future."), field=field)
    return day


def _check_text(text: str | None, field: str, *, required: bool) -> str:
    text = (text or "").strip()
    if required and not text:
        raise ValidationFailed(_l("This field is required."), field=field)
    if len(text) > MAX_TEXT:
        raise ValidationFailed(_l("At most %(n)d characters.", n=MAX_TEXT), field=field)
    return text


def record_assessment(
    org: Organization,
    *,
    actor: User,
    assessed_on: date,
    scores: dict[str, int],
    notes: str = "",
    score_notes: dict[str, str] | None = None,
) -> Assessment:
    """Record scores 1-5 on every active dimension.

    Raises ``ValidationFailed`` naming ``scores.<dimension>`` for a missing,
    unknown or out-of-range score, or a future date.
    """
    if org.archived:
        raise RuleViolation(_l("An archived organization cannot be assessed."))
    assessed_on = _check_day(assessed_on, "assessed_on")
    active = dimensions()
    known = {d.key for d in active}
    for key in scores:
        if key not in known:
            raise ValidationFailed(_l("Unknown dimension."), field=f"scores.{key}")
    score_notes = score_notes or {}
    rows = []
    for position, dim in enumerate(active):
        value = scores.get(dim.key)
        if value is None:
            raise ValidationFailed(
                _l("Please score %(dim)s.", dim=dim.label), field=f"scores.{dim.key}"
            )
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
            raise ValidationFailed(
                _l("A score is a whole number from 1 to 5."), field=f"scores.{dim.key}"
            )
        rows.append(
            AssessmentScore(
                dimension=dim.key,
                dimension_label=dim.label_zh,
                position=position,
                score=value,
                note=_check_text(
                    score_notes.get(dim.key), f"score_notes.{dim.key}", required=False
                ),
            )
        )
    average = (Decimal(sum(r.score for r in rows)) / len(rows)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
    assessment = Assessment(
        organization_id=org.id,
        assessed_on=assessed_on,
        assessor_id=actor.id,
        average=average,
        notes=_check_text(notes, "notes", required=False),
        scores=rows,
    )
    db.session.add(assessment)
    audit.record(
        "create",
        assessment,
        actor=actor,
        changes={
            "scores": [None, {r.dimension: r.score for r in rows}],
            "assessed_on": [None, assessed_on.isoformat()],
            "organization_id": [None, org.id],
        },
    )
    db.session.flush()
    return assessment


def weakest_dimensions(
    assessment: Assessment | None, n: int = 2
) -> list[AssessmentScore]:
    """The ``n`` lowest scores, ties broken by the dimensions' order."""
    if assessment is None:
        return []
    return sorted(assessment.scores, key=lambda s: (s.score, s.position))[:n]


def add_case_note(
    org: Organization,
    *,
    actor: User,
    noted_on: date,
    body: str,
    contact_kind: str = ContactKind.OTHER,
) -> CaseNote:
    if contact_kind not in {k.value for k in ContactKind}:
        raise ValidationFailed(_l("Unknown kind of contact."), field="contact_kind")
    if org.archived:
        raise RuleViolation(_l("An archived organization cannot get new notes."))
    note = CaseNote(
        organization_id=org.id,
        author_id=actor.id,
        noted_on=_check_day(noted_on, "noted_on"),
        contact_kind=contact_kind,
        body=_check_text(body, "body", required=True),
    )
    db.session.add(note)
    audit.record("create", note, actor=actor)
    db.session.flush()
    return note
