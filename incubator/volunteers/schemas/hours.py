"""Service hours: recording hours of service on a day and correcting an entry,
and the rules of hours (half-hour steps, at most a day's 24), the service done,
the day served and a correction's reason."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from incubator.api.core import Id
from incubator.errors import ValidationFailed
from incubator.i18n import local_today
from incubator.normalize import decimal_or_none

STEP = Decimal("0.5")
DAY_LIMIT = Decimal("24")


def clean_hours(value, *, allow_zero: bool = False) -> Decimal:
    """Hours of one day, in half-hour steps, as ``Decimal("2.5")``; typed text is
    normalized (``incubator.normalize.parse_decimal``: full-width digits yes,
    exponents and other scripts' digits no)."""
    hours = decimal_or_none(value, "hours")
    if hours is None:
        raise ValidationFailed(_l("Hours are a number such as 2.5."), field="hours")
    if hours < 0 or (hours == 0 and not allow_zero):
        raise ValidationFailed(_l("Hours must be more than 0."), field="hours")
    if hours > DAY_LIMIT:
        raise ValidationFailed(
            _l("At most 24 hours can be recorded for one day."), field="hours"
        )
    if hours % STEP != 0:
        raise ValidationFailed(
            _l("Hours are recorded in steps of half an hour (0.5)."), field="hours"
        )
    return hours.quantize(Decimal("0.1"))


def clean_service(service: str | None) -> str:
    service = " ".join((service or "").split())
    if not service:
        raise ValidationFailed(_l("Say what service was done."), field="service")
    if len(service) > 200:
        raise ValidationFailed(_l("At most %(n)d characters.", n=200), field="service")
    return service


def clean_served_on(day: date | None) -> date:
    if day is None:
        raise ValidationFailed(_l("Please enter the date."), field="served_on")
    if day > local_today():
        raise ValidationFailed(
            _l("The date cannot be in the future."), field="served_on"
        )
    return day


def clean_reason(reason: str | None) -> str:
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationFailed(_l("A correction needs a reason."), field="reason")
    return reason


# Record hours of service on a day (the service checks the volunteer was a
# member that day and the day's 24 hours).
class HoursEntry(BaseModel):
    model_config = ConfigDict(title="HoursIn", extra="forbid")

    volunteer_id: Id
    organization_id: Id
    served_on: date
    hours: str = Field(description='In steps of 0.5, e.g. "2.5"', max_length=8)
    service: str = Field(min_length=1, max_length=200)

    _hours: Decimal = PrivateAttr(default=Decimal("0"))

    @model_validator(mode="after")
    def _rules(self):
        self._hours = clean_hours(self.hours)
        self.served_on = clean_served_on(self.served_on)
        self.service = clean_service(self.service)
        return self

    @property
    def amount(self) -> Decimal:
        """``hours`` as a number of hours."""
        return self._hours


# Correct an entry: a new entry replaces it, both are kept; what is not sent
# stays as the entry had it (0 hours voids it).
class HoursCorrection(BaseModel):
    model_config = ConfigDict(title="CorrectionIn", extra="forbid")

    reason: str = Field(min_length=1, max_length=500)
    hours: str | None = Field(default=None, max_length=8)
    served_on: date | None = None
    service: str | None = Field(default=None, max_length=200)
