"""The typed input of signing in: one attendee (name and mobile number), as the
public page, a paper sheet typed by staff, an Excel import and the API give it.

A rule that needs no database raises ``ValidationFailed`` naming the field
(pydantic lets the domain error through), with a message that never repeats the
number: personal data stays out of messages and logs.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, ConfigDict, Field, field_validator

from incubator.errors import ValidationFailed
from incubator.normalize import clean_text, refuse_bidi_controls
from incubator.security import has_control_chars
from incubator.signins.identity import normalize_mobile

NAME_MAX = 50
# What a phone field may hold as typed (blanks, dashes, +86, full-width digits).
PHONE_MAX = 40


def clean_attendee_name(value) -> str:
    """The name as typed, folded and with its blanks collapsed; refuses empty,
    over-long and control or direction-control characters."""
    if value is not None and not isinstance(value, str):
        raise ValidationFailed(_l("Please enter your name."), field="name")
    text = value or ""
    if has_control_chars(text) or any(c in text for c in "\t\r\n"):
        raise ValidationFailed(_l("Control characters are not allowed."), field="name")
    refuse_bidi_controls(text, "name")
    name = " ".join(clean_text(text).split())
    if not name:
        raise ValidationFailed(_l("Please enter your name."), field="name")
    if len(name) > NAME_MAX:
        raise ValidationFailed(
            _l("The name may have at most %(n)d characters.", n=NAME_MAX),
            field="name",
        )
    return name


def clean_attendee_phone(value) -> str:
    """The 11-digit mobile number (``identity.normalize_mobile``)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a spreadsheet cell holding the number
    if isinstance(value, bool) or not isinstance(value, str | int):
        value = ""
    text = str(value)
    if has_control_chars(text) or len(text) > PHONE_MAX:
        raise ValidationFailed(
            _l("Please enter an 11-digit mobile number starting with 1."),
            field="phone",
        )
    return normalize_mobile(text)


class AttendeeIn(BaseModel):
    """One resident signing in: ``name`` (1 to 50 characters) and ``phone``, a
    mainland mobile number however typed; after validation ``phone`` holds its
    11 digits."""

    model_config = ConfigDict(extra="forbid", title="AttendeeCreate")

    name: str = Field(min_length=1, max_length=NAME_MAX)
    phone: str = Field(
        min_length=1,
        max_length=PHONE_MAX,
        description="A mainland mobile number; +86, blanks and dashes allowed",
    )

    @field_validator("name", mode="before")
    @classmethod
    def _name(cls, value):
        return clean_attendee_name(value)

    @field_validator("phone", mode="before")
    @classmethod
    def _phone(cls, value):
        return clean_attendee_phone(value)
