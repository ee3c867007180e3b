"""Applying for a micro-venture and moving it through its life (DOMAIN.md). Pages,
the API, the CLI and the demo call these; they flush and audit, never commit.

Every step writes a ``VentureEvent`` (the venture's history, shown on the
organization's timeline) and an audit entry.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from incubator.api.fields import sent_values
from incubator.audit import services as audit
from incubator.auth.models import User
from incubator.auth.roles import STAFF_ROLES, Role
from incubator.database import serialize_on, utcnow
from incubator.errors import NotPermitted, RuleViolation, StaleRecord, ValidationFailed
from incubator.extensions import db
from incubator.i18n import local_today
from incubator.money import clean_money, money_text
from incubator.organizations.models import FilingStatus, Organization
from incubator.security import MAX_ID
from incubator.ventures import plans, rounds
from incubator.ventures.access import REVIEWER_ROLES, may_apply_for
from incubator.ventures.events import add_event, flush_venture
from incubator.ventures.models import (
    CLOSING_GRADE_LABELS,
    STATE_LABELS,
    BudgetLine,
    ClosingGrade,
    State,
    Venture,
    VentureReview,
    VentureRound,
)
from incubator.ventures.schemas import (
    VENTURE_NOT_NULL,
    VentureApplication,
    VentureChange,
    VentureFields,
    text,
)
from incubator.workflow import VENTURE

FIELDS = (
    "title",
    "target_group",
    "requested_amount",
    "need",
    "planned_activities",
    "expected_outputs",
)


def _text(value, field: str, limit: int, *, required: bool = False) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ValidationFailed(_l("Please fill this in."), field=field)
    if len(text) > limit:
        raise ValidationFailed(_l("At most %(n)d characters.", n=limit), field=field)
    return text


def _sponsor(sponsor_id: int | None) -> Organization | None:
    if sponsor_id is None:
        return None
    sponsor = db.session.get(Organization, sponsor_id)
    if sponsor is None:
        raise ValidationFailed(_l("Unknown organization."), field="sponsor_id")
    return sponsor


def _budget_lines(lines: list[tuple[str, Decimal]]) -> list[BudgetLine]:
    return [
        BudgetLine(item=item, amount=amount, position=i)
        for i, (item, amount) in enumerate(lines)
    ]


def _check_sponsor(org: Organization, sponsor: Organization | None) -> None:
    if sponsor is not None and sponsor.id == org.id:
        raise ValidationFailed(
            _l("An organization cannot sponsor itself."), field="sponsor_id"
        )
    if org.filing_status == FilingStatus.NONE:
        if sponsor is None:
            raise ValidationFailed(
                _l(
                    "%(org)s is neither filed nor registered: name the sponsoring "
                    "organization it applies through.",
                    org=org.name,
                ),
                field="sponsor_id",
            )
        if sponsor.archived or sponsor.filing_status == FilingStatus.NONE:
            raise ValidationFailed(
                _l("The sponsoring organization must be filed or registered."),
                field="sponsor_id",
            )


def apply(
    round_: VentureRound,
    org: Organization,
    application: VentureApplication,
    *,
    actor: User,
) -> Venture:
    """Apply (申报) for a venture in ``round_`` while its applications are open.
    An org leader applies for their own organization, staff for any. The same
    ``submission_key`` twice returns the first application. ``ValidationFailed``
    for an unknown sponsor or one the organization may not apply through."""
    sponsor = _sponsor(application.sponsor_id)
    submission_key = application.submission_key
    if submission_key:
        existing = db.session.scalar(
            select(Venture).where(Venture.submission_key == submission_key)
        )
        if existing is not None:
            if existing.applied_by_id != actor.id:
                raise ValidationFailed(_l("This form was already used; reload it."))
            existing.duplicate_submission = True
            return existing
    if not may_apply_for(actor, org):
        raise NotPermitted(_l("You may apply only for your own organization."))
    if org.archived:
        raise RuleViolation(_l("An archived organization cannot apply."))
    today = local_today()
    if not round_.opens_on <= today <= round_.closes_on:
        raise RuleViolation(
            _l(
                "Applications to this round are open from %(start)s to %(end)s.",
                start=round_.opens_on.isoformat(),
                end=round_.closes_on.isoformat(),
            )
        )
    _check_sponsor(org, sponsor)
    venture = Venture(
        round_id=round_.id,
        organization_id=org.id,
        sponsor_id=sponsor.id if sponsor else None,
        state=State.APPLIED,
        applied_by_id=actor.id,
        submission_key=submission_key or None,
        budget_lines=_budget_lines(application.lines),
        **application.fields(),
    )
    changes = audit.pending_changes(venture)
    try:
        with db.session.begin_nested():
            db.session.add(venture)
            db.session.flush()
    except IntegrityError:
        existing = db.session.scalar(
            select(Venture).where(Venture.submission_key == submission_key)
        )
        if existing is None:
            raise
        existing.duplicate_submission = True
        return existing
    changes["budget_lines"] = [
        None,
        [[line.item, str(line.amount)] for line in venture.budget_lines],
    ]
    audit.record("create", venture, actor=actor, changes=changes)
    add_event(venture, actor, "applied", to_state=State.APPLIED)
    db.session.flush()
    return venture


def _check_version(venture: Venture, expected_version: int | None) -> None:
    if expected_version is None or expected_version != venture.version:
        raise StaleRecord(
            _l(
                "Someone else changed this venture after you opened it; reload and "
                "try again."
            )
        )


def update_application(
    venture: Venture, change: VentureChange, *, actor: User
) -> Venture:
    """Change an application while it waits for review: the fields ``change``
    sent, the others stay. The result must be a valid application
    (``ValidationFailed`` as for a new one)."""
    values = sent_values(
        change,
        exclude=("version", "budget_lines", "sponsor_id"),
        not_null=VENTURE_NOT_NULL,
    )
    sponsor = (
        _sponsor(change.sponsor_id)
        if "sponsor_id" in change.model_fields_set
        else venture.sponsor
    )
    if not may_apply_for(actor, venture.organization):
        raise NotPermitted(
            _l("You may change only your own organization's application.")
        )
    _check_version(venture, change.version)
    if venture.state != State.APPLIED:
        raise RuleViolation(
            _l("Only an application not yet under review can be changed.")
        )
    merged = {field: getattr(venture, field) for field in FIELDS}
    merged["requested_amount"] = money_text(venture.requested_amount)
    merged.update({k: "" if v is None else v for k, v in values.items()})
    merged["budget_lines"] = (
        [
            {"item": line.item, "amount": money_text(line.amount)}
            for line in venture.budget_lines
        ]
        if change.budget_lines is None
        else [line.model_dump() for line in change.budget_lines]
    )
    application = VentureFields.model_validate(merged)
    _check_sponsor(venture.organization, sponsor)
    for key, value in application.fields().items():
        setattr(venture, key, value)
    venture.sponsor_id = sponsor.id if sponsor else None
    new_lines = _budget_lines(application.lines)
    changes = audit.pending_changes(venture)
    old = [[line.item, str(line.amount)] for line in venture.budget_lines]
    new = [[line.item, str(line.amount)] for line in new_lines]
    if old != new:
        venture.budget_lines = new_lines
        changes["budget_lines"] = [old, new]
    audit.record("update", venture, actor=actor, changes=changes)
    add_event(venture, actor, "edited")
    flush_venture()
    return venture


# ---- reviewers ----


def set_reviewers(venture: Venture, reviewer_ids, *, actor: User) -> Venture:
    """The admin names the review panel: reviewers not in ``reviewer_ids`` who have
    not submitted are removed; a submitted review always stays."""
    if actor.role != Role.ADMIN:
        raise NotPermitted(_l("Only the project lead assigns reviewers."))
    if venture.state not in (State.APPLIED, State.REVIEWING):
        raise RuleViolation(_l("Reviewers are assigned before the decision."))

    wanted = {int(i) for i in reviewer_ids or ()}
    if any(not 1 <= i <= MAX_ID for i in wanted):
        raise ValidationFailed(_l("Unknown reviewer."), field="reviewer_ids")
    users = (
        db.session.scalars(select(User).where(User.id.in_(wanted))).all()
        if wanted
        else []
    )
    for user in users:
        if not user.active or user.role not in REVIEWER_ROLES:
            raise ValidationFailed(
                _l("%(name)s cannot review ventures.", name=user.name),
                field="reviewer_ids",
            )
    if len(users) != len(wanted):
        raise ValidationFailed(_l("Unknown reviewer."), field="reviewer_ids")
    current = {
        r.reviewer_id: r
        for r in db.session.scalars(
            select(VentureReview).where(VentureReview.venture_id == venture.id)
        )
    }
    added = sorted(wanted - set(current))
    removed = []
    for reviewer_id, review in current.items():
        if reviewer_id not in wanted:
            if review.submitted_at is not None:
                raise RuleViolation(
                    _l(
                        "%(name)s has submitted a review, which stays on record.",
                        name=review.reviewer.name,
                    ),
                    field="reviewer_ids",
                )
            removed.append(reviewer_id)
            db.session.delete(review)
    for reviewer_id in added:
        db.session.add(VentureReview(venture_id=venture.id, reviewer_id=reviewer_id))
    if added or removed:
        names = {u.id: u.name for u in users}
        note = "、".join(names[i] for i in added)
        audit.record(
            "assign_reviewers",
            venture,
            actor=actor,
            changes={"reviewers": [sorted(current), sorted(wanted)]},
        )
        add_event(venture, actor, "reviewers", note)
    db.session.flush()
    return venture


# ---- the life cycle ----


def _staff_only(actor: User, message) -> None:
    if actor.role not in STAFF_ROLES:
        raise NotPermitted(message)


def transition(
    venture: Venture,
    to: str,
    *,
    actor: User,
    expected_version: int | None = None,
    note: str = "",
    approved_amount=None,
    outputs_achieved: str = "",
    closing_grade: str | None = None,
    lessons: str = "",
) -> Venture:
    """Move ``venture`` to state ``to`` by ``workflow.VENTURE``: ``RuleViolation``
    naming the allowed next steps when its life forbids the move, ``NotPermitted``
    when the actor's role may not make it (deciding and terminating are the project
    lead's; starting and closing are any social worker's), then the move's guards
    and effect."""
    if expected_version is not None:
        _check_version(venture, expected_version)
    step = VENTURE.transition(venture.state, to)
    target = State(step.target)
    note = str(note or "").strip()
    if len(note) > 5000:
        raise ValidationFailed(_l("At most %(n)d characters.", n=5000), field="note")
    source = venture.state
    step.authorize(actor.role)
    VENTURE.apply(
        step,
        venture,
        note=note,
        approved_amount=approved_amount,
        outputs_achieved=outputs_achieved,
        closing_grade=closing_grade,
        lessons=lessons,
    )
    venture.state = target
    venture.state_since = utcnow()
    changes = audit.pending_changes(venture)
    audit.record("transition", venture, actor=actor, changes=changes, summary=target)
    add_event(venture, actor, "state", note, from_state=source, to_state=target)
    flush_venture()
    if target == State.APPROVED:
        plans.propose_actions(venture, actor=actor)
    return venture


# ---- the guards and effects the venture workflow names ----


def _reviewers_assigned(venture: Venture, **_context) -> None:
    assigned = db.session.scalar(
        select(VentureReview.id).where(VentureReview.venture_id == venture.id).limit(1)
    )
    if assigned is None:
        raise RuleViolation(_l("Assign at least one reviewer first."), field="to")


def _check_reviews_done(venture: Venture, **_context) -> None:
    reviews = db.session.scalars(
        select(VentureReview).where(VentureReview.venture_id == venture.id)
    ).all()
    if not any(r.submitted_at for r in reviews):
        raise RuleViolation(_l("No review has been submitted yet."), field="to")
    waiting = [r.reviewer.name for r in reviews if r.submitted_at is None]
    if waiting:
        raise RuleViolation(
            _l(
                "Waiting for the review of %(names)s (or remove them from the panel).",
                names="、".join(waiting),
            ),
            field="to",
        )


def _approve(
    venture: Venture, *, approved_amount=None, note: str = "", **_context
) -> None:
    """立项 within the round's budget. Concurrent approvals in one round are run
    one after the other, so together they can never pass the budget."""
    if approved_amount is None or str(approved_amount).strip() == "":
        approved_amount = venture.requested_amount
    amount = clean_money(approved_amount, "approved_amount", positive=True)
    if amount > venture.requested_amount:
        raise ValidationFailed(
            _l(
                "The approved amount cannot exceed the %(requested)s yuan requested.",
                requested=f"{venture.requested_amount:,.2f}",
            ),
            field="approved_amount",
        )
    serialize_on(f"venture-round:{venture.round_id}")
    round_ = db.session.get_one(VentureRound, venture.round_id)
    db.session.refresh(round_)
    left = rounds.remaining(round_)
    if amount > left:
        error = RuleViolation(
            _l(
                "Only %(left)s yuan of the round's %(budget)s yuan budget is left; "
                "%(amount)s yuan cannot be approved.",
                left=f"{left:,.2f}",
                budget=f"{round_.budget:,.2f}",
                amount=f"{amount:,.2f}",
            ),
            field="approved_amount",
        )
        error.details = {"remaining": f"{left:.2f}"}
        raise error
    venture.approved_amount = amount
    venture.decided_on = local_today()
    venture.decision_note = note


def _rejection_reason(venture: Venture, *, note: str = "", **_context) -> None:
    if not note:
        raise ValidationFailed(_l("Say why it is not approved."), field="note")


def _reject(venture: Venture, *, note: str = "", **_context) -> None:
    venture.decided_on = local_today()
    venture.decision_note = note


def _close(
    venture: Venture, *, outputs_achieved="", closing_grade=None, lessons="", **_c
) -> None:
    venture.outputs_achieved = text(
        outputs_achieved, "outputs_achieved", 5000, required=True
    )
    if closing_grade not in {g.value for g in ClosingGrade}:
        raise ValidationFailed(
            _l(
                "Choose the closing grade: %(grades)s.",
                grades="、".join(str(v) for v in CLOSING_GRADE_LABELS.values()),
            ),
            field="closing_grade",
        )
    venture.closing_grade = closing_grade
    venture.lessons = text(lessons, "lessons", 5000, required=True)
    venture.closed_on = local_today()


def _terminate(venture: Venture, *, note: str = "", **_context) -> None:
    # Not while an expenditure is being recorded (it would count afterwards).
    serialize_on(f"venture-spending:{venture.id}")
    if not note:
        raise ValidationFailed(_l("Say why it is terminated."), field="note")
    venture.termination_reason = note


VENTURE.bind(
    guards={
        "reviewers_assigned": _reviewers_assigned,
        "reviews_done": _check_reviews_done,
        "rejection_reason": _rejection_reason,
    },
    effects={
        "approve": _approve,
        "reject": _reject,
        "close": _close,
        "terminate": _terminate,
    },
    labels=STATE_LABELS,
)


def record_midterm(
    venture: Venture, *, actor: User, checked_on: date | None, note: str
) -> Venture:
    """The mid-term check (中期检查) of a running venture, once."""
    _staff_only(actor, _l("A social worker records the mid-term check."))
    if venture.state != State.RUNNING:
        raise RuleViolation(_l("The mid-term check is made while the venture runs."))
    if venture.midterm_on is not None:
        raise RuleViolation(_l("The mid-term check is already on record."))
    today = local_today()
    if checked_on is None or checked_on > today or checked_on < venture.round.opens_on:
        raise ValidationFailed(
            _l("The date must be within the round and not in the future."),
            field="checked_on",
        )
    venture.midterm_on = checked_on
    venture.midterm_note = text(note, "note", 5000, required=True)
    audit.record("midterm", venture, actor=actor)
    add_event(venture, actor, "midterm", venture.midterm_note)
    flush_venture()
    return venture
