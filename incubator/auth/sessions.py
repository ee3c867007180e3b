"""Logging in: throttling, browser sessions and API tokens.

Browser sessions and API tokens are rows in the database; the cookie or the bearer
header holds a random key whose SHA-256 is all that is stored. Ending a session
revokes its row, so a copied cookie is worthless afterwards.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import datetime, timedelta

from flask import current_app, g, has_request_context
from flask_babel import format_time
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import SQLAlchemyError

from incubator import signals
from incubator.auth.models import ApiToken, LoginFailure, User, UserSession
from incubator.auth.passwords import verify_password
from incubator.database import rowcount, serialize_on, utcnow, write_apart
from incubator.errors import TooManyAttempts, ValidationFailed
from incubator.extensions import db
from incubator.security import CONTROL_CHARS

logger = logging.getLogger(__name__)

# Only write last_seen_at when it is older than this, to spare a write per request.
TOUCH_INTERVAL = timedelta(seconds=60)


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def normalize_username(username: str) -> str:
    return (username or "").strip().lower()


# ---- throttling ----


def throttled_until(username: str, now: datetime | None = None) -> datetime | None:
    """When the account may try again, or ``None`` if it is not throttled now."""
    cfg = current_app.config
    now = now or utcnow()
    window: timedelta = cfg["LOGIN_FAILURE_WINDOW"]
    limit: int = cfg["LOGIN_MAX_FAILURES"]
    recent = db.session.scalars(
        select(LoginFailure.at)
        .where(
            LoginFailure.username == normalize_username(username),
            LoginFailure.at > now - window,
        )
        .order_by(LoginFailure.at.desc())
        .limit(limit)
    ).all()
    if len(recent) < limit:
        return None
    return recent[-1] + window


def _throttle_error(retry_at: datetime) -> TooManyAttempts:
    return TooManyAttempts(
        _l(
            "Too many failed logins for this account. Please try again after %(time)s.",
            time=format_time(retry_at, "HH:mm"),
        ),
        retry_at=retry_at,
    )


def authenticate(username: str, password: str, *, ip: str = "") -> User:
    """The active user with these credentials.

    Raises ``TooManyAttempts`` (without checking the password) after too many recent
    failures for the username, or ``ValidationFailed`` with one message for every kind
    of wrong credentials. A failure is recorded; the caller commits either way.
    """
    name = normalize_username(username)
    # Attempts on one account run one at a time, so parallel guesses cannot all
    # pass the count before any failure is recorded.
    serialize_on(f"login:{name}")
    retry_at = throttled_until(name)
    if retry_at is not None:
        raise _throttle_error(retry_at)
    user = db.session.scalar(select(User).where(User.username == name))
    ok = verify_password(user.password_hash if user else None, password or "")
    if not ok or user is None or not user.active:
        db.session.add(
            LoginFailure(username=name[:64], ip=CONTROL_CHARS.sub("", ip)[:64])
        )
        db.session.flush()
        logger.info("failed login for %r from %s", name, ip)
        raise ValidationFailed(
            _l("Wrong username or password, or the account is deactivated."),
            field="password",
        )
    db.session.execute(delete(LoginFailure).where(LoginFailure.username == name))
    user.last_login_at = utcnow()
    return user


def prune_login_failures(now: datetime | None = None) -> int:
    """Delete failures older than the window; returns how many."""
    now = now or utcnow()
    cutoff = now - current_app.config["LOGIN_FAILURE_WINDOW"]
    result = db.session.execute(delete(LoginFailure).where(LoginFailure.at < cutoff))
    return rowcount(result)


# ---- browser sessions ----


def start_session(
    user: User, *, remember: bool = False, user_agent: str = "", ip: str = ""
) -> str:
    """Open a browser session for ``user``; returns the key for the cookie."""
    cfg = current_app.config
    key = secrets.token_urlsafe(32)
    now = utcnow()
    lifetime = (
        cfg["REMEMBER_ME_DURATION"] if remember else cfg["SESSION_ABSOLUTE_TIMEOUT"]
    )
    db.session.add(
        UserSession(
            user_id=user.id,
            key_hash=_digest(key),
            created_at=now,
            last_seen_at=now,
            expires_at=now + lifetime,
            remember=remember,
            user_agent=CONTROL_CHARS.sub("", user_agent or "")[:200],
            ip=CONTROL_CHARS.sub("", ip or "")[:64],
        )
    )
    signals.account_changed.send(user, action="login", actor=user, changes={})
    return key


def load_session_user(key: str | None, user_id: str | None) -> User | None:
    """The user of a live session with this key, or ``None``.

    A session is dead once revoked, past its absolute expiry, idle longer than the
    idle timeout (unless "remember me" was ticked), or when its user is deactivated.
    """
    if not key or not user_id:
        return None
    now = utcnow()
    row = db.session.execute(
        select(UserSession, User)
        .join(User, User.id == UserSession.user_id)
        .where(UserSession.key_hash == _digest(key))
    ).first()
    if row is None:
        return None
    sess, user = row
    if str(user.id) != str(user_id) or sess.revoked_at is not None:
        return None
    if now >= sess.expires_at or not user.active:
        return None
    idle = current_app.config["SESSION_IDLE_TIMEOUT"]
    if not sess.remember and now - sess.last_seen_at > idle:
        return None
    if now - sess.last_seen_at > TOUCH_INTERVAL and has_request_context():
        g.touch_session_id = sess.id
    return user


def touch_session_after_request(response):
    """Record activity for the idle timeout, after the view is done.

    It is written apart from the view's transaction (``database.write_apart``), so a
    read request never writes in its read transaction, and it is best effort: if
    the write lock is not had in time, the next request records the activity
    instead. It never turns an answer (a change already committed) into an error.
    """
    session_id = g.pop("touch_session_id", None)
    if session_id is not None:
        # What the view left uncommitted is discarded at teardown anyway; end it
        # now so its connection holds no lock while the touch waits for one.
        db.session.rollback()
        try:
            with write_apart() as session:
                session.execute(
                    update(UserSession)
                    .where(UserSession.id == session_id)
                    .values(last_seen_at=utcnow())
                )
        except SQLAlchemyError:
            logger.warning("session %s: last activity not recorded", session_id)
    return response


def end_session(key: str | None, *, actor: User | None = None) -> None:
    if not key:
        return
    db.session.execute(
        update(UserSession)
        .where(UserSession.key_hash == _digest(key), UserSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    if actor is not None:
        signals.account_changed.send(actor, action="logout", actor=actor, changes={})


def revoke_all_sessions(user: User) -> None:
    """End every browser session and API token of ``user`` (password change,
    deactivation)."""
    now = utcnow()
    db.session.execute(
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    db.session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def active_session_count(user: User) -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(UserSession)
            .where(
                UserSession.user_id == user.id,
                UserSession.revoked_at.is_(None),
                UserSession.expires_at > utcnow(),
            )
        )
        or 0
    )


# ---- API tokens ----


def issue_token(user: User) -> tuple[str, ApiToken]:
    """A new bearer token for ``user``: the raw value (shown once) and its row."""
    raw = secrets.token_urlsafe(32)
    now = utcnow()
    token = ApiToken(
        user_id=user.id,
        token_hash=_digest(raw),
        created_at=now,
        expires_at=now + current_app.config["API_TOKEN_LIFETIME"],
    )
    db.session.add(token)
    signals.account_changed.send(token, action="token_issued", actor=user, changes={})
    return raw, token


def resolve_token(raw: str | None) -> tuple[User, ApiToken] | None:
    """The active user and token for a bearer value, or ``None`` if it is unknown,
    expired, revoked or its user deactivated."""
    if not raw:
        return None
    row = db.session.execute(
        select(ApiToken, User)
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.token_hash == _digest(raw))
    ).first()
    if row is None:
        return None
    token, user = row
    now = utcnow()
    if token.revoked_at is not None or now >= token.expires_at or not user.active:
        return None
    return user, token


def revoke_token(token: ApiToken, *, actor: User) -> None:
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        signals.account_changed.send(token, action="token_revoked", actor=actor)
