"""The typed input of each community use case: a community, one of its compounds
(小区) or rooms (活动室), created or changed. The API takes these as request
bodies, the pages build them from their forms (``incubator.forms.form_input``),
the CLI and ``flask setup`` construct them. Each tidies its names when built;
the services check what needs the database (a name taken, permissions)."""

from __future__ import annotations

from datetime import time

from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, ConfigDict, Field, StrictBool, model_validator

from incubator.api.core import Id
from incubator.api.fields import not_null_in_schema, sent_values
from incubator.errors import ValidationFailed
from incubator.normalize import clean_text, refuse_bidi_controls

NAME_MAX = 64
PLACE_FIELDS = ("street", "district", "city")


def _tidy(model: BaseModel, *, required: tuple[str, ...] = ("name",)) -> None:
    """Names and places on one line, without control or direction marks; a name
    sent empty is refused on its field."""
    values = model.__dict__
    for key in ("name", *PLACE_FIELDS):
        value = values.get(key)
        if value is None:
            continue
        refuse_bidi_controls(value, key)
        text = " ".join(clean_text(value).split())
        if (
            key == "name"
            and not text
            and (key in required or key in model.model_fields_set)
        ):
            raise ValidationFailed(_l("Please enter the name."), field="name")
        if len(text) > NAME_MAX:
            raise ValidationFailed(
                _l("At most %(n)d characters.", n=NAME_MAX), field=key
            )
        values[key] = text
    if values.get("equipment") is not None:
        values["equipment"] = clean_text(values["equipment"]).strip()


class CommunityCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", title="CommunityIn")

    name: str = Field(
        min_length=1, max_length=NAME_MAX, description="社区, e.g. 幸福社区"
    )
    street: str = Field(default="", max_length=NAME_MAX, description="街道")
    district: str = Field(default="", max_length=NAME_MAX, description="区")
    city: str = Field(default="", max_length=NAME_MAX)
    position: int = Field(default=0, ge=0, le=10_000)
    archived: StrictBool = False

    @model_validator(mode="after")
    def _rules(self) -> CommunityCreate:
        _tidy(self)
        return self


COMMUNITY_NOT_NULL = ("name", "street", "district", "city", "position", "archived")


class CommunityChange(BaseModel):
    """Only the fields sent change."""

    model_config = ConfigDict(
        extra="forbid",
        title="CommunityPatch",
        json_schema_extra=not_null_in_schema(*COMMUNITY_NOT_NULL),
    )

    name: str | None = Field(default=None, min_length=1, max_length=NAME_MAX)
    street: str | None = Field(default=None, max_length=NAME_MAX)
    district: str | None = Field(default=None, max_length=NAME_MAX)
    city: str | None = Field(default=None, max_length=NAME_MAX)
    position: int | None = Field(default=None, ge=0, le=10_000)
    archived: StrictBool | None = None

    @model_validator(mode="after")
    def _rules(self) -> CommunityChange:
        _tidy(self, required=())
        return self

    def sent(self) -> dict:
        return sent_values(self, exclude=(), not_null=COMMUNITY_NOT_NULL)


class CompoundEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", title="CompoundIn")

    name: str = Field(min_length=1, max_length=NAME_MAX, description="小区")
    position: int | None = Field(
        default=None, ge=0, le=10_000, description="Default: after the others"
    )
    archived: StrictBool = False

    @model_validator(mode="after")
    def _rules(self) -> CompoundEntry:
        _tidy(self)
        return self


COMPOUND_NOT_NULL = ("name", "position", "archived")


class CompoundChange(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        title="CompoundPatch",
        json_schema_extra=not_null_in_schema(*COMPOUND_NOT_NULL),
    )

    name: str | None = Field(default=None, min_length=1, max_length=NAME_MAX)
    position: int | None = Field(default=None, ge=0, le=10_000)
    archived: StrictBool | None = None

    @model_validator(mode="after")
    def _rules(self) -> CompoundChange:
        _tidy(self, required=())
        return self

    def sent(self) -> dict:
        return sent_values(self, exclude=(), not_null=COMPOUND_NOT_NULL)


class RoomEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", title="RoomIn")

    name: str = Field(min_length=1, max_length=NAME_MAX, description="活动室")
    capacity: int | None = Field(
        default=None, ge=1, le=100_000, description="People; null when not known"
    )
    equipment: str = Field(default="", max_length=2000)
    needs_approval: StrictBool = False
    opens_at: time | None = Field(
        default=None, description="Opening hours, local time (HH:MM); null: not set"
    )
    closes_at: time | None = None
    position: int | None = Field(
        default=None, ge=0, le=10_000, description="Default: after the others"
    )
    archived: StrictBool = False

    @model_validator(mode="after")
    def _rules(self) -> RoomEntry:
        _tidy(self)
        check_hours(self.opens_at, self.closes_at)
        return self


class RoomCreate(RoomEntry):
    """A room added through ``POST /rooms``: its community is named in the body."""

    model_config = ConfigDict(extra="forbid", title="RoomCreateIn")

    community_id: Id


def check_hours(opens_at: time | None, closes_at: time | None) -> None:
    """Opening hours close after they open (``ValidationFailed`` on
    ``closes_at``); either may be left unset."""
    if opens_at is not None and closes_at is not None and closes_at <= opens_at:
        raise ValidationFailed(_l("The room closes after it opens."), field="closes_at")


ROOM_NOT_NULL = ("name", "equipment", "needs_approval", "position", "archived")


class RoomChange(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        title="RoomPatch",
        json_schema_extra=not_null_in_schema(*ROOM_NOT_NULL),
    )

    name: str | None = Field(default=None, min_length=1, max_length=NAME_MAX)
    capacity: int | None = Field(default=None, ge=1, le=100_000)
    equipment: str | None = Field(default=None, max_length=2000)
    needs_approval: StrictBool | None = None
    opens_at: time | None = None
    closes_at: time | None = None
    position: int | None = Field(default=None, ge=0, le=10_000)
    archived: StrictBool | None = None

    @model_validator(mode="after")
    def _rules(self) -> RoomChange:
        _tidy(self, required=())
        check_hours(self.opens_at, self.closes_at)
        return self

    def sent(self) -> dict:
        return sent_values(self, exclude=(), not_null=ROOM_NOT_NULL)
