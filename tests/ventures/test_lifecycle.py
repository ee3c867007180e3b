"""The scripted check of issue 6: a round of 20,000 yuan, three applications,
weighted reviews and grades, approvals that stop at the budget, spending refused
past the approved amount, the plan proposed from the weakest dimensions, and
moves the life cycle forbids."""

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from incubator.audit.models import AuditEntry
from incubator.errors import NotPermitted, RuleViolation, ValidationFailed
from incubator.ventures import plans, reviews, rounds, services, spending
from incubator.ventures.models import PlanAction, VentureEvent
from incubator.ventures.schemas import VentureChange
from tests.ventures.conftest import CRITERIA


def test_grades_come_from_the_weights(fund, apply, db):
    venture = apply(fund["dance"])
    ids = [c.id for c in fund["round"].criteria]
    services.set_reviewers(
        venture, [fund["sw2"].id, fund["viewer"].id], actor=fund["admin"]
    )
    services.transition(venture, "reviewing", actor=fund["admin"])
    # 90*30 + 80*30 + 70*20 + 100*20 = 8500 -> 85.00: A
    first = reviews.submit_review(
        venture,
        actor=fund["sw2"],
        scores=dict(zip(ids, (90, 80, 70, 100), strict=True)),
        comment="需求清楚",
    )
    assert first.total == Decimal("85.00")
    assert reviews.grade(first.total) == "A"
    # 60*30 + 55*30 + 70*20 + 50*20 = 5850 -> 58.50
    second = reviews.submit_review(
        venture,
        actor=fund["viewer"],
        scores=dict(zip(ids, (60, 55, 70, 50), strict=True)),
    )
    assert second.total == Decimal("58.50")
    score = reviews.score_of(venture.id)
    # mean (85.00 + 58.50) / 2 = 71.75: B
    assert (score.average, score.grade, score.submitted) == (Decimal("71.75"), "B", 2)
    assert [reviews.grade(Decimal(x)) for x in ("84.99", "60", "59.99")] == [
        "B",
        "B",
        "C",
    ]


def test_a_review_scores_every_criterion_and_is_final(fund, apply, db):
    venture = apply(fund["dance"])
    services.set_reviewers(venture, [fund["sw2"].id], actor=fund["admin"])
    services.transition(venture, "reviewing", actor=fund["admin"])
    ids = [c.id for c in fund["round"].criteria]
    with pytest.raises(ValidationFailed, match="可行性"):
        reviews.submit_review(venture, actor=fund["sw2"], scores={ids[0]: 80})
    with pytest.raises(ValidationFailed):
        reviews.submit_review(venture, actor=fund["sw2"], scores={i: 101 for i in ids})
    with pytest.raises(NotPermitted):
        reviews.submit_review(venture, actor=fund["sw"], scores={i: 80 for i in ids})
    reviews.submit_review(venture, actor=fund["sw2"], scores={i: 80 for i in ids})
    with pytest.raises(RuleViolation):
        reviews.submit_review(venture, actor=fund["sw2"], scores={i: 99 for i in ids})


def test_approvals_stop_at_the_budget(fund, reviewed, db):
    a = reviewed(fund["dance"], requested_amount="9000.00", budget_lines=[])
    b = reviewed(fund["patrol"], requested_amount="8000.00", budget_lines=[])
    c = reviewed(
        fund["readers"],
        requested_amount="5000.00",
        budget_lines=[],
        sponsor=fund["patrol"],
    )
    services.transition(a, "approved", actor=fund["admin"], approved_amount="9000")
    services.transition(b, "approved", actor=fund["admin"], approved_amount="7000.50")
    db.session.commit()
    assert rounds.remaining(fund["round"]) == Decimal("3999.50")
    with pytest.raises(RuleViolation) as refused:
        services.transition(c, "approved", actor=fund["admin"], approved_amount="5000")
    assert "3,999.50" in str(refused.value.message)
    assert refused.value.details == {"remaining": "3999.50"}
    db.session.rollback()
    services.transition(c, "approved", actor=fund["admin"], approved_amount="3999.50")
    db.session.commit()
    assert rounds.committed_amount(fund["round"].id) == Decimal("20000.00")
    assert rounds.remaining(fund["round"]) == Decimal("0.00")
    # the budget cannot be cut below what is approved
    with pytest.raises(RuleViolation):
        rounds.update_round(
            fund["round"],
            actor=fund["admin"],
            expected_version=fund["round"].version,
            name=fund["round"].name,
            budget="19999.99",
            opens_on=date(2026, 2, 1),
            closes_on=date(2026, 3, 31),
            runs_from=date(2026, 3, 1),
            runs_until=date(2026, 12, 31),
        )


