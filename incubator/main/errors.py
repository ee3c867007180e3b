"""Error pages in the user's language, and JSON errors under /api/."""

from __future__ import annotations

import logging

from flask import render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from incubator.extensions import db
from incubator.security import ControlCharacterInInput

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
        from incubator.api.errors import http_error_response

        return http_error_response(exc)
    template = PAGE_TEMPLATES.get(exc.code or 500, "errors/generic.html")
    detail = None
    if isinstance(exc, ControlCharacterInInput):
        detail = exc.description
    elif isinstance(exc, CSRFError):
        detail = _("The form has expired. Reload the page and send it again.")
    return render_template(template, error=exc, detail=detail), exc.code or 500


def handle_unexpected(exc: Exception):
    logger.exception("unhandled error on %s %s", request.method, request.path)
    db.session.rollback()
    from incubator.main.actions import undo_side_effects

    undo_side_effects()
    return handle_http_error(InternalServerError())


def init_app(app) -> None:
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected)
