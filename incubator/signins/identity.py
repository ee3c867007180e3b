"""Who a resident is, without keeping who she is: the normalized mobile number,
its keyed hash (the resident's ``key``), its masked form and, when the agency asks
for it, its encryption.

The key is HMAC-SHA256 of the normalized number under the instance's resident key
(``RESIDENT_KEY`` in the environment; else made once and kept in
``RESIDENT_KEY_FILE``, default ``instance/resident_key``, like the secret key).
It is separate from ``SECRET_KEY`` so that rotating the session key never splits
one resident into two; losing it does (the same person then counts again), so it
is part of every backup (``flask backup``). Without the key the hashes of the
one hundred million or so mobile numbers cannot be tried one by one, which a plain
hash would allow.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

from flask import current_app
from flask_babel import lazy_gettext as _l

from incubator import secret_key
from incubator.errors import ValidationFailed
from incubator.normalize import phone_text

# Mainland mobile numbers (11 digits from 13x to 19x).
MOBILE = re.compile(r"1[3-9][0-9]{9}")
# How the number is kept besides its hash: "masked" (only 138****8000) or
# "encrypted" (also a Fernet token, shown to staff who may see personal data).
PHONE_STORAGE = ("masked", "encrypted")


def normalize_mobile(value) -> str:
    """The 11-digit mobile number in ``value`` as typed on a phone or a sheet
    (full-width digits, blanks, dashes, ``+86`` / ``0086`` allowed).

    Raises ``ValidationFailed`` (field ``phone``) for anything else.
    """
    number = phone_text(value)
    if not MOBILE.fullmatch(number):
        raise ValidationFailed(
            _l("Please enter an 11-digit mobile number starting with 1."),
            field="phone",
        )
    return number


def _secret() -> bytes:
    config = current_app.config
    key = config.get("RESIDENT_KEY")
    if not key:
        key = secret_key.load_or_create(config["RESIDENT_KEY_FILE"])
        config["RESIDENT_KEY"] = key
    return str(key).encode()


def resident_key(mobile: str) -> str:
    """The resident's key (64 hex characters) of a number from
    ``normalize_mobile``."""
    return hmac.new(
        _secret(), b"resident:" + mobile.encode(), hashlib.sha256
    ).hexdigest()


def keyed_digest(purpose: str, message: str) -> bytes:
    """HMAC-SHA256 of ``message`` under a key derived from the resident key for
    ``purpose`` alone (e.g. ``"sign-in-code"``), so no two uses share a key."""
    derived = hmac.new(_secret(), purpose.encode(), hashlib.sha256).digest()
    return hmac.new(derived, message.encode(), hashlib.sha256).digest()


def mask(mobile: str) -> str:
    """``13812345678`` -> ``138****5678``."""
    return f"{mobile[:3]}****{mobile[-4:]}"


def _fernet():
    from cryptography.fernet import Fernet

    derived = hmac.new(_secret(), b"phone-encryption", hashlib.sha256).digest()
    return Fernet(base64.urlsafe_b64encode(derived))


def encrypt_phone(mobile: str) -> str | None:
    """The stored form of the number besides its mask: a Fernet token when
    ``RESIDENT_PHONE_STORAGE`` is ``"encrypted"``, else None (omitted)."""
    if current_app.config.get("RESIDENT_PHONE_STORAGE", "masked") != "encrypted":
        return None
    return _fernet().encrypt(mobile.encode()).decode()


def decrypt_phone(token: str | None) -> str | None:
    """The number of ``encrypt_phone``'s token; None when there is none or it
    cannot be read (another instance's key)."""
    if not token:
        return None
    from cryptography.fernet import InvalidToken

    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        return None
