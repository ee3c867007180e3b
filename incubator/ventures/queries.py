"""The ventures a user may see, filtered, with what their lists show loaded."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from incubator.auth.models import User
from incubator.ventures.access import venture_scope
from incubator.ventures.models import Venture, VentureReview


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
