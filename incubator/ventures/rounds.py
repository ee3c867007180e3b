"""Rounds (创投批次): opening one with its scoring criteria, changing it, and the
money it has committed. Admins only."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from incubator.api.fields import sent_values
from incubator.audit import services as audit
from incubator.auth.models import User
from incubator.auth.roles import Role
from incubator.database import serialize_on
from incubator.errors import NotPermitted, RuleViolation, StaleRecord, ValidationFailed
from incubator.extensions import db
from incubator.money import fen_sum, from_fen, money_text
from incubator.ventures.lifecycle import FUNDED
from incubator.ventures.models import (
    Expenditure,
    ReviewScore,
    RoundCriterion,
    State,
    Venture,
    VentureReview,
    VentureRound,
)
from incubator.ventures.schemas import (
    DEFAULT_CRITERIA,
    ROUND_NOT_NULL,
    RoundChange,
    RoundSchedule,
)


def _admin_only(actor: User) -> None:
    if actor.role != Role.ADMIN:
        raise NotPermitted(_l("Only the project lead manages venture rounds."))


def _check_name(name: str, exclude: int | None) -> None:
    clash = db.session.scalar(
        select(VentureRound.id).where(
            VentureRound.name == name, VentureRound.id != (exclude or 0)
        )
    )
    if clash:
        raise ValidationFailed(_l("A round of this name exists."), field="name")


def create_round(schedule: RoundSchedule, *, actor: User) -> VentureRound:
    """Open a round (admins): its name must be free; without criteria it gets
    the default ones."""
    _admin_only(actor)
    clean = schedule.fields()
    _check_name(clean["name"], None)
    rows = list(DEFAULT_CRITERIA) if schedule.rows is None else schedule.rows
    round_ = VentureRound(
        created_by_id=actor.id,
        criteria=[
            RoundCriterion(name=n, weight=w, position=i)
            for i, (n, w) in enumerate(rows)
        ],
        **clean,
    )
    changes = audit.pending_changes(round_)
    changes["criteria"] = [None, dict(rows)]
    try:
        with db.session.begin_nested():
            db.session.add(round_)
            db.session.flush()
    except IntegrityError:
        raise ValidationFailed(
            _l("A round of this name exists."), field="name"
        ) from None
    audit.record("create", round_, actor=actor, changes=changes)
    db.session.flush()
    return round_


def reviews_started(round_id: int) -> bool:
    return bool(
        db.session.scalar(
            select(func.count())
            .select_from(VentureReview)
            .join(Venture, Venture.id == VentureReview.venture_id)
            .where(
                Venture.round_id == round_id, VentureReview.submitted_at.is_not(None)
            )
        )
    )


def update_round(
    round_: VentureRound, change: RoundChange, *, actor: User
) -> VentureRound:
    """Change a round: the fields ``change`` sent, the others stay; the result
    must be a valid round (``ValidationFailed`` as for a new one). The budget
    cannot drop below what is already approved; the criteria cannot change once
    a review has been submitted."""
    values = sent_values(
        change, exclude=("version", "criteria"), not_null=ROUND_NOT_NULL
    )
    _admin_only(actor)
    if change.version != round_.version:
        raise StaleRecord(
            _l("Someone else changed this round after you opened it; reload it.")
        )
    serialize_on(f"venture-round:{round_.id}")
    merged = {
        "name": round_.name,
        "budget": money_text(round_.budget),
        "opens_on": round_.opens_on,
        "closes_on": round_.closes_on,
        "runs_from": round_.runs_from,
        "runs_until": round_.runs_until,
        "description": round_.description,
        **{k: "" if v is None else v for k, v in values.items()},
        "criteria": None
        if change.criteria is None
        else [c.model_dump() for c in change.criteria],
    }
    schedule = RoundSchedule.model_validate(merged)
    clean = schedule.fields()
    _check_name(clean["name"], round_.id)
    committed = committed_amount(round_.id)
    if clean["budget"] < committed:
        raise RuleViolation(
            _l(
                "%(amount)s yuan is already approved in this round; the budget "
                "cannot be less.",
                amount=f"{committed:,.2f}",
            ),
            field="budget",
        )
    for key, value in clean.items():
        setattr(round_, key, value)
    changes = audit.pending_changes(round_)
    rows = schedule.rows
    if rows is not None:
        current = [(c.name, c.weight) for c in round_.criteria]
        if rows != current:
            if reviews_started(round_.id):
                raise RuleViolation(
                    _l("Reviews are in; the criteria can no longer change."),
                    field="criteria",
                )
            _replace_criteria(round_, rows)
            changes["criteria"] = [dict(current), dict(rows)]
    audit.record("update", round_, actor=actor, changes=changes)
    try:
        db.session.flush()
    except StaleDataError:
        raise StaleRecord(
            _l("Someone else changed this round at the same moment; reload it.")
        ) from None
    return round_


def _replace_criteria(round_: VentureRound, rows: list[tuple[str, int]]) -> None:
    old_ids = [c.id for c in round_.criteria]
    if old_ids:
        # Unsubmitted reviews hold no scores; nothing else refers to criteria.
        db.session.execute(
            ReviewScore.__table__.delete().where(ReviewScore.criterion_id.in_(old_ids))
        )
    round_.criteria = [
        RoundCriterion(name=n, weight=w, position=i) for i, (n, w) in enumerate(rows)
    ]


def committed_amount(round_id: int) -> Decimal:
    """The round's money promised: approved amounts of funded ventures, and what
    terminated ventures had spent (their unspent balance goes back)."""
    funded = db.session.scalar(
        select(fen_sum(Venture.approved_amount)).where(
            Venture.round_id == round_id, Venture.state.in_([s.value for s in FUNDED])
        )
    )
    spent_by_terminated = db.session.scalar(
        select(fen_sum(Expenditure.amount))
        .join(Venture, Venture.id == Expenditure.venture_id)
        .where(Venture.round_id == round_id, Venture.state == State.TERMINATED)
    )
    return from_fen(funded) + from_fen(spent_by_terminated)


def committed_by_round(round_ids: list[int]) -> dict[int, Decimal]:
    """``committed_amount`` for many rounds in two queries."""
    if not round_ids:
        return {}
    funded: dict[int, int] = dict(
        db.session.execute(
            select(Venture.round_id, fen_sum(Venture.approved_amount))
            .where(
                Venture.round_id.in_(round_ids),
                Venture.state.in_([s.value for s in FUNDED]),
            )
            .group_by(Venture.round_id)
        ).all()
    )
    spent: dict[int, int] = dict(
        db.session.execute(
            select(Venture.round_id, fen_sum(Expenditure.amount))
            .join(Venture, Venture.id == Expenditure.venture_id)
            .where(Venture.round_id.in_(round_ids), Venture.state == State.TERMINATED)
            .group_by(Venture.round_id)
        ).all()
    )
    return {
        rid: from_fen(funded.get(rid, 0)) + from_fen(spent.get(rid, 0))
        for rid in round_ids
    }


def remaining(round_: VentureRound) -> Decimal:
    return round_.budget - committed_amount(round_.id)
