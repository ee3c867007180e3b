"""Capacity-building sessions (培力课程): single sessions and series of them, the
organizations invited, their registrations and attendance."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from incubator.auth.models import User
from incubator.community.models import CommunityScoped, Room
from incubator.database import UTCDateTime, utcnow
from incubator.extensions import Model
from incubator.i18n import LabelledEnum
from incubator.organizations.models import Organization


class Freq(LabelledEnum):
    WEEKLY = "weekly", _l("Weekly")
    MONTHLY = "monthly", _l("Monthly")


FREQ_LABELS = Freq.labels()


class SessionState(LabelledEnum):
    SCHEDULED = "scheduled", _l("Scheduled")
    HELD = "held", _l("Held")
    CANCELLED = "cancelled", _l("Cancelled")


SESSION_STATE_LABELS = SessionState.labels()


class SessionSeries(Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    freq: Mapped[str] = mapped_column(String(16))
    count: Mapped[int] = mapped_column(Integer)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TrainingSession(CommunityScoped, Model):
    """One occurrence. Times are UTC; shown in the project's time zone."""

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int | None] = mapped_column(
        ForeignKey("session_series.id"), index=True
    )
    sequence: Mapped[int] = mapped_column(Integer, default=1)
    title: Mapped[str] = mapped_column(String(100))
    topic: Mapped[str] = mapped_column(Text, default="")
    dimension: Mapped[str] = mapped_column(String(32), default="")
    trainer: Mapped[str] = mapped_column(String(100), default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    place: Mapped[str] = mapped_column(String(100), default="")
    # Held in a room of the community service centre: the session books it
    # (``incubator.bookings``), and its use counts as a space use.
    room_id: Mapped[int | None] = mapped_column(ForeignKey("room.id"), index=True)
    capacity: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(
        String(16), default=SessionState.SCHEDULED, index=True
    )
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    # Moved or changed on its own: "the rest of the series" no longer moves it.
    detached: Mapped[bool] = mapped_column(Boolean, default=False)
    walk_ins: Mapped[int] = mapped_column(Integer, default=0)
    feedback_score: Mapped[Decimal | None] = mapped_column(Numeric(3, 1))
    capacity_overridden: Mapped[bool] = mapped_column(Boolean, default=False)
    organizer_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    organizer: Mapped[User | None] = relationship()
    room: Mapped[Room | None] = relationship()
    invites: Mapped[list[SessionInvite]] = relationship(
        back_populates="session",
        order_by="SessionInvite.id",
        cascade="all, delete-orphan",
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def state_label(self) -> str:
        return str(SESSION_STATE_LABELS[SessionState(self.state)])

    @property
    def registered_total(self) -> int:
        return sum(i.registered or 0 for i in self.invites)

    @property
    def attendance_total(self) -> int:
        return sum(i.attendees or 0 for i in self.invites) + (self.walk_ins or 0)


class SessionInvite(Model):
    """An organization invited to a session, how many it registered and how many
    came."""

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("training_session.id"), index=True
    )
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organization.id"), index=True
    )
    registered: Mapped[int | None] = mapped_column(Integer)
    registered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    attendees: Mapped[int | None] = mapped_column(Integer)

    session: Mapped[TrainingSession] = relationship(back_populates="invites")
    organization: Mapped[Organization] = relationship()

    __table_args__ = (UniqueConstraint("session_id", "organization_id"),)


class SessionAttendee(Model):
    """A named member from an organization's roster who attended."""

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("training_session.id"), index=True
    )
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"))
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteer.id"))

    __table_args__ = (UniqueConstraint("session_id", "volunteer_id"),)
