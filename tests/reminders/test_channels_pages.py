"""Delivery that fails: a down SMTP server retries with backoff then fails while
the other channels go out; WeCom's errcode and rate limit. The notification
centre, settings, the admin page and the API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from incubator.reminders import jobs, outbox
from incubator.reminders.models import Delivery, Reminder
from tests.conftest import DEFAULT_PASSWORD, login
from tests.reminders.conftest import free_port


def _states(db):
    return {
        d.channel: (d.state, d.attempts)
        for d in db.session.scalars(select(Delivery).order_by(Delivery.id))
    }


def test_a_down_smtp_server_retries_then_fails_and_wecom_still_goes(
    monthly_world, db, app, webhook, wants, frozen_time, smtp_server
):
    wants(monthly_world["sw1"], "monthly_digest", email=True, wecom=True)
    app.config.update(MAIL_PORT=free_port(), DELIVERY_MAX_ATTEMPTS=3)  # nobody there
    jobs.run_monthly("2026-03")
    states = _states(db)
    assert states["wecom"] == ("sent", 1)
    assert states["email"] == ("retrying", 1)
    assert len(webhook["posts"]) == 1
    assert "林社工" in webhook["posts"][0]["markdown"]["content"]
    error = db.session.scalar(
        select(Delivery.last_error).where(Delivery.channel == "email")
    )
    assert "SMTP" in error
    # not yet time for the retry
    assert outbox.deliver_due()["retrying"] == 0
    frozen_time.shift(timedelta(minutes=1, seconds=1))
    assert outbox.deliver_due()["retrying"] == 1  # second attempt, backoff 2 min
    frozen_time.shift(timedelta(minutes=2, seconds=1))
    assert outbox.deliver_due()["failed"] == 1
    assert _states(db)["email"] == ("failed", 3)
    assert len(webhook["posts"]) == 1  # nothing sent twice meanwhile


def test_a_retry_succeeds_when_the_server_is_back(
    monthly_world, db, app, wants, frozen_time, smtp_server
):
    port = app.config["MAIL_PORT"]
    wants(monthly_world["quiet"], "monthly_log_reminder", email=True)
    app.config.update(MAIL_PORT=free_port())
    jobs.run_monthly("2026-03")
    assert _states(db)["email"] == ("retrying", 1)
    app.config.update(MAIL_PORT=port)
    frozen_time.shift(timedelta(minutes=2))
    assert outbox.deliver_due()["sent"] == 1
    assert len(smtp_server.messages) == 1
    assert _states(db)["email"] == ("sent", 2)


def test_wecom_errcode_on_http_200_is_a_failure(monthly_world, db, webhook, wants):
    webhook["answers"] = [93000]
    wants(monthly_world["sw1"], "monthly_digest", wecom=True)
    jobs.run_monthly("2026-03")
    delivery = db.session.scalar(select(Delivery))
    assert delivery.state == "retrying" and "93000" in delivery.last_error


def test_wecom_rate_limit_postpones_without_spending_attempts(
    frozen_time, make_user, make_org, db, webhook, wants
):
    make_user("admin", username="boss")
    workers = [make_user("social_worker") for _ in range(25)]
    for worker in workers:
        wants(worker, "monthly_digest", wecom=True)
    frozen_time.move_to("2026-05-01 09:00+08:00")
    first = jobs.run_monthly("2026-05")
    assert (first.delivered["sent"], first.delivered["postponed"]) == (20, 5)
    webhook["answers"] = [45009]  # WeCom's own "too many": wait, spend nothing
    frozen_time.shift(timedelta(seconds=61))
    later = outbox.deliver_due()
    assert later == {"sent": 0, "retrying": 0, "failed": 0, "postponed": 5}
    assert len(webhook["posts"]) == 21  # the rest waited for the next minute
    frozen_time.shift(timedelta(seconds=61))
    assert outbox.deliver_due()["sent"] == 5
    assert {(d.state, d.attempts) for d in db.session.scalars(select(Delivery))} == {
        ("sent", 1)
    }


@pytest.mark.parametrize("refusal", [45009, "http 429"])
def test_a_rate_limited_message_waits_a_minute_and_never_fails(
    refusal, monthly_world, db, app, webhook, wants, frozen_time
):
    """Refused for its rate more times than DELIVERY_MAX_ATTEMPTS: it waits for
    the next minute each time, spends no attempt, and goes out when allowed."""
    app.config.update(DELIVERY_MAX_ATTEMPTS=3)
    wants(monthly_world["sw1"], "monthly_digest", wecom=True)
    webhook["answers"] = [refusal] * 6
    jobs.run_monthly("2026-03")
    for _ in range(6):
        delivery = db.session.scalar(select(Delivery))
        assert (delivery.state, delivery.attempts) == ("pending", 0)
        assert "rate limited" in delivery.last_error
        frozen_time.shift(timedelta(seconds=59))  # not before the next minute
        assert outbox.deliver_due() == {
            "sent": 0,
            "retrying": 0,
            "failed": 0,
            "postponed": 0,
        }
        frozen_time.shift(timedelta(seconds=1))
        outbox.deliver_due()
        db.session.expire_all()
    delivery = db.session.scalar(select(Delivery))
    assert (delivery.state, delivery.attempts, delivery.last_error) == ("sent", 1, "")
    assert len(webhook["posts"]) == 7


def test_residents_reminders_never_go_to_the_team_group(
    monthly_world, db, webhook, wants
):
    wants(monthly_world["quiet"], "monthly_log_reminder", wecom=True)
    jobs.run_monthly("2026-03")
    assert db.session.scalars(select(Delivery)).all() == []
    assert webhook["posts"] == []


def test_a_channel_chosen_later_still_gets_the_months_reminder(
    monthly_world, db, smtp_server, wants
):
    jobs.run_monthly("2026-03")
    wants(monthly_world["sw1"], "monthly_digest", email=True)
    jobs.run_monthly("2026-03")
    assert [m.rcpt_tos for m in smtp_server.messages] == [["sw1@example.test"]]


def test_a_bad_name_fails_visibly_and_the_rest_go(
    monthly_world, db, smtp_server, wants, monkeypatch
):
    from incubator.reminders import channels

    wants(monthly_world["sw1"], "monthly_digest", email=True)
    wants(monthly_world["sw2"], "monthly_digest", email=True)
    real = channels.send_email

    def flaky(out):
        if out.name == "林社工":
            raise UnicodeError("broken")
        real(out)

    monkeypatch.setattr(channels, "send_email", flaky)
    jobs.run_monthly("2026-03")
    states = sorted(
        (d.reminder.recipient.username, d.state, d.last_error[:12])
        for d in db.session.scalars(select(Delivery))
    )
    assert states == [("sw1", "failed", "UnicodeError"), ("sw2", "sent", "")]


def test_future_months_are_refused(monthly_world, db, client):
    import pytest

    with pytest.raises(ValueError):
        jobs.run_monthly("2026-04")
    result = client.application.test_cli_runner().invoke(
        args=["reminders", "run", "--month", "2026-04"]
    )
    assert result.exit_code != 0 and "has not begun" in result.output


def test_bell_list_and_mark_read(monthly_world, db, client):
    jobs.run_monthly("2026-03")
    login(client, "quiet")
    home = client.get("/").get_data(as_text=True)
    assert 'data-testid="unread">1<' in home
    page = client.get("/notifications").get_data(as_text=True)
    assert "请记录上月活动" in page
    note = db.session.scalar(
        select(Reminder).where(Reminder.kind == "monthly_log_reminder")
    )
    response = client.post(f"/notifications/{note.id}/read", data={"go": "link"})
    assert response.status_code == 302 and "/activities/new?org=" in response.location
    db.session.expire_all()
    assert note.read_at is not None
    assert 'data-testid="unread"' not in client.get("/").get_data(as_text=True)
    other = client.application.test_client()
    login(other, "busy")
    assert other.post(f"/notifications/{note.id}/read").status_code == 404


def test_settings_choose_channels_per_kind(monthly_world, db, client):
    login(client, "sw1")
    page = client.get("/notifications/settings").get_data(as_text=True)
    assert "monthly_digest-email" in page
    bad = client.post("/notifications/settings", data={"email": "not-an-address"})
    assert bad.status_code == 302
    client.post(
        "/notifications/settings",
        data={"email": "lin@example.test", "monthly_digest-email": "1"},
    )
    db.session.expire_all()
    assert monthly_world["sw1"].email == "lin@example.test"
    from incubator.reminders.models import ReminderPreference

    pref = db.session.scalar(select(ReminderPreference))
    assert (pref.kind, pref.email, pref.wecom) == ("monthly_digest", True, False)


def test_admin_page_and_send_now(monthly_world, db, client, frozen_time):
    login(client, "boss")
    page = client.get("/admin/reminders").get_data(as_text=True)
    assert "每月提醒" in page and "下次运行" in page
    response = client.post("/admin/reminders/send", data={"month": "2026-03"})
    assert response.status_code == 302
    assert len(db.session.scalars(select(Reminder)).all()) == 4
    client.post("/admin/reminders/send", data={"month": "2026-03"})
    assert len(db.session.scalars(select(Reminder)).all()) == 4
    page = client.get("/admin/reminders").get_data(as_text=True)
    assert "郑叔" in page and "2026-03" in page
    assert (
        client.post("/admin/reminders/send", data={"month": "2026-13"}).status_code
        == 302
    )


def test_api_notifications(monthly_world, db, client):
    jobs.run_monthly("2026-03")
    token = client.post(
        "/api/v1/tokens", json={"username": "quiet", "password": DEFAULT_PASSWORD}
    ).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    listing = client.get("/api/v1/notifications", headers=headers).get_json()
    assert listing["total"] == 1
    item = listing["items"][0]
    assert (item["kind"], item["period"], item["read"]) == (
        "monthly_log_reminder",
        "2026-03",
        False,
    )
    read = client.post(f"/api/v1/notifications/{item['id']}/read", headers=headers)
    assert read.status_code == 200 and read.get_json()["read"] is True
    sw_token = client.post(
        "/api/v1/tokens", json={"username": "sw1", "password": DEFAULT_PASSWORD}
    ).get_json()["token"]
    other = client.post(
        f"/api/v1/notifications/{item['id']}/read",
        headers={"Authorization": f"Bearer {sw_token}"},
    )
    assert other.status_code == 404
