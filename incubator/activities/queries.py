"""Loading activities within what the user may see."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload, selectinload

from incubator.activities.models import Activity, ActivityVolunteer
from incubator.auth.models import User
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
