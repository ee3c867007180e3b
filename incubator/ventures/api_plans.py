"""API: a running venture's tailored support plan and its expenditures."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask import abort
from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from incubator.api.core import current_api_user, endpoint
from incubator.errors import StaleRecord
from incubator.extensions import db
from incubator.i18n import local_today
from incubator.money import money_text
from incubator.transaction import settle
from incubator.ventures import plans, spending
from incubator.ventures.access import (
    APPLICANTS,
    STAFF,
    get_visible_venture_or_404,
)
from incubator.ventures.models import (
    Expenditure,
    PlanAction,
    Venture,
)
from incubator.ventures.schemas import (
    ExpenditureEntry,
    Money,
    PlanActionChange,
    PlanActionEntry,
)

TAG = "ventures"


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
    settle()
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
    settle()
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
    settle()
    return ExpenditureOut(
        id=line.id,
        venture_id=line.venture_id,
        spent_on=line.spent_on,
        amount=money_text(line.amount),
        purpose=line.purpose,
        has_receipt=False,
    )
