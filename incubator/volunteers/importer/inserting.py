"""Inserting a confirmed import's volunteers, skills and memberships in a few
statements whatever the number of rows."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError

from incubator.community.models import Compound
from incubator.errors import ValidationFailed
from incubator.extensions import db
from incubator.i18n import local_today
from incubator.organizations.models import Organization, only_open_community
from incubator.volunteers.models import (
    MemberRole,
    Membership,
    RosterImport,
    Volunteer,
    VolunteerSkill,
)


def _insert_rows(
    batch: RosterImport,
    rows: list[dict],
    organization: Organization | None,
    default_community: int | None = None,
) -> list[int]:
    """Insert the volunteers of ``rows`` with their skills and memberships; returns
    their ids in row order. A few statements whatever the number of rows: the ORM
    would insert one row per statement on SQLite, which cannot return the ids of a
    multi-row insert in order. Each row is inserted under a temporary number unique
    to the batch, read back in one query, then numbered ``V000123`` from its id.
    Raises ``ValidationFailed`` when a row clashes with the roster (unique phone or
    ID number) after all."""
    if not rows:
        return []
    volunteer = Volunteer.__table__
    marker = f"I{batch.id}-"
    community_of = _communities(rows, organization, default_community)
    records = [
        {
            "number": f"{marker}{index}",
            "name": row["name"],
            "gender": row.get("gender") or "unknown",
            "birth_year": row["birth_year"],
            "phone": row.get("phone"),
            "id_number": row.get("id_number"),
            "compound_id": row.get("compound_id"),
            "community_id": community_of(row),
            "availability": row.get("availability") or [],
            "joined_on": _date_or_none(row.get("joined_on")),
            "guardian_name": row.get("guardian_name"),
            "guardian_consent_on": _date_or_none(row.get("guardian_consent_on")),
        }
        for index, row in enumerate(rows)
    ]
    try:
        db.session.execute(insert(volunteer), records)
    except IntegrityError:
        raise ValidationFailed(
            _l(
                "Some rows clash with the roster or with each other; upload the file "
                "again. Nothing was imported."
            )
        ) from None
    by_marker = dict(
        db.session.execute(
            select(volunteer.c.number, volunteer.c.id).where(
                volunteer.c.number.like(f"{marker}%")
            )
        ).all()
    )
    ids = [by_marker[record["number"]] for record in records]
    db.session.execute(
        update(volunteer)
        .where(volunteer.c.id == bindparam("volunteer_id"))
        .values(number=bindparam("final_number")),
        [{"volunteer_id": i, "final_number": f"V{i:06d}"} for i in ids],
    )
    skills = [
        {"volunteer_id": i, "skill": name}
        for i, row in zip(ids, rows, strict=True)
        for name in row.get("skills") or []
    ]
    if skills:
        db.session.execute(insert(VolunteerSkill.__table__), skills)
    if organization is not None:
        db.session.execute(
            insert(Membership.__table__),
            [
                {
                    "volunteer_id": i,
                    "organization_id": organization.id,
                    "role": row.get("role") or MemberRole.MEMBER,
                    "joined_on": _date_or_none(row.get("joined_on")) or local_today(),
                }
                for i, row in zip(ids, rows, strict=True)
            ],
        )
    return ids


def _communities(
    rows: list[dict], organization: Organization | None, default: int | None
):
    """The community of each row's volunteer, as the flush hook
    (``incubator.organizations.models._stamp_community``) gives one made by the
    ORM: the organization's, else the compound's, else ``default`` (the
    importer's one community), else the only open community.
    The rows are inserted in bulk, which that hook does not see."""
    compound_ids = {row["compound_id"] for row in rows if row.get("compound_id")}
    by_compound = (
        dict(
            db.session.execute(
                select(Compound.id, Compound.community_id).where(
                    Compound.id.in_(compound_ids)
                )
            ).all()
        )
        if compound_ids
        else {}
    )
    fallback: list[int] = []

    def community_of(row: dict) -> int:
        if organization is not None:
            return organization.community_id
        if row.get("compound_id") in by_compound:
            return by_compound[row["compound_id"]]
        if not fallback:
            fallback.append(default or only_open_community(db.session))
        return fallback[0]

    return community_of


def _date_or_none(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None
