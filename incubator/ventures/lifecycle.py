"""The life of a micro-venture (DOMAIN.md): 申报 → 评审 → 立项 or 未通过 → 实施 →
结项, and 终止 from any open state. One table answers "may it move there now?"."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from incubator.errors import RuleViolation
from incubator.ventures.models import STATE_LABELS, State

NEXT: dict[State, tuple[State, ...]] = {
    State.APPLIED: (State.REVIEWING, State.TERMINATED),
    State.REVIEWING: (State.APPROVED, State.REJECTED, State.TERMINATED),
    State.APPROVED: (State.RUNNING, State.TERMINATED),
    State.RUNNING: (State.CLOSED, State.TERMINATED),
    State.REJECTED: (),
    State.CLOSED: (),
    State.TERMINATED: (),
}
OPEN = frozenset(s for s, nexts in NEXT.items() if nexts)
# States whose approved amount is committed from the round's budget.
FUNDED = frozenset({State.APPROVED, State.RUNNING, State.CLOSED})
DECIDED = frozenset(
    {State.APPROVED, State.REJECTED, State.RUNNING, State.CLOSED, State.TERMINATED}
)


def allowed_next(state: str) -> tuple[State, ...]:
    return NEXT.get(State(state), ())


def check_move(state: str, to: str) -> State:
    """The target as a ``State``; ``RuleViolation`` naming the allowed next steps
    when the life cycle forbids the move."""
    try:
        target = State(to)
    except ValueError:
        target = None
    allowed = allowed_next(state)
    if target in allowed:
        return target
    names = "、".join(str(STATE_LABELS[s]) for s in allowed)
    current = STATE_LABELS[State(state)]
    if not allowed:
        error = RuleViolation(
            _l("A venture that is %(state)s moves no further.", state=current),
            field="to",
        )
    else:
        error = RuleViolation(
            _l(
                "A venture that is %(state)s can only move to: %(allowed)s.",
                state=current,
                allowed=names,
            ),
            field="to",
        )
    error.details = {"allowed": [s.value for s in allowed]}
    raise error
