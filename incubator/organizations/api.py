"""API: organizations, their stage, timeline, assessments and case notes. Thin
adapters onto the same services as the pages."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from incubator.api.core import Id, PageQuery, current_api_user, endpoint, paginate
from incubator.auth.roles import Role
from incubator.extensions import db
from incubator.organizations import records, services, stages
from incubator.organizations.access import get_visible_organization_or_404
from incubator.organizations.incubation import stage_label
from incubator.organizations.models import (
    Assessment,
    CaseNote,
    Organization,
    OrgKind,
    StageChange,
)
from incubator.organizations.queries import (
    SORTS,
    OrganizationView,
    organizations_query,
)
from incubator.organizations.schemas import (
    AssessmentEntry,
    ContactNote,
    OrganizationChange,
    OrganizationRegistration,
    StageMove,
)
from incubator.organizations.timeline import timeline_for, timeline_total
from incubator.transaction import settle

STAFF = (Role.ADMIN, Role.SOCIAL_WORKER)
TAG = "organizations"


class OrganizationOut(BaseModel):
    id: int
    name: str
    kind: str
    kind_label: str
    community_id: int
    compound_id: int | None
    compound: str | None
    filing_status: str
    filing_status_label: str
    founded_on: date | None
    member_count: int
    description: str
    stage: str
    stage_label: str
    stage_since: datetime
    social_worker_id: int | None
    leader_user_id: int | None
    archived: bool
    created_at: datetime
    version: int

    @classmethod
    def of(cls, org: Organization) -> OrganizationOut:
        return cls.model_validate(OrganizationView(org), from_attributes=True)


class OrganizationQuery(PageQuery):
    q: str | None = Field(default=None, max_length=100)
    stage: str | None = Field(default=None, max_length=32)
    kind: OrgKind | None = None
    compound_id: Id | None = None
    social_worker_id: Id | None = None
    archived: bool = False
    sort: str = Field(
        default="name",
        pattern="^(" + "|".join(k.replace("-", "\\-") for k in SORTS) + ")$",
    )


class OrganizationPage(BaseModel):
    items: list[OrganizationOut]
    page: int
    per_page: int
    total: int


def _load(org_id: int) -> Organization:
    return get_visible_organization_or_404(current_api_user(), org_id)


@endpoint(
    "/organizations",
    summary="List organizations",
    tag=TAG,
    query=OrganizationQuery,
    response=OrganizationPage,
)
def list_organizations(query: OrganizationQuery):
    stmt = organizations_query(
        current_api_user(),
        q=query.q,
        stage=query.stage,
        kind=query.kind.value if query.kind else None,
        compound_id=query.compound_id,
        social_worker_id=query.social_worker_id,
        archived=query.archived,
        sort=query.sort,
    )
    return paginate(stmt, query, OrganizationOut.of)


@endpoint(
    "/organizations",
    "POST",
    summary="Register an organization",
    tag=TAG,
    body=OrganizationRegistration,
    response=OrganizationOut,
    status=201,
    roles=STAFF,
    errors=(409,),
)
def create_organization(body: OrganizationRegistration):
    org = services.create_organization(body, actor=current_api_user())
    settle()
    return OrganizationOut.of(org)


@endpoint(
    "/organizations/<int:org_id>",
    summary="One organization",
    tag=TAG,
    response=OrganizationOut,
    errors=(404,),
)
def get_organization(org_id: int):
    return OrganizationOut.of(_load(org_id))


@endpoint(
    "/organizations/<int:org_id>",
    "PATCH",
    summary="Change fields of an organization (409 on a stale version)",
    tag=TAG,
    body=OrganizationChange,
    response=OrganizationOut,
    roles=(Role.ADMIN, Role.SOCIAL_WORKER, Role.ORG_LEADER),
    errors=(403, 404, 409),
)
def patch_organization(org_id: int, body: OrganizationChange):
    org = _load(org_id)
    services.update_organization(org, body, actor=current_api_user())
    settle()
    return OrganizationOut.of(org)


class StageHistoryItem(BaseModel):
    id: int
    changed_at: datetime
    from_stage: str | None
    to_stage: str
    from_label: str
    to_label: str
    direction: str
    reason: str
    actor_id: int | None


class StageChangeOut(StageHistoryItem):
    """A stage change just made, with the organization's stage after it."""

    organization_id: int
    stage: str
    stage_label: str


@endpoint(
    "/organizations/<int:org_id>/stage",
    "POST",
    summary="Move an organization to another stage (409 with the unmet rule)",
    tag=TAG,
    body=StageMove,
    response=StageChangeOut,
    status=201,
    roles=STAFF,
    errors=(404, 409),
)
def change_stage(org_id: int, body: StageMove):
    org = _load(org_id)
    change = stages.change_stage(
        org, body.to, actor=current_api_user(), reason=body.reason
    )
    settle()
    return StageChangeOut(
        id=change.id,
        organization_id=org.id,
        changed_at=change.changed_at,
        from_stage=change.from_stage,
        to_stage=change.to_stage,
        from_label=change.from_label,
        to_label=change.to_label,
        direction=change.direction,
        reason=change.reason,
        actor_id=change.actor_id,
        stage=org.stage,
        stage_label=stage_label(org.stage),
    )


class StageHistory(BaseModel):
    items: list[StageHistoryItem]


