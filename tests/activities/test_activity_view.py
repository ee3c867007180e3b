"""The read model an activity's page and its API resource share
(``incubator.activities.queries.ActivityView``): what the caller may see of who
served, and what the caller may do."""

from __future__ import annotations

from decimal import Decimal

from incubator.activities.queries import activity_view


def test_staff_see_who_served_and_may_review_a_pending_log(team, log, make_user):
    helper = team["helpers"][0]
    activity = log(team["org"], team["leader"], volunteer_hours=[(helper.id, "2")])
    view = activity_view(team["sw"], activity)
    assert [(h.name, h.hours) for h in view.volunteer_hours] == [
        ("王秀英", Decimal("2.0"))
    ]
    assert view.volunteer_count == 1 and view.photo_count == 0
    assert view.may_edit and view.may_review
    assert [step.name for step in view.review_steps] == ["approve", "return"]
    assert view.title == activity.title  # the log's own columns read through


def test_the_leader_edits_but_does_not_review_their_own_log(team, log):
    activity = log(team["org"], team["leader"])
    view = activity_view(team["leader"], activity)
    assert view.may_edit and not view.may_review


def test_another_leader_and_a_viewer_may_do_nothing(team, log, make_user):
    activity = log(team["org"], team["leader"], volunteer_hours=[])
    for user in (make_user("org_leader"), make_user("viewer")):
        view = activity_view(user, activity)
        assert not view.may_edit and not view.may_review, user.role
    assert activity_view(make_user("viewer"), activity).volunteer_hours is None
