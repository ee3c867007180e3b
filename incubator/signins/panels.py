"""The sign-in box on an activity's, a session's and a booking's page
(``signals.record_panels``): how many signed in, who (for those who may see
names), the warning when sign-ins pass the typed person-times, and the organizer's
buttons (QR code, printable sheet, paper sheet entry, Excel import).

The box runs the same few queries whatever the number of sign-ins: the count, the
first ``PANEL_ROWS`` rows; the full list is its own page.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import render_template
from markupsafe import Markup

from incubator import signals
from incubator.activities.models import Activity
from incubator.auth.models import User
from incubator.auth.roles import STAFF_ROLES
from incubator.signins.codes import Record, kind_of
from incubator.signins.queries import (
    AttendeeList,
    attendees,
    may_add_sign_ins,
    may_see_attendee_names,
)
from incubator.signins.services import may_reveal_phone

# Rows shown on the record's page; the rest are on the attendee list page.
PANEL_ROWS = 10


@dataclass(frozen=True)
class SignInBox:
    """What the box and the attendee list page show of ``record`` to a viewer."""

    kind: str
    record: Record
    people: AttendeeList
    names: bool  # the viewer sees who signed in
    organizer: bool  # QR code, sheet, paper entry, import
    may_remove: bool
    may_reveal: bool
    over: int | None  # the typed person-times, when sign-ins pass it

    @property
    def more(self) -> int:
        return max(0, self.people.count - len(self.people.rows))


def may_remove_sign_ins(viewer: User | None, record: Record) -> bool:
    """Staff of the record's community remove a sign-in (typed onto the wrong
    record); a leader types her sheet again but does not remove."""
    return bool(
        viewer is not None
        and viewer.role in STAFF_ROLES
        and may_see_attendee_names(viewer, record)
    )


def person_times_exceeded(record: Record, count: int) -> int | None:
    """The activity's typed person-times when ``count`` sign-ins pass it."""
    if isinstance(record, Activity) and count > (record.person_times or 0):
        return record.person_times or 0
    return None


def sign_in_box(
    record: Record, viewer: User | None, *, limit: int | None, offset: int = 0
) -> SignInBox:
    names = may_see_attendee_names(viewer, record)
    people = attendees(record, viewer=viewer, limit=limit, offset=offset)
    return SignInBox(
        kind=kind_of(record),
        record=record,
        people=people,
        names=names,
        organizer=may_add_sign_ins(viewer, record),
        may_remove=may_remove_sign_ins(viewer, record),
        may_reveal=names and may_reveal_phone(viewer, record),
        # the warning is for those who answer for the figure (staff, the leader)
        over=person_times_exceeded(record, people.count) if names else None,
    )


@signals.record_panels.connect
def sign_in_panel(record, *, viewer=None):
    box = sign_in_box(record, viewer, limit=PANEL_ROWS)
    # a rendered template: Jinja escaped everything in it already
    html = render_template("signins/_panel.html", box=box)
    return 10, Markup(html)  # noqa: S704
