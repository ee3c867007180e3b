"""What follow-ups and sessions tell the other features: their events on the
organization's timeline, completed follow-ups as "last contact" on the caseload,
and a stage change rescheduling the next follow-up."""

from __future__ import annotations

from datetime import date

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from incubator import signals
from incubator.auth.roles import STAFF_ROLES
from incubator.database import utcnow
from incubator.extensions import db
from incubator.followups import services
from incubator.followups.models import FollowUp, FollowUpState
from incubator.i18n import local_noon, local_today
from incubator.organizations.panels import Panel, PanelItem
from incubator.organizations.timeline import TimelineEvent
from incubator.sessions.models import SessionInvite, SessionState, TrainingSession


def last_followup(org_ids: list[int]) -> dict[int, date]:
    rows = db.session.execute(
        select(FollowUp.organization_id, func.max(FollowUp.done_on))
        .where(
            FollowUp.organization_id.in_(org_ids),
            FollowUp.state == FollowUpState.DONE,
        )
        .group_by(FollowUp.organization_id)
    )
    return {org_id: day for org_id, day in rows if day is not None}


def _followup_count(org, viewer) -> int:
    if viewer.role not in STAFF_ROLES:
        return 0
    return db.session.scalars(
        select(func.count())
        .select_from(FollowUp)
        .where(
            FollowUp.organization_id == org.id,
            FollowUp.state == FollowUpState.DONE,
        )
    ).one()


def followup_events(org, viewer, limit):
    """Completed follow-ups, for staff (their outcomes are case work)."""
    if viewer.role not in STAFF_ROLES:
        return []
    rows = db.session.scalars(
        select(FollowUp)
        .where(
            FollowUp.organization_id == org.id,
            FollowUp.state == FollowUpState.DONE,
        )
        .options(joinedload(FollowUp.assignee))
        .order_by(FollowUp.done_on.desc(), FollowUp.id.desc())
        .limit(limit)
    )
    return [
        TimelineEvent(
            at=local_noon(f.done_on),
            day=f.done_on,
            kind="followup",
            title=str(_l("Follow-up done (%(kind)s)", kind=f.kind_label)),
            detail=f.outcome,
            url=url_for("followups.index", organization=org.id, state="done"),
            actor=f.assignee.name if f.assignee else None,
            record_type="FollowUp",
            record_id=f.id,
        )
        for f in rows
        if f.done_on is not None  # always, for a done one
    ]


def _session_count(org, viewer) -> int:
    return db.session.scalars(
        select(func.count())
        .select_from(SessionInvite)
        .join(TrainingSession, TrainingSession.id == SessionInvite.session_id)
        .where(
            SessionInvite.organization_id == org.id,
            TrainingSession.state == SessionState.HELD,
        )
    ).one()


def session_events(org, viewer, limit):
    """Sessions the organization was invited to that were held, with how many of
    its members came."""
    rows = db.session.execute(
        select(TrainingSession, SessionInvite.attendees)
        .join(SessionInvite, SessionInvite.session_id == TrainingSession.id)
        .where(
            SessionInvite.organization_id == org.id,
            TrainingSession.state == SessionState.HELD,
        )
        .order_by(TrainingSession.starts_at.desc())
        .limit(limit)
    ).all()
    return [
        TimelineEvent(
            at=s.starts_at,
            day=None,
            kind="session",
            title=str(_l("Capacity-building session: %(title)s", title=s.title)),
            detail=str(_l("%(n)d members attended", n=attendees or 0)),
            url=url_for("sessions.detail", session_id=s.id),
            record_type="TrainingSession",
            record_id=s.id,
        )
        for s, attendees in rows
    ]


def schedule_panel(org, viewer):
    """Next follow-ups (staff) and the organization's coming sessions."""
    items = []
    today = local_today()
    if viewer.role in STAFF_ROLES:
        for f in db.session.scalars(
            select(FollowUp)
            .where(
                FollowUp.organization_id == org.id,
                FollowUp.state == FollowUpState.OPEN,
            )
            .order_by(FollowUp.due_on)
            .limit(3)
        ):
            items.append(
                PanelItem(
                    label=str(
                        _l("%(kind)s due %(day)s", kind=f.kind_label, day=f.due_on)
                    ),
                    url=url_for("followups.index", organization=org.id),
                    note=str(_l("Overdue")) if f.overdue(today) else "",
                )
            )
    for s in db.session.scalars(
        select(TrainingSession)
        .join(SessionInvite, SessionInvite.session_id == TrainingSession.id)
        .where(
            SessionInvite.organization_id == org.id,
            TrainingSession.state == SessionState.SCHEDULED,
            TrainingSession.starts_at >= utcnow(),
        )
        .order_by(TrainingSession.starts_at)
        .limit(3)
    ):
        items.append(
            PanelItem(
                label=s.title,
                url=url_for("sessions.detail", session_id=s.id),
                note=s.starts_at.astimezone(local_noon(today).tzinfo).strftime(
                    "%Y-%m-%d %H:%M"
                ),
            )
        )
    more = url_for("followups.new", org=org.id) if viewer.role in STAFF_ROLES else None
    return Panel(
        title=str(_l("Follow-ups and sessions")),
        items=items,
        more_url=more,
        more_label=str(_l("Schedule a follow-up")),
        empty=str(_l("Nothing scheduled.")),
    )


# ---- receivers (connected once, when this module is imported) ----


@signals.caseload_last_contact.connect
def _last_contact(_sender, *, org_ids):
    return last_followup(org_ids)


@signals.timeline_events.connect
def _followup_timeline(org, *, viewer, limit):
    return 80, followup_events(org, viewer, limit)


@signals.timeline_event_count.connect
def _followup_timeline_count(org, *, viewer):
    return _followup_count(org, viewer)


@signals.timeline_events.connect
def _session_timeline(org, *, viewer, limit):
    return 90, session_events(org, viewer, limit)


@signals.timeline_event_count.connect
def _session_timeline_count(org, *, viewer):
    return _session_count(org, viewer)


@signals.stage_changed.connect
def _reschedule(org, *, change, actor):
    return services.reschedule_for_stage(org, change, actor)


@signals.organization_moved.connect
def _move_open_followups(org, *, from_community_id, actor):
    services.move_open_followups(org)


@signals.organization_panels.connect
def _panel(org, *, viewer):
    return 30, schedule_panel(org, viewer)
