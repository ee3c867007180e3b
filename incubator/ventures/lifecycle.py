"""The life of a micro-venture (DOMAIN.md): 申报 → 评审 → 立项 or 未通过 → 实施 →
结项, and 终止 from any open state. The moves are declared in
``incubator.workflow.VENTURE``; this module names the sets of states the rest of
the feature asks about."""

from __future__ import annotations

from incubator.ventures.models import State
from incubator.workflow import VENTURE

NEXT: dict[State, tuple[State, ...]] = {
    s: tuple(State(t) for t in VENTURE.next_states(s)) for s in State
}
OPEN = frozenset(s for s, nexts in NEXT.items() if nexts)
# States whose approved amount is committed from the round's budget.
FUNDED = frozenset({State.APPROVED, State.RUNNING, State.CLOSED})
DECIDED = frozenset(
    {State.APPROVED, State.REJECTED, State.RUNNING, State.CLOSED, State.TERMINATED}
)


def allowed_next(state: str, role=None) -> tuple[State, ...]:
    """The states ``state`` may move to (by ``role`` when given)."""
    return tuple(State(t) for t in VENTURE.next_states(State(state), role))


def check_move(state: str, to: str) -> State:
    """The target as a ``State``; ``RuleViolation`` naming the allowed next steps
    when the life cycle forbids the move."""
    return State(VENTURE.transition(state, to).target)
