"""Telling apart two volunteers of the same name (两个张德胜) on a form or in an
error: their compound and the last four digits of their phone (尾号), which lists
already show to everyone who may see volunteers by name (the masked phone)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from flask_babel import gettext as _

from incubator.volunteers.models import Volunteer


def phone_tail(phone: str | None) -> str:
    return phone[-4:] if phone and len(phone) >= 7 else ""


def telling_apart(volunteers: Iterable[Volunteer]) -> dict[int, str]:
    """{volunteer id: what tells them apart} for each volunteer whose name another
    of ``volunteers`` shares; the others need nothing. Load ``compound`` with them."""
    listed = list(volunteers)
    names = Counter(v.name for v in listed)
    apart = {}
    for v in listed:
        if names[v.name] < 2:
            continue
        parts = [v.compound.name] if v.compound is not None else []
        if tail := phone_tail(v.phone):
            parts.append(_("phone ending %(tail)s", tail=tail))
        elif v.number:
            parts.append(_("No. %(no)s", no=v.number))
        apart[v.id] = " · ".join(parts) or _("volunteer #%(id)d", id=v.id)
    return apart


def named(volunteer: Volunteer, apart: dict[int, str]) -> str:
    """The name, with what tells them apart when another has it too."""
    extra = apart.get(volunteer.id)
    return (
        _("%(name)s (%(apart)s)", name=volunteer.name, apart=extra)
        if extra
        else volunteer.name
    )