def test_approval_cannot_exceed_the_request_or_skip_reviews(fund, apply, reviewed, db):
    venture = reviewed(fund["dance"])
    with pytest.raises(ValidationFailed):
        services.transition(
            venture, "approved", actor=fund["admin"], approved_amount="8000.01"
        )
    with pytest.raises(ValidationFailed):
        services.transition(
            venture, "approved", actor=fund["admin"], approved_amount="12.345"
        )
    with pytest.raises(NotPermitted):
        services.transition(venture, "approved", actor=fund["sw"])
    db.session.rollback()
    waiting = apply(fund["patrol"])
    services.set_reviewers(
        waiting, [fund["sw2"].id, fund["viewer"].id], actor=fund["admin"]
    )
    services.transition(waiting, "reviewing", actor=fund["admin"])
    reviews.submit_review(
        waiting,
        actor=fund["sw2"],
        scores={c.id: 70 for c in fund["round"].criteria},
    )
    with pytest.raises(RuleViolation, match="街道观察员"):
        services.transition(waiting, "approved", actor=fund["admin"])


def test_illegal_moves_name_the_allowed_next_steps(fund, apply, reviewed, db):
    venture = apply(fund["dance"])
    with pytest.raises(RuleViolation) as refused:
        services.transition(venture, "approved", actor=fund["admin"])
    assert refused.value.details == {"allowed": ["reviewing", "terminated"]}
    assert "评审" in str(refused.value.message) and "终止" in str(refused.value.message)
    with pytest.raises(RuleViolation, match="reviewer|评审人"):
        services.transition(venture, "reviewing", actor=fund["admin"])
    rejected = reviewed(fund["patrol"])
    with pytest.raises(ValidationFailed):
        services.transition(rejected, "rejected", actor=fund["admin"])
    services.transition(rejected, "rejected", actor=fund["admin"], note="预算不清")
    for target in ("running", "approved", "terminated", "closed"):
        with pytest.raises(RuleViolation) as refused:
            services.transition(rejected, target, actor=fund["admin"])
        assert refused.value.details == {"allowed": []}
    with pytest.raises(RuleViolation):
        services.transition(venture, "nonsense", actor=fund["admin"])


def test_terminate_from_any_open_state_with_a_reason(fund, apply, reviewed, db):
    venture = apply(fund["dance"])
    with pytest.raises(ValidationFailed):
        services.transition(venture, "terminated", actor=fund["admin"])
    with pytest.raises(NotPermitted):
        services.transition(venture, "terminated", actor=fund["sw"], note="撤回")
    services.transition(venture, "terminated", actor=fund["admin"], note="组织撤回申请")
    db.session.commit()
    assert venture.termination_reason == "组织撤回申请"
    running = reviewed(fund["patrol"], requested_amount="6000", budget_lines=[])
    services.transition(running, "approved", actor=fund["admin"])
    services.transition(running, "running", actor=fund["sw"])
    spending.record_expenditure(
        running,
        actor=fund["sw"],
        spent_on=date(2026, 3, 1),
        amount="1000",
        purpose="物资",
    )
    services.transition(running, "terminated", actor=fund["admin"], note="负责人搬离")
    db.session.commit()
    # the unspent balance goes back to the round
    assert rounds.committed_amount(fund["round"].id) == Decimal("1000.00")


