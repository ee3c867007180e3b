"""Rounds (创投批次): opening one with its scoring criteria, changing it, and the
money it has committed. Admins only."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from incubator.audit import services as audit
from incubator.auth.models import User
from incubator.auth.roles import Role
from incubator.database import serialize_on
from incubator.errors import NotPermitted, RuleViolation, StaleRecord, ValidationFailed
from incubator.extensions import db
from incubator.money import clean_money, fen_sum, from_fen
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

# The criteria a new round starts with (weights in percent).
DEFAULT_CRITERIA = (
    ("需求契合度", 25),
    ("可行性", 25),
    ("团队能力", 20),
    ("预算合理性", 15),
    ("社区参与", 15),
)
EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)


def _admin_only(actor: User) -> None:
    if actor.role != Role.ADMIN:
        raise NotPermitted(_l("Only the project lead manages venture rounds."))


def _clean_dates(values: dict) -> dict:
    days = {}
    for field in ("opens_on", "closes_on", "runs_from", "runs_until"):
        day = values.get(field)
        if not isinstance(day, date) or not EARLIEST <= day <= LATEST:
            raise ValidationFailed(_l("Please enter a date."), field=field)
        days[field] = day
    if days["closes_on"] < days["opens_on"]:
        raise ValidationFailed(
            _l("Applications cannot close before they open."), field="closes_on"
        )
    if days["runs_until"] < days["runs_from"]:
        raise ValidationFailed(
            _l("The running period cannot end before it starts."), field="runs_until"
        )
    if days["runs_from"] < days["opens_on"]:
        raise ValidationFailed(
            _l("Ventures cannot run before applications open."), field="runs_from"
        )
    return days


def clean_criteria(criteria) -> list[tuple[str, int]]:
    """[(name, weight)] with names unique and weights (whole percent) adding up to
    100."""
    rows, names = [], set()
    for name, weight in criteria or ():
        name = " ".join(str(name or "").split())
        if not name:
            continue
        if len(name) > 50:
            raise ValidationFailed(
                _l("A criterion's name has at most 50 characters."), field="criteria"
            )
        if name in names:
            raise ValidationFailed(
                _l("The criterion %(name)s is listed twice.", name=name),
                field="criteria",
            )
        if isinstance(weight, bool) or not isinstance(weight, int) or weight < 1:
            raise ValidationFailed(
                _l("Each weight is a whole percent of at least 1."), field="criteria"
            )
        names.add(name)
        rows.append((name, weight))
    if not rows:
        raise ValidationFailed(_l("Name at least one criterion."), field="criteria")
    if len(rows) > 12:
        raise ValidationFailed(_l("At most 12 criteria."), field="criteria")
    total = sum(w for _n, w in rows)
    if total != 100:
        raise ValidationFailed(
            _l(
                "The weights add up to %(total)d%%; they must add up to 100%%.",
                total=total,
            ),
            field="criteria",
        )
    return rows


def _clean(values: dict) -> dict:
    name = " ".join(str(values.get("name") or "").split())
    if not name or len(name) > 100:
        raise ValidationFailed(
            _l("Name the round (at most 100 characters)."), field="name"
        )
    description = str(values.get("description") or "").strip()
    if len(description) > 5000:
        raise ValidationFailed(
            _l("At most %(n)d characters.", n=5000), field="description"
        )
    return {
        "name": name,
        "budget": clean_money(values.get("budget"), "budget", positive=True),
        "description": description,
        **_clean_dates(values),
    }


def _check_name(name: str, exclude: int | None) -> None:
    clash = db.session.scalar(
        select(VentureRound.id).where(
            VentureRound.name == name, VentureRound.id != (exclude or 0)
        )
    )
    if clash:
        raise ValidationFailed(_l("A round of this name exists."), field="name")


def create_round(*, actor: User, criteria=None, **values) -> VentureRound:
    _admin_only(actor)
    clean = _clean(values)
    _check_name(clean["name"], None)
    rows = clean_criteria(DEFAULT_CRITERIA if criteria is None else criteria)
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
    round_: VentureRound,
    *,
    actor: User,
    expected_version: int | None,
    criteria=None,
    **values,
) -> VentureRound:
    """Change a round. The budget cannot drop below what is already approved; the
    criteria cannot change once a review has been submitted."""
    _admin_only(actor)
    if expected_version is None or expected_version != round_.version:
        raise StaleRecord(
            _l("Someone else changed this round after you opened it; reload it.")
        )
    serialize_on(f"venture-round:{round_.id}")
    clean = _clean(values)
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
    if criteria is not None:
        rows = clean_criteria(criteria)
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
