"""Scheduling a round of micro-ventures: its name, budget, description, the four
days of its calendar (``round_dates``) and its criteria."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from incubator.errors import ValidationFailed
from incubator.money import clean_money
from incubator.ventures.schemas.common import EARLIEST, LATEST, Money, text
from incubator.ventures.schemas.criteria import CriterionIn, criteria_rows


def round_dates(days: dict) -> dict[str, date]:
    """A round's four days, each a date from 2000 to 2100, in order: applications
    close after they open, ventures run within their period and not before
    applications open. A page checks its typed days with this before building
    the model, so it names the problem in these words rather than the model's
    field limits'."""
    clean = {}
    for field in ("opens_on", "closes_on", "runs_from", "runs_until"):
        day = days.get(field)
        if not isinstance(day, date) or not EARLIEST <= day <= LATEST:
            raise ValidationFailed(_l("Please enter a date."), field=field)
        clean[field] = day
    if clean["closes_on"] < clean["opens_on"]:
        raise ValidationFailed(
            _l("Applications cannot close before they open."), field="closes_on"
        )
    if clean["runs_until"] < clean["runs_from"]:
        raise ValidationFailed(
            _l("The running period cannot end before it starts."), field="runs_until"
        )
    if clean["runs_from"] < clean["opens_on"]:
        raise ValidationFailed(
            _l("Ventures cannot run before applications open."), field="runs_from"
        )
    return clean


class RoundSchedule(BaseModel):
    # Valid means: a name, a budget above zero, the four days in order
    # (round_dates) and, when given, criteria adding up to 100 (criteria_rows).
    model_config = ConfigDict(extra="forbid", title="RoundIn")

    name: str = Field(min_length=1, max_length=100)
    budget: str = Money
    opens_on: date = Field(ge=EARLIEST, le=LATEST, description="Applications open")
    closes_on: date = Field(ge=EARLIEST, le=LATEST, description="Applications close")
    runs_from: date | None = Field(
        default=None,
        ge=EARLIEST,
        le=LATEST,
        description="Ventures run from (default: opens_on)",
    )
    runs_until: date | None = Field(
        default=None,
        ge=EARLIEST,
        le=LATEST,
        description="Ventures run until (default: a year after opens_on)",
    )
    description: str = Field(default="", max_length=5000)
    criteria: list[CriterionIn] | None = Field(
        default=None,
        max_length=12,
        description="Default: 需求契合度 25, 可行性 25, 团队能力 20, "
        "预算合理性 15, 社区参与 15",
    )

    _budget: Decimal = PrivateAttr(default=Decimal("0.00"))
    _days: dict[str, date] = PrivateAttr(default_factory=dict)
    _rows: list[tuple[str, int]] | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _round_rules(self):
        name = " ".join(self.name.split())
        if not name or len(name) > 100:
            raise ValidationFailed(
                _l("Name the round (at most 100 characters)."), field="name"
            )
        self.__dict__["name"] = name
        self.__dict__["description"] = text(self.description, "description", 5000)
        self._budget = clean_money(self.budget, "budget", positive=True)
        self._days = round_dates(
            {
                "opens_on": self.opens_on,
                "closes_on": self.closes_on,
                "runs_from": self.runs_from or self.opens_on,
                "runs_until": self.runs_until
                or max(self.closes_on, self.opens_on + timedelta(days=365)),
            }
        )
        if self.criteria is not None:
            self._rows = criteria_rows([(c.name, c.weight) for c in self.criteria])
        return self

    @property
    def rows(self) -> list[tuple[str, int]] | None:
        """The criteria as (name, weight), or ``None`` when none were given."""
        return self._rows

    def fields(self) -> dict:
        """The round's columns, with the running period's defaults filled in."""
        return {
            "name": self.name,
            "budget": self._budget,
            "description": self.description,
            **self._days,
        }
