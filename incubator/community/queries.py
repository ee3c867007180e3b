"""Finding the community and its compounds by name or id, the same way on every
page, resource and import."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from incubator.community.models import Community, Compound
from incubator.errors import ValidationFailed
from incubator.extensions import db


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


def community_for(compound: Compound | None) -> Community:
    """The compound's community, or the first community when no compound is
    given. Raises ``ValidationFailed`` (on ``compound_id``) when none exists."""
    if compound is not None:
        return compound.community
    community = db.session.scalar(select(Community).order_by(Community.id).limit(1))
    if community is None:
        raise ValidationFailed(
            _l("No community is set up yet; an admin must create one first."),
            field="compound_id",
        )
    return community


def community_named(name: str) -> Community:
    """The community of this (normalized) name, created when it is new."""
    place = db.session.scalar(select(Community).where(Community.name == name))
    if place is None:
        place = Community(name=name)
        db.session.add(place)
        db.session.flush()
    return place
