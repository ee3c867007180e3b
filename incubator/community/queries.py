"""Finding the community and its compounds by name or id, the same way on every
page, resource and import."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms import SelectChoice

from incubator.community.models import Community, Compound, Room
from incubator.community.scope import in_scope
from incubator.errors import ValidationFailed
from incubator.extensions import db


def resolve_compound(
    values: dict, *, community_id: int | None = None, current: int | None = None
) -> dict:
    """Accept a compound by name (``compound``) as well as by id (``compound_id``),
    the same way on every resource (API.md). ``values`` loses ``compound`` and
    gains ``compound_id`` when a name was sent; ``null`` or ``""`` clears it.

    A name is looked up within ``community_id`` when given, else among every
    community's open compounds. An archived compound may not be chosen anew
    (``current`` is the compound the record already names, which it may keep).

    Raises ``ValidationFailed`` on ``compound`` for an unknown name, for a name
    several communities use (send ``compound_id``), or when the name and the id
    name different compounds; on ``compound_id`` for an archived compound."""
    if "compound" in values:
        name = " ".join(str(values.pop("compound") or "").split())
        if not name:
            values.setdefault("compound_id", None)
            return values
        stmt = select(Compound.id, Compound.archived_at).where(Compound.name == name)
        if community_id is not None:
            stmt = stmt.where(Compound.community_id == community_id)
        rows = db.session.execute(stmt.limit(10)).all()
        found = [i for i, archived in rows if archived is None or i == current]
        if not found and rows:
            raise ValidationFailed(
                _l("That compound is archived; choose another one."), field="compound"
            )
        if not found:
            raise ValidationFailed(_l("Unknown compound."), field="compound")
        if len(found) > 1:
            raise ValidationFailed(
                _l(
                    "Several communities have a compound of this name; "
                    "send compound_id."
                ),
                field="compound",
            )
        if values.get("compound_id") not in (None, found[0]):
            raise ValidationFailed(
                _l("compound and compound_id name different compounds."),
                field="compound",
            )
        values["compound_id"] = found[0]
        return values
    chosen = values.get("compound_id")
    if chosen is not None and chosen != current:
        compound = db.session.get(Compound, chosen)
        if compound is not None and compound.archived:
            raise ValidationFailed(
                _l("That compound is archived; choose another one."),
                field="compound_id",
            )
    return values


def community_for(
    compound: Compound | None,
    community_id: int | None = None,
    *,
    compound_field: str = "compound_id",
) -> Community:
    """The community a new organization (or volunteer, activity) joins: the
    compound's when it names one; else ``community_id`` when given (it must
    exist and be open); else the deployment's only open community.

    Raises ``ValidationFailed``: on ``compound_field`` when the compound is of
    another community than ``community_id``; on ``community_id`` when that
    community is unknown or archived, or when nothing names one and there is
    not exactly one open community."""
    chosen = None
    if community_id is not None:
        chosen = db.session.get(Community, community_id)
        if chosen is None:
            raise ValidationFailed(_l("Unknown community."), field="community_id")
        if chosen.archived and (compound is None or compound.community_id != chosen.id):
            raise ValidationFailed(
                _l("That community is archived."), field="community_id"
            )
    if compound is not None:
        if chosen is not None and compound.community_id != chosen.id:
            raise ValidationFailed(
                _l("That compound belongs to another community."),
                field=compound_field,
            )
        return compound.community
    if chosen is not None:
        return chosen
    found = db.session.scalars(
        select(Community).where(Community.archived_at.is_(None)).limit(2)
    ).all()
    if len(found) == 1:
        return found[0]
    if not found:
        raise ValidationFailed(
            _l("No community is set up yet; an admin must create one first."),
            field="community_id",
        )
    raise ValidationFailed(_l("Choose the community."), field="community_id")


def community_named(name: str) -> Community:
    """The community of this (normalized) name, created when it is new."""
    place = db.session.scalar(select(Community).where(Community.name == name))
    if place is None:
        place = Community(name=name)
        db.session.add(place)
        db.session.flush()
    return place


def room_choices(
    user, blank, *, community_id: int | None = None, keep: int | None = None
) -> list[SelectChoice]:
    """The open centre rooms a form offers (of ``community_id``, or of the
    user's scope named with their community when it has several), after a
    ``blank`` choice; ``keep`` (a room already chosen, maybe archived since) is
    offered too. One query."""
    stmt = (
        select(Room.id, Room.name, Community.name)
        .join(Community, Community.id == Room.community_id)
        .where(
            (Room.archived_at.is_(None) & Community.archived_at.is_(None))
            | (Room.id == (keep or 0)),
            in_scope(Room.community_id, user),
        )
        .order_by(Community.position, Community.id, Room.position, Room.id)
    )
    if community_id is not None:
        stmt = stmt.where(Room.community_id == community_id)
    rows = db.session.execute(stmt).all()
    several = len({community for _id, _name, community in rows}) > 1
    return [SelectChoice("", blank)] + [
        SelectChoice(str(i), f"{community} · {name}" if several else name)
        for i, name, community in rows
    ]
