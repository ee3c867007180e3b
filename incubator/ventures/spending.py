"""Expenditures of a running venture (实施): recorded against the approved amount,
never past it. Concurrent entries on one venture run one after the other, so
together they cannot pass it either."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from incubator.activities import photos
from incubator.audit import services as audit
from incubator.auth.models import User
from incubator.database import serialize_on
from incubator.errors import DomainError, NotPermitted, RuleViolation, ValidationFailed
from incubator.extensions import db
from incubator.i18n import local_today
from incubator.money import clean_money, fen_sum, from_fen
from incubator.ventures.access import may_record_spending
from incubator.ventures.events import add_event
from incubator.ventures.models import Expenditure, State, Venture

RECEIPTS = "receipts"


def spent_by_venture(venture_ids: list[int]) -> dict[int, Decimal]:
    """Money spent per venture, in one query."""
    if not venture_ids:
        return {}
    rows = db.session.execute(
        select(Expenditure.venture_id, fen_sum(Expenditure.amount))
        .where(Expenditure.venture_id.in_(venture_ids))
        .group_by(Expenditure.venture_id)
    ).all()
    return {venture_id: from_fen(fen) for venture_id, fen in rows}


def spent(venture: Venture) -> Decimal:
    return spent_by_venture([venture.id]).get(venture.id, Decimal("0.00"))


def balance(venture: Venture) -> Decimal | None:
    if venture.approved_amount is None:
        return None
    return venture.approved_amount - spent(venture)


def record_expenditure(
    venture: Venture,
    *,
    actor: User,
    spent_on: date | None,
    amount,
    purpose: str,
    receipt: tuple[bytes, str] | None = None,
) -> Expenditure:
    """Record money spent; ``RuleViolation`` saying the balance when it would pass
    the approved amount."""
    if not may_record_spending(actor, venture):
        raise NotPermitted(
            _l("Only the organization's leader or a social worker records spending.")
        )
    if venture.state != State.RUNNING:
        raise RuleViolation(
            _l("Spending is recorded while the venture runs; start it first.")
        )
    value = clean_money(amount, "amount", positive=True)
    purpose = " ".join(str(purpose or "").split())
    if not purpose or len(purpose) > 200:
        raise ValidationFailed(
            _l("Say what the money was for (at most 200 characters)."), field="purpose"
        )
    if (
        spent_on is None
        or spent_on > local_today()
        or spent_on < venture.round.opens_on
    ):
        raise ValidationFailed(
            _l("The date must be within the round and not in the future."),
            field="spent_on",
        )
    serialize_on(f"venture-spending:{venture.id}")
    db.session.refresh(venture)  # terminated meanwhile?
    if venture.state != State.RUNNING:
        raise RuleViolation(
            _l("Spending is recorded while the venture runs; start it first.")
        )
    assert venture.approved_amount is not None  # a running venture was approved
    left = venture.approved_amount - spent(venture)
    if value > left:
        error = RuleViolation(
            _l(
                "Only %(left)s yuan of the approved %(approved)s yuan is left; "
                "%(amount)s yuan cannot be recorded.",
                left=f"{left:,.2f}",
                approved=f"{venture.approved_amount:,.2f}",
                amount=f"{value:,.2f}",
            ),
            field="amount",
        )
        error.details = {"remaining": f"{left:.2f}"}
        raise error
    line = Expenditure(
        venture_id=venture.id,
        spent_on=spent_on,
        amount=value,
        purpose=purpose,
        recorded_by_id=actor.id,
    )
    if receipt is not None:
        data, original = receipt
        try:
            line.receipt_name = photos.store_image(photos.process_image(data), RECEIPTS)
        except DomainError as exc:
            raise ValidationFailed(exc.message, field="receipt") from None
        line.receipt_original = photos.clean_original_name(original)
    db.session.add(line)
    audit.record("create", line, actor=actor)
    add_event(venture, actor, "spent", f"{value:,.2f} · {purpose}")
    db.session.flush()
    return line
