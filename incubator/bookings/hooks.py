"""What bookings answer to the layers below: an activity log saved links to the
booking of the same organization at the same time (one space use, counted
once), and a capacity-building session held in a centre room keeps its own
booking in step (``incubator.signals``)."""

from __future__ import annotations

from incubator import signals
from incubator.bookings import links


@signals.activity_saved.connect
def _link_activity(activity, *, actor=None, **_extra) -> None:
    links.link_activity(activity, actor=actor)


@signals.session_saved.connect
def _session_booking(session, *, action: str, actor=None, **_extra) -> None:
    if action == "held":
        links.record_session_use(session, actor=actor)
    else:
        links.sync_session_booking(session, actor=actor)
