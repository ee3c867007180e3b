"""The ventures a user may see, filtered, with what their lists show loaded; and
the read model their page and API resource share (``VentureView``)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from incubator.auth.models import User
from incubator.extensions import db
from incubator.ventures.access import (
    ReviewView,
    may_apply_for,
    may_record_spending,
    review_view,
    venture_scope,
)
from incubator.ventures.lifecycle import allowed_next
from incubator.ventures.models import State, Venture, VentureReview
from incubator.ventures.reviews import Score, scores_for
from incubator.ventures.spending import spent_by_venture


def ventures_query(
    user: User,
    *,
    round_id: int | None = None,
    organization_id: int | None = None,
    state: str | None = None,
    reviewer_id: int | None = None,
) -> Select:
    stmt = (
        select(Venture)
        .where(venture_scope(user))
        .options(
            joinedload(Venture.organization),
            joinedload(Venture.round),
            joinedload(Venture.sponsor),
        )
        .order_by(Venture.created_at.desc(), Venture.id.desc())
    )
    if round_id:
        stmt = stmt.where(Venture.round_id == round_id)
    if organization_id:
        stmt = stmt.where(Venture.organization_id == organization_id)
    if state:
        stmt = stmt.where(Venture.state == state)
    if reviewer_id:
        stmt = stmt.where(
            Venture.id.in_(
                select(VentureReview.venture_id).where(
                    VentureReview.reviewer_id == reviewer_id
                )
            )
        )
    return stmt


@dataclass
class VentureView:
    """A venture as its page and its API resource show it to ``user``: what it
    has spent and has left, the result of its reviews when the caller may see it
    (blind scoring), the states it may move to next (``moves``: by the caller) and
    what the caller may do.
    Reads the venture's own columns through (``view.title``)."""

    venture: Venture
    spent: Decimal
    review_view: ReviewView
    review_score: Score | None
    next_states: tuple[State, ...]
    moves: tuple[State, ...]
    may_edit: bool
    may_spend: bool

    def __getattr__(self, name: str):
        return getattr(self.venture, name)

    @property
    def balance(self) -> Decimal | None:
        """What is left of the approved amount (``None`` before approval)."""
        approved = self.venture.approved_amount
        return None if approved is None else approved - self.spent

    @property
    def shows_result(self) -> bool:
        return (
            self.review_view in (ReviewView.ALL, ReviewView.RESULT)
            and self.review_score is not None
            and self.review_score.average is not None
        )

    @property
    def score(self) -> str | None:
        """The mean of the submitted reviews, when the caller may see it."""
        shown = self.review_score if self.shows_result else None
        return None if shown is None else str(shown.average)

    @property
    def grade(self) -> str | None:
        shown = self.review_score if self.shows_result else None
        return None if shown is None else shown.grade


def venture_views(user: User, ventures: list[Venture]) -> list[VentureView]:
    """``VentureView`` of each of ``ventures``, in a fixed number of queries
    (scores, spending and the caller's own reviews for all of them at once)."""
    ids = [v.id for v in ventures]
    scores = scores_for(ids)
    spent = spent_by_venture(ids)
    mine = {
        r.venture_id: r
        for r in db.session.scalars(
            select(VentureReview).where(
                VentureReview.venture_id.in_(ids or [0]),
                VentureReview.reviewer_id == user.id,
            )
        )
    }
    return [
        VentureView(
            venture=v,
            spent=spent.get(v.id, Decimal("0.00")),
            review_view=review_view(user, v, mine.get(v.id)),
            review_score=scores.get(v.id),
            # As the declared workflow (incubator.workflow.VENTURE) answers: the
            # states it may move to, and those the caller may move it to.
            next_states=allowed_next(v.state),
            moves=allowed_next(v.state, user.role),
            may_edit=v.state == State.APPLIED and may_apply_for(user, v.organization),
            may_spend=v.state == State.RUNNING and may_record_spending(user, v),
        )
        for v in ventures
    ]


def venture_view(user: User, venture: Venture) -> VentureView:
    return venture_views(user, [venture])[0]
