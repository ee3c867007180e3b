"""API: a venture's review panel and its blind reviews."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from incubator.api.core import current_api_user, endpoint
from incubator.auth.roles import Role
from incubator.errors import ValidationFailed
from incubator.extensions import db
from incubator.transaction import settle
from incubator.ventures import reviews, services
from incubator.ventures.access import (
    ReviewView,
    get_visible_venture_or_404,
    review_view,
)
from incubator.ventures.models import (
    Venture,
    VentureReview,
)
from incubator.ventures.schemas import (
    ReviewPanel,
    ReviewSubmission,
    ScoreIn,
)

TAG = "ventures"


class ReviewOut(BaseModel):
    id: int
    reviewer_id: int
    reviewer_name: str
    submitted_at: datetime | None
    scores: list[ScoreIn]
    total: str | None
    comment: str


class ReviewList(BaseModel):
    items: list[ReviewOut]
    score: str | None
    grade: str | None
    submitted: int
    assigned: int


def _review_list(venture: Venture) -> ReviewList:
    user = current_api_user()
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
    shown = rows if view == ReviewView.ALL else [mine] if mine else []
    score = reviews.score_of(venture.id)
    visible = view in (ReviewView.ALL, ReviewView.RESULT) and score.average is not None
    return ReviewList(
        items=[
            ReviewOut(
                id=r.id,
                reviewer_id=r.reviewer_id,
                reviewer_name=r.reviewer.name,
                submitted_at=r.submitted_at,
                scores=[
                    ScoreIn(criterion_id=s.criterion_id, score=s.score)
                    for s in r.scores
                ],
                total=str(r.total) if r.total is not None else None,
                comment=r.comment,
            )
            for r in shown
        ],
        score=str(score.average) if visible else None,
        grade=score.grade if visible else None,
        submitted=score.submitted if view != ReviewView.NONE else 0,
        assigned=score.assigned if view != ReviewView.NONE else 0,
    )


@endpoint(
    "/ventures/<int:venture_id>/reviewers",
    "POST",
    summary="Name the review panel (project lead)",
    tag=TAG,
    body=ReviewPanel,
    response=ReviewList,
    roles=(Role.ADMIN,),
    errors=(404, 409),
)
def set_reviewers(venture_id: int, body: ReviewPanel):
    venture = get_visible_venture_or_404(current_api_user(), venture_id)
    services.set_reviewers(venture, body.reviewer_ids, actor=current_api_user())
    settle()
    return _review_list(venture)


@endpoint(
    "/ventures/<int:venture_id>/reviews",
    summary="The reviews the caller may see (blind until their own is submitted)",
    tag=TAG,
    response=ReviewList,
    errors=(404,),
)
def list_reviews(venture_id: int):
    return _review_list(get_visible_venture_or_404(current_api_user(), venture_id))


@endpoint(
    "/ventures/<int:venture_id>/reviews",
    "POST",
    summary="Submit the caller's review: a score 0..100 per criterion and a comment",
    tag=TAG,
    body=ReviewSubmission,
    response=ReviewList,
    status=201,
    roles=(Role.ADMIN, Role.SOCIAL_WORKER, Role.VIEWER),
    errors=(403, 404, 409),
)
def submit_review(venture_id: int, body: ReviewSubmission):
    venture = get_visible_venture_or_404(current_api_user(), venture_id)
    if body.scores is not None:
        scores = {s.criterion_id: s.score for s in body.scores}
    elif body.score is not None:
        scores = {c.id: body.score for c in venture.round.criteria}
    else:
        raise ValidationFailed(_l("Send scores or score."), field="scores")
    reviews.submit_review(
        venture, actor=current_api_user(), scores=scores, comment=body.comment
    )
    settle()
    return _review_list(venture)
