"""A month's room bookings as an Excel workbook, one row per booking (user text
always a string cell, never a formula)."""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import gettext as _

from incubator.bookings.models import Booking
from incubator.bookings.rules import holder_of
from incubator.i18n import local_zone
from incubator.spreadsheets import new_sheet, write_row, xlsx_response


def booked_for(booking: Booking) -> str:
    """Who the room is booked for: a session, the organization, the outside unit
    received, or the service centre itself (load ``session`` with the booking)."""
    return holder_of(booking)


def held_label(booking: Booking) -> str:
    if booking.held is None:
        return _("Use not recorded")
    return _("Yes") if booking.held else _("No")


def bookings_workbook(bookings: Sequence[Booking], name: str, title: str):
    book, sheet = new_sheet(
        title,
        [
            _("Date"),
            _("From–to"),
            _("Room"),
            _("Booked for"),
            _("Purpose"),
            _("Service type"),
            _("State"),
            _("Room used"),
            _("People present"),
            _("People expected"),
        ],
        widths=[12, 13, 14, 22, 30, 16, 10, 8, 10, 10],
    )
    zone = local_zone()
    for row, b in enumerate(bookings, start=2):
        starts, ends = b.starts_at.astimezone(zone), b.ends_at.astimezone(zone)
        write_row(
            sheet,
            row,
            [
                b.held_on,
                f"{starts:%H:%M}–{ends:%H:%M}",
                b.room.name,
                booked_for(b),
                b.purpose,
                b.service_type_label,
                b.state_label,
                held_label(b),
                b.people if b.people is not None else "",
                b.expected_people,
            ],
        )
    return xlsx_response(book, name)
