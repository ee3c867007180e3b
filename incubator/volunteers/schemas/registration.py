"""Registering a volunteer (through the API, or on the roster page, which may
also record one who has left) and changing one."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from incubator.api.core import Id
from incubator.api.fields import patch_config
from incubator.volunteers.models import (
    Availability,
    Gender,
    MemberRole,
    VolunteerStatus,
)
from incubator.volunteers.schemas.rules import FIELDS, volunteer_rules


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
    model_config = patch_config("VolunteerPatch", *VOLUNTEER_NOT_NULL)

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
