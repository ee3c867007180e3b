"""API: micro-venture rounds, ventures and their life cycle, reviews, the tailored
plan and expenditures. Thin adapters onto ``incubator.ventures``."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from flask import abort
from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from incubator.api.core import Id, PageQuery, current_api_user, endpoint, page_rows
from incubator.api.fields import sent_values
from incubator.auth.permissions import get_visible_organization_or_404
from incubator.auth.roles import Role
from incubator.errors import StaleRecord, ValidationFailed
from incubator.extensions import db
from incubator.i18n import local_today
from incubator.money import money_text
from incubator.ventures import plans, reviews, rounds, services, spending
from incubator.ventures.access import (
    ReviewView,
    get_visible_venture_or_404,
    review_view,
)
from incubator.ventures.models import (
    BudgetLine,
    Expenditure,
    PlanAction,
    State,
    Venture,
    VentureReview,
    VentureRound,
)
from incubator.ventures.queries import venture_views, ventures_query
from incubator.ventures.schemas import (
    ROUND_NOT_NULL,
    BudgetLineIn,
    CriterionIn,
    ExpenditureEntry,
    MidtermCheck,
    Money,
    PlanActionChange,
    PlanActionEntry,
    ReviewPanel,
    ReviewSubmission,
    RoundChange,
    RoundSchedule,
    ScoreIn,
    VentureApplication,
    VentureChange,
    VentureTransition,
)

TAG = "ventures"
APPLICANTS = (Role.ADMIN, Role.SOCIAL_WORKER, Role.ORG_LEADER)
STAFF = (Role.ADMIN, Role.SOCIAL_WORKER)


# ---- rounds ----


class CriterionOut(CriterionIn):
    id: int


class RoundOut(BaseModel):
    id: int
    name: str
    budget: str
    opens_on: date
    closes_on: date
    runs_from: date
    runs_until: date
    description: str
    criteria: list[CriterionOut]
    approved_total: str | None = Field(description="Hidden from org leaders")
    remaining: str | None = Field(description="Hidden from org leaders")
    version: int

    @classmethod
    def of(cls, r: VentureRound, *, money: bool, committed=None) -> RoundOut:
        if money and committed is None:
            committed = rounds.committed_amount(r.id)
        return cls(
            id=r.id,
            name=r.name,
            budget=money_text(r.budget),
            opens_on=r.opens_on,
            closes_on=r.closes_on,
            runs_from=r.runs_from,
            runs_until=r.runs_until,
            description=r.description,
            criteria=[
                CriterionOut(id=c.id, name=c.name, weight=c.weight) for c in r.criteria
            ],
            approved_total=money_text(committed) if money else None,
            remaining=money_text(r.budget - committed) if money else None,
            version=r.version,
        )


class RoundPage(BaseModel):
    items: list[RoundOut]
    page: int
    per_page: int
    total: int


def _shows_money() -> bool:
    return current_api_user().role != Role.ORG_LEADER


@endpoint(
    "/rounds",
    summary="Venture rounds, newest first",
    tag=TAG,
    query=PageQuery,
    response=RoundPage,
)
def list_rounds(query: PageQuery):
    stmt = (
        select(VentureRound)
        .options(selectinload(VentureRound.criteria))
        .order_by(VentureRound.opens_on.desc(), VentureRound.id.desc())
    )
    items, meta = page_rows(stmt, query)
    money = _shows_money()
    committed = rounds.committed_by_round([r.id for r in items]) if money else {}
    return {
        "items": [
            RoundOut.of(r, money=money, committed=committed.get(r.id)).model_dump(
                mode="json"
            )
            for r in items
        ],
        **meta,
    }


@endpoint(
    "/rounds",
    "POST",
    summary="Open a round (project lead)",
    tag=TAG,
    body=RoundSchedule,
    response=RoundOut,
    status=201,
    roles=(Role.ADMIN,),
)
def create_round(body: RoundSchedule):
    round_ = rounds.create_round(actor=current_api_user(), **body.values())
    db.session.commit()
    return RoundOut.of(round_, money=True)


def _load_round(round_id: int) -> VentureRound:
    found = db.session.get(VentureRound, round_id)
    if found is None:
        abort(404)
    return found


@endpoint(
    "/rounds/<int:round_id>",
    summary="One round",
    tag=TAG,
    response=RoundOut,
    errors=(404,),
)
def get_round(round_id: int):
    return RoundOut.of(_load_round(round_id), money=_shows_money())


@endpoint(
    "/rounds/<int:round_id>",
    "PATCH",
    summary="Change fields of a round (the others stay; criteria only before any "
    "review)",
    tag=TAG,
    body=RoundChange,
    response=RoundOut,
    roles=(Role.ADMIN,),
    errors=(404, 409),
)
def patch_round(round_id: int, body: RoundChange):
    round_ = _load_round(round_id)
    sent = sent_values(
        body,
        exclude=("version", "criteria"),
        not_null=ROUND_NOT_NULL,
    )
    values = {
        "name": round_.name,
        "budget": money_text(round_.budget),
        "opens_on": round_.opens_on,
        "closes_on": round_.closes_on,
        "runs_from": round_.runs_from,
        "runs_until": round_.runs_until,
        "description": round_.description,
        **{k: "" if v is None else v for k, v in sent.items()},
    }
    rounds.update_round(
        round_,
        actor=current_api_user(),
        expected_version=body.version,
        criteria=None
        if body.criteria is None
        else [(c.name, c.weight) for c in body.criteria],
        **values,
    )
    db.session.commit()
    return RoundOut.of(round_, money=True)


# ---- ventures ----


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
    db.session.commit()
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
    db.session.commit()
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
    db.session.commit()
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
    db.session.commit()
    return _one(venture)


# ---- reviews ----


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
    db.session.commit()
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
    db.session.commit()
    return _review_list(venture)


# ---- the plan ----


class ActionOut(BaseModel):
    id: int
    venture_id: int
    goal: str
    action: str
    owner: str
    due_on: date
    dimension: str
    done: bool
    done_on: date | None
    done_note: str
    overdue: bool
    removed: bool
    version: int

    @classmethod
    def of(cls, a: PlanAction) -> ActionOut:
        return cls(
            id=a.id,
            venture_id=a.venture_id,
            goal=a.goal,
            action=a.action,
            owner=a.owner,
            due_on=a.due_on,
            dimension=a.dimension,
            done=a.done,
            done_on=a.done_on,
            done_note=a.done_note,
            overdue=a.removed_at is None and a.overdue(local_today()),
            removed=a.removed_at is not None,
            version=a.version,
        )


class ActionList(BaseModel):
    items: list[ActionOut]


@endpoint(
    "/ventures/<int:venture_id>/actions",
    summary="The tailored support plan",
    tag=TAG,
    response=ActionList,
    errors=(404,),
)
def list_actions(venture_id: int):
    venture = get_visible_venture_or_404(current_api_user(), venture_id)
    rows = db.session.scalars(
        select(PlanAction)
        .where(PlanAction.venture_id == venture.id)
        .order_by(PlanAction.due_on, PlanAction.id)
    )
    return ActionList(items=[ActionOut.of(a) for a in rows])


@endpoint(
    "/ventures/<int:venture_id>/actions",
    "POST",
    summary="Add an action to the plan",
    tag=TAG,
    body=PlanActionEntry,
    response=ActionOut,
    status=201,
    roles=STAFF,
    errors=(404, 409),
)
def add_action(venture_id: int, body: PlanActionEntry):
    venture = get_visible_venture_or_404(current_api_user(), venture_id)
    action = plans.add_action(
        venture, actor=current_api_user(), **body.model_dump(mode="python")
    )
    db.session.commit()
    return ActionOut.of(action)


@endpoint(
    "/ventures/<int:venture_id>/actions/<int:action_id>",
    "PATCH",
    summary="Change a plan action, or mark it done with a note",
    tag=TAG,
    body=PlanActionChange,
    response=ActionOut,
    roles=STAFF,
    errors=(404, 409),
)
def patch_action(venture_id: int, action_id: int, body: PlanActionChange):
    venture = get_visible_venture_or_404(current_api_user(), venture_id)
    action = db.session.get(PlanAction, action_id)
    if action is None or action.venture_id != venture.id:
        abort(404)
    changes = body.model_dump(
        mode="python", exclude_none=True, exclude={"done", "done_note", "version"}
    )
    if body.version != action.version:
        raise StaleRecord(
            _l("Someone else changed this action after you opened it; reload it.")
        )
    if changes:
        plans.update_action(
            action, actor=current_api_user(), expected_version=body.version, **changes
        )
    if body.done:
        plans.complete_action(action, actor=current_api_user(), note=body.done_note)
    db.session.commit()
    return ActionOut.of(action)


# ---- expenditures ----


class ExpenditureOut(BaseModel):
    # Documented as it was when it extended the body (closed to other keys).
    model_config = ConfigDict(extra="forbid")

    spent_on: date
    amount: str = Money
    purpose: str = Field(min_length=1, max_length=200)
    id: int
    venture_id: int
    has_receipt: bool


class ExpenditureList(BaseModel):
    items: list[ExpenditureOut]
    approved_amount: str | None
    spent: str
    balance: str | None


def _expenditures(venture: Venture) -> ExpenditureList:
    rows = db.session.scalars(
        select(Expenditure)
        .where(Expenditure.venture_id == venture.id)
        .order_by(Expenditure.spent_on, Expenditure.id)
    ).all()
    spent = sum((e.amount for e in rows), Decimal("0.00"))
    approved = venture.approved_amount
    return ExpenditureList(
        items=[
            ExpenditureOut(
                id=e.id,
                venture_id=e.venture_id,
                spent_on=e.spent_on,
                amount=money_text(e.amount),
                purpose=e.purpose,
                has_receipt=bool(e.receipt_name),
            )
            for e in rows
        ],
        approved_amount=money_text(approved) if approved is not None else None,
        spent=money_text(spent),
        balance=money_text(approved - spent) if approved is not None else None,
    )


@endpoint(
    "/ventures/<int:venture_id>/expenditures",
    summary="Money spent, with the balance of the approved amount",
    tag=TAG,
    response=ExpenditureList,
    errors=(404,),
)
def list_expenditures(venture_id: int):
    return _expenditures(get_visible_venture_or_404(current_api_user(), venture_id))


@endpoint(
    "/ventures/<int:venture_id>/expenditures",
    "POST",
    summary="Record an expenditure; 409 past the approved amount",
    tag=TAG,
    body=ExpenditureEntry,
    response=ExpenditureOut,
    status=201,
    roles=APPLICANTS,
    errors=(403, 404, 409),
)
def add_expenditure(venture_id: int, body: ExpenditureEntry):
    venture = get_visible_venture_or_404(current_api_user(), venture_id)
    line = spending.record_expenditure(
        venture,
        actor=current_api_user(),
        spent_on=body.spent_on,
        amount=body.amount,
        purpose=body.purpose,
    )
    db.session.commit()
    return ExpenditureOut(
        id=line.id,
        venture_id=line.venture_id,
        spent_on=line.spent_on,
        amount=money_text(line.amount),
        purpose=line.purpose,
        has_receipt=False,
    )
