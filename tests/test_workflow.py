"""The workflow machinery and the four declared workflows (``incubator.workflow``):
what the pages and the API ask it, and the errors it raises for the services."""

from __future__ import annotations

import pytest

from incubator import workflow
from incubator.errors import NotPermitted, RuleViolation
from incubator.workflow import ACTIVITY_REVIEW, FOLLOWUP, STAGE, VENTURE


def test_venture_next_states_by_role(app):
    assert VENTURE.next_states("applied") == ("reviewing", "terminated")
    assert VENTURE.next_states("reviewing", "admin") == (
        "approved",
        "rejected",
        "terminated",
    )
    assert VENTURE.next_states("reviewing", "social_worker") == ()
    assert VENTURE.next_states("approved", "social_worker") == ("running",)
    assert VENTURE.next_states("running", "social_worker") == ("closed",)
    assert VENTURE.next_states("running", "org_leader") == ()
    for done in ("rejected", "closed", "terminated"):
        assert VENTURE.next_states(done) == ()


def test_venture_refusal_names_the_allowed_next_states(app):
    with app.test_request_context():
        with pytest.raises(RuleViolation) as caught:
            VENTURE.transition("approved", "closed")
        assert caught.value.field == "to"
        assert caught.value.details == {"allowed": ["running", "terminated"]}
        assert str(caught.value.message) == "处于立项状态的项目只能转为：实施、终止。"
        with pytest.raises(RuleViolation) as caught:
            VENTURE.transition("closed", "running")
        assert caught.value.details == {"allowed": []}
        with pytest.raises(RuleViolation):
            VENTURE.transition("applied", "no-such-state")


def test_a_move_refuses_a_role_it_does_not_allow(app):
    with app.test_request_context():
        step = VENTURE.transition("reviewing", "approved")
        step.authorize("admin")
        with pytest.raises(NotPermitted) as caught:
            step.authorize("social_worker")
        assert str(caught.value.message) == "只有项目主管可以立项。"


def test_activity_review(app):
    assert ACTIVITY_REVIEW.next_states("pending", "social_worker") == (
        "approved",
        "returned",
    )
    assert ACTIVITY_REVIEW.next_states("pending", "org_leader") == ()
    # an edit sends an approved or returned log back to review
    assert ACTIVITY_REVIEW.next_states("approved", "org_leader") == ("pending",)
    assert ACTIVITY_REVIEW.next_states("returned", "org_leader") == ("pending",)
    assert ACTIVITY_REVIEW.find("pending", "pending") is None
    with app.test_request_context():
        with pytest.raises(RuleViolation):
            ACTIVITY_REVIEW.require("approved", "approved", "returned")
        ACTIVITY_REVIEW.require("pending", "approved", "returned")
        with pytest.raises(NotPermitted):
            ACTIVITY_REVIEW.authorize("viewer", "pending")


def test_followups(app):
    assert FOLLOWUP.sources("done", "social_worker") == ("open",)
    assert FOLLOWUP.sources("done", "viewer") == ()
    # cancelling is the system's move: no role makes it
    assert FOLLOWUP.named("cancel").roles == frozenset()
    with app.test_request_context():
        with pytest.raises(RuleViolation):
            FOLLOWUP.transition("done", "done")


def test_stages_are_declared_by_kind(app):
    line = ["intake", "incubating", "cultivating", "dormant"]
    assert STAGE.targets("incubating", line, "social_worker") == [
        "intake",
        "cultivating",
        "dormant",
    ]
    assert STAGE.targets("incubating", line, "org_leader") == []
    assert STAGE.roles() == workflow.STAFF


def test_binding_an_undeclared_hook_fails():
    flow = workflow.Workflow(
        "test", (workflow.Transition("a", "b", frozenset({"admin"}), guards=("g",)),)
    )
    with pytest.raises(KeyError):
        flow.bind(guards={"h": lambda subject, **context: None})
    flow.bind(guards={"g": lambda subject, **context: None})
    flow.apply(flow.transition("a", "b"), object())


def test_an_unbound_hook_is_named():
    flow = workflow.Workflow(
        "test", (workflow.Transition("a", "b", frozenset({"admin"}), effect="e"),)
    )
    with pytest.raises(LookupError, match="'e' is declared but not bound"):
        flow.apply(flow.transition("a", "b"), object())
