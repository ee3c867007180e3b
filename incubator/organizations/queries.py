"""Loading organizations for pages and the API, always through the visibility rule
of ``org_scope`` and with what the page shows loaded eagerly; the read models
their pages and API resources share (``OrganizationView``, ``AssessmentView``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, case, false, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, joinedload

from incubator.auth.models import User
from incubator.auth.roles import Role
from incubator.extensions import db
from incubator.organizations.access import org_scope
from incubator.organizations.incubation import stage_label
from incubator.organizations.models import (
    ORG_KIND_LABELS,
    Assessment,
    Organization,
    OrgKind,
)
from incubator.organizations.records import weakest_dimensions

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


# A filter's organization drop-down never lists more than this many.
FILTER_OPTIONS = 100


@dataclass
class OrganizationFilter:
    """The organizations a list's filter form offers: ``options`` (``(id, name)``,
    at most ``FILTER_OPTIONS``, by name); ``search``: the user may see more than
    that, so the form shows a name search box (``q`` holds what was typed);
    ``cut``: the options matching ``q`` (or the caseload) were more than shown."""

    options: list[tuple[int, str]]
    search: bool
    q: str
    cut: bool


def organization_filter(
    user: User, *, selected: int | None = None, q: str | None = None
) -> OrganizationFilter:
    """The options of a filter form's organization drop-down for ``user``: every
    organization they see when at most ``FILTER_OPTIONS``; otherwise those whose
    name holds ``q``, or with no ``q`` a social worker's own caseload (nobody's
    for others: they search by name). ``selected`` (an id from the URL) is
    always among the options when ``user`` may see it. One query, two when the
    user sees many organizations."""
    q = (q or "").strip()[:100]
    base = select(Organization.id, Organization.name).where(
        org_scope(user), Organization.archived_at.is_(None)
    )
    order: tuple[ColumnElement | InstrumentedAttribute, ...] = (
        Organization.name,
        Organization.id,
    )
    if not q:
        rows = db.session.execute(base.order_by(*order).limit(FILTER_OPTIONS + 1)).all()
        if len(rows) <= FILTER_OPTIONS:
            return OrganizationFilter([(i, n) for i, n in rows], False, q, False)
    if q:
        narrow = func.lower(Organization.name).contains(q.lower(), autoescape=True)
    elif user.role == Role.SOCIAL_WORKER:
        narrow = Organization.social_worker_id == user.id
    else:
        narrow = false()
    if selected:
        # The chosen one first, so the cut never drops it.
        narrow = or_(narrow, Organization.id == selected)
        order = (case((Organization.id == selected, 0), else_=1), *order)
    rows = db.session.execute(
        base.where(narrow).order_by(*order).limit(FILTER_OPTIONS + 1)
    ).all()
    options = [(i, n) for i, n in rows[:FILTER_OPTIONS]]
    return OrganizationFilter(options, True, q, len(rows) > FILTER_OPTIONS)


COLUMN_CAP = 20


@dataclass(frozen=True)
class BoardCard:
    """An organization as a board card shows it, and nothing more."""

    id: int
    name: str
    kind: str
    stage: str
    stage_since: datetime
    social_worker_name: str | None

    @property
    def kind_label(self) -> str:
        return str(ORG_KIND_LABELS[OrgKind(self.kind)])


def board_columns(
    user: User, *, social_worker_id: int | None = None, cap: int = COLUMN_CAP
) -> tuple[dict[str, list[BoardCard]], dict[str, int]]:
    """The pipeline board: for each stage the ``cap`` organizations longest in it
    (not archived, visible to ``user``, of ``social_worker_id``'s caseload when
    given), and how many the stage holds in all: ``(cards by stage, total by
    stage)``. One query: a window numbers and counts each stage's rows."""
    rank = (
        func.row_number()
        .over(
            partition_by=Organization.stage,
            order_by=(Organization.stage_since, Organization.name, Organization.id),
        )
        .label("rank")
    )
    total = func.count().over(partition_by=Organization.stage).label("total")
    inner = (
        select(
            Organization.id,
            Organization.name,
            Organization.kind,
            Organization.stage,
            Organization.stage_since,
            User.name.label("social_worker_name"),
            rank,
            total,
        )
        .outerjoin(User, User.id == Organization.social_worker_id)
        .where(org_scope(user), Organization.archived_at.is_(None))
    )
    if social_worker_id:
        inner = inner.where(Organization.social_worker_id == social_worker_id)
    ranked = inner.subquery()
    cards: dict[str, list[BoardCard]] = {}
    totals: dict[str, int] = {}
    for row in db.session.execute(
        select(ranked).where(ranked.c.rank <= cap).order_by(ranked.c.rank)
    ):
        cards.setdefault(row.stage, []).append(
            BoardCard(
                id=row.id,
                name=row.name,
                kind=row.kind,
                stage=row.stage,
                stage_since=row.stage_since,
                social_worker_name=row.social_worker_name,
            )
        )
        totals[row.stage] = row.total
    return cards, totals


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


@dataclass
class AssessmentView:
    """A capacity assessment as its API resource shows it: its columns read
    through, its scores and their dimensions' labels by dimension, and its two
    weakest dimensions."""

    assessment: Assessment

    def __getattr__(self, name: str):
        return getattr(self.assessment, name)

    @property
    def scores(self) -> dict[str, int]:
        return self.assessment.score_map()

    @property
    def labels(self) -> dict[str, str]:
        return {s.dimension: s.dimension_label for s in self.assessment.scores}

    @property
    def weakest(self) -> list[str]:
        return [s.dimension for s in weakest_dimensions(self.assessment)]