def test_spending_never_passes_the_approved_amount(fund, reviewed, db):
    venture = reviewed(fund["dance"])
    services.transition(
        venture, "approved", actor=fund["admin"], approved_amount="5000.00"
    )
    with pytest.raises(RuleViolation, match="start|实施"):
        spending.record_expenditure(
            venture,
            actor=fund["sw"],
            spent_on=date(2026, 3, 1),
            amount="10",
            purpose="材料",
        )
    services.transition(venture, "running", actor=fund["sw"])
    spending.record_expenditure(
        venture,
        actor=fund["leader"],
        spent_on=date(2026, 3, 1),
        amount="4999.90",
        purpose="材料费",
    )
    db.session.commit()
    with pytest.raises(RuleViolation) as refused:
        spending.record_expenditure(
            venture,
            actor=fund["leader"],
            spent_on=date(2026, 3, 1),
            amount="0.11",
            purpose="打印",
        )
    assert refused.value.details == {"remaining": "0.10"}
    db.session.rollback()
    spending.record_expenditure(
        venture,
        actor=fund["leader"],
        spent_on=date(2026, 3, 1),
        amount="0.10",
        purpose="打印",
    )
    db.session.commit()
    assert spending.balance(venture) == Decimal("0.00")
    with pytest.raises(NotPermitted):
        spending.record_expenditure(
            venture,
            actor=fund["other_leader"],
            spent_on=date(2026, 3, 1),
            amount="0.01",
            purpose="x",
        )


def test_plan_is_proposed_from_the_two_weakest_dimensions(fund, reviewed, db):
    venture = reviewed(fund["dance"])
    services.transition(venture, "approved", actor=fund["admin"])
    db.session.commit()
    actions = db.session.scalars(
        select(PlanAction).where(PlanAction.venture_id == venture.id)
    ).all()
    # finance (1) and volunteer_management (2); the org is at 孵化 (incubating)
    assert [a.dimension for a in actions] == ["finance", "volunteer_management"]
    expected = plans.suggestions("incubating", ["finance", "volunteer_management"])
    assert [a.action for a in actions] == [e.action for e in expected]
    assert all(a.owner == "林社工" for a in actions)
    assert actions[0].due_on == date(2026, 3, 1) + (
        date(2026, 4, 30) - date(2026, 3, 1)
    )  # 60 days after approval for the 孵化 entries
    # no assessment, nothing proposed
    other = reviewed(fund["patrol"], requested_amount="1000", budget_lines=[])
    services.transition(other, "approved", actor=fund["admin"])
    assert (
        db.session.scalars(
            select(PlanAction).where(PlanAction.venture_id == other.id)
        ).all()
        == []
    )


def test_plan_actions_overdue_done_and_removed(fund, reviewed, db, frozen_time):
    venture = reviewed(fund["dance"])
    services.transition(venture, "approved", actor=fund["admin"])
    extra = plans.add_action(
        venture,
        actor=fund["sw"],
        goal="建立财务公开制度",
        action="每季度公开一次账目",
        owner="吴阿姨",
        due_on=date(2026, 3, 10),
    )
    db.session.commit()
    assert plans.overdue_counts([fund["dance"].id]) == {}
    frozen_time.move_to("2026-03-11 09:00+08:00")
    assert not extra.overdue(date(2026, 3, 10)) and extra.overdue(date(2026, 3, 11))
    assert plans.overdue_counts([fund["dance"].id]) == {fund["dance"].id: 1}
    with pytest.raises(ValidationFailed):
        plans.complete_action(extra, actor=fund["sw"], note="")
    with pytest.raises(NotPermitted):
        plans.complete_action(extra, actor=fund["leader"], note="做了")
    plans.complete_action(extra, actor=fund["sw"], note="已公开第一季度账目")
    db.session.commit()
    assert plans.overdue_counts([fund["dance"].id]) == {}
    with pytest.raises(RuleViolation):
        plans.remove_action(extra, actor=fund["sw"])
    proposed = db.session.scalars(
        select(PlanAction).where(
            PlanAction.venture_id == venture.id, PlanAction.id != extra.id
        )
    ).all()
    plans.remove_action(proposed[0], actor=fund["sw"])
    db.session.commit()
    assert proposed[0].removed_at is not None
    with pytest.raises(RuleViolation):
        plans.complete_action(proposed[0], actor=fund["sw"], note="x")


