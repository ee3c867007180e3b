"""Calendar months: ``YYYY-MM`` keys, a month as a period of days, and moving a day
by whole months (``dateutil.relativedelta``: the 31st falls on the last day of a
shorter month, 29 February on the 28th in a common year)."""

from __future__ import annotations

import re
from datetime import date

from dateutil.relativedelta import relativedelta

_MONTH_KEY = re.compile(r"([0-9]{4})-([0-9]{2})")


def month_key(day: date) -> str:
    """``YYYY-MM`` of ``day``."""
    return f"{day.year:04d}-{day.month:02d}"


def month_range(text: str | None) -> tuple[date, date] | None:
    """``YYYY-MM`` as [first day, first day of the next month), or ``None``."""
    match = _MONTH_KEY.fullmatch(text or "")
    if not match:
        return None
    year, month = int(match[1]), int(match[2])
    if not (1 <= month <= 12 and 1900 <= year <= 2999):
        return None
    first = date(year, month, 1)
    return first, first + relativedelta(months=1)


def month_bounds(key: str) -> tuple[date, date]:
    """``month_range`` of a month known to be valid (computed, not typed in);
    raises ``ValueError`` otherwise."""
    bounds = month_range(key)
    if bounds is None:
        raise ValueError(f"not a month: {key!r}")
    return bounds


def previous_month(key: str) -> str:
    """The ``YYYY-MM`` before a valid ``YYYY-MM`` (``ValueError`` otherwise)."""
    start, _end = month_bounds(key)
    return month_key(start - relativedelta(months=1))


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (earlier when negative), clamped to the last
    day of a shorter month."""
    return day + relativedelta(months=months)


def months_before(day: date, months: int) -> date:
    """The same day ``months`` calendar months earlier (clamped to month end)."""
    return day - relativedelta(months=months)


def months_between(start: date, end: date) -> int:
    """Whole calendar months from ``start`` to ``end`` (0 when ``end`` is not
    later): a month is complete on the same day of the month."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if end.day < start.day:
        months -= 1
    return max(0, months)
