"""What ventures tell the other features: their steps on the organization's
timeline, a box on the organization's page, and overdue plan actions on the
caseload."""

from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from incubator import signals
from incubator.auth.roles import STAFF_ROLES
from incubator.deadlines import overdue as overdue_on
from incubator.extensions import db
from incubator.i18n import local_today
from incubator.money import yuan
from incubator.organizations.panels import Panel, PanelItem
from incubator.organizations.timeline import (
    TimelineEvent,
    count_owned_events,
    timeline_source,
)
from incubator.ventures import plans, spending
from incubator.ventures.models import (
    CLOSING_GRADE_LABELS,
    STATE_LABELS,
    ClosingGrade,
    PlanAction,
    State,
    Venture,
    VentureEvent,
)

EVENT_TITLES = {
    "applied": _l("Micro-venture applied for: %(title)s"),
    "edited": _l("Micro-venture application edited: %(title)s"),
    "reviewers": _l("Reviewers assigned: %(title)s"),
    "reviewed": _l("A review was submitted: %(title)s"),
    "proposed": _l("Support plan proposed: %(title)s"),
    "action_added": _l("Plan action added: %(title)s"),
    "action_done": _l("Plan action done: %(title)s"),
    "action_removed": _l("Plan action removed: %(title)s"),
    "spent": _l("Expenditure recorded: %(title)s"),
    "midterm": _l("Mid-term check: %(title)s"),
}


def event_title(event: VentureEvent, venture_title: str) -> str:
    if event.action == "state" and event.from_state and event.to_state:
        return str(
            _l(
                "Micro-venture %(title)s: %(from)s → %(to)s",
                title=venture_title,
                **{
                    "from": STATE_LABELS[State(event.from_state)],
                    "to": STATE_LABELS[State(event.to_state)],
                },
            )
        )
    template = EVENT_TITLES.get(event.action, EVENT_TITLES["edited"])
    return str(template % {"title": venture_title})


REVIEW_ACTIONS = frozenset({"reviewers", "reviewed"})


def event_note(event: VentureEvent, viewer) -> str:
    """Who sits on a review panel is for staff; everything else may be shown."""
    if event.action in REVIEW_ACTIONS and viewer.role not in STAFF_ROLES:
        return ""
    return event.note


def event_actor(event: VentureEvent, viewer) -> str | None:
    if event.actor is None:
        return None
    if event.action in REVIEW_ACTIONS and viewer.role not in STAFF_ROLES:
        return None
    return event.actor.name


def _count(org, viewer) -> int:
    return count_owned_events(VentureEvent, VentureEvent.venture_id, Venture, org)


def venture_events(org, viewer, limit):
    rows = db.session.execute(
        select(VentureEvent, Venture.title, Venture.id)
        .join(Venture, Venture.id == VentureEvent.venture_id)
        .where(Venture.organization_id == org.id)
        .options(joinedload(VentureEvent.actor))
        .order_by(VentureEvent.at.desc(), VentureEvent.id.desc())
        .limit(limit)
    ).all()
    return [
        TimelineEvent(
            at=event.at,
            day=None,
            kind=f"venture_{event.action}",
            title=event_title(event, title),
            detail=event_note(event, viewer),
            url=url_for("ventures.detail", venture_id=venture_id),
            actor=event_actor(event, viewer),
            record_type="VentureEvent",
            record_id=event.id,
        )
        for event, title, venture_id in rows
    ]


def ventures_panel(org, viewer) -> Panel:
    ventures = db.session.scalars(
        select(Venture)
        .where(Venture.organization_id == org.id)
        .options(joinedload(Venture.round))
        .order_by(Venture.created_at.desc(), Venture.id.desc())
        .limit(5)
    ).all()
    ids = [v.id for v in ventures]
    spent = spending.spent_by_venture(ids)
    overdue = (
        {}
        if not ids
        else dict(
            db.session.execute(
                select(PlanAction.venture_id, func.count(PlanAction.id))
                .where(
                    PlanAction.venture_id.in_(ids),
                    PlanAction.done_on.is_(None),
                    PlanAction.removed_at.is_(None),
                    overdue_on(PlanAction.due_on, local_today()),
                )
                .group_by(PlanAction.venture_id)
            ).all()
        )
    )
    items = []
    for v in ventures:
        parts = [v.round.name, v.state_label]
        if v.approved_amount is not None:
            parts.append(
                str(
                    _l(
                        "approved %(approved)s, spent %(spent)s yuan",
                        approved=yuan(v.approved_amount),
                        spent=yuan(spent.get(v.id, 0)),
                    )
                )
            )
        if overdue.get(v.id) and v.state in plans.OPEN_FOR_PLAN:
            parts.append(str(_l("%(n)d plan actions overdue", n=overdue[v.id])))
        if v.closing_grade:
            parts.append(str(CLOSING_GRADE_LABELS[ClosingGrade(v.closing_grade)]))
        items.append(
            PanelItem(
                label=v.title,
                url=url_for("ventures.detail", venture_id=v.id),
                note=" · ".join(parts),
            )
        )
    return Panel(
        title=str(_l("Micro-ventures and support plan")),
        items=items,
        more_url=url_for("ventures.index", organization=org.id),
        more_label=str(_l("All micro-ventures of this organization")),
        empty=str(_l("No micro-venture yet.")),
    )


def overdue_flags(org_ids: list[int]) -> dict[int, str]:
    return {
        org_id: str(_l("%(n)d plan actions overdue", n=n))
        for org_id, n in plans.overdue_counts(org_ids).items()
    }


# ---- receivers (connected once, when this module is imported) ----


timeline_source(70, venture_events, _count)


@signals.organization_panels.connect
def _panel(org, *, viewer):
    return 20, ventures_panel(org, viewer)


@signals.caseload_flags.connect
def _flags(_sender, *, org_ids):
    return 10, overdue_flags(org_ids)