def test_close_needs_the_evaluation_and_midterm_runs_once(fund, reviewed, db):
    venture = reviewed(fund["dance"])
    services.transition(venture, "approved", actor=fund["admin"])
    services.transition(venture, "running", actor=fund["sw"])
    services.record_midterm(
        venture, actor=fund["sw"], checked_on=date(2026, 3, 1), note="进度正常"
    )
    with pytest.raises(RuleViolation):
        services.record_midterm(
            venture, actor=fund["sw"], checked_on=date(2026, 3, 1), note="再查"
        )
    with pytest.raises(ValidationFailed) as refused:
        services.transition(
            venture, "closed", actor=fund["sw"], outputs_achieved="培训 38 人"
        )
    assert refused.value.field == "closing_grade"
    services.transition(
        venture,
        "closed",
        actor=fund["sw"],
        outputs_achieved="培训 38 名长者，达成 95%",
        closing_grade="good",
        lessons="课程时间应避开接送孙辈的时段",
    )
    db.session.commit()
    assert (venture.state, venture.closing_grade_label) == ("closed", "良好")
    steps = db.session.scalars(
        select(VentureEvent.to_state)
        .where(VentureEvent.venture_id == venture.id, VentureEvent.action == "state")
        .order_by(VentureEvent.id)
    ).all()
    assert steps == ["reviewing", "approved", "running", "closed"]
    audited = db.session.scalars(
        select(AuditEntry.action).where(
            AuditEntry.entity_type == "Venture", AuditEntry.entity_id == venture.id
        )
    ).all()
    assert {"create", "transition", "midterm", "assign_reviewers"} <= set(audited)


def test_applications_follow_the_rules(fund, apply, db, frozen_time):
    with pytest.raises(ValidationFailed) as refused:
        apply(fund["readers"])
    assert refused.value.field == "sponsor_id"
    db.session.rollback()
    sponsored = apply(fund["readers"], sponsor=fund["patrol"])
    assert sponsored.sponsor_id == fund["patrol"].id
    with pytest.raises(ValidationFailed, match="8,000.00"):
        apply(fund["dance"], budget_lines=[("材料费", "3000")])
    db.session.rollback()
    with pytest.raises(NotPermitted):
        apply(fund["patrol"], actor=fund["leader"])
    db.session.rollback()
    mine = apply(fund["dance"], actor=fund["leader"])
    services.update_application(
        mine,
        VentureChange(
            version=mine.version,
            title="长者智能手机互助课堂",
            budget_lines=[{"item": "材料费", "amount": "8000"}],
        ),
        actor=fund["leader"],
    )
    db.session.commit()
    assert [line.item for line in mine.budget_lines] == ["材料费"]
    frozen_time.move_to("2026-04-01 09:00+08:00")
    with pytest.raises(RuleViolation, match="2026-03-31"):
        apply(fund["dance"])


def test_round_weights_must_add_up(fund, db):
    with pytest.raises(ValidationFailed, match="90"):
        rounds.create_round(
            actor=fund["admin"],
            name="另一批",
            budget="1000",
            opens_on=date(2026, 1, 1),
            closes_on=date(2026, 2, 1),
            runs_from=date(2026, 2, 1),
            runs_until=date(2026, 6, 1),
            criteria=[("可行性", 50), ("社区参与", 40)],
        )
    assert [(c.name, c.weight) for c in fund["round"].criteria] == CRITERIA
    with pytest.raises(NotPermitted):
        rounds.create_round(
            actor=fund["sw"],
            name="另一批",
            budget="1000",
            opens_on=date(2026, 1, 1),
            closes_on=date(2026, 2, 1),
            runs_from=date(2026, 2, 1),
            runs_until=date(2026, 6, 1),
        )
