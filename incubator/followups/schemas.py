"""The typed input of each follow-up use case: planning one and completing one.
The API takes these as request bodies, the pages build them from their forms, the
cadence, the demo and tests construct them. Each checks once, when built, what
needs no database; the services check the rest (the assignee, the day already
taken, the follow-up's state and dates)."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, ConfigDict, Field, model_validator

from incubator.api.core import Id
from incubator.errors import ValidationFailed
from incubator.followups.models import Kind

EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)


# Plan a follow-up of an organization (the API document names it FollowUpIn).
class FollowUpPlan(BaseModel):
    model_config = ConfigDict(title="FollowUpIn", extra="forbid")

    organization_id: Id
    kind: Kind
    due_on: date = Field(ge=EARLIEST, le=LATEST)
    assignee_id: Id | None = Field(
        default=None, description="Default: the organization's social worker"
    )
    notes: str = Field(default="", max_length=5000)

    @model_validator(mode="after")
    def _tidy(self) -> FollowUpPlan:
        self.notes = self.notes.strip()
        return self


# Complete a follow-up with its outcome (the API document names it CompleteIn).
class FollowUpCompletion(BaseModel):
    model_config = ConfigDict(title="CompleteIn", extra="forbid")

    outcome: str = Field(min_length=1, max_length=5000)
    done_on: date | None = Field(default=None, ge=EARLIEST, le=LATEST)
    version: int | None = None

    @model_validator(mode="after")
    def _rules(self) -> FollowUpCompletion:
        self.outcome = self.outcome.strip()
        if not self.outcome:
            raise ValidationFailed(_l("Note the outcome."), field="outcome")
        return self
