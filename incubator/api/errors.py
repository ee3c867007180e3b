"""The API's error format: ``{"error": {"code", "message", "fields"}}``.

Every failure under /api/v1 answers this JSON, never an HTML page; messages are in
the request's language.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify
from flask_babel import gettext as _
from pydantic import ValidationError
from werkzeug.exceptions import HTTPException

from incubator.database import utcnow
from incubator.errors import DomainError, TooManyAttempts
from incubator.normalize import validation_message

HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "too_many_attempts",
    500: "server_error",
    503: "busy",
}


def _default_message(status: int) -> str:
    return {
        400: _("The request is malformed."),
        401: _("Log in first: send a valid bearer token."),
        403: _("You are not allowed to do this."),
        404: _("Not found."),
        405: _("This method is not allowed here."),
        409: _("This change is not allowed now."),
        413: _("The request is too large."),
        415: _("Send JSON with Content-Type: application/json."),
        422: _("Some fields are not valid."),
        429: _("Too many attempts; try again later."),
        500: _("Something went wrong on our side; the error has been logged."),
        503: _("The system is busy; nothing was changed. Try again in a moment."),
    }.get(status, _("The request failed."))


def error_response(
    status: int,
    message: str | None = None,
    *,
    code: str | None = None,
    fields: dict[str, list[str]] | None = None,
    headers: dict[str, str] | None = None,
    details: dict | None = None,
):
    body: dict[str, dict[str, Any]] = {
        "error": {
            "code": code or HTTP_CODES.get(status, "error"),
            "message": message or _default_message(status),
        }
    }
    if fields:
        body["error"]["fields"] = fields
    if details:
        body["error"]["details"] = details
    response = jsonify(body)
    response.status_code = status
    for key, value in (headers or {}).items():
        response.headers[key] = value
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="incubator"'
    return response


def _no_such_resource(exc: HTTPException) -> bool:
    """A 405 whose path matches no route for any allowed method either (an id
    past what a database integer holds): the resource does not exist."""
    from flask import current_app, request
    from werkzeug.exceptions import NotFound

    adapter = current_app.create_url_adapter(request)
    assert adapter is not None  # there is one for every request
    for method in getattr(exc, "valid_methods", None) or ():
        try:
            adapter.match(method=method)
        except NotFound:
            continue
        except HTTPException:
            return False
        return False
    return True


def http_error_response(exc: HTTPException):
    status = exc.code or 500
    if status == 405 and _no_such_resource(exc):
        return error_response(404)
    # Werkzeug's own English descriptions are not shown; ours are translated,
    # except where the raiser wrote a specific message of ours.
    message = None
    if status in (400, 404, 403) and getattr(exc, "field", None):
        message = exc.description
    # 405 names the methods the route has (RFC 9110: Allow is required).
    headers = {k: v for k, v in exc.get_headers() if k.lower() == "allow"}
    return error_response(status, message, headers=headers)


# What a refusal may tell API clients beyond its message: the allowed next steps,
# the unmet rules, the money left, the volunteer whose hours were refused.
PUBLIC_DETAILS = frozenset({"allowed", "failed", "remaining", "volunteer_id"})


def domain_error_response(exc: DomainError):
    fields = {exc.field: [str(exc.message)]} if exc.field else None
    headers = None
    if isinstance(exc, TooManyAttempts):
        seconds = int((exc.retry_at - utcnow()).total_seconds()) + 1
        headers = {"Retry-After": str(max(1, seconds))}
    return error_response(
        exc.status,
        str(exc.message),
        code=exc.code,
        fields=fields,
        headers=headers,
        details={k: v for k, v in exc.details.items() if k in PUBLIC_DETAILS} or None,
    )


def validation_fields(
    exc: ValidationError, *, prefix: str = "", in_query: bool = False
) -> dict[str, list[str]]:
    """pydantic's errors as the ``fields`` of the error format."""
    fields: dict[str, list[str]] = {}
    for err in exc.errors(include_url=False):
        loc = ".".join(str(p) for p in err.get("loc", ())) or "body"
        fields.setdefault(prefix + loc, []).append(
            str(validation_message(err, in_query=in_query))
        )
    return fields


def validation_error_response(
    exc: ValidationError, *, prefix: str = "", in_query: bool = False
):
    return error_response(
        422, fields=validation_fields(exc, prefix=prefix, in_query=in_query)
    )
