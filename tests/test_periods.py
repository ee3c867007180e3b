"""Month arithmetic (incubator.periods): month ends and leap years."""

from datetime import date

from incubator.periods import (
    add_months,
    month_key,
    month_range,
    months_before,
    months_between,
    previous_month,
)


def test_a_month_after_the_31st_is_the_last_day_of_a_shorter_month():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)  # leap year
    assert add_months(date(2026, 3, 31), 1) == date(2026, 4, 30)
    assert add_months(date(2026, 12, 31), 2) == date(2027, 2, 28)


def test_leap_day_moves_to_the_28th_in_a_common_year():
    assert add_months(date(2028, 2, 29), 12) == date(2029, 2, 28)
    assert months_before(date(2028, 2, 29), 12) == date(2027, 2, 28)
    assert add_months(date(2028, 2, 29), 48) == date(2032, 2, 29)


def test_months_before_is_add_months_backwards():
    assert months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)
    assert months_before(date(2026, 1, 15), 1) == date(2025, 12, 15)
    assert months_before(date(2026, 1, 15), -2) == date(2026, 3, 15)


def test_month_range_and_keys():
    assert month_range("2026-12") == (date(2026, 12, 1), date(2027, 1, 1))
    assert month_range("2028-02") == (date(2028, 2, 1), date(2028, 3, 1))
    assert month_range("2026-13") is None
    assert month_range("2026-1") is None
    assert month_range("2026-01\n") is None
    assert month_range(None) is None
    assert previous_month("2026-01") == "2025-12"
    assert previous_month("2026-03") == "2026-02"
    assert month_key(date(2026, 2, 28)) == "2026-02"


def test_months_between_counts_complete_months():
    assert months_between(date(2026, 1, 31), date(2026, 2, 28)) == 0
    assert months_between(date(2026, 1, 15), date(2026, 2, 15)) == 1
    assert months_between(date(2026, 1, 15), date(2027, 1, 14)) == 11
    assert months_between(date(2026, 5, 1), date(2026, 1, 1)) == 0
