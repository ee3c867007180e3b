"""API: micro-venture rounds, ventures and their life cycle, reviews, the tailored
plan and expenditures. Thin adapters onto ``incubator.ventures``."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from flask import abort
from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, ConfigDict, Field, StrictBool
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from incubator.activities.models import TargetGroup
from incubator.api.core import Id, PageQuery, current_api_user, endpoint, page_rows
from incubator.api.fields import not_null_in_schema, sent_values
from incubator.auth.roles import Role
from incubator.errors import StaleRecord, ValidationFailed
from incubator.extensions import db
from incubator.i18n import local_today
from incubator.money import money_text
from incubator.organizations.access import get_visible_organization_or_404
from incubator.organizations.models import Organization
from incubator.transaction import settle
from incubator.ventures import plans, reviews, rounds, services, spending
from incubator.ventures.access import (
    ReviewView,
    get_visible_venture_or_404,
    review_view,
)
from incubator.ventures.models import (
    ClosingGrade,
    Expenditure,
    PlanAction,
    State,
    Venture,
    VentureReview,
    VentureRound,
)
from incubator.ventures.queries import ventures_query

TAG = "ventures"
APPLICANTS = (Role.ADMIN, Role.SOCIAL_WORKER, Role.ORG_LEADER)
STAFF = (Role.ADMIN, Role.SOCIAL_WORKER)
Money = Field(max_length=20, description='Yuan with fen, e.g. "8000.00"')


# ---- rounds ----


class CriterionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=50)
    weight: int = Field(ge=1, le=100, description="Percent; a round's add up to 100")


class CriterionOut(CriterionIn):
    id: int


class RoundIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    budget: str = Money
    opens_on: date = Field(
        ge=date(2000, 1, 1), le=date(2100, 12, 31), description="Applications open"
    )
    closes_on: date = Field(
        ge=date(2000, 1, 1), le=date(2100, 12, 31), description="Applications close"
    )
    runs_from: date | None = Field(
        default=None,
        ge=date(2000, 1, 1),
        le=date(2100, 12, 31),
        description="Ventures run from (default: opens_on)",
    )
    runs_until: date | None = Field(
        default=None,
        ge=date(2000, 1, 1),
        le=date(2100, 12, 31),
        description="Ventures run until (default: a year after opens_on)",
    )
    description: str = Field(default="", max_length=5000)
    criteria: list[CriterionIn] | None = Field(
        default=None,
        max_length=12,
        description="Default: 需求契合度 25, 可行性 25, 团队能力 20, "
        "预算合理性 15, 社区参与 15",
    )


ROUND_NOT_NULL = ("name", "budget", "opens_on", "closes_on", "runs_from", "runs_until")


class RoundPatch(BaseModel):
    """Only the fields sent change."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra=not_null_in_schema(*ROUND_NOT_NULL)
    )

    version: int
    name: str | None = Field(default=None, min_length=1, max_length=100)
    budget: str | None = Field(default=None, max_length=20)
    opens_on: date | None = Field(
        default=None, ge=date(2000, 1, 1), le=date(2100, 12, 31)
    )
    closes_on: date | None = Field(
        default=None, ge=date(2000, 1, 1), le=date(2100, 12, 31)
    )
    runs_from: date | None = Field(
        default=None, ge=date(2000, 1, 1), le=date(2100, 12, 31)
    )
    runs_until: date | None = Field(
        default=None, ge=date(2000, 1, 1), le=date(2100, 12, 31)
    )
    description: str | None = Field(default=None, max_length=5000)
    criteria: list[CriterionIn] | None = Field(
        default=None, max_length=12, description="Only before any review is in"
    )


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


