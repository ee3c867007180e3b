"""Every organization page runs a fixed number of queries, at 5 rows and at 50."""

from datetime import date

import pytest

from incubator.organizations import records
from incubator.organizations.stages import change_stage


@pytest.fixture
def grow(make_org, make_user, assess, db):
    """Add organizations (with stages, assessments and notes) until there are
    ``n`` of them."""
    state = {"count": 0}
    sw = make_user("social_worker")
    leader = make_user("org_leader")

    def to(n):
        while state["count"] < n:
            state["count"] += 1
            org = make_org(f"组织{state['count']:03d}", social_worker=sw, leader=leader)
            assess(org, sw)
            change_stage(org, "incubating", actor=sw)
            records.add_case_note(org, actor=sw, noted_on=date(2026, 1, 1), body="记录")
            db.session.commit()

    return to


@pytest.mark.parametrize(
    "url, budget",
    [
        ("/organizations", 8),
        ("/organizations/board", 8),
        # its sources: notes, activities, follow-ups, overdue plan actions; the bell
        ("/organizations/caseload", 10),  # + caseloads per social worker (issue 18)
        ("/organizations/export.xlsx", 8),
    ],
)
def test_list_pages_are_flat_from_5_to_50(
    login_as, grow, assert_constant_queries, url, budget
):
    login_as("admin")
    grow(5)
    assert_constant_queries(url, lambda: grow(50), budget=budget)


def test_organization_page_and_timeline_are_flat(
    login_as, make_org, make_user, assess, db, assert_constant_queries
):
    login_as("admin")
    sw = make_user("social_worker")
    org = make_org("事件很多的组织", social_worker=sw)

    def events(n):
        for i in range(n):
            assess(org, sw)
            records.add_case_note(org, actor=sw, noted_on=date(2026, 1, 1), body=str(i))
        db.session.commit()

    events(5)
    # a fixed number per feature box (activities, ventures, follow-ups and
    # sessions), and the bell's unread count
    assert_constant_queries(f"/organizations/{org.id}", lambda: events(45), budget=17)
    assert_constant_queries(
        f"/organizations/{org.id}/timeline", lambda: events(45), budget=14
    )


def test_api_list_is_flat(api_token, grow, assert_constant_queries):
    headers = api_token("admin")
    grow(5)
    assert_constant_queries(
        "/api/v1/organizations", lambda: grow(50), headers=headers, budget=6
    )
