"""Response headers every page and API answer carries, and the guard that refuses
control characters in any input before a view sees it."""

from __future__ import annotations

import re

from flask import Flask, request
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1


class BoundedIntConverter(IntegerConverter):
    """``<int:...>`` limited to what an INTEGER column holds (else 404, not a
    database error)."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

# NUL and the other C0 controls except tab, newline and carriage return.
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def has_control_chars(value: str) -> bool:
    return bool(CONTROL_CHARS.search(value))


class ControlCharacterInInput(BadRequest):
    """400 for a query string or form field holding NUL or another control
    character (PostgreSQL refuses NUL in text; nobody types them)."""

    def __init__(self, field: str):
        super().__init__(
            _(
                "The field %(field)s contains a control character that is not allowed.",
                field=field,
            )
        )
        self.field = field


def _check_request_text() -> None:
    for source in (request.args, request.form):
        for key, value in source.items(multi=True):
            if has_control_chars(key) or has_control_chars(value):
                raise ControlCharacterInInput(key[:40])
    if has_control_chars(request.path):
        raise ControlCharacterInInput("path")


def _set_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    static = request.endpoint in ("static", "bootstrap.static")
    if not static and (
        request.path.startswith("/api/") or current_user.is_authenticated
    ):
        # Pages of a logged-in user carry personal data: never cache them.
        headers["Cache-Control"] = "no-store"
        headers["Pragma"] = "no-cache"
    return response


def init_app(app: Flask) -> None:
    app.before_request(_check_request_text)
    app.after_request(_set_headers)
    app.jinja_env.globals["query_args"] = query_args


def query_args() -> dict[str, str]:
    """The request's query arguments that are safe to hand back to ``url_for``
    (its own ``_scheme``, ``_anchor``, ``endpoint``... would change the link or
    fail)."""
    from flask import request

    return {
        key: value
        for key, value in request.args.items()
        if not key.startswith("_") and key not in ("endpoint", "values")
    }


def id_arg(value) -> int | None:
    """A record id from a query string or form value: an int the database's
    integer columns hold, or ``None`` (never an overflow, never a 500)."""
    text = str(value or "").strip()
    if not text.isascii() or not text.isdigit() or len(text) > 10:
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ID else None


def int_field(value) -> int | None:
    """A small whole number typed in a form (a version, a count), or ``None``."""
    text = str(value or "").strip()
    if not text.isascii() or not text.isdigit() or len(text) > 9:
        return None
    return int(text)
