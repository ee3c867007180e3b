"""An application's budget lines: the line a body sends and the rules lines
follow (``line_items``), adding up to the amount requested (``budget_lines``)."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, ConfigDict, Field

from incubator.errors import ValidationFailed
from incubator.money import clean_money
from incubator.ventures.schemas.common import Money


class BudgetLineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    item: str = Field(min_length=1, max_length=100)
    amount: str = Money


def budget_lines(lines, requested: Decimal) -> list[tuple[str, Decimal]]:
    """``[(item, amount)]`` cleaned; when given they add up to ``requested``."""
    result = line_items(lines)
    total = sum((amount for _item, amount in result), Decimal("0.00"))
    if result and total != requested:
        raise ValidationFailed(
            _l(
                "The budget lines add up to %(total)s yuan but %(requested)s yuan is "
                "requested.",
                total=f"{total:,.2f}",
                requested=f"{requested:,.2f}",
            ),
            field="budget_lines",
        )
    return result


def line_items(lines) -> list[tuple[str, Decimal]]:
    """``[(item, amount)]`` with each line named (at most 100 characters), an
    amount above zero, and 30 lines at most; blank lines are skipped. A page
    checks its typed lines with this before building the model, so it names the
    problem in these words rather than the model's field limits'."""
    result = []
    for item, amount in lines or ():
        item = " ".join(str(item or "").split())
        if not item and str(amount or "").strip() == "":
            continue
        if not item or len(item) > 100:
            raise ValidationFailed(
                _l("Name each budget line (at most 100 characters)."),
                field="budget_lines",
            )
        result.append((item, clean_money(amount, "budget_lines", positive=True)))
    if len(result) > 30:
        raise ValidationFailed(_l("At most 30 budget lines."), field="budget_lines")
    return result
