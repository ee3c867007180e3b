from datetime import UTC, datetime

import pytest

from incubator.activities import services


@pytest.fixture
def team(make_user, make_org, db):
    """An organization with its leader, social worker and two volunteers."""
    from incubator.volunteers import services as volunteer_services

    sw = make_user("social_worker", username="team_sw", name="林社工")
    leader = make_user("org_leader", username="team_leader", name="吴阿姨")
    org = make_org("舞蹈队", leader=leader, social_worker=sw)
    helpers = [
        volunteer_services.create_volunteer(
            actor=sw, organization=org, name=name, birth_year=1960, phone=phone
        )
        for name, phone in (("王秀英", "13911110001"), ("李建国", "13911110002"))
    ]
    db.session.commit()
    return {"org": org, "sw": sw, "leader": leader, "helpers": helpers}


@pytest.fixture
def log(db):
    """Log an activity through the service (defaults fill what is not given)."""

    def do(org, actor, **values):
        fields = {
            "title": "周末排练",
            "form": "group",
            "service_type": "self_org_service",
            "target_group": "elders",
            "starts_at": datetime(2026, 2, 10, 6, 0, tzinfo=UTC),
            "ends_at": datetime(2026, 2, 10, 8, 0, tzinfo=UTC),
            "place": "活动室",
            "person_times": 20,
        }
        fields.update(values)
        activity = services.log_activity(org, actor=actor, **fields)
        db.session.commit()
        return activity

    return do
