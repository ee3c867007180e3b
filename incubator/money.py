"""Money in yuan with fen: always ``Decimal`` with two places, never a float. One
parser for every amount a user types (ledger values, grants, expenditures) and the
one way to show it."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l

from incubator.errors import ValidationFailed
from incubator.normalize import decimal_or_none

FEN = Decimal("0.01")
MAX_AMOUNT = Decimal("100000000")


def clean_money(value, field: str = "value", *, positive: bool = False) -> Decimal:
    """``"1200.5"`` -> ``Decimal("1200.50")``. Refuses (``ValidationFailed`` on
    ``field``) anything that is not a plain amount from 0 (or above 0 when
    ``positive``) to 100,000,000 with at most two decimals. Full-width digits are
    normalized; ``"1E+2"``, NaN, other scripts' digits and floats are refused
    (``incubator.normalize.parse_decimal``)."""
    if isinstance(value, float | bool) or value is None:
        raise ValidationFailed(_l("An amount in yuan, such as 1200.50."), field=field)
    amount = decimal_or_none(value, field, grouping=True)
    if amount is None:
        raise ValidationFailed(_l("An amount in yuan, such as 1200.50."), field=field)
    if amount < 0 or amount > MAX_AMOUNT:
        raise ValidationFailed(_l("An amount from 0 to 100,000,000 yuan."), field=field)
    if amount != amount.quantize(FEN):
        raise ValidationFailed(
            _l("Amounts have at most two decimals (fen)."), field=field
        )
    if positive and amount == 0:
        raise ValidationFailed(_l("The amount must be more than zero."), field=field)
    return abs(amount.quantize(FEN))


def money_text(value) -> str:
    """The API form: ``"408400.00"``."""
    return f"{Decimal(value or 0):.2f}"


def yuan(value) -> str:
    """The screen form: ``408400`` -> ``408,400.00``."""
    if value is None:
        return ""
    return f"{Decimal(value):,.2f}"


def fen_sum(column):
    """``SUM`` of a money column in whole fen, so totals are exact on SQLite too
    (which keeps NUMERIC as binary floating point). Read it with ``from_fen``."""
    from sqlalchemy import Integer, cast, func

    return func.coalesce(func.sum(cast(func.round(column * 100), Integer)), 0)


def from_fen(value) -> Decimal:
    return (Decimal(int(value or 0)) / 100).quantize(FEN)
