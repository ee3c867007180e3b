"""Logging set-up: a request id per request and optional JSON log lines (issue 18).

- **Request id**: each request gets one, taken from the ``X-Request-ID`` header when
  it is sane (1-128 characters of letters, digits and ``._:-``; nginx sets it from
  ``$request_id``), else a new random one. It is returned in the ``X-Request-ID``
  answer header, shown on error pages, and added to every log line written while
  the request runs. A scheduled job run gets one too (``job_context``).
- **Log lines**: plain text by default; ``LOG_FORMAT=json`` gives one JSON object
  per line with ``time``, ``level``, ``logger``, ``message``, ``request_id``,
  ``method``, ``path``, ``status``, ``duration_ms`` and ``user_id`` (``null`` where
  a line has none), for a log collector. ``LOG_LEVEL`` (default ``INFO``).
- **One line per request** (logger ``incubator.request``) at INFO with method, path,
  status, duration and user id; health probes (``QUIET_PATHS``) at DEBUG, so a load
  balancer polling every few seconds does not fill the log.

The user id is read from what Flask-Login already loaded for the request
(``g._login_user``): logging never causes a query.
"""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import IO, Any

from flask import Flask, g, has_request_context, request
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.exc import NoInspectionAvailable

REQUEST_ID_HEADER = "X-Request-ID"
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
QUIET_PATHS = frozenset({"/healthz", "/readyz"})
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
# Fields of a JSON line, in order (python-json-logger reads the names from this).
JSON_FIELDS = (
    "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s %(method)s "
    "%(path)s %(status)s %(duration_ms)s %(user_id)s"
)
CONTEXT_FIELDS = ("request_id", "method", "path", "status", "duration_ms", "user_id")

request_logger = logging.getLogger("incubator.request")

# The id of the request or job run under way in this thread (or None).
_current_id: ContextVar[str | None] = ContextVar("request_id", default=None)


def new_request_id() -> str:
    """A fresh id: 32 lowercase hex digits."""
    return uuid.uuid4().hex


def request_id_from(header: str | None) -> str:
    """``header`` when it is a sane request id (see the module docstring), else a
    new one. Never raises."""
    if header and SANE_REQUEST_ID.fullmatch(header):
        return header
    return new_request_id()


def current_request_id() -> str | None:
    """The id of the request or job run under way, or ``None`` outside both."""
    return _current_id.get()


@contextmanager
def job_context(job_id: str) -> Iterator[str]:
    """Give a scheduled job run its own id (``<job_id>-<12 hex>``) for the log lines
    written while the block runs; yields the id."""
    token = _current_id.set(f"{job_id}-{uuid.uuid4().hex[:12]}")
    try:
        yield _current_id.get() or ""
    finally:
        _current_id.reset(token)


def _user_id() -> int | None:
    """The signed-in user's id from the identity map, never by a query: after
    the request's commit the user is expired, and reading ``user.id`` would
    reload it in a new (read) transaction while the line is written."""
    user = g.get("_login_user")  # set by Flask-Login once it loaded the user
    if user is None:
        return None
    try:
        identity = sa_inspect(user).identity
    except NoInspectionAvailable:  # the anonymous user
        return None
    return identity[0] if identity else None


class ContextFilter(logging.Filter):
    """Adds ``request_id``, ``method``, ``path``, ``user_id`` (and ``status``,
    ``duration_ms``) to every record a handler writes, so formatters can name
    them; a field the line has no value for is ``missing`` (``None``: JSON null)."""

    def __init__(self, missing: str | None = None) -> None:
        super().__init__()
        self.missing = missing

    def filter(self, record: logging.LogRecord) -> bool:
        values: dict[str, Any] = dict.fromkeys(CONTEXT_FIELDS)
        values["request_id"] = _current_id.get()
        if has_request_context():
            values["method"] = request.method
            values["path"] = request.path
            values["user_id"] = _user_id()
        # Fields another handler's filter filled (with its own "missing") are
        # filled again; fields the line itself gave (``extra=``) are kept.
        filled: set[str] = getattr(record, "_context_filled", set())
        for name, value in values.items():
            if name in filled or getattr(record, name, None) is None:
                setattr(record, name, self.missing if value is None else value)
                filled.add(name)
        record._context_filled = filled
        return True


def make_handler(fmt: str = "text", stream: IO[str] | None = None) -> logging.Handler:
    """A stream handler (stderr by default) writing plain text (``fmt="text"``) or
    one JSON object per line (``fmt="json"``), with the request's fields added.
    Raises ``ValueError`` for another ``fmt``."""
    handler = logging.StreamHandler(stream or sys.stderr)
    if fmt == "json":
        from pythonjsonlogger.json import JsonFormatter

        handler.setFormatter(
            JsonFormatter(
                JSON_FIELDS,
                rename_fields={
                    "asctime": "time",
                    "levelname": "level",
                    "name": "logger",
                },
                json_ensure_ascii=False,
            )
        )
        handler.addFilter(ContextFilter())
    elif fmt == "text":
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
        handler.addFilter(ContextFilter(missing="-"))
    else:
        raise ValueError(f"LOG_FORMAT must be 'text' or 'json', not {fmt!r}")
    handler._incubator = True  # type: ignore[attr-defined]  # ours, to replace
    return handler


def configure_logging(
    fmt: str = "text", level: str = "INFO", stream: IO[str] | None = None
) -> logging.Handler:
    """Send the root logger's lines through ``make_handler(fmt, stream)`` at
    ``level``, replacing a handler an earlier call installed (one per process
    however many apps are built). Returns the handler."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_incubator", False)]:
        root.removeHandler(old)
    handler = make_handler(fmt, stream)
    root.addHandler(handler)
    root.setLevel(level.upper())
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    return handler


def _begin() -> None:
    rid = request_id_from(request.headers.get(REQUEST_ID_HEADER))
    g.request_id = rid
    g.request_started = time.perf_counter()
    g.request_id_token = _current_id.set(rid)


def _finish(response):
    rid = g.get("request_id")
    if rid is None:  # a failure before _begin ran
        return response
    response.headers[REQUEST_ID_HEADER] = rid
    duration_ms = round((time.perf_counter() - g.request_started) * 1000, 1)
    level = logging.DEBUG if request.path in QUIET_PATHS else logging.INFO
    request_logger.log(
        level,
        "%s %s %s %.1f ms",
        request.method,
        request.path,
        response.status_code,
        duration_ms,
        extra={"status": response.status_code, "duration_ms": duration_ms},
    )
    return response


def _end(_exc: BaseException | None) -> None:
    token = g.pop("request_id_token", None)
    if token is not None:
        try:
            _current_id.reset(token)
        except ValueError:  # reset in another context than set: just clear it
            _current_id.set(None)


def init_app(app: Flask) -> None:
    """Give each request its id and its log line. Call before the other
    ``after_request`` steps are registered, so the line sees the final status."""
    app.before_request(_begin)
    app.after_request(_finish)
    app.teardown_request(_end)
    app.context_processor(lambda: {"request_id": g.get("request_id")})
