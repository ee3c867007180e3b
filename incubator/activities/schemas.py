"""The typed input of each activity use case: logging, changing and reviewing a log,
and adding a line to the resources ledger. The API takes these as request bodies, the
pages build them from their forms, the demo and tests construct them.

Each model checks everything that needs no database once, when it is built: a rule
it breaks raises ``ValidationFailed`` naming the field (pydantic lets the domain
error through), with the message pages and the API have always shown. The services
check the rest: the compound exists, the volunteers are on the roster, the states.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from incubator.activities.models import Form, ResourceKind, ServiceType, TargetGroup
from incubator.api.core import Id
from incubator.api.fields import patch_config
from incubator.errors import ValidationFailed
from incubator.i18n import local_date, local_today
from incubator.money import clean_money

MAX_PERSON_TIMES = 10_000
EARLIEST = date(2000, 1, 1)
MAX_DURATION = timedelta(hours=24)
MAX_SUMMARY = 5000  # characters of the write-up (活动内容)
# The fields of a log (what ``check_details`` checks and a change may replace).
DETAILS = (
    "title",
    "form",
    "service_type",
    "target_group",
    "starts_at",
    "ends_at",
    "compound_id",
    "room_id",
    "place",
    "person_times",
    "summary",
)


def runs_overnight(starts: datetime, ends: datetime) -> bool:
    """Whether an activity from ``starts`` to ``ends`` (aware datetimes) ends on a
    later calendar day than it starts, in the project's time zone."""
    return local_date(ends) > local_date(starts)


def _words(value) -> str:
    return " ".join(str(value or "").split())


def _choice(value) -> str | None:
    return getattr(value, "value", value)


def check_details(values: dict, *, overnight: bool = False) -> dict:
    """The fields of a log (``DETAILS``) checked and tidied, in the order a form
    shows them; raises ``ValidationFailed`` naming the first field that breaks a
    rule.

    ``overnight`` is the logger's explicit statement that the activity ran past
    midnight: without it an end on a later day than the start is refused (a
    09:00 to 08:00 slip must not become a 23-hour activity, issue 13); with it
    the activity still lasts at most ``MAX_DURATION`` (24 hours). A compound
    named (``compound``, resolved by the caller) counts as where it took place.
    """
    clean: dict[str, Any] = {}
    title = _words(values.get("title"))
    if not title:
        raise ValidationFailed(_l("Please enter the title."), field="title")
    if len(title) > 100:
        raise ValidationFailed(_l("At most %(n)d characters.", n=100), field="title")
    clean["title"] = title
    for field, enum in (
        ("form", Form),
        ("service_type", ServiceType),
        ("target_group", TargetGroup),
    ):
        value = _choice(values.get(field))
        if value not in {e.value for e in enum}:
            raise ValidationFailed(_l("Please choose one."), field=field)
        clean[field] = value
    starts, ends = values.get("starts_at"), values.get("ends_at")
    if not isinstance(starts, datetime) or starts.tzinfo is None:
        raise ValidationFailed(_l("Please enter when it started."), field="starts_at")
    if not isinstance(ends, datetime) or ends.tzinfo is None:
        raise ValidationFailed(_l("Please enter when it ended."), field="ends_at")
    starts_day: date | None
    ends_day: date | None
    try:
        starts_day, ends_day = local_date(starts), local_date(ends)
    except (OverflowError, ValueError):
        starts_day = ends_day = None
    if starts_day is None or starts_day < EARLIEST or ends_day is None:
        raise ValidationFailed(
            _l("The date must be between 2000 and today."), field="starts_at"
        )
    if ends < starts:
        raise ValidationFailed(
            _l("An activity cannot end before it starts."), field="ends_at"
        )
    if ends - starts > MAX_DURATION:
        raise ValidationFailed(
            _l("One log covers at most 24 hours; log longer activities day by day."),
            field="ends_at",
        )
    if runs_overnight(starts, ends) and not overnight:
        raise ValidationFailed(
            _l(
                "The activity ends on the next day. If it really ran past midnight, "
                "tick “Runs past midnight”; otherwise check the end time."
            ),
            field="ends_at",
        )
    if local_date(starts) > local_today():
        raise ValidationFailed(
            _l("Log an activity once it has taken place."), field="starts_at"
        )
    clean["starts_at"], clean["ends_at"] = starts, ends
    compound_id = values.get("compound_id")
    clean["compound_id"] = compound_id
    clean["room_id"] = values.get("room_id")
    place = _words(values.get("place"))
    if len(place) > 100:
        raise ValidationFailed(_l("At most %(n)d characters.", n=100), field="place")
    if (
        compound_id is None
        and clean["room_id"] is None
        and not _words(values.get("compound"))
        and not place
    ):
        raise ValidationFailed(
            _l("Say where: a compound or a room of the centre."), field="place"
        )
    clean["place"] = place
    person_times = values.get("person_times")
    if (
        isinstance(person_times, bool)
        or not isinstance(person_times, int)
        or not 0 <= person_times <= MAX_PERSON_TIMES
    ):
        raise ValidationFailed(
            _l("Person-times are a whole number from 0 to %(n)d.", n=MAX_PERSON_TIMES),
            field="person_times",
        )
    clean["person_times"] = person_times
    summary = str(values.get("summary") or "").strip()
    if len(summary) > MAX_SUMMARY:
        raise ValidationFailed(
            _l("At most %(n)d characters.", n=MAX_SUMMARY), field="summary"
        )
    clean["summary"] = summary
    return clean


