"""The machinery of ``incubator.workflow``: ``Transition`` and ``Workflow``.

A guard or an effect is named in a declaration and bound by the feature that owns
it (``Workflow.bind``); it is called as ``fn(subject, **context)``: a guard raises
a ``DomainError`` to refuse, an effect changes ``subject``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l

from incubator.errors import DomainError, NotPermitted, RuleViolation

# A source or target that matches every state (incubation stages are configured
# by the admin, so their moves are declared by kind, not by name).
ANY = "*"

# The values of ``incubator.auth.roles.Role``.
ADMIN = "admin"
SOCIAL_WORKER = "social_worker"
ORG_LEADER = "org_leader"
VIEWER = "viewer"
STAFF = frozenset({ADMIN, SOCIAL_WORKER})

Hook = Callable[..., object]


@dataclass(frozen=True)
class Transition:
    """One declared move. ``roles`` empty means only the system performs it (a
    job, or another service as a consequence); ``refusal`` is the message of the
    ``NotPermitted`` raised for any other role. ``guards`` run in order before
    ``effect``. ``routes`` are the endpoints (``blueprint.function``) that perform
    the move; the permission matrix checks they let exactly ``roles`` through."""

    source: str
    target: str
    roles: frozenset[str] = frozenset()
    guards: tuple[str, ...] = ()
    effect: str | None = None
    label: object = ""
    name: str = ""
    refusal: object = ""
    routes: tuple[str, ...] = ()

    def matches(self, source: str, target: str) -> bool:
        return self.source in (ANY, source) and self.target in (ANY, target)

    def permits(self, role) -> bool:
        return role in self.roles

    def authorize(self, role) -> None:
        """``NotPermitted`` with ``refusal`` unless ``role`` may make this move."""
        if not self.permits(role):
            raise NotPermitted(self.refusal or _l("You are not allowed to do this."))


Refuse = Callable[["Workflow", str, str | None], DomainError]


def _refuse_plainly(flow: Workflow, source: str, target: str | None) -> DomainError:
    return RuleViolation(_l("You are not allowed to do this."))


@dataclass
class Workflow:
    """A named set of transitions. ``refuse(workflow, source, target)`` builds the
    error for a move that is not declared; ``labels`` (state -> label) are bound
    by the feature that owns the states."""

    name: str
    transitions: tuple[Transition, ...]
    refuse: Refuse = _refuse_plainly
    labels: Mapping[Any, object] = field(default_factory=dict)
    guards: dict[str, Hook] = field(default_factory=dict)
    effects: dict[str, Hook] = field(default_factory=dict)

    # ---- binding (by the feature that owns the rules) ----

    def bind(
        self,
        *,
        guards: Mapping[str, Hook] | None = None,
        effects: Mapping[str, Hook] | None = None,
        labels: Mapping[Any, object] | None = None,
    ) -> None:
        """Bind the implementations of the guards and effects named in the
        declarations (and the states' labels). Binding twice is harmless."""
        declared_guards = {g for t in self.transitions for g in t.guards}
        declared_effects = {t.effect for t in self.transitions if t.effect}
        for name in guards or {}:
            if name not in declared_guards:
                raise KeyError(f"{self.name}: no transition declares guard {name!r}")
        for name in effects or {}:
            if name not in declared_effects:
                raise KeyError(f"{self.name}: no transition declares effect {name!r}")
        self.guards.update(guards or {})
        self.effects.update(effects or {})
        if labels is not None:
            self.labels = labels

    # ---- questions ----

    def leaving(self, state: str) -> tuple[Transition, ...]:
        """The transitions declared out of ``state``, in declaration order."""
        return tuple(t for t in self.transitions if t.source in (ANY, state))

    def next_states(self, state: str, role=None) -> tuple[str, ...]:
        """The states ``state`` may move to (by ``role`` when given), in the
        order they are declared. Moves declared by kind (``ANY``) are not listed:
        ask ``targets`` with the candidate states."""
        found: list[str] = []
        for t in self.leaving(state):
            if t.target == ANY or t.target in found:
                continue
            if role is None or t.permits(role):
                found.append(t.target)
        return tuple(found)

    def sources(self, target: str, role=None) -> tuple[str, ...]:
        """The states from which a record may move to ``target`` (by ``role`` when
        given), in the order they are declared."""
        found: list[str] = []
        for t in self.transitions:
            if t.target == target and t.source not in found:
                if role is None or t.permits(role):
                    found.append(t.source)
        return tuple(found)

    def targets(self, state: str, candidates: Iterable[str], role=None) -> list[str]:
        """Which of ``candidates`` a record in ``state`` may move to (by ``role``
        when given); never ``state`` itself."""
        return [
            c
            for c in candidates
            if c != state
            and any(
                t.matches(state, c) and (role is None or t.permits(role))
                for t in self.transitions
            )
        ]

    def allowed(
        self, state: str, role, subject=None, **context
    ) -> tuple[Transition, ...]:
        """The transitions ``role`` may make out of ``state``. With ``subject``
        the guards run too, and a move a guard refuses is left out (guards are
        the feature's queries: pages ask without ``subject``)."""
        result = []
        for t in self.leaving(state):
            if not t.permits(role):
                continue
            if subject is not None:
                try:
                    self.check(t, subject, **context)
                except DomainError:
                    continue
            result.append(t)
        return tuple(result)

    def may(self, role, source: str, target: str) -> bool:
        return any(
            t.matches(source, target) and t.permits(role) for t in self.transitions
        )

    def roles(self) -> frozenset[str]:
        """Every role that may make some move of this workflow."""
        return frozenset(r for t in self.transitions for r in t.roles)

    def named(self, name: str) -> Transition:
        """The transition called ``name`` (``KeyError`` if none is)."""
        for t in self.transitions:
            if t.name == name:
                return t
        raise KeyError(f"{self.name}: no transition named {name!r}")

    def label(self, state: str):
        return self.labels.get(state, state)

    # ---- applying ----

    def transition(self, source: str, target: str | None) -> Transition:
        """The declared move from ``source`` to ``target``; the workflow's domain
        error (``refuse``) when there is none."""
        found = self.find(source, target) if target is not None else None
        if found is None:
            raise self.refuse(self, source, target)
        return found

    def find(self, source: str, target: str) -> Transition | None:
        """The declared move from ``source`` to ``target``, or ``None``."""
        return next((t for t in self.transitions if t.matches(source, target)), None)

    def require(self, state: str, *targets: str) -> None:
        """The workflow's domain error unless a record in ``state`` may move to one
        of ``targets``."""
        if not any(self.find(state, target) for target in targets):
            raise self.refuse(self, state, None)

    def authorize(self, role, state: str) -> None:
        """``NotPermitted`` unless ``role`` may make some move out of ``state``
        (checked before the state itself, where a service always did so); the
        message is the first such move's refusal."""
        leaving = self.leaving(state)
        if not any(t.permits(role) for t in leaving):
            raise NotPermitted(
                leaving[0].refusal
                if leaving and leaving[0].refusal
                else _l("You are not allowed to do this.")
            )

    def check(self, step: Transition, subject, **context) -> None:
        """Run ``step``'s guards in order; each raises a ``DomainError`` to refuse."""
        for name in step.guards:
            self._hook(self.guards, name)(subject, **context)

    def apply(self, step: Transition, subject, **context) -> None:
        """Run ``step``'s guards, then its effect."""
        self.check(step, subject, **context)
        if step.effect:
            self._hook(self.effects, step.effect)(subject, **context)

    def _hook(self, hooks: dict[str, Hook], name: str) -> Hook:
        try:
            return hooks[name]
        except KeyError:
            raise LookupError(
                f"workflow {self.name!r}: {name!r} is declared but not bound"
            ) from None
