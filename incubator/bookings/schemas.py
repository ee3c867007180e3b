"""The typed input of booking use cases: booking a centre room (once, or weekly),
changing one occurrence or the rest of its series, approving or refusing a
leader's request, cancelling, and recording the use after the slot. The API takes
these as request bodies, the pages build them from their forms, the demo and
tests construct them.

Each checks once, when built, what needs no database (the times' order and
length, the texts, who an outside unit may be); a rule it breaks raises
``ValidationFailed`` naming the field. The services check the rest: the room,
the organization, the capacity, the overlap with other bookings, the states.

Times may be sent with an offset or without one; a time without an offset is
the project's local time (Asia/Shanghai).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, ConfigDict, Field, model_validator

from incubator.activities.models import ServiceType
from incubator.api.core import Id
from incubator.errors import ValidationFailed
from incubator.i18n import local_zone

MAX_OCCURRENCES = 52
MAX_PEOPLE = 10_000
MAX_LENGTH = timedelta(hours=12)
# The services an outside unit is received for (会议接待 / 参访接待).
OUTSIDE_SERVICES = frozenset(
    {ServiceType.MEETING_RECEPTION, ServiceType.VISIT_RECEPTION}
)
SCOPES = "^(this|rest)$"


def aware(value: datetime | None) -> datetime | None:
    """``value`` with its offset, or in the project's zone when it has none."""
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=local_zone())
    return value


def _text(value, field: str, limit: int, *, required: str | None = None) -> str:
    text = " ".join(str(value or "").split())
    if required and not text:
        raise ValidationFailed(required, field=field)
    if len(text) > limit:
        raise ValidationFailed(_l("At most %(n)d characters.", n=limit), field=field)
    return text


def check_times(starts: datetime, ends: datetime) -> None:
    """A booking's times: aware, from the year 2000 to 2100, ending after it
    starts, on the same local day and lasting at most 12 hours
    (``ValidationFailed`` on the field)."""
    if not 2000 <= starts.year <= 2100:
        raise ValidationFailed(_l("Please enter a date."), field="starts_at")
    if ends <= starts:
        raise ValidationFailed(_l("A booking ends after it starts."), field="ends_at")
    if ends - starts > MAX_LENGTH:
        raise ValidationFailed(_l("A booking lasts at most 12 hours."), field="ends_at")
    zone = local_zone()
    last = ends - timedelta(microseconds=1)
    if starts.astimezone(zone).date() != last.astimezone(zone).date():
        raise ValidationFailed(
            _l("A booking starts and ends on the same day."), field="ends_at"
        )


def check_outside_unit(outside_unit: str, service_type: str | None) -> None:
    """An outside unit is named only for a meeting or a visit received."""
    if outside_unit and service_type not in OUTSIDE_SERVICES:
        raise ValidationFailed(
            _l(
                "An outside unit books only for a meeting reception or a visit "
                "reception."
            ),
            field="outside_unit",
        )


# Weekly only (the API document names it BookingRecurrence, apart from the
# sessions' own).
class BookingRecurrence(BaseModel):
    model_config = ConfigDict(extra="forbid")

    freq: Literal["weekly"] = Field(description="Weekly only")
    count: int = Field(ge=2, le=MAX_OCCURRENCES)


Recurrence = BookingRecurrence


