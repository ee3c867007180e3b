"""Password hashing with argon2id and the password policy."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import lazy_gettext as _l

from incubator.errors import ValidationFailed

MIN_LENGTH = 8
MAX_LENGTH = 128

# A hash to verify against when the username is unknown, so the answer takes as long
# as for a real account.
_DUMMY: dict[tuple[int, int], str] = {}


def _hasher() -> PasswordHasher:
    cfg = current_app.config
    return PasswordHasher(
        time_cost=cfg["ARGON2_TIME_COST"],
        memory_cost=cfg["ARGON2_MEMORY_COST"],
        parallelism=cfg["ARGON2_PARALLELISM"],
    )


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    hasher = _hasher()
    if password_hash is None:
        key = (hasher.time_cost, hasher.memory_cost)
        if key not in _DUMMY:
            _DUMMY[key] = hasher.hash("not-a-real-password")
        password_hash = _DUMMY[key]
        try:
            hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            pass
        return False
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def check_password_policy(password: str, *, username: str = "", field="password"):
    """Raise ``ValidationFailed`` when ``password`` is too weak."""
    if len(password) < MIN_LENGTH:
        raise ValidationFailed(
            _l("The password needs at least %(n)d characters.", n=MIN_LENGTH),
            field=field,
        )
    if len(password) > MAX_LENGTH:
        raise ValidationFailed(
            _l("The password may have at most %(n)d characters.", n=MAX_LENGTH),
            field=field,
        )
    if username and password.lower() == username.lower():
        raise ValidationFailed(
            _l("The password must not be the username."), field=field
        )
    if password.isdigit() and len(set(password)) <= 2:
        raise ValidationFailed(_l("This password is too easy to guess."), field=field)
