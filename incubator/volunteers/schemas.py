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
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StrictInt,
    model_validator,
)

from incubator.api.core import Id
from incubator.api.fields import not_null_in_schema
from incubator.errors import ValidationFailed
from incubator.i18n import local_today
from incubator.normalize import (
    DIGITS_MESSAGE,
    clean_text,
    decimal_or_none,
    id_birth_date,
    id_birth_date_text,
    id_number_text,
    parse_whole,
    phone_text,
    refuse_bidi_controls,
)
from incubator.volunteers.models import (
    Availability,
    Gender,
    MemberRole,
    VolunteerStatus,
)

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


# ---- a volunteer ----

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


class VolunteerFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    gender: Gender = Gender.UNKNOWN
    id_number: str | None = Field(default=None, max_length=18)
    compound_id: Id | None = None
    compound: str | None = Field(
        default=None, max_length=64, description="The compound's name (or compound_id)"
    )
    skills: list[str] = Field(default_factory=list, max_length=12)
    availability: list[Availability] = Field(default_factory=list)
    joined_on: date | None = None
    guardian_name: str | None = Field(default=None, max_length=32)
    guardian_consent_on: date | None = None
    notes: str = Field(default="", max_length=2000)


# Add a volunteer to the roster, and to an organization when one is named. The
# fields are checked together (``volunteer_rules``) when it is built: ``values()``
# holds them checked and normalized. ``compound`` (a name) is resolved to
# ``compound_id`` by the caller; the service checks the compound exists and the
# phone and ID number are not on the roster yet.
class VolunteerRegistration(VolunteerFields):
    model_config = ConfigDict(title="VolunteerCreate")

    name: str = Field(min_length=1, max_length=32)
    birth_year: int
    phone: str = Field(min_length=1, max_length=20)
    organization_id: Id | None = Field(
        default=None, description="Joins this organization"
    )
    role: MemberRole = MemberRole.MEMBER
    community_id: Id | None = Field(
        default=None,
        description="Without an organization or compound: the community served "
        "(default: the caller's one community)",
    )

    _clean: dict = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _rules(self):
        self._clean = volunteer_rules(
            {name: getattr(self, name, None) for name in FIELDS}
        )
        return self

    def values(self) -> dict:
        """The volunteer's fields (``FIELDS``) checked and normalized, choices
        as their keys."""
        return dict(self._clean)

    def with_compound_id(self, compound_id: int | None):
        """This registration with ``compound`` (a name, resolved by the caller)
        replaced by ``compound_id``."""
        copy = self.model_copy(update={"compound_id": compound_id, "compound": None})
        copy._clean = {**self._clean, "compound_id": compound_id}
        return copy


# A registration typed on the roster page, which may also record a volunteer
# who has already left (the API registers active volunteers only).
class RosterRegistration(VolunteerRegistration):
    status: VolunteerStatus = VolunteerStatus.ACTIVE
    left_on: date | None = None


VOLUNTEER_NOT_NULL = ("name", "birth_year", "phone", "gender", "status")


# Change a volunteer: only the fields sent change. The rules bind fields
# together (the ID number's birth date and the birth year, a guardian under 14,
# the leaving date after the joining date), so the service checks the volunteer
# as it will be (``volunteer_rules``), not the change alone.
class VolunteerChange(BaseModel):
    model_config = ConfigDict(
        title="VolunteerPatch",
        extra="forbid",
        json_schema_extra=not_null_in_schema(*VOLUNTEER_NOT_NULL),
    )

    version: int
    name: str | None = Field(default=None, min_length=1, max_length=32)
    gender: Gender | None = None
    birth_year: int | None = None
    phone: str | None = Field(default=None, max_length=20)
    id_number: str | None = Field(default=None, max_length=18)
    compound_id: Id | None = None
    compound: str | None = Field(
        default=None, max_length=64, description="The compound's name (or compound_id)"
    )
    skills: list[str] | None = Field(default=None, max_length=12)
    availability: list[Availability] | None = None
    joined_on: date | None = None
    status: VolunteerStatus | None = None
    left_on: date | None = None
    guardian_name: str | None = Field(default=None, max_length=32)
    guardian_consent_on: date | None = None
    notes: str | None = Field(default=None, max_length=2000)


class VolunteerSearch(BaseModel):
    """Search by name in the body, so names never travel in a URL."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, max_length=32)
    phone_tail: str | None = Field(default=None, pattern=r"^[0-9]{4}$")
    # JSON numbers only: false is not a page number.
    page: StrictInt = 1
    per_page: StrictInt = 50


# ---- memberships ----


# Add a volunteer to an organization's roster (the service refuses a second
# open membership of the same organization).
class MembershipEntry(BaseModel):
    model_config = ConfigDict(title="MemberIn", extra="forbid")

    volunteer_id: Id
    role: MemberRole = MemberRole.MEMBER
    joined_on: date | None = None

    @model_validator(mode="after")
    def _rules(self):
        clean_past_date(self.joined_on, "joined_on")
        return self


# ---- service hours ----

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