def _round_values(body: RoundIn) -> dict:
    runs_from = body.runs_from or body.opens_on
    runs_until = body.runs_until or max(
        body.closes_on, body.opens_on + timedelta(days=365)
    )
    return {
        "name": body.name,
        "budget": body.budget,
        "opens_on": body.opens_on,
        "closes_on": body.closes_on,
        "runs_from": runs_from,
        "runs_until": runs_until,
        "description": body.description,
        "criteria": None
        if body.criteria is None
        else [(c.name, c.weight) for c in body.criteria],
    }


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
    body=RoundIn,
    response=RoundOut,
    status=201,
    roles=(Role.ADMIN,),
)
def create_round(body: RoundIn):
    round_ = rounds.create_round(actor=current_api_user(), **_round_values(body))
    settle()
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
    body=RoundPatch,
    response=RoundOut,
    roles=(Role.ADMIN,),
    errors=(404, 409),
)
def patch_round(round_id: int, body: RoundPatch):
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
    settle()
    return RoundOut.of(round_, money=True)


# ---- ventures ----


class BudgetLineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    item: str = Field(min_length=1, max_length=100)
    amount: str = Money


class VentureFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=100)
    need: str = Field(min_length=1, max_length=5000)
    target_group: TargetGroup
    planned_activities: str = Field(default="", max_length=5000)
    expected_outputs: str = Field(default="", max_length=5000)
    requested_amount: str = Money
    budget_lines: list[BudgetLineIn] = Field(
        default_factory=list,
        max_length=30,
        description="When given, they add up to requested_amount",
    )
    sponsor_id: Id | None = Field(
        default=None,
        description="Required when the organization is neither filed nor registered",
    )


class VentureCreate(VentureFields):
    round_id: Id
    organization_id: Id
    submission_key: str | None = Field(
        default=None,
        max_length=64,
        description="Send the same key again (a retry) to get the same venture back",
    )


VENTURE_NOT_NULL = ("title", "need", "target_group", "requested_amount")


