"""Moving an organization between incubation stages, by the rules of DOMAIN.md:

- a forward move needs a capacity assessment on record; a move past 孵化 needs one
  recorded after the last stage change;
- 出壳 (graduated) needs the graduation criteria met; the refusal names each one
  that fails;
- 休眠 (dormant) can be entered from any stage and is left back to the stage the
  organization came from;
- a backward move needs a reason.

Each change is an immutable ``StageChange`` row plus an audit entry.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from incubator import signals
from incubator.audit import services as audit
from incubator.auth.models import User
from incubator.database import utcnow
from incubator.errors import RuleViolation, StaleRecord, ValidationFailed
from incubator.extensions import db
from incubator.i18n import local_date, local_today
from incubator.organizations.incubation import (
    DORMANT,
    GRADUATED,
    INCUBATING,
    count_activities,
    graduation_criteria,
    stage_map,
)
from incubator.organizations.models import (
    Assessment,
    FilingStatus,
    Organization,
    StageChange,
)
from incubator.periods import months_before
from incubator.workflow import STAGE


def two_places(value) -> str:
    return f"{value:.2f}"


def latest_assessment(org: Organization) -> Assessment | None:
    return db.session.scalar(
        select(Assessment)
        .where(Assessment.organization_id == org.id)
        .order_by(Assessment.assessed_on.desc(), Assessment.created_at.desc())
        .limit(1)
    )


def last_stage_change(org: Organization) -> StageChange | None:
    return db.session.scalar(
        select(StageChange)
        .where(StageChange.organization_id == org.id)
        .order_by(StageChange.changed_at.desc(), StageChange.id.desc())
        .limit(1)
    )


def graduation_failures(org: Organization) -> list[str]:
    """The graduation criteria ``org`` does not meet, as sentences; empty if met."""
    criteria = graduation_criteria()
    failures: list[str] = []
    latest = latest_assessment(org)
    if latest is None:
        failures.append(
            str(
                _l(
                    "No capacity assessment on record (an average of at least "
                    "%(min)s is needed).",
                    min=two_places(criteria.min_average),
                )
            )
        )
    elif latest.average < criteria.min_average:
        failures.append(
            str(
                _l(
                    "The latest assessment averages %(avg)s; at least %(min)s is "
                    "needed.",
                    avg=two_places(latest.average),
                    min=two_places(criteria.min_average),
                )
            )
        )
    if criteria.min_activities > 0:
        since = months_before(local_today(), criteria.activity_months)
        done = count_activities(org.id, since)
        if done < criteria.min_activities:
            failures.append(
                str(
                    _l(
                        "%(done)d activities logged in the last %(months)d months; at "
                        "least %(min)d are needed.",
                        done=done,
                        months=criteria.activity_months,
                        min=criteria.min_activities,
                    )
                )
            )
    if criteria.require_filing and org.filing_status == FilingStatus.NONE:
        failures.append(
            str(
                _l(
                    "The organization is not filed; it must be filed (已备案) or "
                    "registered (已登记)."
                )
            )
        )
    return failures


def change_stage(
    org: Organization,
    to: str,
    *,
    actor: User,
    reason: str = "",
    effects: list[str] | None = None,
) -> StageChange:
    """Move ``org`` to stage ``to``. With ``effects``, appends what the features
    did to other records on the change (``signals.stage_changed``'s sentences,
    e.g. follow-ups rescheduled) for the page to tell the user.

    Raises ``ValidationFailed`` for an unknown or inactive stage or a missing reason,
    and ``RuleViolation`` (409) when a rule forbids the move now; its message says
    which rule, and for graduation ``details["failed"]`` lists every failing
    criterion.
    """
    reason = (reason or "").strip()
    if org.archived:
        raise RuleViolation(_l("An archived organization cannot change stage."))
    stages = stage_map()
    target = stages.get(to)
    if target is None or not target.active:
        raise ValidationFailed(_l("Unknown stage."), field="to")
    current = stages.get(org.stage)
    if to == org.stage:
        raise ValidationFailed(
            _l("The organization is already at this stage."), field="to"
        )
    direction = _direction(org, to, stages)
    step = STAGE.named(direction)
    step.authorize(actor.role)
    STAGE.check(step, org, to=to, target=target, reason=reason, stages=stages)
    now = utcnow()
    change = StageChange(
        organization_id=org.id,
        changed_at=now,
        from_stage=org.stage,
        to_stage=to,
        from_label=current.label_zh if current else org.stage,
        to_label=target.label_zh,
        direction=direction,
        reason=reason,
        actor_id=actor.id,
    )
    db.session.add(change)
    org.stage_before_dormant = org.stage if to == DORMANT else None
    org.stage = to
    org.stage_since = now
    audit.record("stage", org, actor=actor, summary=reason[:255])
    try:
        db.session.flush()
    except StaleDataError:
        raise StaleRecord(
            _l(
                "Someone else changed this organization at the same moment; reload "
                "and try again."
            )
        ) from None
    answers = signals.stage_changed.send(org, change=change, actor=actor)
    if effects is not None:
        effects.extend(str(text) for text in signals.values(answers) if text)
    return change


def proposed_stage(org: Organization, line, allowed) -> str | None:
    """The stage the stage form offers first for ``org``: the one a dormant
    organization came from, else the next stage on the line after its own, else
    the first of ``allowed`` (the keys the user may move it to); never 萌芽
    just because it comes first."""
    keys = [s.key for s in line if s.key in allowed]
    if org.stage == DORMANT and org.stage_before_dormant in keys:
        return org.stage_before_dormant
    current = next((s for s in line if s.key == org.stage), None)
    if current is not None and current.on_line:
        later = [s.key for s in line if s.on_line and s.position > current.position]
        following = next((key for key in later if key in keys), None)
        if following is not None:
            return following
    return keys[0] if keys else None


def _direction(org: Organization, to: str, stages: dict) -> str:
    """Which of ``workflow.STAGE``'s moves takes ``org`` to ``to``: revive (out of
    休眠, back to the stage it came from), dormant, backward (to an earlier stage on
    the line; 出壳 is never backward) or forward (also out of dormancy when the
    stage it came from is gone: the rules of a forward move apply)."""
    current = stages.get(org.stage)
    back_to = org.stage_before_dormant if org.stage == DORMANT else None
    if org.stage == DORMANT and back_to in stages and stages[back_to].active:
        return "revive"
    if to == DORMANT:
        return "dormant"
    target = stages[to]
    if (
        current is not None
        and current.on_line
        and target.position < current.position
        and to != GRADUATED
    ):
        return "backward"
    return "forward"


def _back_to_origin(org: Organization, *, to: str, stages: dict, **_context) -> None:
    back_to = org.stage_before_dormant
    if to != back_to:
        raise RuleViolation(
            _l(
                "A dormant organization goes back to the stage it came from: "
                "%(stage)s.",
                stage=stages[back_to].label,
            ),
            field="to",
        )


def _reason_given(org: Organization, *, reason: str, **_context) -> None:
    if not reason:
        raise ValidationFailed(
            _l("Moving back to an earlier stage needs a reason."), field="reason"
        )


def _forward_rules(org: Organization, *, target, **_context) -> None:
    _check_forward(org, target)


STAGE.bind(
    guards={
        "back_to_origin": _back_to_origin,
        "reason_given": _reason_given,
        "forward_rules": _forward_rules,
    }
)


def _check_forward(org: Organization, target) -> None:
    """The rules of a forward move; for 出壳 (and any stage after it) every unmet
    condition is named at once."""
    latest = latest_assessment(org)
    graduated = stage_map().get(GRADUATED)
    graduating = target.key == GRADUATED or (
        graduated is not None
        and target.on_line
        and target.position >= graduated.position
    )
    if latest is None and not graduating:
        raise RuleViolation(
            _l(
                "Moving forward needs a capacity assessment on record; record one "
                "first."
            ),
            field="to",
        )
    stale = None
    incubating = stage_map().get(INCUBATING)
    if (
        latest is not None
        and incubating is not None
        and (target.position > incubating.position)
    ):
        last = last_stage_change(org)
        if last is not None and (
            latest.created_at < last.changed_at
            or latest.assessed_on < local_date(last.changed_at)
        ):
            stale = _l(
                "Moving past 孵化 needs a capacity assessment made after the last "
                "stage change (%(day)s); record a new one first.",
                day=local_date(last.changed_at).isoformat(),
            )
    if graduating:
        failures = graduation_failures(org)
        if stale is not None:
            failures.insert(0, str(stale))
        if failures:
            raise RuleViolation(
                _l(
                    "The graduation criteria are not met: %(list)s",
                    list=" ".join(failures),
                ),
                field="to",
                details={"failed": failures},
            )
    elif stale is not None:
        raise RuleViolation(stale, field="to")
