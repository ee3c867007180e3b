"""Applying for a micro-venture: what an application says (``VentureFields``,
also what a change is checked as) and the application itself."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from incubator.activities.models import TargetGroup
from incubator.api.core import Id
from incubator.errors import ValidationFailed
from incubator.money import clean_money
from incubator.ventures.schemas.budgets import BudgetLineIn, budget_lines
from incubator.ventures.schemas.common import Money, text

# What the services required of an application's free texts.
TEXT_LIMITS = {"need": 5000, "planned_activities": 5000, "expected_outputs": 5000}


class VentureFields(BaseModel):
    # What an application says. Valid means: a title, a need, an amount above
    # zero, and budget lines (when given) adding up to the amount requested.
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

    _requested: Decimal = PrivateAttr(default=Decimal("0.00"))
    _lines: list[tuple[str, Decimal]] = PrivateAttr(default_factory=list)

    @model_validator(mode="after")
    def _application_rules(self):
        title = " ".join(self.title.split())
        if not title or len(title) > 100:
            raise ValidationFailed(
                _l("Give the project a title (at most 100 characters)."),
                field="title",
            )
        for field, limit in TEXT_LIMITS.items():
            value = text(getattr(self, field), field, limit, required=field == "need")
            self.__dict__[field] = value
        self.__dict__["title"] = title
        self._requested = clean_money(
            self.requested_amount, "requested_amount", positive=True
        )
        self._lines = budget_lines(
            [(line.item, line.amount) for line in self.budget_lines], self._requested
        )
        return self

    @property
    def requested(self) -> Decimal:
        """The amount requested, in yuan."""
        return self._requested

    @property
    def lines(self) -> list[tuple[str, Decimal]]:
        """The budget lines as (item, amount in yuan)."""
        return self._lines

    def fields(self) -> dict:
        """The venture's columns this application sets."""
        return {
            "title": self.title,
            "target_group": self.target_group.value,
            "need": self.need,
            "planned_activities": self.planned_activities,
            "expected_outputs": self.expected_outputs,
            "requested_amount": self.requested,
        }


class VentureApplication(VentureFields):
    model_config = ConfigDict(title="VentureCreate")

    round_id: Id
    organization_id: Id
    submission_key: str | None = Field(
        default=None,
        max_length=64,
        description="Send the same key again (a retry) to get the same venture back",
    )
