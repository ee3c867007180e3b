"""The typed input of session use cases: scheduling a session (or a series),
changing one occurrence or the rest of its series, cancelling, registering an
organization's members and recording attendance. The API takes these as request
bodies, the pages build them from their forms, the demo and tests construct them.

Each checks once, when built, what needs no database: a rule it breaks raises
``ValidationFailed`` naming the field (pydantic lets the domain error through),
with the message pages and the API have always shown. The services check the rest:
the dimension is configured, the organizations exist and are invited, the
capacity against the registrations, the states."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from incubator.api.core import Id
from incubator.errors import ValidationFailed
from incubator.normalize import DIGITS_MESSAGE, parse_decimal
from incubator.sessions.models import Freq

MAX_OCCURRENCES = 52
MAX_CAPACITY = 1000
MAX_LENGTH = timedelta(hours=12)
# The texts of a session and their limits (after trimming).
TEXTS = (("topic", 5000), ("trainer", 100), ("place", 100))


def _title(value) -> str:
    title = " ".join(str(value or "").split())
    if not title or len(title) > 100:
        raise ValidationFailed(
            _l("Give the session a title (at most 100 characters)."), field="title"
        )
    return title


def _text(value, field: str, limit: int) -> str:
    text = str(value or "").strip()
    if len(text) > limit:
        raise ValidationFailed(_l("At most %(n)d characters.", n=limit), field=field)
    return text


def _capacity(value) -> int:
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or not 1 <= value <= MAX_CAPACITY
    ):
        raise ValidationFailed(
            _l("Capacity is a whole number from 1 to %(n)d.", n=MAX_CAPACITY),
            field="capacity",
        )
    return value


def _people(value, field: str) -> int:
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or not 0 <= value <= MAX_CAPACITY
    ):
        raise ValidationFailed(_l("A whole number of people."), field=field)
    return value


def _starts(starts) -> None:
    if not isinstance(starts, datetime) or starts.tzinfo is None:
        raise ValidationFailed(_l("Please enter when it starts."), field="starts_at")


def _ends(ends) -> None:
    if not isinstance(ends, datetime) or ends.tzinfo is None:
        raise ValidationFailed(_l("Please enter when it ends."), field="ends_at")


def _year(starts: datetime) -> None:
    if not 2000 <= starts.year <= 2100:
        raise ValidationFailed(_l("Please enter a date."), field="starts_at")


def check_times(starts, ends) -> None:
    """A session's times: aware, from the year 2000 to 2100, ending after it
    starts and lasting at most 12 hours (``ValidationFailed`` on the field)."""
    _starts(starts)
    _ends(ends)
    _year(starts)
    if ends <= starts:
        raise ValidationFailed(_l("A session ends after it starts."), field="ends_at")
    if ends - starts > MAX_LENGTH:
        raise ValidationFailed(_l("A session lasts at most 12 hours."), field="ends_at")


class Recurrence(BaseModel):
    model_config = ConfigDict(extra="forbid")

    freq: Freq
    count: int = Field(ge=2, le=MAX_OCCURRENCES)


def recurrence_of(freq: str | None, count: int | None) -> Recurrence | None:
    """A page's "repeat" and "number of occurrences" as a ``Recurrence`` (or
    none), refused in the words pages have always shown."""
    if not freq:
        return None
    if freq not in {f.value for f in Freq}:
        raise ValidationFailed(_l("Weekly or monthly."), field="recurrence")
    if (
        isinstance(count, bool)
        or not isinstance(count, int)
        or not 2 <= count <= MAX_OCCURRENCES
    ):
        raise ValidationFailed(
            _l("A series has 2 to %(n)d occurrences.", n=MAX_OCCURRENCES),
            field="recurrence",
        )
    return Recurrence(freq=Freq(freq), count=count)


# What a session says; the times are checked with ``check_times``.
class SessionFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=100)
    topic: str = Field(default="", max_length=5000)
    dimension: str = Field(default="", max_length=32, description="A dimension key")
    trainer: str = Field(default="", max_length=100)
    starts_at: datetime = Field(description="ISO 8601 with offset")
    ends_at: datetime
    place: str = Field(default="", max_length=100)
    room_id: Id | None = Field(
        default=None,
        description="Held in a room of the community's centre: the session books it",
    )
    capacity: int = Field(ge=1, le=MAX_CAPACITY)
    organization_ids: list[Id] = Field(default_factory=list, max_length=200)

    @model_validator(mode="after")
    def _rules(self) -> SessionFields:
        self.title = _title(self.title)
        for field, limit in TEXTS:
            setattr(self, field, _text(getattr(self, field), field, limit))
        self.capacity = _capacity(self.capacity)
        check_times(self.starts_at, self.ends_at)
        return self

    def details(self) -> dict:
        """The session's fields stored as they are (not its times or invitations)."""
        return {
            "title": self.title,
            "topic": self.topic,
            "dimension": self.dimension,
            "trainer": self.trainer,
            "place": self.place,
            "room_id": self.room_id,
            "capacity": self.capacity,
        }


