"""A volunteer under 14 needs a guardian's consent: who counts as under 14, and
the check that the guardian's name and the day of consent are given."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l

from incubator.errors import ValidationFailed
from incubator.i18n import local_today

GUARDIAN_AGE = 14


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
