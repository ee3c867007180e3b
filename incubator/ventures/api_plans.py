"""API: a running venture's tailored support plan and its expenditures."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask import abort
from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, ConfigDict, Field, field_validator

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
from incubator.ventures.queries import (
    ActionView,
    ExpenditureLine,
    ledger,
    plan_actions,
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


def _action(plan_action: PlanAction) -> ActionOut:
    return ActionOut.model_validate(
        ActionView(plan_action, local_today()), from_attributes=True
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
    return ActionList(
        items=[
            ActionOut.model_validate(view, from_attributes=True)
            for view in plan_actions(venture, local_today())
        ]
    )


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
    action = plans.add_action(venture, body, actor=current_api_user())
    settle()
    return _action(action)


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
        plans.update_action(action, body, actor=current_api_user())
    if body.done:
        plans.complete_action(action, actor=current_api_user(), note=body.done_note)
    settle()
    return _action(action)


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

    @field_validator("amount", mode="before")
    @classmethod
    def _money(cls, value):
        return money_text(value) if isinstance(value, Decimal) else value


class ExpenditureList(BaseModel):
    items: list[ExpenditureOut]
    approved_amount: str | None
    spent: str
    balance: str | None

    # Validated from the read model (``queries.Ledger``): money in yuan as text.
    @field_validator("approved_amount", "spent", "balance", mode="before")
    @classmethod
    def _money(cls, value):
        return money_text(value) if isinstance(value, Decimal) else value


def _expenditure(line: Expenditure) -> ExpenditureOut:
    return ExpenditureOut.model_validate(ExpenditureLine(line), from_attributes=True)


def _expenditures(venture: Venture) -> ExpenditureList:
    return ExpenditureList.model_validate(ledger(venture), from_attributes=True)


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
    return _expenditure(line)
