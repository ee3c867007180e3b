"""Changing a round: only the fields sent change; the service checks the round as
it will be as a ``RoundSchedule``."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from incubator.api.fields import patch_config
from incubator.ventures.schemas.common import EARLIEST, LATEST
from incubator.ventures.schemas.criteria import CriterionIn

ROUND_NOT_NULL = ("name", "budget", "opens_on", "closes_on", "runs_from", "runs_until")


class RoundChange(BaseModel):
    """Only the fields sent change."""

    model_config = patch_config("RoundPatch", *ROUND_NOT_NULL)

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
