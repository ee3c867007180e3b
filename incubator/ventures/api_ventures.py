"""API: micro-ventures, their applications and their life (申报 → 评审 → 立项 →
实施 → 结项)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, Field, field_validator
from sqlalchemy.orm import selectinload

from incubator.api.core import Id, PageQuery, current_api_user, endpoint, page_rows
from incubator.money import money_text
from incubator.organizations.access import get_visible_organization_or_404
from incubator.transaction import settle
from incubator.ventures import services
from incubator.ventures.access import (
    APPLICANTS,
    STAFF,
    get_visible_venture_or_404,
)
from incubator.ventures.api_rounds import _load_round
from incubator.ventures.models import (
    BudgetLine,
    State,
    Venture,
)
from incubator.ventures.queries import venture_views, ventures_query
from incubator.ventures.schemas import (
    BudgetLineIn,
    MidtermCheck,
    VentureApplication,
    VentureChange,
    VentureTransition,
)

TAG = "ventures"


class VentureOut(BaseModel):
    id: int
    round_id: int
    organization_id: int
    sponsor_id: int | None
    title: str
    need: str
    target_group: str
    target_group_label: str
    planned_activities: str
    expected_outputs: str
    requested_amount: str
    approved_amount: str | None
    budget_lines: list[BudgetLineIn]
    state: str
    state_label: str
    spent: str
    balance: str | None
    score: str | None = Field(description="Mean of the submitted reviews, when visible")
    grade: str | None = Field(description="A (>= 85), B (60-84), C (< 60)")
    decided_on: date | None
    decision_note: str
    midterm_on: date | None
    midterm_note: str
    outputs_achieved: str
    closing_grade: str | None
    closing_grade_label: str
    lessons: str
    closed_on: date | None
    termination_reason: str
    version: int

    # Validated from the read model (``VentureView``): money in yuan as text.
    @field_validator(
        "requested_amount", "approved_amount", "spent", "balance", mode="before"
    )
    @classmethod
    def _money(cls, value):
        return money_text(value) if isinstance(value, Decimal) else value

    @field_validator("budget_lines", mode="before")
    @classmethod
    def _lines(cls, lines):
        return [
            {"item": line.item, "amount": money_text(line.amount)}
            if isinstance(line, BudgetLine)
            else line
            for line in lines
        ]


class VenturePage(BaseModel):
    items: list[VentureOut]
    page: int
    per_page: int
    total: int


def _serialize(ventures: list[Venture]) -> list[VentureOut]:
    return [
        VentureOut.model_validate(view, from_attributes=True)
        for view in venture_views(current_api_user(), ventures)
    ]


def _one(v: Venture) -> VentureOut:
    return _serialize([v])[0]


class VentureQuery(PageQuery):
    round_id: Id | None = None
    organization_id: Id | None = None
    state: State | None = None


@endpoint(
    "/ventures",
    summary="Micro-ventures the caller may see, newest first",
    tag=TAG,
    query=VentureQuery,
    response=VenturePage,
)
def list_ventures(query: VentureQuery):
    stmt = ventures_query(
        current_api_user(),
        round_id=query.round_id,
        organization_id=query.organization_id,
        state=query.state.value if query.state else None,
    ).options(selectinload(Venture.budget_lines))
    items, meta = page_rows(stmt, query)
    return {
        "items": [out.model_dump(mode="json") for out in _serialize(items)],
        **meta,
    }


@endpoint(
    "/ventures",
    "POST",
    summary="Apply for a micro-venture while the round is open",
    tag=TAG,
    body=VentureApplication,
    response=VentureOut,
    status=201,
    roles=APPLICANTS,
    errors=(403, 404, 409),
)
def create_venture(body: VentureApplication):
    user = current_api_user()
    org = get_visible_organization_or_404(user, body.organization_id)
    venture = services.apply(_load_round(body.round_id), org, body, actor=user)
    settle()
    return _one(venture)


@endpoint(
    "/ventures/<int:venture_id>",
    summary="One micro-venture",
    tag=TAG,
    response=VentureOut,
    errors=(404,),
)
def get_venture(venture_id: int):
    return _one(get_visible_venture_or_404(current_api_user(), venture_id))


@endpoint(
    "/ventures/<int:venture_id>",
    "PATCH",
    summary="Change fields of an application (the others stay) before its review opens",
    tag=TAG,
    body=VentureChange,
    response=VentureOut,
    roles=APPLICANTS,
    errors=(403, 404, 409),
)
def patch_venture(venture_id: int, body: VentureChange):
    venture = get_visible_venture_or_404(current_api_user(), venture_id)
    services.update_application(venture, body, actor=current_api_user())
    settle()
    return _one(venture)


@endpoint(
    "/ventures/<int:venture_id>/transition",
    "POST",
    summary="Move a venture along its life; 409 names the allowed next states",
    tag=TAG,
    body=VentureTransition,
    response=VentureOut,
    roles=STAFF,
    errors=(403, 404, 409),
)
def transition_venture(venture_id: int, body: VentureTransition):
    venture = get_visible_venture_or_404(current_api_user(), venture_id)
    services.transition(
        venture,
        body.to.value,
        actor=current_api_user(),
        expected_version=body.version,
        note=body.note,
        approved_amount=body.approved_amount,
        outputs_achieved=body.outputs_achieved,
        closing_grade=body.closing_grade.value if body.closing_grade else None,
        lessons=body.lessons,
    )
    settle()
    return _one(venture)


@endpoint(
    "/ventures/<int:venture_id>/midterm",
    "POST",
    summary="Record the mid-term check of a running venture",
    tag=TAG,
    body=MidtermCheck,
    response=VentureOut,
    roles=STAFF,
    errors=(403, 404, 409),
)
def midterm_venture(venture_id: int, body: MidtermCheck):
    venture = get_visible_venture_or_404(current_api_user(), venture_id)
    services.record_midterm(
        venture, actor=current_api_user(), checked_on=body.checked_on, note=body.note
    )
    settle()
    return _one(venture)
