"""Dates in lists are short on phones (issue 16): ``|day`` renders the long form from
576 px up and ``3月1日`` / ``Mar 1`` below, so a date never wraps over four lines in a
table cell; a day of another year keeps its year."""

from __future__ import annotations

from datetime import date

from incubator.i18n import day_filter, short_date_filter, weekday_filter


def test_a_day_of_this_year_is_short_on_phones_and_long_on_wider_screens(
    app, frozen_time
):
    with app.test_request_context("/"):
        html = str(day_filter(date(2026, 10, 31)))
    assert html == (
        '<time datetime="2026-10-31"><span class="d-none d-sm-inline">2026年10月31日'
        '</span><span class="d-sm-none">10月31日</span></time>'
    )


def test_english_short_date_is_month_and_day(app, frozen_time):
    with app.test_request_context("/", headers={"Cookie": "lang=en"}):
        assert short_date_filter(date(2026, 10, 31)) == "Oct 31"
        assert weekday_filter(date(2026, 11, 1)) == "Sun"
        assert "October 31, 2026" in str(day_filter(date(2026, 10, 31)))


def test_a_day_of_another_year_keeps_its_year(app, frozen_time):
    with app.test_request_context("/"):
        assert short_date_filter(date(2018, 5, 1)) == "2018年5月1日"
        assert str(day_filter(date(2018, 5, 1))) == (
            '<time datetime="2018-05-01">2018年5月1日</time>'
        )
        assert str(day_filter(None)) == ""


def test_agenda_days_name_their_weekday(app, frozen_time):
    with app.test_request_context("/"):
        assert weekday_filter(date(2026, 11, 1)) == "周日"
