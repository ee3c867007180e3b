"""Checking a volunteer's fields; shared by the forms, the API and the Excel import.

Messages never repeat a phone or ID number: personal data stays out of messages
and logs.
"""

from __future__ import annotations

import re
from datetime import date

from flask_babel import lazy_gettext as _l

from incubator.errors import ValidationFailed
from incubator.i18n import local_today
from incubator.normalize import (
    DIGITS_MESSAGE,
    clean_text,
    id_birth_date,
    id_birth_date_text,
    id_number_text,
    parse_whole,
    phone_text,
    refuse_bidi_controls,
)
from incubator.volunteers.models import Availability, Gender

MOBILE = re.compile(r"1[3-9][0-9]{9}")
LANDLINE = re.compile(r"0[0-9]{2,3}[0-9]{7,8}")
ID_NUMBER = re.compile(r"[0-9]{17}[0-9X]")
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
GUARDIAN_AGE = 14
MAX_SKILLS = 12


def clean_name(value, field: str = "name") -> str:
    refuse_bidi_controls(value, field)
    name = " ".join(clean_text(str(value or "")).split())
    if not name:
        raise ValidationFailed(_l("Please enter the name."), field="name")
    if len(name) > 32:
        raise ValidationFailed(
            _l("The name may have at most %(n)d characters.", n=32), field="name"
        )
    return name


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


def id_number_checksum_ok(value: str) -> bool:
    total = sum(int(d) * w for d, w in zip(value[:17], ID_WEIGHTS, strict=True))
    return ID_CHECK[total % 11] == value[17]


def clean_id_number(value, *, birth_year: int | None) -> str | None:
    """An 18-character resident ID number (GB 11643-1999), normalized
    (full-width digits, blanks, a lower-case ``x``), with a right check digit, a
    birth date that exists and is not in the future, and, when ``birth_year`` is
    given, that year. ``None`` for blank."""
    text = id_number_text(value)
    if not text:
        return None
    if not ID_NUMBER.fullmatch(text) or not id_number_checksum_ok(text):
        raise ValidationFailed(
            _l("The ID number is not a valid 18-character resident ID number."),
            field="id_number",
        )
    born = id_birth_date(text)
    if born is None or born.year < 1900 or born > local_today():
        raise ValidationFailed(
            _l(
                "The birth date in the ID number, %(day)s, is not a possible date "
                "of birth.",
                day=id_birth_date_text(text),
            ),
            field="id_number",
        )
    if birth_year is not None and born.year != birth_year:
        raise ValidationFailed(
            _l(
                "The ID number gives the birth date %(day)s, which does not match "
                "the birth year %(year)s.",
                day=born.isoformat(),
                year=birth_year,
            ),
            field="id_number",
        )
    return text


def clean_birth_year(value) -> int:
    try:
        year = parse_whole(value, "birth_year")
    except ValidationFailed as exc:
        if exc.message is not DIGITS_MESSAGE:
            exc = ValidationFailed(
                _l("The birth year is a year such as 1960."), field="birth_year"
            )
        raise exc from None
    if year is None:
        raise ValidationFailed(
            _l("The birth year is a year such as 1960."), field="birth_year"
        )
    if not 1900 <= year <= local_today().year:
        raise ValidationFailed(
            _l("The birth year must be between 1900 and this year."), field="birth_year"
        )
    return year


def clean_gender(value) -> str:
    text = str(value or "").strip()
    aliases = {"女": Gender.FEMALE, "男": Gender.MALE, "": Gender.UNKNOWN}
    if text in aliases:
        return aliases[text].value
    if text in {g.value for g in Gender}:
        return text
    raise ValidationFailed(_l("Gender is 男, 女 or blank."), field="gender")


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


def needs_guardian(birth_year: int, id_number: str | None = None) -> bool:
    """Under 14 today. With an ID number the birth date is known; with only the
    year, anyone who may still be 13 counts as under 14."""
    today = local_today()
    if id_number:
        try:
            born = date(
                int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14])
            )
        except ValueError:
            born = None
        if born is not None:
            age = (
                today.year
                - born.year
                - ((today.month, today.day) < (born.month, born.day))
            )
            return age < GUARDIAN_AGE
    return today.year - birth_year <= GUARDIAN_AGE


def check_guardian(
    birth_year: int, guardian_name, consent_on, id_number: str | None = None
) -> None:
    """Under 14: a guardian's name and the date of their consent are required."""
    if needs_guardian(birth_year, id_number) and (
        not (guardian_name or "").strip() or consent_on is None
    ):
        raise ValidationFailed(
            _l(
                "A volunteer under 14 needs a guardian's consent: enter the guardian's "
                "name and the date of consent."
            ),
            field="guardian_name",
        )
