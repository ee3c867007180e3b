"""The typed input of session use cases. The API takes these as request bodies,
the pages build them from their forms, the demo and tests construct them; each
checks once, when built, what needs no database (the services check the states).

Only the cancellation is here so far: scheduling, changing, registering and
attendance still take their values as keyword arguments."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, ConfigDict, Field, model_validator

from incubator.errors import ValidationFailed


# Cancel one occurrence, or it and the rest of its series (the API document names
# it CancelIn).
class SessionCancellation(BaseModel):
    model_config = ConfigDict(title="CancelIn", extra="forbid")

    reason: str = Field(min_length=1, max_length=2000)
    scope: str = Field(default="this", pattern="^(this|following)$")

    @model_validator(mode="after")
    def _rules(self) -> SessionCancellation:
        self.reason = self.reason.strip()
        if not self.reason:
            raise ValidationFailed(_l("Say why it is cancelled."), field="reason")
        return self