class VenturePatch(BaseModel):
    """Only the fields sent change."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra=not_null_in_schema(*VENTURE_NOT_NULL)
    )

    version: int
    title: str | None = Field(default=None, min_length=1, max_length=100)
    need: str | None = Field(default=None, min_length=1, max_length=5000)
    target_group: TargetGroup | None = None
    planned_activities: str | None = Field(default=None, max_length=5000)
    expected_outputs: str | None = Field(default=None, max_length=5000)
    requested_amount: str | None = Field(default=None, max_length=20)
    budget_lines: list[BudgetLineIn] | None = Field(
        default=None,
        max_length=30,
        description="When sent, replaces the lines; they add up to requested_amount",
    )
    sponsor_id: Id | None = Field(default=None, description="null removes the sponsor")


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

    @classmethod
    def of(cls, v: Venture, *, spent, score, visible: bool) -> VentureOut:
        show = visible and score is not None and score.average is not None
        return cls(
            id=v.id,
            round_id=v.round_id,
            organization_id=v.organization_id,
            sponsor_id=v.sponsor_id,
            title=v.title,
            need=v.need,
            target_group=v.target_group,
            target_group_label=v.target_group_label,
            planned_activities=v.planned_activities,
            expected_outputs=v.expected_outputs,
            requested_amount=money_text(v.requested_amount),
            approved_amount=money_text(v.approved_amount)
            if v.approved_amount is not None
            else None,
            budget_lines=[
                BudgetLineIn(item=line.item, amount=money_text(line.amount))
                for line in v.budget_lines
            ],
            state=v.state,
            state_label=v.state_label,
            spent=money_text(spent),
            balance=money_text(v.approved_amount - spent)
            if v.approved_amount is not None
            else None,
            score=str(score.average) if show else None,
            grade=score.grade if show else None,
            decided_on=v.decided_on,
            decision_note=v.decision_note,
            midterm_on=v.midterm_on,
            midterm_note=v.midterm_note,
            outputs_achieved=v.outputs_achieved,
            closing_grade=v.closing_grade,
            closing_grade_label=v.closing_grade_label,
            lessons=v.lessons,
            closed_on=v.closed_on,
            termination_reason=v.termination_reason,
            version=v.version,
        )


class VenturePage(BaseModel):
    items: list[VentureOut]
    page: int
    per_page: int
    total: int


def _serialize(ventures: list[Venture]) -> list[VentureOut]:
    """Scores, spending and the caller's own reviews for all of them at once."""
    user = current_api_user()
    ids = [v.id for v in ventures]
    scores = reviews.scores_for(ids)
    spent = spending.spent_by_venture(ids)
    mine = {
        r.venture_id: r
        for r in db.session.scalars(
            select(VentureReview).where(
                VentureReview.venture_id.in_(ids or [0]),
                VentureReview.reviewer_id == user.id,
            )
        )
    }
    return [
        VentureOut.of(
            v,
            spent=spent.get(v.id, Decimal("0.00")),
            score=scores.get(v.id),
            visible=review_view(user, v, mine.get(v.id))
            in (ReviewView.ALL, ReviewView.RESULT),
        )
        for v in ventures
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


def _sponsor(sponsor_id: int | None) -> Organization | None:
    if sponsor_id is None:
        return None
    sponsor = db.session.get(Organization, sponsor_id)
    if sponsor is None:
        raise ValidationFailed(_l("Unknown organization."), field="sponsor_id")
    return sponsor


def _application(body: VentureFields) -> dict:
    return {
        "title": body.title,
        "need": body.need,
        "target_group": body.target_group.value,
        "planned_activities": body.planned_activities,
        "expected_outputs": body.expected_outputs,
        "requested_amount": body.requested_amount,
        "budget_lines": [(line.item, line.amount) for line in body.budget_lines],
        "sponsor": _sponsor(body.sponsor_id),
    }


@endpoint(
    "/ventures",
    "POST",
    summary="Apply for a micro-venture while the round is open",
    tag=TAG,
    body=VentureCreate,
    response=VentureOut,
    status=201,
    roles=APPLICANTS,
    errors=(403, 404, 409),
)
def create_venture(body: VentureCreate):
    user = current_api_user()
    org = get_visible_organization_or_404(user, body.organization_id)
    venture = services.apply(
        _load_round(body.round_id),
        org,
        actor=user,
        submission_key=body.submission_key,
        **_application(body),
    )
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
    body=VenturePatch,
    response=VentureOut,
    roles=APPLICANTS,
    errors=(403, 404, 409),
)
def patch_venture(venture_id: int, body: VenturePatch):
    venture = get_visible_venture_or_404(current_api_user(), venture_id)
    values = sent_values(
        body,
        exclude=("version", "budget_lines", "sponsor_id"),
        not_null=VENTURE_NOT_NULL,
    )
    values = {k: "" if v is None else v for k, v in values.items()}
    services.update_application(
        venture,
        actor=current_api_user(),
        expected_version=body.version,
        sponsor=_sponsor(body.sponsor_id)
        if "sponsor_id" in body.model_fields_set
        else venture.sponsor,
        budget_lines=None
        if body.budget_lines is None
        else [(line.item, line.amount) for line in body.budget_lines],
        **values,
    )
    settle()
    return _one(venture)


class TransitionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    to: State
    note: str = Field(
        default="",
        max_length=5000,
        description="Required to reject (the reason) and to terminate",
    )
    approved_amount: str | None = Field(
        default=None,
        max_length=20,
        description="To approve; default the requested amount",
    )
    outputs_achieved: str = Field(default="", max_length=5000, description="To close")
    closing_grade: ClosingGrade | None = Field(default=None, description="To close")
    lessons: str = Field(default="", max_length=5000, description="To close")
    version: int | None = Field(
        default=None, description="When sent, a stale version gets 409"
    )


@endpoint(
    "/ventures/<int:venture_id>/transition",
    "POST",
    summary="Move a venture along its life; 409 names the allowed next states",
    tag=TAG,
    body=TransitionIn,
    response=VentureOut,
    roles=STAFF,
    errors=(403, 404, 409),
)
def transition_venture(venture_id: int, body: TransitionIn):
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


class MidtermIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    checked_on: date
    note: str = Field(min_length=1, max_length=5000)


@endpoint(
    "/ventures/<int:venture_id>/midterm",
    "POST",
    summary="Record the mid-term check of a running venture",
    tag=TAG,
    body=MidtermIn,
    response=VentureOut,
    roles=STAFF,
    errors=(403, 404, 409),
)
def midterm_venture(venture_id: int, body: MidtermIn):
    venture = get_visible_venture_or_404(current_api_user(), venture_id)
    services.record_midterm(
        venture, actor=current_api_user(), checked_on=body.checked_on, note=body.note
    )
    settle()
    return _one(venture)


# ---- reviews ----


class ReviewersIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reviewer_ids: list[Id] = Field(max_length=20)


class ScoreIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    criterion_id: Id
    score: int = Field(ge=0, le=100)


class VentureReviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    scores: list[ScoreIn] | None = Field(
        default=None, max_length=12, description="A score 0..100 per criterion"
    )
    score: int | None = Field(
        default=None, ge=0, le=100, description="One score for every criterion"
    )
    comment: str = Field(default="", max_length=5000)


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
    body=ReviewersIn,
    response=ReviewList,
    roles=(Role.ADMIN,),
    errors=(404, 409),
)
def set_reviewers(venture_id: int, body: ReviewersIn):
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
    body=VentureReviewIn,
    response=ReviewList,
    status=201,
    roles=(Role.ADMIN, Role.SOCIAL_WORKER, Role.VIEWER),
    errors=(403, 404, 409),
)
def submit_review(venture_id: int, body: VentureReviewIn):
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


# ---- the plan ----


class ActionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    goal: str = Field(min_length=1, max_length=200)
    action: str = Field(min_length=1, max_length=2000)
    owner: str = Field(default="", max_length=50)
    due_on: date


class ActionPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    goal: str | None = Field(default=None, min_length=1, max_length=200)
    action: str | None = Field(default=None, min_length=1, max_length=2000)
    owner: str | None = Field(default=None, max_length=50)
    due_on: date | None = None
    done: StrictBool | None = Field(default=None, description="true marks it done")
    done_note: str = Field(default="", max_length=2000, description="Needed with done")
    version: int


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
    body=ActionIn,
    response=ActionOut,
    status=201,
    roles=STAFF,
    errors=(404, 409),
)
def add_action(venture_id: int, body: ActionIn):
    venture = get_visible_venture_or_404(current_api_user(), venture_id)
    action = plans.add_action(
        venture, actor=current_api_user(), **body.model_dump(mode="python")
    )
    settle()
    return ActionOut.of(action)


@endpoint(
    "/ventures/<int:venture_id>/actions/<int:action_id>",
    "PATCH",
    summary="Change a plan action, or mark it done with a note",
    tag=TAG,
    body=ActionPatch,
    response=ActionOut,
    roles=STAFF,
    errors=(404, 409),
)
def patch_action(venture_id: int, action_id: int, body: ActionPatch):
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
    settle()
    return ActionOut.of(action)


# ---- expenditures ----


class ExpenditureIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    spent_on: date
    amount: str = Money
    purpose: str = Field(min_length=1, max_length=200)


class ExpenditureOut(ExpenditureIn):
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
    body=ExpenditureIn,
    response=ExpenditureOut,
    status=201,
    roles=APPLICANTS,
    errors=(403, 404, 409),
)
def add_expenditure(venture_id: int, body: ExpenditureIn):
    venture = get_visible_venture_or_404(current_api_user(), venture_id)
    line = spending.record_expenditure(
        venture,
        actor=current_api_user(),
        spent_on=body.spent_on,
        amount=body.amount,
        purpose=body.purpose,
    )
    settle()
    return ExpenditureOut(
        id=line.id,
        venture_id=line.venture_id,
        spent_on=line.spent_on,
        amount=money_text(line.amount),
        purpose=line.purpose,
        has_receipt=False,
    )
