"""When a dated task (a follow-up, a plan action) is due and when it is overdue: one
definition for every list, dashboard, digest, feed and report.

A task is due on its day (a calendar ``Date``, in the project's time zone). While
it is still open it is *overdue* from the day after: on ``as_of`` it is overdue
when its day came before ``as_of``. It is *due within* a period when its day falls
in the half-open range ``[start, end)``. What "still open" means is the feature's
(a follow-up's state, a plan action's ``done_on`` and ``removed_at``): the
features combine these with their own condition.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, and_


def is_overdue(due_on: date, as_of: date) -> bool:
    """Whether a task still open and due on ``due_on`` is overdue on ``as_of``."""
    return due_on < as_of


def overdue(due_on_column, as_of: date) -> ColumnElement[bool]:
    """The SQL condition of ``is_overdue`` on a due-date column."""
    return due_on_column < as_of


def not_overdue(due_on_column, as_of: date) -> ColumnElement[bool]:
    """Due on ``as_of`` or later."""
    return due_on_column >= as_of


def due_within(due_on_column, start: date, end: date) -> ColumnElement[bool]:
    """Due on a day of ``[start, end)``."""
    return and_(due_on_column >= start, due_on_column < end)


def due_before(due_on_column, end: date) -> ColumnElement[bool]:
    """Due before ``end`` (overdue ones included)."""
    return due_on_column < end


def due_by(due_on_column, last: date) -> ColumnElement[bool]:
    """Due on ``last`` or before (overdue ones included)."""
    return due_on_column <= last
