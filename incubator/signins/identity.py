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
import os
import re
import tempfile
from pathlib import Path

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
# Config flag: RESIDENT_KEY was read from RESIDENT_KEY_FILE, not configured.
_FROM_FILE = "RESIDENT_KEY_FROM_FILE"


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


def instance_key() -> str:
    """The instance's resident key: ``RESIDENT_KEY``, else the one kept in
    ``RESIDENT_KEY_FILE`` (made on first use)."""
    config = current_app.config
    key = config.get("RESIDENT_KEY")
    if not key:
        key = secret_key.load_or_create(config["RESIDENT_KEY_FILE"])
        config["RESIDENT_KEY"] = key
        config[_FROM_FILE] = True
    return str(key)


def key_from_environment() -> bool:
    """Whether the resident key is set in the configuration (``RESIDENT_KEY`` in
    the environment) rather than kept in the instance's file."""
    config = current_app.config
    return bool(config.get("RESIDENT_KEY")) and not config.get(_FROM_FILE)


def replace_instance_key(key: str) -> None:
    """Keep ``key`` as this instance's resident key (``flask restore`` of an
    archive made elsewhere): written to ``RESIDENT_KEY_FILE`` (mode 0600),
    replacing the file's key, and used from now on."""
    path = Path(current_app.config["RESIDENT_KEY_FILE"])
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".resident_key-")
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    os.replace(temporary, path)
    current_app.config["RESIDENT_KEY"] = key
    current_app.config[_FROM_FILE] = True


def _secret() -> bytes:
    return instance_key().encode()


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
