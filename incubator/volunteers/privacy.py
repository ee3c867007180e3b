"""Residents' personal data (PIPL): who may see full phone and ID numbers, masking
for everyone else, and the log of every reveal and export."""

from __future__ import annotations

from incubator.audit import services as audit
from incubator.auth.models import User
from incubator.auth.permissions import mask_phone, may_see_personal_data
from incubator.volunteers.models import Volunteer

__all__ = ["mask_phone", "mask_id_number", "may_see_personal_data", "shown_phone"]


def mask_id_number(value: str | None) -> str:
    """``350203199001011234`` -> ``3502**********1234``."""
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return f"{value[:4]}{'*' * (len(value) - 8)}{value[-4:]}"


def shown_phone(volunteer: Volunteer) -> str:
    """The phone as lists show it to everyone: masked (staff reveal it on demand)."""
    return mask_phone(volunteer.phone)


def log_reveal(volunteer: Volunteer, field: str, *, actor: User) -> None:
    """Record that ``actor`` saw the full ``field`` of ``volunteer``: committed
    before this returns in a read request, else with the caller's unit of work
    (``audit.record_read``). Raises if it cannot be recorded; show nothing then."""
    audit.record_read(
        "reveal", "Volunteer", actor=actor, entity_id=volunteer.id, summary=field
    )


def log_export(kind: str, volunteer_ids: list[int], *, actor: User, full: bool) -> None:
    """Record who exported whose data, and whether numbers were unmasked (as
    ``log_reveal``, durable before the export is sent)."""
    ids = sorted(set(volunteer_ids))
    shown = "full" if full else "masked"
    audit.record_read(
        "export",
        "Volunteer",
        actor=actor,
        summary=f"{kind}: {len(ids)} volunteers, {shown} numbers",
        changes={"volunteer_ids": [None, ids]},
    )
