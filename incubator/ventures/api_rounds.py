"""API: micro-venture rounds (创投批次) and their scoring criteria."""

from __future__ import annotations

from datetime import date

from flask import abort
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from incubator.api.core import PageQuery, current_api_user, endpoint, page_rows
from incubator.api.fields import sent_values
from incubator.auth.roles import Role
from incubator.extensions import db
from incubator.money import money_text
from incubator.transaction import settle
from incubator.ventures import rounds
from incubator.ventures.models import (
    VentureRound,
)
from incubator.ventures.schemas import (
    ROUND_NOT_NULL,
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
    settle()
    return RoundOut.of(round_, money=True)
