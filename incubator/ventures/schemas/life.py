"""A venture's life: moving it to another state (``VentureTransition``), what
closing it records, and the midterm check."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from incubator.errors import ValidationFailed
from incubator.ventures.models import CLOSING_GRADE_LABELS, ClosingGrade, State
from incubator.ventures.schemas.common import text


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


class VentureClosing(BaseModel):
    """What closing a venture records (the ``close`` effect of the venture
    workflow builds it from the transition's values once the move is allowed):
    the outputs achieved, a closing grade and the lessons."""

    outputs_achieved: str | None = ""
    closing_grade: str | None = None
    lessons: str | None = ""

    _fields: dict[str, str] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _closing_rules(self):
        outputs = text(self.outputs_achieved, "outputs_achieved", 5000, required=True)
        if self.closing_grade not in {g.value for g in ClosingGrade}:
            raise ValidationFailed(
                _l(
                    "Choose the closing grade: %(grades)s.",
                    grades="、".join(str(v) for v in CLOSING_GRADE_LABELS.values()),
                ),
                field="closing_grade",
            )
        self._fields = {
            "outputs_achieved": outputs,
            "closing_grade": self.closing_grade,
            "lessons": text(self.lessons, "lessons", 5000, required=True),
        }
        return self

    def fields(self) -> dict[str, str]:
        """The venture's columns closing sets (but the day)."""
        return self._fields


class MidtermCheck(BaseModel):
    model_config = ConfigDict(extra="forbid", title="MidtermIn")

    checked_on: date
    note: str = Field(min_length=1, max_length=5000)

    @model_validator(mode="after")
    def _note_rule(self):
        self.__dict__["note"] = text(self.note, "note", 5000, required=True)
        return self
