"""What the organizer's sign-in pages say about a record, whichever kind it is:
its title, organization, place and time, the sign-in window in words, and the QR
code of its sign-in link as inline SVG (made here, nothing loaded from anywhere).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import segno
from flask import current_app, url_for
from flask_babel import format_date, format_datetime
from flask_babel import gettext as _
from markupsafe import Markup

from incubator import signals
from incubator.activities.models import Activity
from incubator.bookings.models import Booking
from incubator.database import utcnow
from incubator.i18n import is_chinese, local_date, local_zone
from incubator.sessions.models import TrainingSession
from incubator.signins.codes import Record, kind_of, sign_in_url, window


@dataclass(frozen=True)
class RecordSheet:
    """A record as the QR page and the printed sheet name it."""

    kind: str
    id: int
    title: str
    organization: str
    place: str
    starts_at: datetime
    ends_at: datetime
    page_url: str


def _agency(community_id: int, day) -> str:
    named = [
        name
        for name in signals.values(
            signals.agency_of_community.send(community_id, on=day)
        )
        if name
    ]
    return named[0] if named else current_app.config.get("AGENCY_NAME", "")


def record_page_url(record: Record) -> str:
    """The record's own page (a booking's when the bookings pages are there)."""
    if isinstance(record, Activity):
        return url_for("activities.detail", activity_id=record.id)
    if isinstance(record, TrainingSession):
        return url_for("sessions.detail", session_id=record.id)
    if "bookings.detail" in current_app.view_functions:
        return url_for("bookings.detail", booking_id=record.id)
    return url_for("signins.attendee_list", kind="booking", target_id=record.id)


def describe(record: Record) -> RecordSheet:
    """Title, organization and place of ``record`` (its relationships loaded by
    the caller or one query each)."""
    if isinstance(record, Activity):
        title, org, place = (
            record.title,
            record.organization.name,
            record.place_label,
        )
    elif isinstance(record, TrainingSession):
        place = record.place or (record.room.name if record.room else "")
        title = record.title
        org = _agency(record.community_id, local_date(record.starts_at))
    else:
        assert isinstance(record, Booking)
        place = record.room.name
        org = (
            record.organization.name
            if record.organization is not None
            else record.outside_unit
        )
        title = record.purpose or record.room.name
    return RecordSheet(
        kind=kind_of(record),
        id=record.id,
        title=title,
        organization=org or "",
        place=place or "",
        starts_at=record.starts_at,
        ends_at=record.ends_at,
        page_url=record_page_url(record),
    )


def _moment(value: datetime) -> str:
    return format_datetime(value, "M月d日 HH:mm" if is_chinese() else "MMM d, HH:mm")


def window_words(record: Record) -> str:
    """``签到时间：3月1日 08:30 起至当日 24:00`` (the window of ``codes.window``)."""
    opens, closes = window(record)
    zone = local_zone()
    first_day = opens.astimezone(zone).date()
    last_day = (closes - timedelta(minutes=1)).astimezone(zone).date()
    if last_day == first_day:
        until = _("24:00 the same day")
    else:
        day = format_date(last_day, "M月d日" if is_chinese() else "MMM d")
        until = _("%(day)s 24:00", day=day)
    return _(
        "Sign-in time: from %(opens)s until %(until)s",
        opens=_moment(opens),
        until=until,
    )


def window_state(record: Record, now: datetime | None = None) -> str:
    """``"before"``, ``"open"`` or ``"closed"``: residents may sign in
    themselves only while ``"open"``."""
    now = now or utcnow()
    opens, closes = window(record)
    if now < opens:
        return "before"
    return "open" if now < closes else "closed"


def qr_svg(url: str, *, label: str) -> Markup:
    """The QR code of ``url`` as an inline ``<svg>`` that scales with its box
    (class ``qr-code``), dark on white with the quiet zone the scanners need."""
    code = segno.make(url, error="m", micro=False)
    svg = code.svg_inline(
        scale=1,
        border=4,
        omitsize=True,
        dark="#000",
        light="#fff",
        svgclass="qr-code",
        title=label,
    )
    # segno writes the SVG itself (the title escaped); nothing typed by a user
    return Markup(svg)  # noqa: S704


def qr_for(record: Record) -> tuple[str, Markup]:
    """The sign-in link of ``record`` and its QR code."""
    url = sign_in_url(record, external=True)
    return url, qr_svg(url, label=_("Sign-in QR code"))
