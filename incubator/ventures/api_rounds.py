"""API: micro-venture rounds (创投批次) and their scoring criteria."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask import abort
from pydantic import BaseModel, Field, field_validator
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from incubator.api.core import PageQuery, current_api_user, endpoint, page_rows
from incubator.auth.roles import Role
from incubator.extensions import db
from incubator.money import money_text
from incubator.transaction import settle
from incubator.ventures import rounds
from incubator.ventures.models import (
    VentureRound,
)
from incubator.ventures.queries import RoundView, round_view, round_views
from incubator.ventures.schemas import (
    CriterionIn,
    RoundChange,
    RoundSchedule,
)

TAG = "ventures"


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

    # Validated from the read model (``queries.RoundView``): money in yuan as text.
    @field_validator("budget", "approved_total", "remaining", mode="before")
    @classmethod
    def _money(cls, value):
        return money_text(value) if isinstance(value, Decimal) else value


def _out(view: RoundView) -> RoundOut:
    return RoundOut.model_validate(view, from_attributes=True)


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
    views = round_views(list(items), money=_shows_money())
    return {"items": [_out(view).model_dump(mode="json") for view in views], **meta}


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
    round_ = rounds.create_round(body, actor=current_api_user())
    settle()
    return _out(round_view(round_, money=True))


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
    return _out(round_view(_load_round(round_id), money=_shows_money()))


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
    rounds.update_round(round_, body, actor=current_api_user())
    settle()
    return _out(round_view(round_, money=True))
