"""The typed input of each volunteer use case: registering a volunteer, changing
one, adding a member to an organization, recording and correcting service hours,
searching the roster. The API takes these as request bodies, the pages build them
from their forms (``incubator.forms.form_input``), the demo and tests construct
them; the roster import checks each cell with the same field rules.

A rule that needs no database raises ``ValidationFailed`` naming the field, with
the message pages and the API have always shown (pydantic lets the domain error
through). The services check the rest: the compound exists, a phone or ID number
already on the roster, memberships, the day's hours, states.

Messages never repeat a phone or ID number: personal data stays out of messages
and logs. The document names the bodies as before (``title=``): /openapi.json
does not change.

One module per use case: ``registration`` (registering and changing a
volunteer), ``search``, ``membership``, ``hours``; the field rules they share are
``identity`` (name, gender, birth year, ID number), ``profile`` (phone, skills,
availability, past days) and ``guardians``, checked together by ``rules``.
Import from here.
"""

from incubator.volunteers.schemas.guardians import (
    GUARDIAN_AGE,
    check_guardian,
    needs_guardian,
)
from incubator.volunteers.schemas.hours import (
    DAY_LIMIT,
    STEP,
    HoursCorrection,
    HoursEntry,
    clean_hours,
    clean_reason,
    clean_served_on,
    clean_service,
)
from incubator.volunteers.schemas.identity import (
    ID_CHECK,
    ID_NUMBER,
    ID_WEIGHTS,
    clean_birth_year,
    clean_gender,
    clean_id_number,
    clean_name,
    id_number_checksum_ok,
)
from incubator.volunteers.schemas.membership import MembershipEntry
from incubator.volunteers.schemas.profile import (
    AVAILABILITY_ALIASES,
    LANDLINE,
    MAX_SKILLS,
    MOBILE,
    clean_availability,
    clean_past_date,
    clean_phone,
    clean_skills,
)
from incubator.volunteers.schemas.registration import (
    VOLUNTEER_NOT_NULL,
    RosterRegistration,
    VolunteerChange,
    VolunteerFields,
    VolunteerRegistration,
)
from incubator.volunteers.schemas.rules import FIELDS, volunteer_rules
from incubator.volunteers.schemas.search import VolunteerSearch

__all__ = [
    "AVAILABILITY_ALIASES",
    "DAY_LIMIT",
    "FIELDS",
    "GUARDIAN_AGE",
    "ID_CHECK",
    "ID_NUMBER",
    "ID_WEIGHTS",
    "LANDLINE",
    "MAX_SKILLS",
    "MOBILE",
    "STEP",
    "VOLUNTEER_NOT_NULL",
    "HoursCorrection",
    "HoursEntry",
    "MembershipEntry",
    "RosterRegistration",
    "VolunteerChange",
    "VolunteerFields",
    "VolunteerRegistration",
    "VolunteerSearch",
    "check_guardian",
    "clean_availability",
    "clean_birth_year",
    "clean_gender",
    "clean_hours",
    "clean_id_number",
    "clean_name",
    "clean_past_date",
    "clean_phone",
    "clean_reason",
    "clean_served_on",
    "clean_service",
    "clean_skills",
    "id_number_checksum_ok",
    "needs_guardian",
    "volunteer_rules",
]
