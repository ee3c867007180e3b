"""Scheduling and completing follow-ups, and the cadence by stage (DOMAIN.md: 萌芽
and 孵化 monthly, 培育 every two months, 自治 quarterly, 出壳 none).

Completing a follow-up schedules the next one by the organization's cadence; a
stage change reschedules the next open one by the new cadence. One organization
never gets two follow-ups of the same kind on the same day (a unique key), so a
retry or a double tap schedules nothing twice.
"""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from incubator.audit import services as audit
from incubator.auth.models import User
from incubator.auth.roles import STAFF_ROLES, Role
from incubator.database import utcnow
from incubator.errors import NotPermitted, RuleViolation, StaleRecord, ValidationFailed
from incubator.extensions import db
from incubator.followups.models import CadenceSetting, FollowUp, FollowUpState, Kind
from incubator.followups.schemas import FollowUpCompletion, FollowUpPlan
from incubator.i18n import local_date, local_today
from incubator.organizations.models import Organization
from incubator.periods import add_months
from incubator.workflow import FOLLOWUP

DEFAULT_CADENCE = {
    "intake": 1,
    "incubating": 1,
    "cultivating": 2,
    "self_governing": 3,
    "graduated": None,
    "dormant": None,
}


def cadence() -> dict[str, int | None]:
    saved = {
        row.stage: row.months for row in db.session.scalars(select(CadenceSetting))
    }
    return {**DEFAULT_CADENCE, **saved}


def cadence_for(stage: str) -> int | None:
    return cadence().get(stage)


def save_cadence(values: dict[str, int | None], *, actor: User) -> None:
    """Months per stage (``None``: no follow-ups at that stage); admins only."""
    if actor.role != Role.ADMIN:
        raise NotPermitted(_l("Only the project lead sets the cadence."))
    rows = {row.stage: row for row in db.session.scalars(select(CadenceSetting))}
    before = cadence()
    for stage, months in values.items():
        if months is not None and (
            isinstance(months, bool)
            or not isinstance(months, int)
            or not 1 <= months <= 24
        ):
            raise ValidationFailed(
                _l("Months between follow-ups: 1 to 24, or empty for none."),
                field=f"cadence-{stage}",
            )
        row = rows.get(stage)
        if row is None:
            db.session.add(CadenceSetting(stage=stage, months=months))
        else:
            row.months = months
    audit.record_event(
        "update",
        "CadenceSetting",
        actor=actor,
        changes={"cadence": [before, {**before, **values}]},
    )
    db.session.flush()


def _may_manage(actor: User) -> None:
    if actor.role not in STAFF_ROLES:
        raise NotPermitted(_l("Follow-ups are the social workers' work."))


def _check_assignee(assignee_id) -> User | None:
    if assignee_id in (None, ""):
        return None
    user = db.session.get(User, int(assignee_id))
    if user is None or not user.active or user.role not in STAFF_ROLES:
        raise ValidationFailed(
            _l("Assign it to an active social worker."), field="assignee_id"
        )
    return user


def _exists(org_id: int, due_on: date, kind: str) -> FollowUp | None:
    return db.session.scalar(
        select(FollowUp).where(
            FollowUp.organization_id == org_id,
            FollowUp.due_on == due_on,
            FollowUp.kind == kind,
        )
    )


