"""The typed input of each organization use case: the API's request bodies, what
the pages build from their forms (``incubator.forms.form_input``) and what the
demo and tests construct. A rule that needs no database raises
``ValidationFailed`` from the model's validator, with the message and field the
service gave before; the services check what needs the database (the compound,
the accounts named, a name taken in the community, the version, permissions).

The document names the bodies as before (``title=``): /openapi.json does not
change.
"""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, ConfigDict, Field, model_validator

from incubator.api.core import Id
from incubator.api.fields import patch_config
from incubator.errors import ValidationFailed
from incubator.i18n import local_today
from incubator.normalize import clean_text, refuse_bidi_controls
from incubator.organizations.models import ContactKind, FilingStatus, OrgKind

MAX_MEMBERS = 100_000


def _organization_rules(model: BaseModel) -> None:
    """The rules of the fields ``model`` holds (``None``: not given), in the
    order the service checked them; normalizes the name and description."""
    values = model.__dict__
    if values.get("name") is not None:
        refuse_bidi_controls(values["name"], "name")
        name = " ".join(clean_text(values["name"]).split())
        if not name:
            raise ValidationFailed(_l("Please enter the name."), field="name")
        if len(name) > 100:
            raise ValidationFailed(
                _l("The name may have at most %(n)d characters.", n=100), field="name"
            )
        values["name"] = name
    founded = values.get("founded_on")
    if founded is not None and founded > local_today():
        raise ValidationFailed(
            _l("The founding date cannot be in the future."), field="founded_on"
        )
    if values.get("description") is not None:
        values["description"] = values["description"].strip()


class OrganizationFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    compound_id: Id | None = None
    compound: str | None = Field(
        default=None, max_length=64, description="The compound's name (or compound_id)"
    )
    filing_status: FilingStatus = FilingStatus.NONE
    founded_on: date | None = None
    member_count: int = Field(default=0, ge=0, le=MAX_MEMBERS)
    description: str = Field(default="", max_length=5000)
    social_worker_id: Id | None = None
    leader_user_id: Id | None = None


class OrganizationRegistration(OrganizationFields):
    model_config = ConfigDict(title="OrganizationCreate")

    name: str = Field(min_length=1, max_length=100)
    kind: OrgKind
    community_id: Id | None = Field(
        default=None,
        description="Default: the compound's community, else the only open one",
    )

    @model_validator(mode="after")
    def _rules(self):
        _organization_rules(self)
        return self

    def values(self) -> dict:
        """The organization's columns, and ``compound`` (a compound's name);
        its community is the service's to decide (from ``community_id``)."""
        return {
            "compound": self.compound,
            "name": self.name,
            "kind": self.kind.value,
            "compound_id": self.compound_id,
            "filing_status": self.filing_status.value,
            "founded_on": self.founded_on,
            "member_count": self.member_count,
            "description": self.description,
            "social_worker_id": self.social_worker_id,
            "leader_user_id": self.leader_user_id,
        }


ORGANIZATION_NOT_NULL = (
    "name",
    "kind",
    "filing_status",
    "member_count",
    "description",
    "community_id",
)


class OrganizationChange(BaseModel):
    """Only the fields sent are changed; ``version`` is the one you read."""

    model_config = patch_config("OrganizationPatch", *ORGANIZATION_NOT_NULL)

    version: int
    name: str | None = Field(default=None, min_length=1, max_length=100)
    kind: OrgKind | None = None
    compound_id: Id | None = None
    compound: str | None = Field(default=None, max_length=64)
    filing_status: FilingStatus | None = None
    founded_on: date | None = None
    member_count: int | None = Field(default=None, ge=0, le=MAX_MEMBERS)
    description: str | None = Field(default=None, max_length=5000)
    social_worker_id: Id | None = None
    leader_user_id: Id | None = None
    community_id: Id | None = Field(
        default=None,
        description="Moves the organization to another community (admins only); "
        "its past records stay counted where they were made",
    )

    @model_validator(mode="after")
    def _rules(self):
        _organization_rules(self)
        return self

    def sent(self) -> dict:
        """The fields sent (``version`` aside), enumerations as their keys;
        ``ValidationFailed`` for one sent as ``null`` that may not be."""
        for key in ORGANIZATION_NOT_NULL:
            if key in self.model_fields_set and getattr(self, key) is None:
                raise ValidationFailed(_l("This field cannot be empty."), field=key)
        values = {}
        for key in self.model_fields_set - {"version"}:
            value = getattr(self, key)
            values[key] = (
                value.value if isinstance(value, OrgKind | FilingStatus) else value
            )
        return values


class StageMove(BaseModel):
    model_config = ConfigDict(extra="forbid", title="StageIn")

    to: str = Field(min_length=1, max_length=32)
    reason: str = Field(default="", max_length=2000)


class AssessmentEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", title="AssessmentIn")

    assessed_on: date
    scores: dict[str, int]
    notes: str = Field(default="", max_length=5000)
    score_notes: dict[str, str] = Field(default_factory=dict)


class ContactNote(BaseModel):
    model_config = ConfigDict(extra="forbid", title="NoteIn")

    noted_on: date
    body: str = Field(min_length=1, max_length=5000)
    contact_kind: ContactKind = ContactKind.OTHER
