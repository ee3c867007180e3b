"""The unit of work: a request (page or API), a CLI command or a scheduled job
commits once, at its end, and rolls back when a rule refused it or anything failed.
Services never commit; they change state, flush and raise a ``DomainError``.

- **Requests**: ``init_app`` installs an ``after_request`` step that commits a write
  request (any method but GET/HEAD/OPTIONS) whose answer is not an error (status
  below 400), and rolls back one whose answer is an error (a domain error, a
  refused form, an abort). It runs before the answer leaves, so a commit that fails
  (a unique constraint, a lock not had in time) still turns into the proper answer,
  built by the ``on_commit_failure`` function the app factory passes in (409, or 503
  ``busy``), never a 200 for data that was not saved. Read requests write nothing in
  their transaction (``incubator.database``); what they must write goes through
  ``database.write_apart`` as before.
- **CLI commands and jobs**: ``with unit_of_work():`` around their body.
- **Deliberate commits midway** (``commit_now``), each with its reason where it is
  called: a refused login's throttle counter, an audit entry a refused change keeps
  (``DomainError.after_rollback``), a second unit of work in one request (the
  monthly reminders job run from a page, then its audit entry), outbox deliveries
  that must survive a later failure. ``tests/test_transaction.py`` lists the places
  allowed to commit and fails on a new one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from flask import Flask, Response, flash, g, has_request_context, request, session

from incubator.database import READ_METHODS, end_unit_of_work
from incubator.errors import DomainError
from incubator.extensions import db

logger = logging.getLogger(__name__)

T = TypeVar("T")


def commit_now() -> None:
    """Commit what the session holds now, before the unit of work ends. Only for
    the deliberate cases of the module docstring; say why where it is called."""
    db.session.commit()


def settle() -> None:
    """Flush, then forget what the session holds, so what is read next (the API's
    answer) comes back as the database stores it (times in UTC, amounts at their
    scale), as it did when each API view committed before answering. Commits
    nothing: the unit of work does, when the view returns."""
    db.session.flush()
    db.session.expire_all()


def undo_side_effects() -> None:
    """Remove what the refused request wrote outside the database (files), and
    forget what it meant to do after its commit."""
    if has_request_context():
        g.pop("after_commit", None)
        for undo in g.pop("undo_on_rollback", []):
            undo()


def after_commit(call: Callable[[], None]) -> None:
    """Run ``call`` once the request's unit of work has committed, e.g. removing
    a deleted record's files (a commit that fails must not lose them); dropped
    when the request rolls back. Outside a request it runs at once. A failure of
    ``call`` is logged: the commit stands."""
    if has_request_context():
        g.setdefault("after_commit", []).append(call)
    else:
        call()


def _run_after_commit() -> None:
    for call in g.pop("after_commit", []):
        try:
            call()
        except Exception:  # noqa: BLE001 - committed already; leave a trace
            logger.exception("a step after the commit failed")


def roll_back(exc: DomainError | None = None) -> None:
    """Undo the refused change, then keep (and commit) what the error asked to keep
    (``DomainError.after_rollback``, e.g. an audit entry of the refusal)."""
    db.session.rollback()
    undo_side_effects()
    if exc is not None and exc.after_rollback:
        for keep in exc.after_rollback:
            keep()
        commit_now()  # deliberate: what a refusal keeps outlives the refusal


def run_and_flash(call: Callable, *args, success: str | None = None, **kwargs) -> bool:
    """``call(*args, **kwargs)``; on success flashes ``success`` (the request's unit
    of work commits when the view returns), on a domain error rolls back and flashes
    its message. Returns whether it succeeded."""
    try:
        call(*args, **kwargs)
    except DomainError as exc:
        roll_back(exc)
        flash(str(exc.message), "danger")
        return False
    if success:
        flash(success, "success")
    return True


def flash_form_errors(form) -> None:
    """A button form that failed validation: its field errors as messages."""
    for errors in form.errors.values():
        for error in errors:
            flash(str(error), "danger")


def submit_form(form, call: Callable[[], T]) -> tuple[bool, T | None]:
    """A page form's use case: ``call()`` (which builds its values and calls one
    service) returns ``(True, result)``, committed when the view returns; a refusal
    is rolled back and shown on the form (on its field, or above the form for a
    stale edit) and gives ``(False, None)``."""
    try:
        result = call()
    except DomainError as exc:
        roll_back(exc)
        form.show_domain_error(exc)
        return False, None
    return True, result


@contextmanager
def unit_of_work() -> Iterator[None]:
    """The boundary of a CLI command or a job: commit once when the block ends,
    roll back (and re-raise) if it raises."""
    try:
        yield
    except BaseException:
        db.session.rollback()
        raise
    db.session.commit()


def init_app(app: Flask, *, on_commit_failure: Callable[[Exception], Response]) -> None:
    """Commit each write request's unit of work before its answer leaves.

    Flask runs ``after_request`` steps last-registered first: register this one
    after the others, so it runs before them (before the session toucher, which
    ends the request's transaction, and before the security headers, which the
    failure answer then gets too). ``on_commit_failure(exc)`` builds the answer
    when the commit fails; the session is rolled back by then."""

    @app.after_request
    def _end_unit_of_work(response: Response) -> Response:
        if request.method in READ_METHODS:
            return response
        if response.status_code >= 400:
            db.session.rollback()
            undo_side_effects()
            return response
        try:
            db.session.commit()
        except Exception as exc:  # noqa: BLE001 - turned into the proper answer
            db.session.rollback()
            end_unit_of_work()  # the error answer only reads
            undo_side_effects()
            # What the view flashed ("Saved.") was not saved.
            session.pop("_flashes", None)
            return on_commit_failure(exc)
        g.pop("undo_on_rollback", None)  # committed: the files stay
        _run_after_commit()
        return response