def schedule_followup(
    org: Organization,
    plan: FollowUpPlan,
    *,
    actor: User | None,
    origin: str = "manual",
) -> FollowUp:
    """A follow-up on ``org`` (the plan's organization, loaded by the caller). The
    same organization, day and kind twice is refused (``RuleViolation``) when asked
    by hand, and returns the existing one when scheduled by the cadence."""
    if actor is not None:
        _may_manage(actor)
    if org.archived:
        raise RuleViolation(_l("An archived organization gets no follow-ups."))
    kind, due_on, assignee_id = plan.kind.value, plan.due_on, plan.assignee_id
    assignee = (
        _check_assignee(assignee_id)
        if origin == "manual"
        else db.session.get(User, assignee_id)
        if assignee_id
        else None
    )
    existing = _exists(org.id, due_on, kind)
    if existing is not None and origin != "manual":
        if existing.state == FollowUpState.OPEN:
            return existing
        due_on = _free_day(org.id, due_on, kind)
        existing = None
    if existing is not None:
        raise RuleViolation(
            _l("A follow-up of this kind is already scheduled on that day."),
            field="due_on",
        )
    followup = FollowUp(
        organization_id=org.id,
        kind=kind,
        due_on=due_on,
        assignee_id=assignee.id if assignee else org.social_worker_id,
        notes=plan.notes,
        origin=origin,
        created_by_id=actor.id if actor else None,
    )
    changes = audit.pending_changes(followup)
    try:
        with db.session.begin_nested():
            db.session.add(followup)
            db.session.flush()
    except IntegrityError:
        # Scheduled at the same moment by another request: keep that one.
        existing = _exists(org.id, due_on, kind)
        if existing is None:
            raise
        if origin != "manual":
            return existing
        raise RuleViolation(
            _l("A follow-up of this kind is already scheduled on that day."),
            field="due_on",
        ) from None
    audit.record("create", followup, actor=actor, changes=changes)
    db.session.flush()
    return followup


def _free_day(org_id: int, due_on: date, kind: str) -> date:
    """The first day from ``due_on`` without a follow-up of ``kind`` (a done or
    cancelled one keeps its day in the record)."""
    taken = set(
        db.session.scalars(
            select(FollowUp.due_on).where(
                FollowUp.organization_id == org_id,
                FollowUp.kind == kind,
                FollowUp.due_on >= due_on,
                FollowUp.due_on <= date.fromordinal(due_on.toordinal() + 60),
            )
        )
    )
    day = due_on
    while day in taken:
        day = date.fromordinal(day.toordinal() + 1)
    return day


def _auto_assignee(org: Organization, fallback: int | None) -> int | None:
    """The organization's social worker if still active, else ``fallback``."""
    for candidate in (org.social_worker_id, fallback):
        if candidate is None:
            continue
        user = db.session.get(User, candidate)
        if user is not None and user.active and user.role in STAFF_ROLES:
            return user.id
    return None


AUTOMATIC = ("cadence", "stage")


def _open_followups(org_id: int) -> list[FollowUp]:
    return list(
        db.session.scalars(
            select(FollowUp)
            .where(
                FollowUp.organization_id == org_id,
                FollowUp.state == FollowUpState.OPEN,
            )
            .order_by(FollowUp.due_on, FollowUp.id)
        )
    )


def complete_followup(
    followup: FollowUp, completion: FollowUpCompletion, *, actor: User
) -> FollowUp | None:
    """Mark done with an outcome note; returns the next follow-up scheduled by the
    stage's cadence (none when the stage has no cadence or another one is already
    open). ``completion.version``, when given, must be the follow-up's."""
    FOLLOWUP.authorize(actor.role, FollowUpState.OPEN)
    expected_version = completion.version
    if expected_version is not None and expected_version != followup.version:
        raise StaleRecord(
            _l("Someone else changed this follow-up after you opened it; reload it.")
        )
    step = FOLLOWUP.transition(followup.state, FollowUpState.DONE)
    today = local_today()
    done_on = completion.done_on or today
    # Not in the future, nor more than a year before the follow-up was due or made.
    earliest = min(followup.due_on, local_date(followup.created_at or utcnow()))
    if done_on > today or done_on < earliest - timedelta(days=366):
        raise ValidationFailed(
            _l("The date cannot be in the future, nor long before the follow-up."),
            field="done_on",
        )
    followup.state = step.target
    followup.done_on = done_on
    followup.outcome = completion.outcome
    audit.record("complete", followup, actor=actor)
    try:
        db.session.flush()
    except StaleDataError:
        raise StaleRecord(
            _l("Someone else closed this follow-up at the same moment.")
        ) from None
    org = followup.organization
    months = cadence_for(org.stage)
    if months is None or org.archived or _open_followups(org.id):
        return None
    plan = FollowUpPlan(
        organization_id=org.id,
        kind=followup.kind,
        due_on=add_months(done_on, months),
        assignee_id=_auto_assignee(org, actor.id),
    )
    return schedule_followup(org, plan, actor=None, origin="cadence")


