"""A round of 20,000 yuan with three organizations ready to apply (frozen time:
2026-03-01, inside the application window)."""

from datetime import date

import pytest

from incubator.organizations import records, stages
from incubator.ventures import reviews, rounds, services
from incubator.ventures.schemas import VentureApplication

CRITERIA = [("需求契合度", 30), ("可行性", 30), ("团队能力", 20), ("预算合理性", 20)]
# Scores 1-5 per dimension: finance and volunteer_management are the weakest.
SCORES = {
    "governance": 4,
    "leadership": 3,
    "service_delivery": 4,
    "resource_mobilization": 3,
    "finance": 1,
    "volunteer_management": 2,
    "community_engagement": 4,
}


@pytest.fixture
def fund(frozen_time, make_user, make_org, db):
    admin = make_user("admin", username="lead", name="项目主管")
    admin2 = make_user("admin", username="lead2", name="副主管")
    sw = make_user("social_worker", username="fund_sw", name="林社工")
    sw2 = make_user("social_worker", username="fund_sw2", name="黄社工")
    viewer = make_user("viewer", username="street", name="街道观察员")
    leader = make_user("org_leader", username="fund_leader", name="吴阿姨")
    other_leader = make_user("org_leader", username="other_leader", name="郑叔")
    dance = make_org(
        "舞蹈队",
        leader=leader,
        social_worker=sw,
        filing_status="filed",
    )
    patrol = make_org(
        "巡逻队", leader=other_leader, social_worker=sw, filing_status="registered"
    )
    readers = make_org("读书会", social_worker=sw2)  # not filed: needs a sponsor
    records.record_assessment(
        dance, actor=sw, assessed_on=date(2026, 2, 20), scores=SCORES
    )
    stages.change_stage(dance, "incubating", actor=sw)
    round_ = rounds.create_round(
        actor=admin,
        name="禾你益起 测试批次",
        budget="20000.00",
        opens_on=date(2026, 2, 1),
        closes_on=date(2026, 3, 31),
        runs_from=date(2026, 3, 1),
        runs_until=date(2026, 12, 31),
        criteria=CRITERIA,
    )
    db.session.commit()
    return {
        "admin": admin,
        "admin2": admin2,
        "sw": sw,
        "sw2": sw2,
        "viewer": viewer,
        "leader": leader,
        "other_leader": other_leader,
        "dance": dance,
        "patrol": patrol,
        "readers": readers,
        "round": round_,
    }


def application(**overrides):
    values = {
        "title": "长者智能手机课堂",
        "need": "小区长者不会用手机挂号、缴费",
        "target_group": "elders",
        "planned_activities": "每周一次课堂，共 8 次",
        "expected_outputs": "培训 40 名长者",
        "requested_amount": "8000.00",
        "budget_lines": [("材料费", "3000"), ("讲师补贴", "5000.00")],
    }
    values.update(overrides)
    return values


def application_input(round_, org, *, sponsor=None, **overrides):
    """``application(**overrides)`` as the use case's input (a page or the API
    builds the same)."""
    values = application(**overrides)
    values["budget_lines"] = [
        {"item": item, "amount": amount} for item, amount in values["budget_lines"]
    ]
    return VentureApplication(
        round_id=round_.id,
        organization_id=org.id,
        sponsor_id=sponsor.id if sponsor else None,
        **values,
    )


@pytest.fixture
def apply(fund, db):
    def do(org, actor=None, **overrides):
        venture = services.apply(
            fund["round"],
            org,
            application_input(fund["round"], org, **overrides),
            actor=actor or fund["sw"],
        )
        db.session.commit()
        return venture

    return do


@pytest.fixture
def reviewed(fund, apply, db):
    """Apply, seat the panel (sw2 and viewer), open the review and have both
    score: returns the venture, ready for the decision."""

    def do(org, scores=(80, 90), actor=None, **overrides):
        venture = apply(org, actor=actor, **overrides)
        panel = [fund["sw2"], fund["viewer"]]
        services.set_reviewers(venture, [u.id for u in panel], actor=fund["admin"])
        services.transition(venture, "reviewing", actor=fund["admin"])
        for user, score in zip(panel, scores, strict=True):
            reviews.submit_review(
                venture,
                actor=user,
                scores={c.id: score for c in fund["round"].criteria},
            )
        db.session.commit()
        return venture

    return do
