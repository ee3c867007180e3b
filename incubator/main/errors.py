"""Error pages in the user's language, and JSON errors under /api/."""

from __future__ import annotations

import logging

from flask import make_response, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

from incubator.api.errors import http_error_response
from incubator.database import end_unit_of_work
from incubator.extensions import db
from incubator.security import ControlCharacterInInput
from incubator.transaction import undo_side_effects

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


def handle_unexpected(exc: Exception):
    db.session.rollback()
    end_unit_of_work()  # the error page only reads

    undo_side_effects()
    if is_contention(exc):
        # Rolled back: nothing of this request was saved, so a retry is safe.
        logger.warning("database busy on %s %s: %s", request.method, request.path, exc)
        response = make_response(handle_http_error(ServiceUnavailable()))
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    logger.exception("unhandled error on %s %s", request.method, request.path)
    return handle_http_error(InternalServerError())


def init_app(app) -> None:
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected)
