"""One step of a venture's life through the ventures' services, dated back: apply,
move (to review, 立项, 未通过, 实施, 结项, 终止) and decide, whose proposed plan is
then timed from the decision."""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import date, datetime, timedelta

from sqlalchemy import select

from incubator.audit.models import AuditEntry
from incubator.auth.models import User
from incubator.demo import clock
from incubator.demo.ventures.proposals import Proposal
from incubator.extensions import db
from incubator.organizations.models import Organization
from incubator.ventures import plans, services
from incubator.ventures.models import (
    PlanAction,
    State,
    Venture,
    VentureEvent,
    VentureRound,
)
from incubator.ventures.schemas import (
    BudgetLineIn,
    PlanActionChange,
    VentureApplication,
)


def _dated(day: date, hour: int = 10) -> AbstractContextManager[datetime]:
    """The venture history and audit entries written inside are dated ``day``."""
    return clock.dated(day, hour, (VentureEvent, AuditEntry))


def _apply(
    round_: VentureRound, proposal: Proposal, orgs: dict[str, Organization]
) -> Venture:
    org = orgs[proposal.org]
    sponsor = orgs[proposal.sponsor] if proposal.sponsor else None
    application = VentureApplication(
        round_id=round_.id,
        organization_id=org.id,
        sponsor_id=sponsor.id if sponsor else None,
        budget_lines=[
            BudgetLineIn(item=item, amount=amount)
            for item, amount in proposal.budget_lines
        ],
        title=proposal.title,
        target_group=proposal.target_group,
        need=proposal.need,
        planned_activities=proposal.planned_activities,
        expected_outputs=proposal.expected_outputs,
        requested_amount=f"{proposal.requested:.2f}",
    )
    return services.apply(
        round_, org, application, actor=org.leader or _social_worker(org)
    )


def _social_worker(org: Organization) -> User:
    """Every demo organization has one (``seed.ORGANIZATIONS`` names it)."""
    if org.social_worker is None:
        raise LookupError(f"demo organization {org.name} has no social worker")
    return org.social_worker


def _worker(venture: Venture) -> User:
    return _social_worker(venture.organization)


def _move(
    venture: Venture, to: State, day: date, actor: User, *, hour: int = 10, **values
) -> None:
    """Move ``venture`` on ``day``; its decision or closing carries that date."""
    with _dated(day, hour) as moment:
        services.transition(venture, to, actor=actor, **values)
        venture.state_since = moment
        if to in (State.APPROVED, State.REJECTED):
            venture.decided_on = day
        if to == State.CLOSED:
            venture.closed_on = day


def _decide(
    venture: Venture, admin: User, day: date, note: str, *, amount: str | None = None
) -> None:
    """立项 on ``day``; the proposed plan is timed from that day."""
    _move(venture, State.APPROVED, day, admin, note=note, approved_amount=amount)
    due_days = {(e.dimension, e.action): e.due_days for e in plans.catalogue()}
    worker = _worker(venture)
    with _dated(day, hour=11) as moment:
        for action in _actions(venture):
            days = due_days.get((action.dimension, action.action))
            due = action.due_on
            if days is not None:
                due = min(day + timedelta(days=days), venture.round.runs_until)
            if due != action.due_on:
                plans.update_action(
                    action,
                    PlanActionChange(version=action.version, due_on=due),
                    actor=worker,
                )
            action.created_at = moment


def _reject(venture: Venture, admin: User, day: date, note: str) -> None:
    _move(venture, State.REJECTED, day, admin, note=note)


def _terminate(venture: Venture, admin: User, day: date, reason: str) -> None:
    _move(venture, State.TERMINATED, day, admin, note=reason)


def _actions(venture: Venture) -> list[PlanAction]:
    return list(
        db.session.scalars(
            select(PlanAction)
            .where(PlanAction.venture_id == venture.id)
            .order_by(PlanAction.due_on, PlanAction.id)
        )
    )
