"""The volunteers' events on an organization's timeline: who joined or left.
A viewer, who sees no resident, reads "a volunteer joined" without the name and
without a link to the roster (issue 13)."""

from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from incubator.auth.permissions import may_see_residents
from incubator.extensions import db
from incubator.i18n import local_noon
from incubator.organizations.timeline import TimelineEvent, timeline_source
from incubator.volunteers.models import Membership


def _count(org, viewer) -> int:
    joined = db.session.scalar(
        select(func.count())
        .select_from(Membership)
        .where(Membership.organization_id == org.id)
    )
    left = db.session.scalar(
        select(func.count())
        .select_from(Membership)
        .where(Membership.organization_id == org.id, Membership.left_on.is_not(None))
    )
    return (joined or 0) + (left or 0)


def membership_events(org, viewer, limit):
    rows = db.session.scalars(
        select(Membership)
        .where(Membership.organization_id == org.id)
        .options(joinedload(Membership.volunteer))
        .order_by(Membership.joined_on.desc(), Membership.id.desc())
        .limit(limit)
    ).all()
    named = may_see_residents(viewer)
    url = url_for("volunteers.org_roster", org_id=org.id) if named else None
    events = []
    for m in rows:
        if named:
            joined = _l(
                "%(name)s joined as %(role)s", name=m.volunteer.name, role=m.role_label
            )
            left = _l("%(name)s left", name=m.volunteer.name)
        else:
            joined = _l("A volunteer joined as %(role)s", role=m.role_label)
            left = _l("A volunteer left")
        events.append(_membership_event(m, m.joined_on, "member_joined", joined, url))
        if m.left_on is not None:
            events.append(_membership_event(m, m.left_on, "member_left", left, url))
    return events


def _membership_event(membership, day, kind, title, url) -> TimelineEvent:
    return TimelineEvent(
        at=local_noon(day),
        day=day,
        kind=kind,
        title=str(title),
        url=url,
        record_type="Membership",
        record_id=membership.id,
    )


timeline_source(50, membership_events, _count)
