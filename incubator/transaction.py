"""The commit boundary of a button-style POST: call one service, commit and flash
success, or roll back and flash the rule that refused it."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import flash, g, has_request_context

from incubator.errors import DomainError
from incubator.extensions import db

T = TypeVar("T")


def undo_side_effects() -> None:
    """Remove what the refused request wrote outside the database (files)."""
    if has_request_context():
        for undo in g.pop("undo_on_rollback", []):
            undo()


def roll_back(exc: DomainError | None = None) -> None:
    """Undo the refused change, then keep what the error asked to keep."""
    db.session.rollback()
    undo_side_effects()
    if exc is not None and exc.after_rollback:
        for keep in exc.after_rollback:
            keep()
        db.session.commit()


def run_and_flash(call: Callable, *args, success: str | None = None, **kwargs) -> bool:
    """``call(*args, **kwargs)``; commits on success (flashing ``success``), rolls
    back and flashes the domain error's message otherwise. Returns whether it
    succeeded."""
    try:
        call(*args, **kwargs)
    except DomainError as exc:
        roll_back(exc)
        flash(str(exc.message), "danger")
        return False
    db.session.commit()
    if success:
        flash(success, "success")
    return True


def flash_form_errors(form) -> None:
    """A button form that failed validation: its field errors as messages."""
    for errors in form.errors.values():
        for error in errors:
            flash(str(error), "danger")


def submit_form(form, call: Callable[[], T]) -> tuple[bool, T | None]:
    """The commit boundary of a page form: ``call()`` (which builds its values
    and calls one service) commits on success and returns ``(True, result)``;
    a refusal is rolled back and shown on the form (on its field, or above the
    form for a stale edit) and gives ``(False, None)``."""
    try:
        result = call()
    except DomainError as exc:
        roll_back(exc)
        form.show_domain_error(exc)
        return False, None
    db.session.commit()
    return True, result
