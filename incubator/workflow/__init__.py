"""The rules of the four workflows, declared as data (issue 14): incubation stages,
venture life, activity review and follow-ups.

A ``Transition`` says from which state to which a record may move, which roles may
move it, the checks (guards) and the change (effect) that go with the move, the
label of its button and the routes (page and API endpoints) that perform it. A
``Workflow`` answers "may this role move it there now?" and "which buttons does
this role see?", and raises the domain error the services have always raised when
the move is not declared.

This package sits in the infrastructure layer: it imports no feature. Roles are
the plain values of ``incubator.auth.roles.Role`` (a ``StrEnum``, so
``Role.ADMIN == "admin"``); guards and effects are named here and bound by the
feature that owns them (``VENTURE.bind(guards=..., effects=...)``). A guard or an
effect is called as ``fn(subject, **context)``; a guard raises a ``DomainError``
to refuse, an effect changes ``subject``.

What callers ask (``flow`` is one of ``STAGE``, ``VENTURE``, ``ACTIVITY_REVIEW``,
``FOLLOWUP``; ``role`` a ``Role`` or its value):

- ``flow.next_states(state, role=None)``: the states it may move to, in order
  (e.g. a venture's allowed next states for a read model or the page's buttons);
- ``flow.allowed(state, role, subject=None, **context)``: the transitions, with
  the guards run when ``subject`` is given; ``flow.may(role, source, target)``;
- ``flow.sources(target, role)``, ``flow.targets(state, candidates, role)`` (for
  stages, declared by kind), ``flow.roles()``, ``flow.named(name)``;
- services: ``step = flow.transition(source, target)`` (the workflow's domain
  error when not declared), ``step.authorize(role)`` (``NotPermitted``),
  ``flow.apply(step, subject, **context)`` (guards, then effect).
"""

from incubator.workflow.declared import (
    ACTIVITY_REVIEW,
    DORMANT,
    FOLLOWUP,
    LOGGERS,
    STAGE,
    VENTURE,
    WORKFLOWS,
)
from incubator.workflow.machinery import (
    ADMIN,
    ANY,
    ORG_LEADER,
    SOCIAL_WORKER,
    STAFF,
    VIEWER,
    Transition,
    Workflow,
)

__all__ = [
    "ACTIVITY_REVIEW",
    "ADMIN",
    "ANY",
    "DORMANT",
    "FOLLOWUP",
    "LOGGERS",
    "ORG_LEADER",
    "SOCIAL_WORKER",
    "STAFF",
    "STAGE",
    "VENTURE",
    "VIEWER",
    "WORKFLOWS",
    "Transition",
    "Workflow",
]
