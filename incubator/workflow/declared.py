"""The four workflows, declared as data: venture life, activity review,
follow-ups and incubation stages. The messages are the ones the services have
always raised; the guards and effects are bound by the features."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from incubator.errors import DomainError, RuleViolation
from incubator.workflow.machinery import (
    ADMIN,
    ANY,
    ORG_LEADER,
    SOCIAL_WORKER,
    STAFF,
    Transition,
    Workflow,
)

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
