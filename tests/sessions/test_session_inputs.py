"""The typed inputs of session use cases (``sessions/schemas.py``) refuse, when
built, what the services refused before, with the same messages and fields; the
pages keep the words they have always shown."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from incubator.errors import ValidationFailed
from incubator.sessions.models import TrainingSession
from incubator.sessions.schemas import (
    Attendance,
    Registration,
    SessionChange,
    SessionSchedule,
    recurrence_of,
)
from tests.conftest import login

SHANGHAI = ZoneInfo("Asia/Shanghai")
STARTS = datetime(2026, 3, 10, 9, tzinfo=SHANGHAI)
ENDS = datetime(2026, 3, 10, 11, tzinfo=SHANGHAI)
NAIVE_START = STARTS.replace(tzinfo=None)
NAIVE_END = ENDS.replace(tzinfo=None)


def schedule(**overrides):
    values = {"title": "财务培训", "starts_at": STARTS, "ends_at": ENDS, "capacity": 30}
    return SessionSchedule(**{**values, **overrides})


def refused(build, field: str, message: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        build()
    assert caught.value.field == field
    # the message as written (its translation is the catalogue's business)
    lazy = caught.value.message
    assert lazy._args[0] % lazy._kwargs == message


def test_a_schedule_is_tidied(app):
    made = schedule(title="  财务   培训 ", topic=" 记账 ", place=" 二楼 ")
    assert (made.title, made.topic, made.place) == ("财务 培训", "记账", "二楼")


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        (
            {"title": "   "},
            "title",
            "Give the session a title (at most 100 characters).",
        ),
        (
            {"starts_at": NAIVE_START},
            "starts_at",
            "Please enter when it starts.",
        ),
        (
            {"ends_at": NAIVE_END},
            "ends_at",
            "Please enter when it ends.",
        ),
        (
            {
                "starts_at": datetime(1999, 3, 10, 9, tzinfo=SHANGHAI),
                "ends_at": datetime(1999, 3, 10, 11, tzinfo=SHANGHAI),
            },
            "starts_at",
            "Please enter a date.",
        ),
        ({"ends_at": STARTS}, "ends_at", "A session ends after it starts."),
        (
            {"ends_at": datetime(2026, 3, 10, 21, 1, tzinfo=SHANGHAI)},
            "ends_at",
            "A session lasts at most 12 hours.",
        ),
    ],
)
def test_a_schedule_refuses_what_the_service_refused(app, overrides, field, message):
    refused(lambda: schedule(**overrides), field, message)


def test_a_change_checks_only_what_it_sends(app):
    change = SessionChange(version=1, place=" 二楼 ")
    assert change.changes() == {"place": "二楼"}
    refused(
        lambda: SessionChange(version=1, title=None),
        "title",
        "Give the session a title (at most 100 characters).",
    )
    refused(
        lambda: SessionChange(version=1, capacity=None),
        "capacity",
        "Capacity is a whole number from 1 to 1000.",
    )
    refused(
        lambda: SessionChange(version=1, starts_at=STARTS, ends_at=STARTS),
        "ends_at",
        "A session ends after it starts.",
    )


def test_recurrence_registration_and_attendance(app):
    assert recurrence_of("", None) is None
    refused(lambda: recurrence_of("daily", 3), "recurrence", "Weekly or monthly.")
    refused(
        lambda: recurrence_of("weekly", None),
        "recurrence",
        "A series has 2 to 52 occurrences.",
    )
    assert Registration(organization_id=1, count=0).count == 0
    refused(
        lambda: Attendance(organization_id=1),
        "attendees",
        "A whole number of people.",
    )
    refused(
        lambda: Attendance(feedback_score="6"),
        "feedback_score",
        "The average feedback score is from 1 to 5.",
    )
    assert str(Attendance(feedback_score="4.56").score) == "4.6"
    assert Attendance(organization_id=1, volunteer_ids=[2]).attendees is None


def test_a_series_without_its_count_is_refused_in_the_pages_words(town, db, client):
    login(client, "town_sw")
    response = client.post(
        "/sessions/new",
        data={
            "title": "财务培训",
            "dimension": "",
            "day": "2026-03-10",
            "start_time": "09:00",
            "end_time": "11:00",
            "capacity": "30",
            "freq": "weekly",
            "count": "",
        },
    )
    assert response.status_code == 200
    assert "系列课程须为 2 至 52 次。" in response.get_data(as_text=True)
    assert db.session.scalar(select(TrainingSession.title)) is None