# Book a room once, or weekly ``recurrence.count`` times (the API document names
# it BookingIn). The service checks the room, the organization, the capacity and
# the overlap with confirmed bookings.
class BookingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    room_id: Id | None = Field(default=None, description="The room (or room)")
    room: str | None = Field(
        default=None,
        max_length=64,
        description="The room's name (or room_id); with community_id when names "
        "repeat across communities",
    )
    community_id: Id | None = Field(
        default=None, description="Where to look the room up by name"
    )
    starts_at: datetime = Field(description="ISO 8601; without offset: local time")
    ends_at: datetime
    organization_id: Id | None = Field(
        default=None, description="The organization booking; none: the agency"
    )
    outside_unit: str = Field(
        default="",
        max_length=100,
        description="An outside unit received (meeting_reception, visit_reception)",
    )
    purpose: str = Field(min_length=1, max_length=200)
    service_type: ServiceType
    expected_people: int = Field(default=0, ge=0, le=MAX_PEOPLE)
    recurrence: Recurrence | None = None

    @model_validator(mode="after")
    def _rules(self) -> BookingIn:
        self.starts_at = aware(self.starts_at)  # type: ignore[assignment]
        self.ends_at = aware(self.ends_at)  # type: ignore[assignment]
        if self.room_id is None and not (self.room or "").strip():
            raise ValidationFailed(_l("Please choose a room."), field="room_id")
        self.purpose = _text(
            self.purpose, "purpose", 200, required=_l("Say what the room is for.")
        )
        self.outside_unit = _text(self.outside_unit, "outside_unit", 100)
        check_times(self.starts_at, self.ends_at)
        check_outside_unit(self.outside_unit, self.service_type)
        if self.outside_unit and self.organization_id is not None:
            raise ValidationFailed(
                _l("Book for an organization or for an outside unit, not both."),
                field="outside_unit",
            )
        return self


# The fields of a booking a change may replace (with its times).
FIELDS = ("purpose", "service_type", "expected_people", "outside_unit")


class BookingChange(BaseModel):
    """Only the fields sent change; ``version`` is the one read (stale: 409)."""

    model_config = ConfigDict(title="BookingPatch", extra="forbid")

    room_id: Id | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    outside_unit: str | None = Field(default=None, max_length=100)
    purpose: str | None = Field(default=None, min_length=1, max_length=200)
    service_type: ServiceType | None = None
    expected_people: int | None = Field(default=None, ge=0, le=MAX_PEOPLE)
    version: int
    scope: str = Field(
        default="this",
        pattern=SCOPES,
        description="this occurrence, or it and the rest of its series",
    )

    @model_validator(mode="after")
    def _rules(self) -> BookingChange:
        sent = self.model_fields_set
        self.starts_at = aware(self.starts_at)
        self.ends_at = aware(self.ends_at)
        if "purpose" in sent:
            self.purpose = _text(
                self.purpose, "purpose", 200, required=_l("Say what the room is for.")
            )
        if "outside_unit" in sent:
            self.outside_unit = _text(self.outside_unit, "outside_unit", 100)
        for field in ("service_type", "expected_people"):
            if field in sent and getattr(self, field) is None:
                raise ValidationFailed(_l("Please fill this in."), field=field)
        if self.starts_at is not None and self.ends_at is not None:
            check_times(self.starts_at, self.ends_at)
        return self

    def changes(self) -> dict:
        """The booking's fields (``FIELDS``) this change sent."""
        values = {f: getattr(self, f) for f in FIELDS if f in self.model_fields_set}
        if "outside_unit" in values:
            values["outside_unit"] = values["outside_unit"] or ""
        return values


# Staff decide a leader's request (the API document names it DecisionIn).
class BookingDecision(BaseModel):
    model_config = ConfigDict(title="DecisionIn", extra="forbid")

    decision: Literal["approve", "refuse"]
    reason: str = Field(default="", max_length=2000)

    @model_validator(mode="after")
    def _rules(self) -> BookingDecision:
        self.reason = str(self.reason or "").strip()
        if self.decision == "refuse" and not self.reason:
            raise ValidationFailed(
                _l("Say why the booking is refused."), field="reason"
            )
        return self


# After the slot: was the room used, and by how many people (UseIn).
class BookingUse(BaseModel):
    model_config = ConfigDict(title="UseIn", extra="forbid")

    held: bool
    people: int | None = Field(default=None, ge=0, le=MAX_PEOPLE)

    @model_validator(mode="after")
    def _rules(self) -> BookingUse:
        if self.held and self.people is None:
            raise ValidationFailed(_l("How many people came?"), field="people")
        if not self.held:
            self.people = None
        return self


# Cancel one occurrence, or it and the rest of its series (BookingCancelIn).
class BookingCancel(BaseModel):
    model_config = ConfigDict(title="BookingCancelIn", extra="forbid")

    reason: str = Field(default="", max_length=2000)
    scope: str = Field(default="this", pattern=SCOPES)

    @model_validator(mode="after")
    def _rules(self) -> BookingCancel:
        self.reason = str(self.reason or "").strip()
        return self
