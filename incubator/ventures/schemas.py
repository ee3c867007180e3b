"""The typed input of each micro-venture use case: the API's request bodies, what
the pages build from their forms (``incubator.forms.form_input``) and what the
demo and tests construct. Each is validated once, here: a rule that needs no
database raises ``ValidationFailed`` from the model's validator with the message
and field the services gave before; the services check only what needs the
database (names taken, budgets, states, permissions).

The document names some bodies as they were named before the use cases were
(``title=``): /openapi.json does not change.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StrictBool,
    model_validator,
)

from incubator.activities.models import TargetGroup
from incubator.api.core import Id
from incubator.api.fields import not_null_in_schema
from incubator.errors import ValidationFailed
from incubator.money import clean_money
from incubator.ventures.models import ClosingGrade, State

Money = Field(max_length=20, description='Yuan with fen, e.g. "8000.00"')
EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)
# What the services required of an application's free texts.
TEXT_LIMITS = {"need": 5000, "planned_activities": 5000, "expected_outputs": 5000}


def text(value, field: str, limit: int, *, required: bool = False) -> str:
    """``value`` trimmed; ``ValidationFailed`` on ``field`` when required and
    empty or longer than ``limit``."""
    text = str(value or "").strip()
    if required and not text:
        raise ValidationFailed(_l("Please fill this in."), field=field)
    if len(text) > limit:
        raise ValidationFailed(_l("At most %(n)d characters.", n=limit), field=field)
    return text


# ---- rounds ----


class CriterionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=50)
    weight: int = Field(ge=1, le=100, description="Percent; a round's add up to 100")


class RoundSchedule(BaseModel):
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

    def values(self) -> dict:
        """The round's values with the running period's defaults filled in."""
        return {
            "name": self.name,
            "budget": self.budget,
            "opens_on": self.opens_on,
            "closes_on": self.closes_on,
            "runs_from": self.runs_from or self.opens_on,
            "runs_until": self.runs_until
            or max(self.closes_on, self.opens_on + timedelta(days=365)),
            "description": self.description,
            "criteria": None
            if self.criteria is None
            else [(c.name, c.weight) for c in self.criteria],
        }


ROUND_NOT_NULL = ("name", "budget", "opens_on", "closes_on", "runs_from", "runs_until")


class RoundChange(BaseModel):
    """Only the fields sent change."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra=not_null_in_schema(*ROUND_NOT_NULL),
        title="RoundPatch",
    )

    version: int
    name: str | None = Field(default=None, min_length=1, max_length=100)
    budget: str | None = Field(default=None, max_length=20)
    opens_on: date | None = Field(default=None, ge=EARLIEST, le=LATEST)
    closes_on: date | None = Field(default=None, ge=EARLIEST, le=LATEST)
    runs_from: date | None = Field(default=None, ge=EARLIEST, le=LATEST)
    runs_until: date | None = Field(default=None, ge=EARLIEST, le=LATEST)
    description: str | None = Field(default=None, max_length=5000)
    criteria: list[CriterionIn] | None = Field(
        default=None, max_length=12, description="Only before any review is in"
    )


# ---- applications ----


class BudgetLineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    item: str = Field(min_length=1, max_length=100)
    amount: str = Money


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


class VentureApplication(VentureFields):
    model_config = ConfigDict(title="VentureCreate")

    round_id: Id
    organization_id: Id
    submission_key: str | None = Field(
        default=None,
        max_length=64,
        description="Send the same key again (a retry) to get the same venture back",
    )


VENTURE_NOT_NULL = ("title", "need", "target_group", "requested_amount")


class VentureChange(BaseModel):
    """Only the fields sent change."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra=not_null_in_schema(*VENTURE_NOT_NULL),
        title="VenturePatch",
    )

    version: int
    title: str | None = Field(default=None, min_length=1, max_length=100)
    need: str | None = Field(default=None, min_length=1, max_length=5000)
    target_group: TargetGroup | None = None
    planned_activities: str | None = Field(default=None, max_length=5000)
    expected_outputs: str | None = Field(default=None, max_length=5000)
    requested_amount: str | None = Field(default=None, max_length=20)
    budget_lines: list[BudgetLineIn] | None = Field(
        default=None,
        max_length=30,
        description="When sent, replaces the lines; they add up to requested_amount",
    )
    sponsor_id: Id | None = Field(default=None, description="null removes the sponsor")


# ---- the life cycle ----


class VentureTransition(BaseModel):
    model_config = ConfigDict(extra="forbid", title="TransitionIn")

    to: State
    note: str = Field(
        default="",
        max_length=5000,
        description="Required to reject (the reason) and to terminate",
    )
    approved_amount: str | None = Field(
        default=None,
        max_length=20,
        description="To approve; default the requested amount",
    )
    outputs_achieved: str = Field(default="", max_length=5000, description="To close")
    closing_grade: ClosingGrade | None = Field(default=None, description="To close")
    lessons: str = Field(default="", max_length=5000, description="To close")
    version: int | None = Field(
        default=None, description="When sent, a stale version gets 409"
    )


class MidtermCheck(BaseModel):
    model_config = ConfigDict(extra="forbid", title="MidtermIn")

    checked_on: date
    note: str = Field(min_length=1, max_length=5000)


# ---- reviews ----


class ReviewPanel(BaseModel):
    model_config = ConfigDict(extra="forbid", title="ReviewersIn")

    reviewer_ids: list[Id] = Field(max_length=20)


class ScoreIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    criterion_id: Id
    score: int = Field(ge=0, le=100)


class ReviewSubmission(BaseModel):
    model_config = ConfigDict(extra="forbid", title="VentureReviewIn")

    scores: list[ScoreIn] | None = Field(
        default=None, max_length=12, description="A score 0..100 per criterion"
    )
    score: int | None = Field(
        default=None, ge=0, le=100, description="One score for every criterion"
    )
    comment: str = Field(default="", max_length=5000)


# ---- the plan and the money ----


class PlanActionEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", title="ActionIn")

    goal: str = Field(min_length=1, max_length=200)
    action: str = Field(min_length=1, max_length=2000)
    owner: str = Field(default="", max_length=50)
    due_on: date


class PlanActionChange(BaseModel):
    model_config = ConfigDict(extra="forbid", title="ActionPatch")

    goal: str | None = Field(default=None, min_length=1, max_length=200)
    action: str | None = Field(default=None, min_length=1, max_length=2000)
    owner: str | None = Field(default=None, max_length=50)
    due_on: date | None = None
    done: StrictBool | None = Field(default=None, description="true marks it done")
    done_note: str = Field(default="", max_length=2000, description="Needed with done")
    version: int


class ExpenditureEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", title="ExpenditureIn")

    spent_on: date
    amount: str = Money
    purpose: str = Field(min_length=1, max_length=200)
