"""Loading activities within what the user may see."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload, selectinload

from incubator.activities.models import Activity, ActivityVolunteer, ReviewState
from incubator.auth.models import User
from incubator.extensions import db
from incubator.organizations.access import org_scope
from incubator.organizations.models import Organization


def activities_query(
    user: User,
    *,
    organization_id: int | None = None,
    month: tuple[date, date] | None = None,
    form: str | None = None,
    service_type: str | None = None,
    target_group: str | None = None,
    compound_id: int | None = None,
    review_state: str | None = None,
    organization_ids: list[int] | None = None,
) -> Select:
    stmt = (
        select(Activity)
        .join(Organization, Organization.id == Activity.organization_id)
        .where(org_scope(user))
        .options(
            joinedload(Activity.organization),
            joinedload(Activity.compound),
            joinedload(Activity.logged_by),
            selectinload(Activity.photos),
            selectinload(Activity.volunteers).joinedload(ActivityVolunteer.volunteer),
        )
    )
    if organization_id:
        stmt = stmt.where(Activity.organization_id == organization_id)
    if organization_ids is not None:
        stmt = stmt.where(Activity.organization_id.in_(organization_ids))
    if month is not None:
        stmt = stmt.where(Activity.held_on >= month[0], Activity.held_on < month[1])
    for column, value in (
        (Activity.form, form),
        (Activity.service_type, service_type),
        (Activity.target_group, target_group),
        (Activity.compound_id, compound_id),
        (Activity.review_state, review_state),
    ):
        if value:
            stmt = stmt.where(column == value)
    return stmt.order_by(Activity.starts_at.desc(), Activity.id.desc())


def organizations_that_logged(start: date, end: date) -> Select:
    """The ids of organizations with an activity held in ``[start, end)``, as a
    subquery (for "who logged nothing")."""
    return (
        select(Activity.organization_id)
        .where(Activity.held_on >= start, Activity.held_on < end)
        .distinct()
    )


def pending_reviews_by_worker() -> dict[int | None, int]:
    """How many logs wait for review in each social worker's caseload."""
    return dict(
        db.session.execute(
            select(Organization.social_worker_id, func.count(Activity.id))
            .join(Organization, Organization.id == Activity.organization_id)
            .where(Activity.review_state == ReviewState.PENDING)
            .group_by(Organization.social_worker_id)
        ).all()
    )