# Schedule a session, or a weekly or monthly series of them (the API document
# names it SessionIn). The service checks the dimension and the organizations.
class SessionSchedule(SessionFields):
    model_config = ConfigDict(title="SessionIn")

    recurrence: Recurrence | None = None
    community_id: Id | None = Field(
        default=None,
        description="The community it serves (default: the caller's one community)",
    )


# The fields of a session a change may replace (with its times and invitations).
FIELDS = ("title", "topic", "dimension", "trainer", "place", "room_id", "capacity")


class SessionChange(BaseModel):
    """Only the fields sent change."""

    model_config = ConfigDict(title="SessionPatch", extra="forbid")

    title: str | None = Field(default=None, min_length=1, max_length=100)
    topic: str | None = Field(default=None, max_length=5000)
    dimension: str | None = Field(default=None, max_length=32)
    trainer: str | None = Field(default=None, max_length=100)
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    place: str | None = Field(default=None, max_length=100)
    room_id: Id | None = None
    capacity: int | None = Field(default=None, ge=1, le=MAX_CAPACITY)
    organization_ids: list[Id] | None = Field(default=None, max_length=200)
    version: int
    scope: str = Field(
        default="this",
        pattern="^(this|following)$",
        description="this occurrence, or it and the rest of its series",
    )

    @model_validator(mode="after")
    def _rules(self) -> SessionChange:
        # A field sent (even as null) is checked as the session will hold it;
        # the times the service checks again with the session's own.
        sent = self.model_fields_set
        if "title" in sent:
            self.title = _title(self.title)
        for field, limit in TEXTS:
            if field in sent:
                setattr(self, field, _text(getattr(self, field), field, limit))
        if "capacity" in sent:
            self.capacity = _capacity(self.capacity)
        if self.starts_at is not None:
            _starts(self.starts_at)
        if self.ends_at is not None:
            _ends(self.ends_at)
        if self.starts_at is not None:
            _year(self.starts_at)
        if self.starts_at is not None and self.ends_at is not None:
            check_times(self.starts_at, self.ends_at)
        return self

    def changes(self) -> dict:
        """The session's fields (``FIELDS``) this change sent (a dimension sent as
        null is none)."""
        values = {f: getattr(self, f) for f in FIELDS if f in self.model_fields_set}
        if "dimension" in values:
            values["dimension"] = values["dimension"] or ""
        return values


# Cancel one occurrence, or it and the rest of its series (the API document names
# it CancelIn).
class SessionCancellation(BaseModel):
    model_config = ConfigDict(title="CancelIn", extra="forbid")

    reason: str = Field(min_length=1, max_length=2000)
    scope: str = Field(default="this", pattern="^(this|following)$")

    @model_validator(mode="after")
    def _rules(self) -> SessionCancellation:
        self.reason = self.reason.strip()
        if not self.reason:
            raise ValidationFailed(_l("Say why it is cancelled."), field="reason")
        return self


# How many members of an invited organization will come (0 withdraws); the
# service checks the invitation and the places left (the API document names it
# RegistrationIn).
class Registration(BaseModel):
    model_config = ConfigDict(title="RegistrationIn", extra="forbid")

    organization_id: Id
    count: int = Field(ge=0, le=MAX_CAPACITY)

    @model_validator(mode="after")
    def _rules(self) -> Registration:
        if isinstance(self.count, bool) or self.count < 0:
            raise ValidationFailed(_l("A whole number of people."), field="count")
        return self


def clean_score(value) -> Decimal:
    """An average feedback score from 1 to 5, to one decimal place."""
    try:
        score = parse_decimal(value, "feedback_score")
    except ValidationFailed as exc:
        if exc.message is DIGITS_MESSAGE:
            raise
        score = None
    if score is None or not 1 <= score <= 5:
        raise ValidationFailed(
            _l("The average feedback score is from 1 to 5."), field="feedback_score"
        )
    return score.quantize(Decimal("0.1"))


# Who came: a headcount for an invited organization or its named members,
# people from no organization, the average feedback (the API document names it
# AttendanceIn). The service checks the invitation, the roster and the capacity.
class Attendance(BaseModel):
    model_config = ConfigDict(title="AttendanceIn", extra="forbid")

    organization_id: Id | None = None
    attendees: int | None = Field(default=None, ge=0, le=MAX_CAPACITY)
    volunteer_ids: list[Id] | None = Field(
        default=None, max_length=1000, description="Named members from the roster"
    )
    walk_ins: int | None = Field(default=None, ge=0, le=MAX_CAPACITY)
    feedback_score: str | None = Field(default=None, max_length=5, description="1-5")
    override: bool = Field(
        default=False, description="Record more than the capacity on purpose"
    )

    _score: Decimal | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _rules(self) -> Attendance:
        # Named members give the count; a headcount is given as one.
        if self.organization_id is not None and self.volunteer_ids is None:
            _people(self.attendees, "attendees")
        if self.walk_ins is not None:
            _people(self.walk_ins, "walk_ins")
        if self.feedback_score not in (None, ""):
            self._score = clean_score(self.feedback_score)
        return self

    @property
    def score(self) -> Decimal | None:
        """``feedback_score`` as a number from 1 to 5 (none when not given)."""
        return self._score
