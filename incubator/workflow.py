"""The rules of the four workflows, declared as data (issue 14): incubation stages,
venture life, activity review and follow-ups.

A ``Transition`` says from which state to which a record may move, which roles may
move it, the checks (guards) and the change (effect) that go with the move, the
label of its button and the routes (page and API endpoints) that perform it. A
``Workflow`` answers "may this role move it there now?" and "which buttons does
this role see?", and raises the domain error the services have always raised when
the move is not declared.

This module sits in the infrastructure layer: it imports no feature. Roles are
the plain values of ``incubator.auth.roles.Role`` (a ``StrEnum``, so
``Role.ADMIN == "admin"``); guards and effects are named here and bound by the
feature that owns them (``VENTURE.bind(guards=..., effects=...)``). A guard or an
effect is called as ``fn(subject, **context)``; a guard raises a ``DomainError``
to refuse, an effect changes ``subject``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from incubator.errors import DomainError, NotPermitted, RuleViolation

logger = logging.getLogger(__name__)

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
    labels: Mapping[str, object] = field(default_factory=dict)
    guards: dict[str, Hook] = field(default_factory=dict)
    effects: dict[str, Hook] = field(default_factory=dict)

    # ---- binding (by the feature that owns the rules) ----

    def bind(
        self,
        *,
        guards: Mapping[str, Hook] | None = None,
        effects: Mapping[str, Hook] | None = None,
        labels: Mapping[str, object] | None = None,
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


# ---- venture life (DOMAIN.md): 申报 → 评审 → 立项 or 未通过 → 实施 → 结项, and 终止
# from any open state. Deciding and terminating are the project lead's; starting
# and closing are any social worker's.

VENTURE_ROUTES = ("ventures.transition", "api.transition_venture")


def _venture_refusal(flow: Workflow, source: str, target: str | None) -> DomainError:
    """``RuleViolation`` naming the allowed next steps (``details["allowed"]``)."""
    allowed = flow.next_states(source)
    current = flow.label(source)
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
                allowed="、".join(str(flow.label(s)) for s in allowed),
            ),
            field="to",
        )
    error.details = {"allowed": list(allowed)}
    return error


def _terminate(source: str) -> Transition:
    return Transition(
        source,
        "terminated",
        frozenset({ADMIN}),
        effect="terminate",
        label=_l("Terminate"),
        name="terminate",
        refusal=_l("Only the project lead terminates a venture."),
        routes=VENTURE_ROUTES,
    )


VENTURE = Workflow(
    "venture",
    (
        Transition(
            "applied",
            "reviewing",
            frozenset({ADMIN}),
            guards=("reviewers_assigned",),
            label=_l("Open the review"),
            name="open_review",
            refusal=_l("Only the project lead opens the review."),
            routes=VENTURE_ROUTES,
        ),
        _terminate("applied"),
        Transition(
            "reviewing",
            "approved",
            frozenset({ADMIN}),
            guards=("reviews_done",),
            effect="approve",
            label=_l("Approve (立项)"),
            name="approve",
            refusal=_l("Only the project lead approves ventures."),
            routes=VENTURE_ROUTES,
        ),
        Transition(
            "reviewing",
            "rejected",
            frozenset({ADMIN}),
            guards=("rejection_reason", "reviews_done"),
            effect="reject",
            label=_l("Reject"),
            name="reject",
            refusal=_l("Only the project lead decides on ventures."),
            routes=VENTURE_ROUTES,
        ),
        _terminate("reviewing"),
        Transition(
            "approved",
            "running",
            STAFF,
            label=_l("Start running"),
            name="start",
            refusal=_l("A social worker starts the venture."),
            routes=VENTURE_ROUTES,
        ),
        _terminate("approved"),
        Transition(
            "running",
            "closed",
            STAFF,
            effect="close",
            label=_l("Close the venture"),
            name="close",
            refusal=_l("A social worker closes the venture."),
            routes=VENTURE_ROUTES,
        ),
        _terminate("running"),
    ),
    refuse=_venture_refusal,
)


# ---- activity review: a log waits for review (pending), a social worker approves
# it (its volunteers' hours count) or returns it with a reason; any change to the
# log sends it back to review.

ACTIVITY_EDIT_ROUTES = (
    "activities.edit",
    "api.patch_activity",
    "activities.add_photos",
    "activities.delete_photo",
)
ACTIVITY_REVIEW_ROUTES = ("activities.review", "api.review_activity")
LOGGERS = frozenset({ADMIN, SOCIAL_WORKER, ORG_LEADER})


def _activity_refusal(flow: Workflow, source: str, target: str | None) -> DomainError:
    return RuleViolation(_l("Only a log waiting for review can be reviewed."))


ACTIVITY_REVIEW = Workflow(
    "activity review",
    (
        Transition(
            "pending",
            "approved",
            STAFF,
            guards=("not_own_log",),
            effect="approve",
            label=_l("Approve"),
            name="approve",
            refusal=_l("Only social workers review activity logs."),
            routes=ACTIVITY_REVIEW_ROUTES,
        ),
        Transition(
            "pending",
            "returned",
            STAFF,
            guards=("not_own_log", "return_reason"),
            effect="return",
            label=_l("Return for changes"),
            name="return",
            refusal=_l("Only social workers review activity logs."),
            routes=ACTIVITY_REVIEW_ROUTES,
        ),
        Transition(
            "approved",
            "pending",
            LOGGERS,
            effect="withdraw_hours",
            label=_l("Edit"),
            name="edit",
            refusal=_l("You may log activities only for your own organization."),
            routes=ACTIVITY_EDIT_ROUTES,
        ),
        Transition(
            "returned",
            "pending",
            LOGGERS,
            label=_l("Fix and resubmit"),
            name="resubmit",
            refusal=_l("You may log activities only for your own organization."),
            routes=ACTIVITY_EDIT_ROUTES[:2],
        ),
    ),
    refuse=_activity_refusal,
)


# ---- follow-ups: open until a social worker records the outcome (done); the
# system cancels the automatic ones when a stage change leaves no cadence. Due and
# overdue are dates, not states (``FollowUp.overdue``).


def _followup_refusal(flow: Workflow, source: str, target: str | None) -> DomainError:
    return RuleViolation(_l("This follow-up is already closed."))


FOLLOWUP = Workflow(
    "follow-up",
    (
        Transition(
            "open",
            "done",
            STAFF,
            label=_l("Done"),
            name="complete",
            refusal=_l("Follow-ups are the social workers' work."),
            routes=("followups.complete", "api.complete_followup"),
        ),
        # By the system only (``reschedule_for_stage``): no page or API cancels.
        Transition("open", "cancelled", label=_l("Cancelled"), name="cancel"),
    ),
    refuse=_followup_refusal,
)


# ---- incubation stages (DOMAIN.md): the admin configures the stages, so the moves
# are declared by kind. A forward move needs a capacity assessment (and, for 出壳,
# the graduation criteria); a backward move needs a reason; 休眠 (dormant) is
# entered from any stage and left back to the stage the organization came from.

DORMANT = "dormant"
STAGE_ROUTES = ("organizations.change_stage", "api.change_stage")

STAGE = Workflow(
    "incubation stage",
    (
        Transition(
            DORMANT,
            ANY,
            STAFF,
            guards=("back_to_origin",),
            name="revive",
            routes=STAGE_ROUTES,
        ),
        Transition(ANY, DORMANT, STAFF, name="dormant", routes=STAGE_ROUTES),
        Transition(
            ANY,
            ANY,
            STAFF,
            guards=("reason_given",),
            name="backward",
            routes=STAGE_ROUTES,
        ),
        Transition(
            ANY,
            ANY,
            STAFF,
            guards=("forward_rules",),
            name="forward",
            routes=STAGE_ROUTES,
        ),
    ),
)

WORKFLOWS = (STAGE, VENTURE, ACTIVITY_REVIEW, FOLLOWUP)
