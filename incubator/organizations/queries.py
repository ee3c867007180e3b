"""Loading organizations for pages and the API, always through the visibility rule
of ``org_scope`` and with what the page shows loaded eagerly."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import joinedload

from incubator.auth.models import User
from incubator.organizations.access import org_scope
from incubator.organizations.incubation import stage_label
from incubator.organizations.models import Organization

SORTS = {
    "name": (Organization.name,),
    "stage": (Organization.stage, Organization.name),
    "-stage_since": (Organization.stage_since.asc(), Organization.name),
    "-created": (Organization.created_at.desc(), Organization.id.desc()),
    "founded": (Organization.founded_on, Organization.name),
    "-members": (Organization.member_count.desc(), Organization.name),
}


def organizations_query(
    user: User,
    *,
    q: str | None = None,
    stage: str | None = None,
    kind: str | None = None,
    compound_id: int | None = None,
    social_worker_id: int | None = None,
    archived: bool = False,
    sort: str = "name",
) -> Select:
    stmt = (
        select(Organization)
        .where(org_scope(user))
        .options(
            joinedload(Organization.compound),
            joinedload(Organization.social_worker),
            joinedload(Organization.leader),
        )
    )
    stmt = stmt.where(
        Organization.archived_at.is_not(None)
        if archived
        else Organization.archived_at.is_(None)
    )
    if q:
        needle = q.lower()
        stmt = stmt.where(
            or_(
                func.lower(Organization.name).contains(needle, autoescape=True),
                func.lower(Organization.description).contains(needle, autoescape=True),
            )
        )
    if stage:
        stmt = stmt.where(Organization.stage == stage)
    if kind:
        stmt = stmt.where(Organization.kind == kind)
    if compound_id:
        stmt = stmt.where(Organization.compound_id == compound_id)
    if social_worker_id:
        stmt = stmt.where(Organization.social_worker_id == social_worker_id)
    return stmt.order_by(*SORTS.get(sort, SORTS["name"]))


@dataclass
class OrganizationView:
    """An organization as its API resource (and page header) shows it: its own
    columns read through, with the compound's name and the stage's label."""

    org: Organization

    def __getattr__(self, name: str):
        return getattr(self.org, name)

    @property
    def compound(self) -> str | None:
        return self.org.compound.name if self.org.compound else None

    @property
    def stage_label(self) -> str:
        return stage_label(self.org.stage)
