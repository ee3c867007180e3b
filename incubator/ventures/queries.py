"""The ventures a user may see, filtered, with what their lists show loaded; and
the read models their pages and API resources share: ``VentureView``,
``RoundView`` (a round with the money it has committed), ``ActionView`` (a plan
action, overdue or removed), ``Ledger`` (a venture's expenditures with what is
spent and left) and ``ReviewsView`` (the reviews and result a caller may see)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload, selectinload

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
from incubator.ventures.models import (
    Expenditure,
    PlanAction,
    State,
    Venture,
    VentureReview,
    VentureRound,
)
from incubator.ventures.reviews import Score, score_of, scores_for
from incubator.ventures.rounds import committed_by_round
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


# ---- rounds ----


@dataclass
class RoundView:
    """A round as its API resource shows it: its columns and criteria read
    through, and the money it has committed (approved ventures, and what
    terminated ones spent) with what is left, or ``None`` for a caller not shown
    money."""

    round_: VentureRound
    committed: Decimal | None

    def __getattr__(self, name: str):
        return getattr(self.round_, name)

    @property
    def approved_total(self) -> Decimal | None:
        return self.committed

    @property
    def remaining(self) -> Decimal | None:
        return None if self.committed is None else self.round_.budget - self.committed


def round_views(rounds: list[VentureRound], *, money: bool) -> list[RoundView]:
    """``RoundView`` of each of ``rounds`` (the money in two queries for all)."""
    committed = committed_by_round([r.id for r in rounds]) if money else {}
    return [RoundView(r, committed.get(r.id)) for r in rounds]


def round_view(round_: VentureRound, *, money: bool) -> RoundView:
    return round_views([round_], money=money)[0]


# ---- the plan ----


@dataclass
class ActionView:
    """A plan action on ``today``: its columns read through, whether it is
    overdue (never once removed) and whether it was removed."""

    plan_action: PlanAction
    today: date

    def __getattr__(self, name: str):
        return getattr(self.plan_action, name)

    @property
    def overdue(self) -> bool:
        action = self.plan_action
        return action.removed_at is None and action.overdue(self.today)

    @property
    def removed(self) -> bool:
        return self.plan_action.removed_at is not None


def plan_actions(venture: Venture, today: date) -> list[ActionView]:
    """The venture's plan, removed actions included, by due date."""
    rows = db.session.scalars(
        select(PlanAction)
        .where(PlanAction.venture_id == venture.id)
        .order_by(PlanAction.due_on, PlanAction.id)
    )
    return [ActionView(a, today) for a in rows]


# ---- the money spent ----


@dataclass
class ExpenditureLine:
    """An expenditure, its columns read through, saying whether a receipt is
    kept."""

    expenditure: Expenditure

    def __getattr__(self, name: str):
        return getattr(self.expenditure, name)

    @property
    def has_receipt(self) -> bool:
        return bool(self.expenditure.receipt_name)


@dataclass
class Ledger:
    """A venture's expenditures by day, what they add up to and what is left of
    the approved amount (``None`` before approval)."""

    venture: Venture
    items: list[ExpenditureLine]

    @property
    def approved_amount(self) -> Decimal | None:
        return self.venture.approved_amount

    @property
    def spent(self) -> Decimal:
        return sum((line.amount for line in self.items), Decimal("0.00"))

    @property
    def balance(self) -> Decimal | None:
        approved = self.venture.approved_amount
        return None if approved is None else approved - self.spent


def ledger(venture: Venture) -> Ledger:
    rows = db.session.scalars(
        select(Expenditure)
        .where(Expenditure.venture_id == venture.id)
        .order_by(Expenditure.spent_on, Expenditure.id)
    ).all()
    return Ledger(venture, [ExpenditureLine(e) for e in rows])


# ---- reviews ----


@dataclass
class ReviewLine:
    """A review, its columns and scores read through, with its reviewer's name."""

    review: VentureReview

    def __getattr__(self, name: str):
        return getattr(self.review, name)

    @property
    def reviewer_name(self) -> str:
        return self.review.reviewer.name


@dataclass
class ReviewsView:
    """A venture's reviews as ``user`` may see them (blind scoring): every
    review, only the caller's own, or none; the result and the counts when the
    caller may see them."""

    items: list[ReviewLine]
    review_view: ReviewView
    review_score: Score

    @property
    def shows_result(self) -> bool:
        return (
            self.review_view in (ReviewView.ALL, ReviewView.RESULT)
            and self.review_score.average is not None
        )

    @property
    def score(self) -> str | None:
        return str(self.review_score.average) if self.shows_result else None

    @property
    def grade(self) -> str | None:
        return self.review_score.grade if self.shows_result else None

    @property
    def submitted(self) -> int:
        shown = self.review_view != ReviewView.NONE
        return self.review_score.submitted if shown else 0

    @property
    def assigned(self) -> int:
        shown = self.review_view != ReviewView.NONE
        return self.review_score.assigned if shown else 0


def venture_reviews(user: User, venture: Venture) -> ReviewsView:
    rows = db.session.scalars(
        select(VentureReview)
        .where(VentureReview.venture_id == venture.id)
        .options(
            selectinload(VentureReview.scores), selectinload(VentureReview.reviewer)
        )
        .order_by(VentureReview.id)
    ).all()
    mine = next((r for r in rows if r.reviewer_id == user.id), None)
    view = review_view(user, venture, mine)
    shown = list(rows) if view == ReviewView.ALL else [mine] if mine else []
    return ReviewsView(
        items=[ReviewLine(r) for r in shown],
        review_view=view,
        review_score=score_of(venture.id),
    )
