"""Chinese statutory holidays (法定节假日) and make-up working days (调休上班), from the
``chinesecalendar`` package. Scheduling on a holiday, or on a weekend that is not a
make-up working day, warns; it is never refused. Years the package has no data for
say so instead of guessing (PITFALLS.md)."""

from __future__ import annotations

from datetime import date

import chinese_calendar
from flask_babel import lazy_gettext as _l


def day_warning(day: date) -> str | None:
    """A warning for ``day``, or ``None`` for an ordinary working day."""
    try:
        holiday, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return str(
            _l(
                "There is no holiday data for %(year)d: check the official holiday "
                "notice yourself.",
                year=day.year,
            )
        )
    if not holiday:
        return None
    if name:
        return str(_l("%(day)s is a statutory holiday.", day=day.isoformat()))
    return str(
        _l("%(day)s is a weekend day, not a make-up working day.", day=day.isoformat())
    )


def has_data(year: int) -> bool:
    try:
        chinese_calendar.is_holiday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True
