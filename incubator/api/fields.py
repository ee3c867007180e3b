"""Helpers shared by the API's resources: the fields a ``PATCH`` sent and the
document of its non-nullable fields."""

from __future__ import annotations

from enum import Enum

from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, ConfigDict

from incubator.errors import ValidationFailed


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


def patch_config(title: str, *not_null: str) -> ConfigDict:
    """The model config of a PATCH body: unknown keys refused, ``title`` as its
    OpenAPI name, and the ``not_null`` fields optional but never ``null``."""
    return ConfigDict(
        extra="forbid", json_schema_extra=not_null_in_schema(*not_null), title=title
    )


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
