"""A returned activity log sends its organization's leader a notice (issue 16):
recorded in the outbox with the return, once per return event (a retry adds
nothing, a second return after a fix is a new notice), shown in the app with a
button to the fix page, delivered by the channels she chose after the commit."""

from __future__ import annotations

from email import message_from_bytes, policy

from sqlalchemy import func, select

from incubator.activities import services as activity_services
from incubator.activities.models import ActivityEvent
from incubator.activities.schemas import ActivityChange, ActivityReview
from incubator.reminders import notices, outbox
from incubator.reminders.models import Delivery, Reminder, ReminderPreference
from tests.conftest import login
from tests.reports.test_leader_home import IN_MARCH, _page, _return


def test_a_return_notifies_the_leader_once_per_return(
    frozen_time, team, log, client, db
):
    activity = log(team["org"], team["leader"], title="三月排练", **IN_MARCH)
    _return(activity, team["sw"], db, reason="缺少活动照片")
    found = db.session.scalars(
        select(Reminder).where(Reminder.kind == "activity_returned")
    ).all()
    assert len(found) == 1
    notice = found[0]
    assert notice.recipient_id == team["leader"].id
    assert "三月排练" in notice.title and "缺少活动照片" in notice.body
    assert (
        "http" not in notice.body and notice.link == f"/activities/{activity.id}/edit"
    )
    # recording the same return again (a retry) adds nothing
    event = db.session.scalar(
        select(ActivityEvent).where(ActivityEvent.action == "returned")
    )
    notices.notify_leader(activity, event=event, actor=team["sw"])
    db.session.commit()
    assert db.session.scalar(select(func.count(Reminder.id))) == 1
    # fixed, then returned again: a new return, a new notice
    activity_services.update_activity(
        activity,
        ActivityChange(version=activity.version, person_times=25),
        actor=team["leader"],
    )
    db.session.commit()
    _return(activity, team["sw"], db, reason="人次还是不对")
    assert db.session.scalar(select(func.count(Reminder.id))) == 2
    # in the app: on her home and in the notification centre, with a fix button
    login(client, "team_leader")
    assert "活动记录被退回：三月排练" in _page(client)
    centre = client.get("/notifications").get_data(as_text=True)
    assert "人次还是不对" in centre and "缺少活动照片" in centre
    opened = client.post(
        f"/notifications/{notice.id}/read", data={"go": "link"}, follow_redirects=False
    )
    assert opened.headers["Location"].endswith(f"/activities/{activity.id}/edit")


def test_an_approval_sends_no_notice(frozen_time, team, log, db):
    activity = log(team["org"], team["leader"], **IN_MARCH)
    activity_services.review_activity(
        activity, ActivityReview(decision="approve"), actor=team["sw"]
    )
    db.session.commit()
    assert db.session.scalar(select(func.count(Reminder.id))) == 0


def test_the_notice_goes_by_email_when_she_chose_email(
    frozen_time, team, log, db, smtp_server
):
    """Her monthly-reminder choice applies to returns until she sets this kind."""
    leader = team["leader"]
    leader.email = "wu@example.test"
    db.session.add(
        ReminderPreference(user_id=leader.id, kind="monthly_log_reminder", email=True)
    )
    db.session.commit()
    activity = log(team["org"], leader, title="三月排练", **IN_MARCH)
    _return(activity, team["sw"], db, reason="缺少活动照片")
    delivery = db.session.scalar(select(Delivery))
    assert (delivery.channel, delivery.state) == ("email", "pending")
    assert outbox.deliver_due()["sent"] == 1
    assert len(smtp_server.messages) == 1
    assert "wu@example.test" in smtp_server.messages[0].rcpt_tos
    parsed = message_from_bytes(smtp_server.messages[0].content, policy=policy.default)
    plain = parsed.get_body(("plain",)).get_content()
    html = parsed.get_body(("html",)).get_content()
    assert "三月排练" in plain and "缺少活动照片" in plain
    # the fix page is the email's link (its own place), made absolute there
    assert f"/activities/{activity.id}/edit" in html
    # a retry of the delivery job sends nothing twice
    assert outbox.deliver_due()["sent"] == 0
    assert len(smtp_server.messages) == 1


def test_a_leader_who_turned_email_off_for_returns_gets_it_in_the_app_only(
    frozen_time, team, log, db
):
    leader = team["leader"]
    leader.email = "wu@example.test"
    db.session.add_all(
        [
            ReminderPreference(
                user_id=leader.id, kind="monthly_log_reminder", email=True
            ),
            ReminderPreference(
                user_id=leader.id, kind="activity_returned", email=False
            ),
        ]
    )
    db.session.commit()
    _return(log(team["org"], leader, **IN_MARCH), team["sw"], db)
    assert db.session.scalar(select(func.count(Reminder.id))) == 1
    assert db.session.scalar(select(func.count(Delivery.id))) == 0
