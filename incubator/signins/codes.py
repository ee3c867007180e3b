"""The sign-in code of an activity, a capacity-building session or a room
booking: what the QR code and the printed 签到 sheet carry, and the window in
which residents may sign in with it.

A code is ``<kind><id>-<check>``, e.g. ``a12-k3v9q2m7xa``: the kind (``a``
activity, ``s`` session, ``b`` booking), the record's id and ten characters of
an HMAC of both under a key derived from the instance's resident key
(``identity.keyed_digest``). It needs no table and cannot be guessed or changed
into another record's code; it stays valid as long as the resident key does
(rotating ``SECRET_KEY`` does not invalidate printed sheets).
"""

from __future__ import annotations

import base64
import hmac
import re
from datetime import UTC, datetime, time, timedelta
from typing import cast

from flask import url_for

from incubator.activities.models import Activity
from incubator.bookings.models import Booking
from incubator.extensions import db
from incubator.i18n import local_zone
from incubator.sessions.models import TrainingSession
from incubator.signins.identity import keyed_digest

Record = Activity | TrainingSession | Booking

# The kind letter of each record type, and back.
KIND_LETTERS: dict[type, str] = {Activity: "a", TrainingSession: "s", Booking: "b"}
LETTER_MODELS: dict[str, type[Record]] = {v: k for k, v in KIND_LETTERS.items()}
# The kinds as other modules name them (``sign_in_counts``, the API).
KIND_NAMES: dict[type, str] = {
    Activity: "activity",
    TrainingSession: "session",
    Booking: "booking",
}
CHECK_LENGTH = 10
CODE = re.compile(rf"([asb])([1-9][0-9]{{0,9}})-([a-z2-7]{{{CHECK_LENGTH}}})")
# Sign-in opens this long before the start.
OPENS_BEFORE = timedelta(hours=1)


def kind_of(record: Record) -> str:
    """``"activity"``, ``"session"`` or ``"booking"``."""
    return KIND_NAMES[type(record)]


def _check(letter: str, record_id: int) -> str:
    digest = keyed_digest("sign-in-code", f"{letter}{record_id}")
    return base64.b32encode(digest).decode()[:CHECK_LENGTH].lower()


def code_for(record: Record) -> str:
    """The record's sign-in code (stateless, stable)."""
    letter = KIND_LETTERS[type(record)]
    return f"{letter}{record.id}-{_check(letter, record.id)}"


def parse_code(code: str) -> tuple[type[Record], int] | None:
    """The model and id a genuine code names, or ``None`` for a garbled or
    forged one. Reads nothing from the database."""
    if not isinstance(code, str) or len(code) > 40:
        return None
    found = CODE.fullmatch(code.strip().lower())
    if found is None:
        return None
    letter, number, check = found.groups()
    record_id = int(number)
    if record_id > 2**31 - 1:
        return None
    if not hmac.compare_digest(check, _check(letter, record_id)):
        return None
    return LETTER_MODELS[letter], record_id


def record_for(code: str) -> Record | None:
    """The record of a sign-in code; ``None`` for a bad or forged code or a
    record that no longer exists."""
    parsed = parse_code(code)
    if parsed is None:
        return None
    model, record_id = parsed
    return cast("Record | None", db.session.get(model, record_id))


def sign_in_url(record: Record, *, external: bool = True) -> str:
    """The public sign-in page of ``record`` (what the QR code holds)."""
    return url_for("signin.page", code=code_for(record), _external=external)


def window(record: Record) -> tuple[datetime, datetime]:
    """When residents may sign in themselves (UTC): from an hour before the
    start to the end of the record's last local (Asia/Shanghai) day."""
    zone = local_zone()
    last_day = max(record.starts_at, record.ends_at).astimezone(zone).date()
    closes = datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=zone)
    return record.starts_at - OPENS_BEFORE, closes.astimezone(UTC)
