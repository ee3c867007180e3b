"""Adding a volunteer to an organization's roster."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, model_validator

from incubator.api.core import Id
from incubator.volunteers.models import MemberRole
from incubator.volunteers.schemas.profile import clean_past_date


# Add a volunteer to an organization's roster (the service refuses a second
# open membership of the same organization).
class MembershipEntry(BaseModel):
    model_config = ConfigDict(title="MemberIn", extra="forbid")

    volunteer_id: Id
    role: MemberRole = MemberRole.MEMBER
    joined_on: date | None = None

    @model_validator(mode="after")
    def _rules(self):
        clean_past_date(self.joined_on, "joined_on")
        return self
