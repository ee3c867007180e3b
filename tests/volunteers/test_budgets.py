"""Roster pages and exports run a fixed number of queries, at 5 volunteers and 50."""

from datetime import date

import pytest

from incubator.volunteers import hours


@pytest.fixture
def roster(make_org, make_user, make_volunteer, db):
    org = make_org("大组织")
    other = make_org("另一个组织")
    recorder = make_user("social_worker")
    state = {"n": 0}

    def grow(n):
        while state["n"] < n:
            state["n"] += 1
            volunteer = make_volunteer(
                org, name=f"志愿者{state['n']}", skills=["舞蹈", f"技能{state['n']}"]
            )
            from incubator.volunteers.services import add_membership

            add_membership(volunteer, other, actor=recorder)
            hours.record_service(
                volunteer,
                org,
                actor=recorder,
                served_on=date(2026, 1, 5),
                hours="2",
                service="排练",
            )
            db.session.commit()

    return org, grow


@pytest.mark.parametrize(
    "url, budget",
    [
        ("/volunteers", 10),
        ("/volunteers/export.xlsx", 10),
        ("/volunteers/hours", 10),
        ("/volunteers/hours/export.xlsx", 10),
    ],
)
def test_roster_pages_are_flat(login_as, roster, assert_constant_queries, url, budget):
    login_as("social_worker")
    _org, grow = roster
    grow(5)
    assert_constant_queries(url, lambda: grow(50), budget=budget)


def test_org_roster_and_volunteer_page_are_flat(
    login_as, roster, assert_constant_queries
):
    login_as("social_worker")
    org, grow = roster
    grow(5)
    assert_constant_queries(
        f"/volunteers/organization/{org.id}", lambda: grow(50), budget=10
    )


def test_api_roster_is_flat(api_token, roster, assert_constant_queries):
    headers = api_token("social_worker")  # full numbers: the list is audited
    _org, grow = roster
    grow(5)
    assert_constant_queries(
        "/api/v1/volunteers", lambda: grow(50), headers=headers, budget=8
    )
