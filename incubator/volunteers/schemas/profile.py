"""How to reach a volunteer and what they offer: the phone number (mobile or
landline), skills, availability, and the rule for the days a volunteer record
names (joined, left, guardian's consent): none in the future."""

from __future__ import annotations

import re
from datetime import date

from flask_babel import lazy_gettext as _l

from incubator.errors import ValidationFailed
from incubator.i18n import local_today
from incubator.normalize import phone_text
from incubator.volunteers.models import Availability

MOBILE = re.compile(r"1[3-9][0-9]{9}")
LANDLINE = re.compile(r"0[0-9]{2,3}[0-9]{7,8}")
MAX_SKILLS = 12


def clean_phone(value, *, required: bool = True) -> str | None:
    """A mobile or landline number, normalized (``incubator.normalize.phone_text``:
    full-width digits, blanks, dashes and ``+86`` dropped) before it is checked,
    compared and stored."""
    phone = phone_text(value)
    if not phone:
        if required:
            raise ValidationFailed(_l("Please enter the phone number."), field="phone")
        return None
    if not (MOBILE.fullmatch(phone) or LANDLINE.fullmatch(phone)):
        raise ValidationFailed(
            _l(
                "A phone number is a mobile number of 11 digits starting with 1, or a "
                "landline with its area code."
            ),
            field="phone",
        )
    return phone


def clean_skills(value) -> list[str]:
    if isinstance(value, str):
        parts = re.split(r"[、,，;；/\s]+", value)
    else:
        parts = list(value or [])
    skills = []
    for part in parts:
        skill = str(part).strip()
        if not skill:
            continue
        if len(skill) > 32:
            raise ValidationFailed(
                _l("A skill may have at most %(n)d characters.", n=32), field="skills"
            )
        if skill not in skills:
            skills.append(skill)
    if len(skills) > MAX_SKILLS:
        raise ValidationFailed(
            _l("At most %(n)d skills.", n=MAX_SKILLS), field="skills"
        )
    return skills


AVAILABILITY_ALIASES = {
    "工作日白天": Availability.WEEKDAY_DAYTIME,
    "工作日晚上": Availability.WEEKDAY_EVENING,
    "周末": Availability.WEEKEND,
}


def clean_availability(value) -> list[str]:
    if isinstance(value, str):
        parts = [p.strip() for p in re.split(r"[、,，;；/\s]+", value) if p.strip()]
    else:
        parts = list(value or [])
    known = {a.value for a in Availability}
    result = []
    for part in parts:
        key = AVAILABILITY_ALIASES.get(part, part)
        key = key.value if isinstance(key, Availability) else key
        if key not in known:
            raise ValidationFailed(
                _l("Availability is 工作日白天, 工作日晚上 or 周末."),
                field="availability",
            )
        if key not in result:
            result.append(key)
    return result


def clean_past_date(value: date | None, field: str) -> date | None:
    if value is not None and value > local_today():
        raise ValidationFailed(_l("The date cannot be in the future."), field=field)
    return value