# A volunteer who served at the activity and how long (checked against the
# roster and the day's other hours by the service). The API documents each
# model's docstring: the input models below keep comments instead.
class VolunteerHoursIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    volunteer_id: Id
    hours: str = Field(max_length=8, description='In steps of 0.5, e.g. "2.5"')


# What a log says.
class ActivityFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=100)
    form: Form
    service_type: ServiceType
    target_group: TargetGroup
    starts_at: datetime = Field(description="ISO 8601 with offset")
    ends_at: datetime
    overnight: bool = Field(
        default=False,
        strict=True,
        description="true if the activity runs past midnight: only then may "
        "ends_at fall on the next day (24 hours at most)",
    )
    compound_id: Id | None = None
    compound: str | None = Field(
        default=None, max_length=64, description="The compound's name (or compound_id)"
    )
    room_id: Id | None = Field(
        default=None, description="A room of the community's service centre"
    )
    place: str = Field(
        max_length=100,
        description="Where it took place; may be empty when a compound is given",
    )
    person_times: int = Field(ge=0, le=MAX_PERSON_TIMES)
    summary: str = Field(default="", max_length=MAX_SUMMARY)
    volunteer_hours: list[VolunteerHoursIn] = Field(
        default_factory=list, max_length=200
    )

    def details(self) -> dict:
        """The log's fields (``DETAILS``) with choices as their keys."""
        return {name: _choice(getattr(self, name)) for name in DETAILS}

    def hours(self) -> list[tuple[int, str]]:
        return [(v.volunteer_id, v.hours) for v in self.volunteer_hours]


# Log an activity (it waits for review). ``compound`` (a name) is resolved to
# ``compound_id`` by the caller before the service sees it.
class ActivityLog(ActivityFields):
    model_config = ConfigDict(title="ActivityCreate")

    organization_id: Id
    submission_key: str | None = Field(
        default=None,
        max_length=64,
        description="Send the same key again (a retry) to get the same activity back",
    )

    @model_validator(mode="after")
    def _rules(self) -> ActivityLog:
        clean = check_details(
            {**self.details(), "compound": self.compound}, overnight=self.overnight
        )
        self.title, self.place, self.summary = (
            clean["title"],
            clean["place"],
            clean["summary"],
        )
        return self


# Sent as null, these would leave a log without what it must have.
NOT_NULL = (
    "title",
    "form",
    "service_type",
    "target_group",
    "starts_at",
    "ends_at",
    "person_times",
)


# The service checks the log as it will be (``check_details``).
class ActivityChange(BaseModel):
    """Only the fields sent change; any change sends the log (back) to review."""

    model_config = patch_config("ActivityPatch", *NOT_NULL)

    version: int
    title: str | None = Field(default=None, min_length=1, max_length=100)
    form: Form | None = None
    service_type: ServiceType | None = None
    target_group: TargetGroup | None = None
    starts_at: datetime | None = Field(default=None, description="ISO 8601 with offset")
    ends_at: datetime | None = None
    compound_id: Id | None = None
    compound: str | None = Field(default=None, max_length=64)
    room_id: Id | None = None
    place: str | None = Field(default=None, max_length=100)
    person_times: int | None = Field(default=None, ge=0, le=MAX_PERSON_TIMES)
    summary: str | None = Field(default=None, max_length=MAX_SUMMARY)
    volunteer_hours: list[VolunteerHoursIn] | None = Field(
        default=None,
        max_length=200,
        description="When sent, replaces the list of volunteers' hours",
    )

    def changes(self) -> dict:
        """The log's fields (``DETAILS``) this change sent, choices as their keys
        (``compound``, a name, must be resolved to ``compound_id`` first)."""
        return {
            name: _choice(getattr(self, name))
            for name in DETAILS
            if name in self.model_fields_set
        }

    def hours(self) -> list[tuple[int, str]] | None:
        if self.volunteer_hours is None:
            return None
        return [(v.volunteer_id, v.hours) for v in self.volunteer_hours]


# Approve a log, or return it with a reason (the service refuses a return
# without one).
class ActivityReview(BaseModel):
    model_config = ConfigDict(title="ReviewIn", extra="forbid")

    decision: str = Field(pattern="^(approve|return)$")
    reason: str = Field(default="", max_length=2000)


# A line of the resources ledger: what a partner brought in, and its value.
class ResourceEntry(BaseModel):
    model_config = ConfigDict(title="ResourceIn", extra="forbid")

    partner: str = Field(min_length=1, max_length=100)
    kind: ResourceKind
    description: str = Field(default="", max_length=2000)
    value: str = Field(max_length=20, description='Yuan with fen, e.g. "1200.50"')
    valuation_basis: str = Field(default="", max_length=200)
    received_on: date
    organization_id: Id | None = None
    activity_id: Id | None = None
    community_id: Id | None = Field(
        default=None,
        description="Without an organization: the community it serves "
        "(default: the caller's one community)",
    )

    _amount: Decimal = PrivateAttr(default=Decimal("0"))

    @model_validator(mode="after")
    def _rules(self) -> ResourceEntry:
        partner = _words(self.partner)
        if not partner or len(partner) > 100:
            raise ValidationFailed(
                _l("Name the partner (at most 100 characters)."), field="partner"
            )
        self.partner = partner
        self._amount = clean_money(self.value)
        if self.received_on > local_today():
            raise ValidationFailed(
                _l("The date cannot be in the future."), field="received_on"
            )
        self.description = self.description.strip()[:2000]
        self.valuation_basis = _words(self.valuation_basis)[:200]
        return self

    @property
    def amount(self) -> Decimal:
        """``value`` as yuan with fen."""
        return self._amount
