"""A volunteer's fields checked together (``volunteer_rules``): what a
registration, a change (the volunteer as it will be) and each row of the roster
import must satisfy before the service looks at the database."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from incubator.errors import ValidationFailed
from incubator.i18n import local_today
from incubator.volunteers.models import VolunteerStatus
from incubator.volunteers.schemas.guardians import check_guardian
from incubator.volunteers.schemas.identity import (
    clean_birth_year,
    clean_gender,
    clean_id_number,
    clean_name,
)
from incubator.volunteers.schemas.profile import (
    clean_availability,
    clean_past_date,
    clean_phone,
    clean_skills,
)

# The fields of a volunteer a registration or a change may set.
FIELDS = (
    "name",
    "gender",
    "birth_year",
    "phone",
    "id_number",
    "compound_id",
    "skills",
    "availability",
    "joined_on",
    "status",
    "left_on",
    "guardian_name",
    "guardian_consent_on",
    "notes",
)


def _choice(value):
    return getattr(value, "value", value)


def volunteer_rules(values: dict) -> dict:
    """A volunteer's fields (``FIELDS``; a missing one counts as blank) checked
    and normalized in the order a form shows them; raises ``ValidationFailed``
    naming the first field that breaks a rule. Whether ``compound_id`` exists is
    the service's to check (it needs the database)."""
    clean: dict[str, Any] = {
        "name": clean_name(values.get("name")),
        "gender": clean_gender(_choice(values.get("gender"))),
        "birth_year": clean_birth_year(values.get("birth_year")),
        "phone": clean_phone(values.get("phone")),
    }
    clean["id_number"] = clean_id_number(
        values.get("id_number"), birth_year=clean["birth_year"]
    )
    clean["compound_id"] = values.get("compound_id")
    clean["skills"] = clean_skills(values.get("skills"))
    clean["availability"] = clean_availability(
        [_choice(a) for a in values.get("availability") or []]
    )
    clean["joined_on"] = clean_past_date(values.get("joined_on"), "joined_on")
    status = _choice(values.get("status")) or VolunteerStatus.ACTIVE
    if status not in {s.value for s in VolunteerStatus}:
        raise ValidationFailed(_l("Unknown status."), field="status")
    clean["status"] = status
    left_on = clean_past_date(values.get("left_on"), "left_on")
    if status == VolunteerStatus.LEFT and left_on is None:
        left_on = local_today()
    clean["left_on"] = left_on if status == VolunteerStatus.LEFT else None
    joined_on = clean["joined_on"]
    if clean["left_on"] and joined_on and clean["left_on"] < joined_on:
        raise ValidationFailed(
            _l("The leaving date is before the joining date."), field="left_on"
        )
    guardian_name = values.get("guardian_name")
    guardian = clean_name(guardian_name, "guardian_name") if guardian_name else None
    consent = clean_past_date(values.get("guardian_consent_on"), "guardian_consent_on")
    check_guardian(clean["birth_year"], guardian, consent, clean["id_number"])
    clean["guardian_name"], clean["guardian_consent_on"] = guardian, consent
    notes = (values.get("notes") or "").strip()
    if len(notes) > 2000:
        raise ValidationFailed(_l("At most %(n)d characters.", n=2000), field="notes")
    clean["notes"] = notes
    return clean
