"""What the micro-venture inputs share: the money field, the range of dates a
round or a venture may name, and ``text()``, the check of a free text."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from pydantic import Field

from incubator.errors import ValidationFailed

Money = Field(max_length=20, description='Yuan with fen, e.g. "8000.00"')
EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)


def text(value, field: str, limit: int, *, required: bool = False) -> str:
    """``value`` trimmed; ``ValidationFailed`` on ``field`` when required and
    empty or longer than ``limit``."""
    text = str(value or "").strip()
    if required and not text:
        raise ValidationFailed(_l("Please fill this in."), field=field)
    if len(text) > limit:
        raise ValidationFailed(_l("At most %(n)d characters.", n=limit), field=field)
    return text
