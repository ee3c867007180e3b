"""Scoring (评审): a reviewer scores every criterion of the round 0..100 and
comments; the review's total is the weighted average, the venture's score the mean
of its submitted reviews, and its grade A (>= 85), B (60-84) or C (< 60)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from incubator.audit import services as audit
from incubator.auth.models import User
from incubator.database import utcnow
from incubator.errors import NotPermitted, RuleViolation, ValidationFailed
from incubator.extensions import db
from incubator.normalize import number_text
from incubator.ventures.events import add_event
from incubator.ventures.models import ReviewScore, State, Venture, VentureReview

TWO_PLACES = Decimal("0.01")


def grade(score: Decimal | None) -> str:
    if score is None:
        return ""
    if score >= 85:
        return "A"
    if score >= 60:
        return "B"
    return "C"


def weighted_total(scores: dict[int, int], weights: dict[int, int]) -> Decimal:
    """Σ score × weight / Σ weight, to the cent."""
    total_weight = sum(weights.values())
    points = sum((Decimal(scores[cid]) * weights[cid] for cid in weights), Decimal(0))
    return (points / total_weight).quantize(TWO_PLACES, ROUND_HALF_UP)


def submit_review(
    venture: Venture, *, actor: User, scores: dict[int, int], comment: str = ""
) -> VentureReview:
    """Submit the actor's review of ``venture``: a score 0..100 for each of the
    round's criteria. A submitted review is final."""
    review = db.session.scalar(
        select(VentureReview).where(
            VentureReview.venture_id == venture.id,
            VentureReview.reviewer_id == actor.id,
        )
    )
    if review is None:
        raise NotPermitted(_l("You are not a reviewer of this venture."))
    if venture.state != State.REVIEWING:
        raise RuleViolation(
            _l("Reviews are submitted while the venture is under review.")
        )
    if review.submitted_at is not None:
        raise RuleViolation(_l("Your review is already submitted and cannot change."))
    criteria = venture.round.criteria
    weights = {c.id: c.weight for c in criteria}
    clean: dict[int, int] = {}
    for criterion in criteria:
        value = scores.get(criterion.id)
        if isinstance(value, str):
            value = number_text(value)
            if re.fullmatch(r"[0-9]{1,3}", value):
                value = int(value)
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or not 0 <= value <= 100
        ):
            raise ValidationFailed(
                _l(
                    "Score %(criterion)s with a whole number from 0 to 100.",
                    criterion=criterion.name,
                ),
                field="scores",
            )
        clean[criterion.id] = value
    if set(scores) - set(weights):
        raise ValidationFailed(_l("Unknown criterion."), field="scores")
    comment = str(comment or "").strip()
    if len(comment) > 5000:
        raise ValidationFailed(_l("At most %(n)d characters.", n=5000), field="comment")
    review.scores = [ReviewScore(criterion_id=cid, score=s) for cid, s in clean.items()]
    review.total = weighted_total(clean, weights)
    review.comment = comment
    review.submitted_at = utcnow()
    audit.record(
        "submit",
        review,
        actor=actor,
        changes={
            "scores": [None, {str(k): v for k, v in clean.items()}],
            "total": [None, str(review.total)],
        },
    )
    add_event(venture, actor, "reviewed")
    db.session.flush()
    return review


@dataclass(frozen=True)
class Score:
    average: Decimal | None
    submitted: int
    assigned: int

    @property
    def grade(self) -> str:
        return grade(self.average)


def scores_for(venture_ids: list[int]) -> dict[int, Score]:
    """Each venture's mean of submitted review totals, in one query."""
    if not venture_ids:
        return {}
    rows = db.session.execute(
        select(
            VentureReview.venture_id,
            func.count(VentureReview.id),
            func.count(VentureReview.submitted_at),
            func.sum(func.round(VentureReview.total * 100)),
        )
        .where(VentureReview.venture_id.in_(venture_ids))
        .group_by(VentureReview.venture_id)
    ).all()
    result = {}
    for venture_id, assigned, submitted, hundredths in rows:
        average = None
        if submitted:
            average = (Decimal(int(hundredths)) / 100 / submitted).quantize(
                TWO_PLACES, ROUND_HALF_UP
            )
        result[venture_id] = Score(average, submitted, assigned)
    return result


def score_of(venture_id: int) -> Score:
    return scores_for([venture_id]).get(venture_id, Score(None, 0, 0))
