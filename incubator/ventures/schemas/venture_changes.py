"""Changing a micro-venture's application: only the fields sent change; the
service checks the application as it will be as ``VentureFields``."""

from __future__ import annotations

from pydantic import BaseModel, Field

from incubator.activities.models import TargetGroup
from incubator.api.core import Id
from incubator.api.fields import patch_config
from incubator.ventures.schemas.budgets import BudgetLineIn

VENTURE_NOT_NULL = ("title", "need", "target_group", "requested_amount")


class VentureChange(BaseModel):
    """Only the fields sent change."""

    model_config = patch_config("VenturePatch", *VENTURE_NOT_NULL)

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
