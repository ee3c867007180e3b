"""What activities tell the other features: approved activities count toward
graduation, make "last activity" on the caseload, and appear on the timeline."""

from __future__ import annotations

from datetime import date

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from incubator import signals
from incubator.activities.models import (
    RESOURCE_KIND_LABELS,
    Activity,
    ActivityEvent,
    ResourceKind,
    ReviewState,
)
from incubator.extensions import db
from incubator.money import yuan
from incubator.organizations.panels import Panel, PanelItem
from incubator.organizations.timeline import (
    TimelineEvent,
    count_owned_events,
    timeline_source,
)

EVENT_TITLES = {
    "logged": lambda t: _l("Activity logged: %(title)s", title=t),
    "edited": lambda t: _l("Activity edited: %(title)s", title=t),
    "resubmitted": lambda t: _l("Activity resubmitted: %(title)s", title=t),
    "returned": lambda t: _l("Activity returned: %(title)s", title=t),
    "approved": lambda t: _l("Activity approved: %(title)s", title=t),
}


def approved_since(organization_id: int, since: date) -> int:
    return db.session.scalars(
        select(func.count())
        .select_from(Activity)
        .where(
            Activity.organization_id == organization_id,
            Activity.review_state == ReviewState.APPROVED,
            Activity.held_on >= since,
        )
    ).one()


def last_activity(org_ids: list[int]) -> dict[int, date]:
    rows = db.session.execute(
        select(Activity.organization_id, func.max(Activity.held_on))
        .where(
            Activity.organization_id.in_(org_ids),
            Activity.review_state == ReviewState.APPROVED,
        )
        .group_by(Activity.organization_id)
    )
    return {org_id: day for org_id, day in rows}


def _count(org, viewer) -> int:
    return count_owned_events(ActivityEvent, ActivityEvent.activity_id, Activity, org)


def activity_events(org, viewer, limit):
    rows = db.session.execute(
        select(ActivityEvent, Activity)
        .join(Activity, Activity.id == ActivityEvent.activity_id)
        .where(Activity.organization_id == org.id)
        .options(joinedload(ActivityEvent.actor))
        .order_by(ActivityEvent.at.desc(), ActivityEvent.id.desc())
        .limit(limit)
    ).all()
    return [
        TimelineEvent(
            at=event.at,
            day=None,
            kind=f"activity_{event.action}",
            title=str(
                EVENT_TITLES.get(event.action, EVENT_TITLES["edited"])(activity.title)
            ),
            detail=event.reason,
            url=url_for("activities.detail", activity_id=activity.id),
            actor=event.actor.name if event.actor else None,
            record_type="Activity",
            record_id=activity.id,
        )
        for event, activity in rows
    ]


ACTION_LABELS = {
    "logged": _l("Logged"),
    "edited": _l("Edited"),
    "resubmitted": _l("Fixed and resubmitted"),
    "returned": _l("Returned"),
    "approved": _l("Approved"),
}


def init_app(app) -> None:
    app.jinja_env.filters["yuan"] = yuan
    app.jinja_env.filters["resource_kind"] = lambda key: str(
        RESOURCE_KIND_LABELS.get(ResourceKind(key), key)
    )
    app.jinja_env.filters["activity_action"] = lambda key: str(
        ACTION_LABELS.get(key, key)
    )


def activities_panel(org, viewer):
    recent = db.session.scalars(
        select(Activity)
        .where(Activity.organization_id == org.id)
        .order_by(Activity.held_on.desc(), Activity.id.desc())
        .limit(5)
    ).all()
    approved = db.session.scalar(
        select(func.count())
        .select_from(Activity)
        .where(
            Activity.organization_id == org.id,
            Activity.review_state == ReviewState.APPROVED,
        )
    )
    return Panel(
        title=str(_l("Activities")),
        summary=str(_l("%(n)d approved activities in all", n=approved)),
        items=[
            PanelItem(
                label=a.title,
                url=url_for("activities.detail", activity_id=a.id),
                note=f"{a.held_on.isoformat()} · {a.review_state_label}",
            )
            for a in recent
        ],
        more_url=url_for("activities.index", organization=org.id),
        more_label=str(_l("All activities of this organization")),
        empty=str(_l("No activity logged yet.")),
    )


# ---- receivers (connected once, when this module is imported) ----


@signals.organization_panels.connect
def _panel(org, *, viewer):
    return 10, activities_panel(org, viewer)


@signals.activity_counted.connect
def _counted(_sender, *, organization_id, since):
    return approved_since(organization_id, since)


@signals.caseload_last_activity.connect
def _last_activity(_sender, *, org_ids):
    return last_activity(org_ids)


timeline_source(60, activity_events, _count)
