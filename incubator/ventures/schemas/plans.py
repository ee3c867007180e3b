"""A venture's plan of action and its money: adding and changing a plan action,
marking one done, and recording an expenditure."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StrictBool,
    model_validator,
)

from incubator.errors import ValidationFailed
from incubator.i18n import local_today
from incubator.ventures.schemas.common import EARLIEST, Money, text

# What the services required of a plan action's texts: (limit, required).
ACTION_TEXTS = {"goal": (200, True), "action": (2000, True), "owner": (50, False)}


class PlanActionEntry(BaseModel):
    # Its texts on one line each, the goal and the action given; the service
    # checks the due date against the venture's round.
    model_config = ConfigDict(extra="forbid", title="ActionIn")

    goal: str = Field(min_length=1, max_length=200)
    action: str = Field(min_length=1, max_length=2000)
    owner: str = Field(default="", max_length=50)
    due_on: date

    @model_validator(mode="after")
    def _action_rules(self):
        for field, (limit, required) in ACTION_TEXTS.items():
            value = " ".join(str(getattr(self, field) or "").split())
            self.__dict__[field] = text(value, field, limit, required=required)
        return self

    def fields(self) -> dict:
        """The plan action's columns this entry sets."""
        return {
            "goal": self.goal,
            "action": self.action,
            "owner": self.owner,
            "due_on": self.due_on,
        }


class PlanActionChange(BaseModel):
    model_config = ConfigDict(extra="forbid", title="ActionPatch")

    goal: str | None = Field(default=None, min_length=1, max_length=200)
    action: str | None = Field(default=None, min_length=1, max_length=2000)
    owner: str | None = Field(default=None, max_length=50)
    due_on: date | None = None
    done: StrictBool | None = Field(default=None, description="true marks it done")
    done_note: str = Field(default="", max_length=2000, description="Needed with done")
    version: int


class ActionCompletion(BaseModel):
    """Marking a plan action done (the service builds it once the action may be
    marked): a note of what was done, and a day not in the future."""

    done_note: str | None = ""
    done_on: date | None = None

    _note: str = PrivateAttr(default="")
    _day: date = PrivateAttr(default=EARLIEST)

    @model_validator(mode="after")
    def _completion_rules(self):
        note = str(self.done_note or "").strip()
        if not note:
            raise ValidationFailed(_l("Say what was done."), field="done_note")
        self._note = text(note, "done_note", 2000)
        today = local_today()
        self._day = self.done_on or today
        if self._day > today:
            raise ValidationFailed(
                _l("The date cannot be in the future."), field="done_on"
            )
        return self

    @property
    def note(self) -> str:
        """What was done, trimmed."""
        return self._note

    @property
    def day(self) -> date:
        """The day it was done (default today)."""
        return self._day


class ExpenditureEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", title="ExpenditureIn")

    spent_on: date
    amount: str = Money
    purpose: str = Field(min_length=1, max_length=200)