@endpoint(
    "/organizations/<int:org_id>/stages",
    summary="The stage history, newest first",
    tag=TAG,
    response=StageHistory,
    errors=(404,),
)
def stage_history(org_id: int):
    org = _load(org_id)
    rows = db.session.scalars(
        select(StageChange)
        .where(StageChange.organization_id == org.id)
        .order_by(StageChange.changed_at.desc(), StageChange.id.desc())
    )
    return {
        "items": [
            {
                "id": c.id,
                "changed_at": c.changed_at.isoformat(),
                "from_stage": c.from_stage,
                "to_stage": c.to_stage,
                "from_label": c.from_label,
                "to_label": c.to_label,
                "direction": c.direction,
                "reason": c.reason,
                "actor_id": c.actor_id,
            }
            for c in rows
        ]
    }


class TimelineEventOut(BaseModel):
    at: datetime
    date: date | None
    kind: str
    title: str
    detail: str
    url: str | None
    actor: str | None
    record_type: str
    record_id: int | None


class TimelinePage(BaseModel):
    items: list[TimelineEventOut]
    page: int
    per_page: int
    total: int


@endpoint(
    "/organizations/<int:org_id>/timeline",
    summary="Every dated event of the organization, newest first",
    tag=TAG,
    query=PageQuery,
    response=TimelinePage,
    roles=(Role.ADMIN, Role.SOCIAL_WORKER, Role.VIEWER),
    errors=(404,),
)
def timeline(org_id: int, query: PageQuery):
    org = _load(org_id)
    page, per_page = query.clamp()
    events, _more = timeline_for(org, current_api_user(), page=page, per_page=per_page)
    return TimelinePage(
        items=[
            TimelineEventOut(
                date=e.day,
                **{
                    k: getattr(e, k)
                    for k in (
                        "at",
                        "kind",
                        "title",
                        "detail",
                        "url",
                        "actor",
                        "record_type",
                        "record_id",
                    )
                },
            )
            for e in events
        ],
        page=page,
        per_page=per_page,
        total=timeline_total(org, current_api_user()),
    )


class AssessmentOut(BaseModel):
    id: int
    organization_id: int
    assessed_on: date
    assessor_id: int | None
    average: str
    scores: dict[str, int]
    labels: dict[str, str]
    weakest: list[str]
    notes: str

    @classmethod
    def of(cls, a: Assessment) -> AssessmentOut:
        return cls(
            id=a.id,
            organization_id=a.organization_id,
            assessed_on=a.assessed_on,
            assessor_id=a.assessor_id,
            average=f"{a.average:.2f}",
            scores=a.score_map(),
            labels={s.dimension: s.dimension_label for s in a.scores},
            weakest=[s.dimension for s in records.weakest_dimensions(a)],
            notes=a.notes,
        )


class AssessmentList(BaseModel):
    items: list[AssessmentOut]


@endpoint(
    "/organizations/<int:org_id>/assessments",
    summary="Capacity assessments, newest first",
    tag=TAG,
    response=AssessmentList,
    errors=(404,),
)
def list_assessments(org_id: int):
    org = _load(org_id)
    rows = db.session.scalars(
        select(Assessment)
        .where(Assessment.organization_id == org.id)
        .options(selectinload(Assessment.scores))
        .order_by(Assessment.assessed_on.desc(), Assessment.id.desc())
    )
    return {"items": [AssessmentOut.of(a).model_dump(mode="json") for a in rows]}


@endpoint(
    "/organizations/<int:org_id>/assessments",
    "POST",
    summary="Record a capacity assessment (scores 1-5 on every dimension)",
    tag=TAG,
    body=AssessmentEntry,
    response=AssessmentOut,
    status=201,
    roles=STAFF,
    errors=(404,),
)
def create_assessment(org_id: int, body: AssessmentEntry):
    org = _load(org_id)
    assessment = records.record_assessment(
        org,
        actor=current_api_user(),
        assessed_on=body.assessed_on,
        scores=body.scores,
        notes=body.notes,
        score_notes=body.score_notes,
    )
    settle()
    return AssessmentOut.of(assessment)


class NoteOut(BaseModel):
    id: int
    organization_id: int
    noted_on: date
    contact_kind: str
    contact_kind_label: str
    body: str
    author_id: int | None
    created_at: datetime

    @classmethod
    def of(cls, n: CaseNote) -> NoteOut:
        return cls(
            id=n.id,
            organization_id=n.organization_id,
            noted_on=n.noted_on,
            contact_kind=n.contact_kind,
            contact_kind_label=n.contact_kind_label,
            body=n.body,
            author_id=n.author_id,
            created_at=n.created_at,
        )


class NoteList(BaseModel):
    items: list[NoteOut]


@endpoint(
    "/organizations/<int:org_id>/notes",
    summary="Case notes, newest first",
    tag=TAG,
    response=NoteList,
    roles=STAFF,
    errors=(404,),
)
def list_notes(org_id: int):
    org = _load(org_id)
    rows = db.session.scalars(
        select(CaseNote)
        .where(CaseNote.organization_id == org.id)
        .order_by(CaseNote.noted_on.desc(), CaseNote.id.desc())
    )
    return {"items": [NoteOut.of(n).model_dump(mode="json") for n in rows]}


@endpoint(
    "/organizations/<int:org_id>/notes",
    "POST",
    summary="Add a case note",
    tag=TAG,
    body=ContactNote,
    response=NoteOut,
    status=201,
    roles=STAFF,
    errors=(404,),
)
def create_note(org_id: int, body: ContactNote):
    org = _load(org_id)
    note = records.add_case_note(
        org,
        actor=current_api_user(),
        noted_on=body.noted_on,
        body=body.body,
        contact_kind=body.contact_kind.value,
    )
    settle()
    return NoteOut.of(note)
