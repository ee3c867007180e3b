"""Error pages in the user's language, and JSON errors under /api/."""

from __future__ import annotations

import logging

from flask import make_response, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError, OperationalError
from werkzeug.exceptions import (
    Conflict,
    HTTPException,
    InternalServerError,
    ServiceUnavailable,
    default_exceptions,
)

from incubator.api.errors import domain_error_response, http_error_response
from incubator.database import end_unit_of_work
from incubator.errors import DomainError
from incubator.extensions import db
from incubator.security import ControlCharacterInInput
from incubator.storage import StorageUnavailable
from incubator.transaction import roll_back, undo_side_effects

logger = logging.getLogger(__name__)

PAGE_TEMPLATES = {
    403: "errors/403.html",
    404: "errors/404.html",
    429: "errors/429.html",
    500: "errors/500.html",
}


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def handle_http_error(exc: HTTPException):
    if _wants_json():
        return http_error_response(exc)
    template = PAGE_TEMPLATES.get(exc.code or 500, "errors/generic.html")
    detail = None
    if isinstance(exc, ControlCharacterInInput):
        detail = exc.description
    elif isinstance(exc, StorageUnavailable):
        logger.warning("%s on %s %s", exc, request.method, request.path)
        detail = exc.description
    elif isinstance(exc, CSRFError):
        detail = _("The form has expired. Reload the page and send it again.")
    return render_template(template, error=exc, detail=detail), exc.code or 500


# SQLSTATEs of PostgreSQL's lock and serialization failures: another transaction
# held what this one needed; trying again later succeeds.
BUSY_SQLSTATES = frozenset({"40001", "40P01", "55P03"})
RETRY_AFTER_SECONDS = 5


def is_contention(exc: BaseException) -> bool:
    """Whether ``exc`` is the database refusing for want of a lock (SQLite's
    "database is locked" after ``busy_timeout``, PostgreSQL's lock timeout,
    deadlock or serialization failure), not a fault in the request or the code."""
    if not isinstance(exc, OperationalError):
        return False
    sqlstate = getattr(exc.orig, "sqlstate", None)
    if sqlstate in BUSY_SQLSTATES:
        return True
    text = str(exc.orig).lower()
    return "database is locked" in text or "database is busy" in text


def _busy(exc: Exception):
    # Rolled back: nothing of this request was saved, so a retry is safe.
    logger.warning("database busy on %s %s: %s", request.method, request.path, exc)
    response = make_response(handle_http_error(ServiceUnavailable()))
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def handle_unexpected(exc: Exception):
    db.session.rollback()
    end_unit_of_work()  # the error page only reads
    undo_side_effects()
    if is_contention(exc):
        return _busy(exc)
    logger.exception("unhandled error on %s %s", request.method, request.path)
    return handle_http_error(InternalServerError())


def handle_domain_error(exc: DomainError):
    """A domain error no view caught: the unit of work is rolled back (keeping what
    the error asks to keep) and the refusal is answered with its status and
    message, as the API answers it."""
    roll_back(exc)
    end_unit_of_work()  # the error page only reads
    if _wants_json():
        return domain_error_response(exc)
    http = default_exceptions.get(exc.status, Conflict)(description=str(exc.message))
    code = http.code or exc.status
    template = PAGE_TEMPLATES.get(code, "errors/generic.html")
    return render_template(template, error=http, detail=str(exc.message)), code


def commit_failed(exc: Exception):
    """The answer when the request's unit of work failed to commit (already rolled
    back, see ``incubator.transaction``): 503 ``busy`` for want of a lock, 409 when
    the database refused the change (a unique or foreign key constraint another
    request's change now violates), 500 otherwise. Never the view's own answer:
    nothing was saved."""
    if is_contention(exc):
        return _busy(exc)
    if isinstance(exc, IntegrityError):
        logger.warning("commit refused on %s %s: %s", request.method, request.path, exc)
        return make_response(handle_http_error(Conflict()))
    logger.error("commit failed on %s %s", request.method, request.path, exc_info=exc)
    return make_response(handle_http_error(InternalServerError()))


def init_app(app) -> None:
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(Exception, handle_unexpected)
