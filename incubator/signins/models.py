"""Residents served (服务对象) and their sign-ins (签到) to activities,
capacity-building sessions and room bookings: where people served (服务人数, distinct
residents) comes from (DOMAIN.md, "Person-times and people").

A resident is identified by ``key``: a keyed hash (HMAC-SHA256 with the instance's
resident key, ``incubator.signins.identity``) of the normalized mobile number, so
the same person typed as ``138 0013 8000`` or ``+86 13800138000`` is one resident.
The number itself is kept only masked (``138****8000``) and, when the agency
configures ``RESIDENT_PHONE_STORAGE = "encrypted"``, encrypted for staff who may
see personal data. Erasing a resident (on request, or by the retention job) clears
the name, the phone and the key and keeps the row, so past counts stay and the
person is gone (PIPL art. 47).
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from incubator.auth.models import User
from incubator.community.models import CommunityScoped
from incubator.database import UTCDateTime, utcnow
from incubator.extensions import Model
from incubator.i18n import LabelledEnum


class SignInSource(LabelledEnum):
    QR = "qr", _l("QR sign-in")
    PAPER = "paper", _l("Paper sign-in sheet")
    IMPORT = "import", _l("Imported sign-in sheet")
    API = "api", _l("API")


SIGN_IN_SOURCE_LABELS = SignInSource.labels()


class Resident(Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    # HMAC-SHA256 (hex) of the normalized mobile number; None once erased.
    key: Mapped[str | None] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(50), default="")
    phone_masked: Mapped[str] = mapped_column(String(16), default="")
    # Fernet token of the number, only when RESIDENT_PHONE_STORAGE = "encrypted".
    phone_encrypted: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def erased(self) -> bool:
        return self.erased_at is not None


class SignIn(CommunityScoped, Model):
    """One resident signed in to one record (exactly one of activity, session,
    booking); ``community_id`` is the record's. Once per resident per record."""

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"), index=True)
    activity_id: Mapped[int | None] = mapped_column(
        ForeignKey("activity.id"), index=True
    )
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("training_session.id"), index=True
    )
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("booking.id"), index=True)
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    source: Mapped[str] = mapped_column(String(8), default=SignInSource.QR)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    resident: Mapped[Resident] = relationship()
    recorded_by: Mapped[User | None] = relationship()

    __table_args__ = (
        UniqueConstraint("resident_id", "activity_id"),
        Index("ix_sign_in_community_resident", "community_id", "resident_id"),
        # People served (issue 18): an activity's sign-ins read from the index
        # alone.
        Index(
            "ix_sign_in_activity_figures", "activity_id", "community_id", "resident_id"
        ),
        UniqueConstraint("resident_id", "session_id"),
        UniqueConstraint("resident_id", "booking_id"),
        CheckConstraint(
            "(CASE WHEN activity_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN session_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN booking_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="one_record",
        ),
    )

    @property
    def source_label(self) -> str:
        return str(SIGN_IN_SOURCE_LABELS[SignInSource(self.source)])
