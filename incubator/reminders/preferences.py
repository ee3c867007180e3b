"""Each user's reminder settings: their email address and, per kind of reminder
their role receives, email and (staff only: the group is the agency team's) the
WeCom group. In-app is always on."""

from __future__ import annotations

import re
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from incubator.audit import services as audit
from incubator.auth.models import User
from incubator.auth.roles import STAFF_ROLES, Role
from incubator.errors import ValidationFailed
from incubator.extensions import db
from incubator.reminders.models import FALLBACK_KIND, Kind, ReminderPreference

EMAIL_RE = re.compile(r"[^@\s]{1,64}@[^@\s]{1,189}\.[^@\s]{2,63}")
# Which kinds each role receives.
KINDS_FOR_ROLE = {
    Role.ORG_LEADER: (Kind.MONTHLY_LOG_REMINDER, Kind.ACTIVITY_RETURNED),
    Role.SOCIAL_WORKER: (Kind.MONTHLY_DIGEST,),
    Role.ADMIN: (Kind.MONTHLY_REPORT,),
    Role.VIEWER: (),
}


def kinds_for(user: User) -> tuple[Kind, ...]:
    return KINDS_FOR_ROLE.get(Role(user.role), ())


def _saved_preferences(user: User) -> dict[str, ReminderPreference]:
    return {
        p.kind: p
        for p in db.session.scalars(
            select(ReminderPreference).where(ReminderPreference.user_id == user.id)
        )
    }


def preferences_of(user: User) -> dict[str, ReminderPreference]:
    """The user's choices by kind; a kind never chosen shows its fallback kind's
    choice (``FALLBACK_KIND``), which is what the outbox follows for it."""
    prefs = _saved_preferences(user)
    for kind, fallback in FALLBACK_KIND.items():
        if kind not in prefs and fallback in prefs:
            prefs[kind] = prefs[fallback]
    return prefs


def save_preferences(
    user: User, *, email: str, choices: dict[str, tuple[bool, bool]]
) -> None:
    """``choices``: {kind: (email, wecom)} for the kinds of the user's role."""
    email = (email or "").strip()
    if email and (len(email) > 254 or not EMAIL_RE.fullmatch(email)):
        raise ValidationFailed(
            _l("That does not look like an email address."), field="email"
        )
    staff = user.role in STAFF_ROLES
    changes: dict[str, list[Any]] = (
        {"email": [user.email, email]} if user.email != email else {}
    )
    user.email = email
    prefs = _saved_preferences(user)
    for kind in kinds_for(user):
        by_email, by_wecom = choices.get(kind, (False, False))
        new = (bool(by_email), bool(by_wecom) and staff)
        pref = prefs.get(kind)
        if pref is None:
            pref = ReminderPreference(user_id=user.id, kind=kind)
            db.session.add(pref)
        if (pref.email, pref.wecom) != new:
            changes[kind] = [[pref.email, pref.wecom], list(new)]
        pref.email, pref.wecom = new
    if changes:
        audit.record_event(
            "update",
            "ReminderPreference",
            actor=user,
            entity_id=user.id,
            changes=changes,
        )
    db.session.flush()
