"""Which organizations a session on a capacity dimension suits: those whose latest
assessment has that dimension as their weakest (ties included)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from incubator.extensions import db
from incubator.organizations.models import Assessment, Organization


def weakest_by_organization() -> dict[int, set[str]]:
    """{org id: the dimensions with its lowest score in its latest assessment}."""
    latest = select(
        Assessment.id.label("assessment_id"),
        func.row_number()
        .over(
            partition_by=Assessment.organization_id,
            order_by=(Assessment.assessed_on.desc(), Assessment.id.desc()),
        )
        .label("rank"),
    ).subquery()
    rows = db.session.scalars(
        select(Assessment)
        .join(latest, latest.c.assessment_id == Assessment.id)
        .where(latest.c.rank == 1)
        .options(selectinload(Assessment.scores))
    ).all()
    result = {}
    for assessment in rows:
        if not assessment.scores:
            continue
        low = min(s.score for s in assessment.scores)
        result[assessment.organization_id] = {
            s.dimension for s in assessment.scores if s.score == low
        }
    return result


def suggested_organizations(dimension: str) -> list[Organization]:
    if not dimension:
        return []
    ids = [o for o, dims in weakest_by_organization().items() if dimension in dims]
    if not ids:
        return []
    return list(
        db.session.scalars(
            select(Organization)
            .where(Organization.id.in_(ids), Organization.archived_at.is_(None))
            .order_by(Organization.name)
        )
    )
