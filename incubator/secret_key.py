"""The key that signs sessions, CSRF tokens and calendar-feed addresses.

There is no fixed development key: a published one would let anyone compute any
user's calendar-feed address or forge a session. When ``SECRET_KEY`` is not in the
environment, a development instance makes a random key once, keeps it in
``SECRET_KEY_FILE`` (default ``instance/secret_key``, mode 0600) and reads it back
on every later start, so sessions and feed addresses survive a restart.
Production never falls back to the file: it refuses to start without
``SECRET_KEY`` (``config.ProductionConfig.check``), so the key lives with the rest
of the deployment's settings and is not copied with the instance folder.
"""

from __future__ import annotations

import logging
import os
import secrets
import tempfile
from pathlib import Path

logger = logging.getLogger(__name__)

MIN_LENGTH = 32


class SecretKeyFileError(RuntimeError):
    """The key file exists but cannot be used (unreadable, too short)."""


def _publish(temporary: Path, path: Path) -> None:
    """Put the written key at ``path`` unless a file is there already
    (``FileExistsError``); never replaces another process's key."""
    try:
        os.link(temporary, path)
    except FileExistsError:
        raise
    except OSError:  # a filesystem without hard links: create exclusively
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(temporary.read_text())


def load_or_create(path: str | Path) -> str:
    """The key kept in ``path``; made (64 hex characters from ``secrets``) and
    written with mode 0600 when the file does not exist yet.

    Safe when two processes start at once (``make run`` next to ``make
    scheduler``): the key is written to a private temporary file and linked into
    place only if no other process got there first, so both end up with the same
    key and nobody reads a half-written file.

    Raises ``SecretKeyFileError`` when the file holds fewer than 32 characters
    (for instance, emptied by hand): deleting it makes a new key.
    """
    path = Path(path)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".secret_key-")
        try:
            with os.fdopen(fd, "w") as handle:  # mkstemp makes it 0600
                handle.write(secrets.token_hex(32) + "\n")
            _publish(Path(temporary), path)
            logger.info("made a new random SECRET_KEY in %s", path)
        except FileExistsError:
            pass  # another process made it first: use theirs
        finally:
            os.unlink(temporary)
    key = path.read_text().strip()
    if len(key) < MIN_LENGTH:
        raise SecretKeyFileError(
            f"{path} holds no usable key (fewer than {MIN_LENGTH} characters). "
            "Delete the file to have a new random key made, or set SECRET_KEY."
        )
    return key
