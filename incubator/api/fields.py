"""Helpers shared by the API's resources: the fields a ``PATCH`` sent, and
references to reference data given by id or by name."""

from __future__ import annotations

from enum import Enum

from flask_babel import lazy_gettext as _l
from pydantic import BaseModel
from sqlalchemy import select

from incubator.errors import ValidationFailed
from incubator.extensions import db
from incubator.projects.models import Compound


def sent_values(
    body: BaseModel, *, exclude=("version",), not_null=()
) -> dict[str, object]:
    """The fields the client sent (a ``PATCH`` is partial: the others stay), with
    enumerations as their keys. Raises ``ValidationFailed`` when a field in
    ``not_null`` was sent as ``null``."""
    values = {}
    for name in body.model_fields_set:
        if name in exclude:
            continue
        value = getattr(body, name)
        if value is None and name in not_null:
            raise ValidationFailed(_l("This field cannot be empty."), field=name)
        if isinstance(value, Enum):
            value = value.value
        elif isinstance(value, list):
            value = [v.value if isinstance(v, Enum) else v for v in value]
        values[name] = value
    return values


def resolve_compound(values: dict, *, community_id: int | None = None) -> dict:
    """Accept a compound by name (``compound``) as well as by id (``compound_id``),
    the same way on every resource (API.md). ``values`` loses ``compound`` and
    gains ``compound_id`` when a name was sent; ``null`` or ``""`` clears it.

    Raises ``ValidationFailed`` on ``compound`` for an unknown name, for a name
    several communities use (send ``compound_id``), or when the name and the id
    name different compounds."""
    if "compound" not in values:
        return values
    name = " ".join(str(values.pop("compound") or "").split())
    if not name:
        values.setdefault("compound_id", None)
        return values
    stmt = select(Compound.id).where(Compound.name == name)
    if community_id is not None:
        stmt = stmt.where(Compound.community_id == community_id)
    found = db.session.scalars(stmt.limit(2)).all()
    if not found:
        raise ValidationFailed(_l("Unknown compound."), field="compound")
    if len(found) > 1:
        raise ValidationFailed(
            _l("Several communities have a compound of this name; send compound_id."),
            field="compound",
        )
    if values.get("compound_id") not in (None, found[0]):
        raise ValidationFailed(
            _l("compound and compound_id name different compounds."),
            field="compound",
        )
    values["compound_id"] = found[0]
    return values


def not_null_in_schema(*names: str):
    """A ``json_schema_extra`` for a PATCH model: the fields ``names`` are optional
    but may not be sent as ``null`` (``sent_values(not_null=...)`` refuses it), so
    the document drops ``null`` from their types and the ``null`` default."""

    def extra(schema: dict) -> None:
        for name in names:
            prop = schema.get("properties", {}).get(name)
            if not prop or "anyOf" not in prop:
                continue
            branches = [b for b in prop["anyOf"] if b.get("type") != "null"]
            if len(branches) == 1:
                rest = {k: v for k, v in prop.items() if k not in ("anyOf", "default")}
                prop.clear()
                prop.update({**branches[0], **rest})

    return extra
