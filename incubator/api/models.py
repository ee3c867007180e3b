"""Tables of the JSON API itself (not of the domain)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from incubator.database import UTCDateTime, utcnow
from incubator.extensions import Model


class IdempotencyKey(Model):
    """An ``Idempotency-Key`` a user sent with a create, and the answer it got.

    Written in the same transaction as the record the create made, so one never
    exists without the other. ``status`` and ``body`` are the first answer, given
    again to a retry with the same key and the same request (``fingerprint``, the
    SHA-256 of method, path and canonical JSON body). Rows expire after
    ``IDEMPOTENCY_KEY_TTL`` and are pruned.
    """

    __tablename__ = "api_idempotency_key"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    key: Mapped[str] = mapped_column(String(128))
    fingerprint: Mapped[str] = mapped_column(String(64))
    status: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
