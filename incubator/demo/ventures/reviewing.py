"""Reviewing a venture: its panel (never the organization's own social worker),
and each reviewer's scores and comment, a day apart."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from incubator.auth.models import User
from incubator.demo.ventures.steps import _dated, _move
from incubator.extensions import db
from incubator.ventures import reviews, services
from incubator.ventures.models import State, Venture, VentureReview

# Criterion offsets (需求契合度, 可行性, 团队能力, 预算合理性, 社区参与) and reviewer
# comments by how well a venture scores.
CRITERION_OFFSETS = (4, 0, -3, -2, 1)
COMMENTS = {
    "high": (
        "需求调研扎实，活动设计贴近居民，预算清晰合理。",
        "团队执行力强，建议注意活动记录和票据留存。",
        "社区参与面广，可作为本期示范项目。",
    ),
    "low": (
        "预算结构不够合理，讲师费和装裱费占比偏高。",
        "受益对象以协会会员为主，面向社区的部分偏少。",
        "建议压缩预算、明确社区受益人群后再申报。",
    ),
}


def _panel(venture: Venture, admin: User, reviewers: list[User]) -> list[User]:
    """The lead and every reviewer but the organization's own social worker."""
    own = venture.organization.social_worker_id
    return [admin, *(r for r in reviewers if r.id != own)]


def _review(
    venture: Venture,
    admin: User,
    panel: list[User],
    day: date,
    base: int,
    *,
    submit: int | None = None,
) -> None:
    """Name ``panel``, open the review and have the first ``submit`` reviewers
    (all by default) score around ``base``, a day apart."""
    with _dated(day, hour=9) as moment:
        services.set_reviewers(venture, [u.id for u in panel], actor=admin)
        _move(venture, State.REVIEWING, day, admin, hour=9)
        for review in _reviews(venture):
            review.assigned_at = moment
    criteria = venture.round.criteria
    comments = COMMENTS["high" if base >= 60 else "low"]
    for index, reviewer in enumerate(panel[:submit]):
        scores = {
            c.id: max(0, min(100, base + offset + (index * 3) % 5 - 2))
            for c, offset in zip(criteria, CRITERION_OFFSETS, strict=False)
        }
        with _dated(day + timedelta(days=2 + index), hour=15) as moment:
            review = reviews.submit_review(
                venture,
                actor=reviewer,
                scores=scores,
                comment=comments[index % len(comments)],
            )
            review.submitted_at = moment


def _reviews(venture: Venture) -> list[VentureReview]:
    return list(
        db.session.scalars(
            select(VentureReview).where(VentureReview.venture_id == venture.id)
        )
    )