def cancel_followup(followup: FollowUp, *, actor: User | None, reason: str) -> None:
    """Cancel an open follow-up (``workflow.FOLLOWUP`` declares it the system's
    move: a stage change without cadence; a social worker's code may too)."""
    if actor is not None:
        _may_manage(actor)
    step = FOLLOWUP.transition(followup.state, FollowUpState.CANCELLED)
    followup.state = step.target
    followup.outcome = str(reason or "")[:5000]
    audit.record("cancel", followup, actor=actor)
    db.session.flush()


def reschedule_for_stage(org: Organization, change, actor: User | None) -> str:
    """After a stage change: the next automatic follow-up not yet due moves to the
    new cadence counted from today; a stage with no cadence cancels the automatic
    ones not yet due; an organization with none open gets one. Overdue follow-ups
    stay as they are (still owed, on the day they were due), and so do follow-ups
    made by hand. Returns what it did, as a sentence for the person who changed
    the stage ("" when it touched nothing and nothing is overdue)."""
    months = cadence_for(org.stage)
    today = local_today()
    pending = _open_followups(org.id)
    overdue = [f for f in pending if f.overdue(today)]
    coming = [f for f in pending if f.origin in AUTOMATIC and not f.overdue(today)]
    adjusted = 0
    if months is None:
        for followup in coming:
            cancel_followup(
                followup,
                actor=None,
                reason=str(_l("No follow-ups at this stage.")),
            )
        return _stage_summary(cancelled=len(coming), overdue=len(overdue))
    due = add_months(today, months)
    if not pending:
        plan = FollowUpPlan(
            organization_id=org.id,
            kind=Kind.VISIT,
            due_on=due,
            assignee_id=_auto_assignee(org, actor.id if actor else None),
        )
        created = schedule_followup(org, plan, actor=None, origin="stage")
        return str(
            _l(
                "A follow-up is scheduled by the new stage on %(day)s.",
                day=created.due_on.isoformat(),
            )
        )
    if coming:
        following = coming[0]
        if following.due_on != due:
            due = _free_day(org.id, due, following.kind)
        if following.due_on != due:
            before = following.due_on
            following.due_on = due
            audit.record(
                "reschedule",
                following,
                actor=actor,
                changes={"due_on": [before.isoformat(), due.isoformat()]},
            )
            db.session.flush()
            adjusted = 1
    return _stage_summary(adjusted=adjusted, overdue=len(overdue))


def _stage_summary(*, adjusted: int = 0, cancelled: int = 0, overdue: int = 0) -> str:
    parts = []
    if adjusted:
        parts.append(
            _l("Open follow-ups moved to the new stage's cadence: %(n)d.", n=adjusted)
        )
    if cancelled:
        parts.append(
            _l("Open follow-ups cancelled, none at this stage: %(n)d.", n=cancelled)
        )
    if overdue:
        parts.append(_l("Overdue follow-ups kept on their day: %(n)d.", n=overdue))
    return " ".join(str(part) for part in parts)


def move_open_followups(org: Organization) -> int:
    """Give ``org``'s open follow-ups its (new) community: they are still to
    come, so they count where the organization now is; done ones stay counted
    where they were done. Returns how many moved."""
    result = db.session.execute(
        update(FollowUp)
        .where(
            FollowUp.organization_id == org.id,
            FollowUp.state == FollowUpState.OPEN,
            FollowUp.community_id != org.community_id,
        )
        .values(community_id=org.community_id)
        .execution_options(synchronize_session="fetch")
    )
    return int(getattr(result, "rowcount", 0) or 0)
