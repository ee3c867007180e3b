"""Searching the roster by name or the last four digits of a phone number."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, StrictInt


class VolunteerSearch(BaseModel):
    """Search by name in the body, so names never travel in a URL."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, max_length=32)
    phone_tail: str | None = Field(default=None, pattern=r"^[0-9]{4}$")
    # JSON numbers only: false is not a page number.
    page: StrictInt = 1
    per_page: StrictInt = 50
    # The ``next`` cursor of the previous answer (issue 18).
    after: str | None = Field(default=None, max_length=1000)
