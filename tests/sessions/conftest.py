"""Organizations with assessments, a social worker and leaders, at frozen time
(2026-03-01 09:00 Asia/Shanghai)."""

from datetime import date

import pytest

from incubator.organizations import records

WEAK_FINANCE = {
    "governance": 4,
    "leadership": 3,
    "service_delivery": 4,
    "resource_mobilization": 3,
    "finance": 1,
    "volunteer_management": 3,
    "community_engagement": 4,
}


@pytest.fixture
def town(frozen_time, make_user, make_org, db):
    sw = make_user("social_worker", username="town_sw", name="林社工")
    sw2 = make_user("social_worker", username="town_sw2", name="黄社工")
    admin = make_user("admin", username="town_admin", name="陈主管")
    leader = make_user("org_leader", username="town_leader", name="吴阿姨")
    other = make_user("org_leader", username="town_other", name="郑叔")
    dance = make_org("舞蹈队", leader=leader, social_worker=sw)
    patrol = make_org("巡逻队", leader=other, social_worker=sw)
    readers = make_org("读书会", social_worker=sw2)
    records.record_assessment(
        dance, actor=sw, assessed_on=date(2026, 2, 20), scores=WEAK_FINANCE
    )
    db.session.commit()
    return {
        "sw": sw,
        "sw2": sw2,
        "admin": admin,
        "leader": leader,
        "other": other,
        "dance": dance,
        "patrol": patrol,
        "readers": readers,
    }
