"""Who a volunteer is: the name, gender, birth year and resident ID number rules
(GB 11643-1999: check digit, a possible birth date, the birth year it gives).
Messages never repeat an ID number."""

from __future__ import annotations

import re

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
    refuse_bidi_controls,
)
from incubator.volunteers.models import Gender

ID_NUMBER = re.compile(r"[0-9]{17}[0-9X]")
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"


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
