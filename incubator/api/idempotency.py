"""``Idempotency-Key`` on API creates: a retry answers the first result.

A client that sent ``POST /hours`` and lost the answer (a dropped connection, a
timeout) sends it again with the same ``Idempotency-Key`` header. The first request
claimed the key for its user before the view ran, in the same transaction as the
record it created; the key row holds the first answer (status and JSON body). So:

- the same key and the same request (method, path, JSON body) answers the stored
  status and body, with ``Idempotent-Replayed: true``, and creates nothing;
- the same key with a different request answers 422 and changes nothing;
- two concurrent requests with one key cannot both create: the unique constraint
  on (user, key) makes the second wait for the first and then replay its answer.

The record, the audit trail and the key with its answer commit together, in the
request's one unit of work (``incubator.transaction``), once the answer is built: a
crash leaves either all of them or none. A deliberate ``commit_now`` inside the view
is turned into a flush while it runs. Refusals (4xx) are not
stored: a corrected retry with the same key is tried afresh.

Keys live ``IDEMPOTENCY_KEY_TTL`` (default 24 hours); expired ones are deleted
whenever a new key is stored (``prune_idempotency_keys``).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from flask import Response, current_app, request
from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from incubator.api.errors import error_response
from incubator.api.models import IdempotencyKey
from incubator.database import rowcount, utcnow
from incubator.extensions import db

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 128
# Printable ASCII without spaces: what fits in a header unchanged.
KEY_PATTERN = r"^[\x21-\x7e]{1,128}$"
_KEY = re.compile(KEY_PATTERN)
DEFAULT_TTL = timedelta(hours=24)


def fingerprint(data) -> str:
    """SHA-256 (hex) of the request's method, path and canonical JSON body."""
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False)
    text = f"{request.method} {request.path}\n{canonical}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _ttl() -> timedelta:
    return current_app.config.get("IDEMPOTENCY_KEY_TTL", DEFAULT_TTL)


def _find(user_id: int, key: str) -> IdempotencyKey | None:
    return db.session.scalar(
        select(IdempotencyKey).where(
            IdempotencyKey.user_id == user_id, IdempotencyKey.key == key
        )
    )


def _answer(row: IdempotencyKey, digest: str) -> Response:
    if row.fingerprint != digest:
        return error_response(
            422,
            _(
                "This Idempotency-Key was already used for a different request. "
                "Use a new key for a new request."
            ),
            code="idempotency_key_reused",
            fields={HEADER: [_("Already used for a different request.")]},
        )
    response = current_app.response_class(
        row.body, status=row.status, mimetype="application/json"
    )
    response.headers["Idempotent-Replayed"] = "true"
    return response


def claim(user_id: int, key: str, digest: str) -> IdempotencyKey | Response:
    """Claim ``key`` for this request, or the answer to give instead.

    Returns the new (flushed, uncommitted) row when the key is free: the caller
    runs the create, then ``finish``. Returns a response when the key was used
    before: the stored answer for the same request, a 422 for another one, or a
    422 when the key is malformed.
    """
    if not _KEY.fullmatch(key):
        return error_response(
            422,
            fields={
                HEADER: [
                    _(
                        "At most %(n)s letters, digits or punctuation, no spaces.",
                        n=MAX_KEY_LENGTH,
                    )
                ]
            },
        )
    now = utcnow()
    found = _find(user_id, key)
    if found is not None and found.expires_at > now:
        return _answer(found, digest)
    if found is not None:
        db.session.delete(found)
        db.session.flush()
    row = IdempotencyKey(
        user_id=user_id,
        key=key,
        fingerprint=digest,
        status=0,
        body="",
        created_at=now,
        expires_at=now + _ttl(),
    )
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        # Another request with this key committed first: answer as it did.
        winner = _find(user_id, key)
        if winner is None:  # pragma: no cover - it was deleted meanwhile
            raise
        return _answer(winner, digest)
    return row


def finish(row: IdempotencyKey, response: Response) -> None:
    """Store the answer on the claimed key (successes only), and delete every
    expired key (by the ``expires_at`` index, so the table stays small without a
    job). The caller commits."""
    if 200 <= response.status_code < 300:
        row.status = response.status_code
        row.body = response.get_data(as_text=True)
        prune_idempotency_keys()
    else:
        db.session.delete(row)
    db.session.flush()


def prune_idempotency_keys(now: datetime | None = None) -> int:
    """Delete every expired key; returns how many. The caller commits."""
    result = db.session.execute(
        delete(IdempotencyKey).where(IdempotencyKey.expires_at <= (now or utcnow()))
    )
    return rowcount(result)


@contextmanager
def commits_deferred() -> Iterator[None]:
    """Inside, ``db.session.commit()`` (``transaction.commit_now``) only flushes, so
    the view's writes and the key commit together afterwards."""
    session = db.session()
    # an instance attribute shadows the method (for this block only)
    session.commit = session.flush  # type: ignore[method-assign]
    try:
        yield
    finally:
        del session.commit
