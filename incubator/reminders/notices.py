"""Notices of single events (not monthly): a returned activity log tells its
organization's leader what to fix, in the app and by the channels she chose.

The notice goes through the outbox like the monthly reminders: recorded in the
review's own unit of work (so nothing is recorded when the return is rolled back),
delivered by the delivery job after the commit. Its key is the return event's id,
so recording it again (a retry, a second receiver call) adds nothing, while a
second return after a fix is a new event and a new notice."""

from __future__ import annotations

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from incubator import signals
from incubator.activities.models import Activity, ActivityEvent
from incubator.auth.models import User
from incubator.extensions import db
from incubator.i18n import date_filter
from incubator.reminders import outbox
from incubator.reminders.compose import Draft
from incubator.reminders.models import Kind, Reminder

_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def event_key(event_id: int) -> str:
    """The outbox key (its 7-character ``period``) of one event: the id itself
    while it fits, else ``x`` and the id in base 36 (fits any 32-bit id)."""
    if event_id < 10**7:
        return str(event_id)
    digits = ""
    while event_id:
        event_id, rest = divmod(event_id, 36)
        digits = _DIGITS[rest] + digits
    return "x" + digits


def fix_link(activity: Activity) -> str:
    """Where the leader fixes the log: its edit form (a relative link)."""
    return f"/activities/{activity.id}/edit"


def returned_draft(
    activity: Activity, event: ActivityEvent, recipient_id: int
) -> Draft:
    """The notice in the agency's language (the stored text is read later, by
    whoever opens it). The body names the activity and the reason; the link is a
    button in the app and a link in the email, never a URL in the text."""
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        return Draft(
            recipient_id=recipient_id,
            kind=Kind.ACTIVITY_RETURNED,
            title=_("Activity log returned: %(title)s", title=activity.title)[:200],
            body="\n".join(
                [
                    f"{activity.organization.name} · "
                    f"{date_filter(activity.held_on)} · {activity.title}",
                    _("Reason: %(reason)s", reason=event.reason),
                    _("Please fix it and submit it again."),
                ]
            ),
            link=fix_link(activity),
        )


@signals.activity_returned.connect
def notify_leader(
    activity: Activity, *, event: ActivityEvent, actor: User, **_extra
) -> None:
    """Record the notice of a return for the organization's leader (none when the
    organization has no active leader or the reviewer is that leader)."""
    leader_id = activity.organization.leader_user_id
    if leader_id is None or leader_id == actor.id:
        return
    leader = db.session.get(User, leader_id)
    if leader is None or not leader.active:
        return
    outbox.record([returned_draft(activity, event, leader_id)], event_key(event.id))


HOME_UNREAD = 5  # unread notices a leader's home lists (the bell counts them all)


def unread_notices(user: User, limit: int = HOME_UNREAD) -> list[Reminder]:
    """The user's newest unread reminders and notices, in one query."""
    return list(
        db.session.scalars(
            select(Reminder)
            .where(Reminder.recipient_id == user.id, Reminder.read_at.is_(None))
            .order_by(Reminder.created_at.desc(), Reminder.id.desc())
            .limit(limit)
        )
    )
