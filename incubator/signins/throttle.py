"""The public sign-in page's throttle: at most ``SIGN_IN_PER_ADDRESS`` posts a
minute from one client address and ``SIGN_IN_PER_CODE`` for one code.

The counts live in the database so every worker shares them (PITFALLS: a
per-worker memory limiter multiplies with the workers). They reuse the failed
logins' table (``auth.models.LoginFailure``) under names no username can take
(usernames hold no ``:``): ``signin:ip:<address>`` and ``signin:code:<code>``;
``prune`` (run by the daily retention job) drops old ones.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, select

from incubator.auth.models import LoginFailure
from incubator.database import utcnow
from incubator.extensions import db
from incubator.security import CONTROL_CHARS

PREFIX = "signin:"
WINDOW = timedelta(minutes=1)
PER_ADDRESS = 30
PER_CODE = 300


def _names(address: str, code: str) -> tuple[str, str]:
    address = CONTROL_CHARS.sub("", address or "")[:48]
    code = CONTROL_CHARS.sub("", code or "")[:48]
    return f"{PREFIX}ip:{address}", f"{PREFIX}code:{code}"


def limits() -> tuple[int, int]:
    config = current_app.config
    return (
        int(config.get("SIGN_IN_PER_ADDRESS", PER_ADDRESS)),
        int(config.get("SIGN_IN_PER_CODE", PER_CODE)),
    )


def over_limit(address: str, code: str, now: datetime | None = None) -> bool:
    """Whether a post from ``address`` for ``code`` is one too many now (one
    query)."""
    now = now or utcnow()
    by_address, by_code = _names(address, code)
    rows = dict(
        db.session.execute(
            select(LoginFailure.username, func.count())
            .where(
                LoginFailure.username.in_([by_address, by_code]),
                LoginFailure.at > now - WINDOW,
            )
            .group_by(LoginFailure.username)
        ).all()
    )
    per_address, per_code = limits()
    return rows.get(by_address, 0) >= per_address or rows.get(by_code, 0) >= per_code


def count(address: str, code: str, now: datetime | None = None) -> None:
    """Count one post from ``address`` for ``code`` (added to the session; the
    caller commits it, also when the post is refused)."""
    now = now or utcnow()
    by_address, by_code = _names(address, code)
    ip = CONTROL_CHARS.sub("", address or "")[:64]
    db.session.add_all(
        [
            LoginFailure(username=by_address, at=now, ip=ip),
            LoginFailure(username=by_code, at=now, ip=ip),
        ]
    )


def prune(before: datetime) -> int:
    """Drop the counts older than ``before``; how many."""
    result = db.session.execute(
        delete(LoginFailure).where(
            LoginFailure.username.startswith(PREFIX), LoginFailure.at < before
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)
