"""An import's two steps: upload (the checked rows are kept as a pending import
and the report shown), then confirm (the rows are checked again against the roster
and inserted together)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from incubator.audit import services as audit
from incubator.auth.models import User
from incubator.community.scope import community_for_new
from incubator.errors import ValidationFailed
from incubator.extensions import db
from incubator.import_batches import fill_batch
from incubator.organizations.models import Organization
from incubator.volunteers.access import may_manage_roster
from incubator.volunteers.importer.closing import _close, purge_stale_imports
from incubator.volunteers.importer.inserting import _insert_rows
from incubator.volunteers.importer.parsing import parse_roster
from incubator.volunteers.models import RosterImport, Volunteer


def prepare_import(
    data: bytes, filename: str, *, actor: User, organization: Organization | None
) -> RosterImport:
    """Parse the file and keep the rows for confirmation; returns the pending
    import. ``batch.rows`` are the rows that confirming will import (line, name and
    every checked field); ``batch.report`` lists the other rows as ``{"line", "name",
    "errors"}``, plus ``"example": True`` for the template's example row, which is
    skipped and counted in neither ``total_rows`` nor ``valid_rows``. Raises
    ``ValidationFailed`` for a file that cannot be read (see ``parse_roster``) or
    an organization the actor may not manage."""
    if organization is not None and not may_manage_roster(actor, organization):
        raise ValidationFailed(
            _l("You may manage only your own organization's roster."),
            field="organization_id",
        )
    if organization is None and actor.role == "org_leader":
        raise ValidationFailed(
            _l("Choose the organization the volunteers join."), field="organization_id"
        )
    purge_stale_imports()
    results = parse_roster(data, actor=actor, organization=organization)
    batch = fill_batch(
        RosterImport(
            created_by_id=actor.id,
            organization_id=organization.id if organization else None,
        ),
        results,
        filename,
    )
    db.session.add(batch)
    db.session.flush()
    return batch


def import_roster_file(
    data: bytes,
    filename: str = "",
    *,
    actor: User,
    organization: Organization | None = None,
) -> int:
    """Check ``data`` and import its valid rows at once, as uploading then
    confirming does; returns how many volunteers were imported. Flushes, never
    commits. Kept for ``make bench`` (the 5,000-row import) and scripts; raises as
    ``prepare_import`` and ``confirm_import`` do."""
    batch = prepare_import(data, filename, actor=actor, organization=organization)
    return confirm_import(batch, actor=actor)


def _already_on_roster(field, values: list[str]) -> set[str]:
    found: set[str] = set()
    column = getattr(Volunteer, field)
    for start in range(0, len(values), 500):
        chunk = values[start : start + 500]
        found.update(db.session.scalars(select(column).where(column.in_(chunk))))
    return found


def confirm_import(batch: RosterImport, *, actor: User) -> int:
    """Save every valid row of ``batch`` or none: the rows are checked again against
    the roster as it is now, then inserted together (the caller commits once).
    Returns how many volunteers were imported."""
    if batch.status != "pending" or batch.created_by_id != actor.id:
        raise ValidationFailed(_l("This import was already confirmed or discarded."))
    organization = (
        db.session.get(Organization, batch.organization_id)
        if batch.organization_id
        else None
    )
    if organization is not None and not may_manage_roster(actor, organization):
        raise ValidationFailed(
            _l("You may manage only your own organization's roster.")
        )
    rows = [dict(row) for row in batch.rows]
    for field in ("phone", "id_number"):
        taken = _already_on_roster(field, [r[field] for r in rows if r.get(field)])
        clashes = [str(r["line"]) for r in rows if r.get(field) in taken]
        if clashes:
            raise ValidationFailed(
                _l(
                    "Rows %(lines)s were added to the roster meanwhile; upload the "
                    "file again. Nothing was imported.",
                    lines=", ".join(clashes[:20]),
                )
            )
    ids = _insert_rows(batch, rows, organization, community_for_new(actor, None))
    _close(batch, "imported")
    audit.record_event(
        "import",
        "RosterImport",
        actor=actor,
        entity_id=batch.id,
        summary=f"{len(ids)} volunteers"
        + (f" into organization {organization.id}" if organization else ""),
        changes={"volunteer_ids": [None, ids]},
    )
    db.session.flush()
    return len(ids)
