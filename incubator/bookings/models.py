"""Bookings of the community service centre's rooms (场地预约) and their use
(使用空间场次).

A booking holds a room from ``starts_at`` to ``ends_at`` (UTC). Two confirmed
bookings of one room never overlap (DOMAIN.md, "Space use"): the services check it
inside the write transaction (serialized on SQLite by ``BEGIN IMMEDIATE``), and on
PostgreSQL the exclusion constraint ``booking_no_overlap`` refuses the loser of a
race as well.

A booking is made by an organization (through its leader or a social worker), by
the agency itself (``organization_id`` empty, ``outside_unit`` empty) or for an
outside unit received for a meeting or a visit (``outside_unit`` named). After the
slot its use is recorded: ``held`` (True, False; None = not yet recorded) and the
``people`` present. A used booking is one space use; an activity log of the same
organization at the same time is linked (``activity_id``) instead of counted twice,
and a capacity-building session held in a centre room has its own booking
(``session_id``).
"""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    DDL,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from incubator.activities.models import SERVICE_TYPE_LABELS, Activity, ServiceType
from incubator.auth.models import User
from incubator.community.models import CommunityScoped, Room
from incubator.database import UTCDateTime, utcnow
from incubator.extensions import Model
from incubator.i18n import LabelledEnum
from incubator.organizations.models import Organization
from incubator.sessions.models import TrainingSession


class BookingState(LabelledEnum):
    REQUESTED = "requested", _l("Awaiting approval")
    CONFIRMED = "confirmed", _l("Confirmed")
    REFUSED = "refused", _l("Refused")
    CANCELLED = "cancelled", _l("Cancelled")


BOOKING_STATE_LABELS = BookingState.labels()


class BookingSeries(Model):
    """A weekly recurring booking (a dance team's Tuesday practice): ``count``
    occurrences, each its own ``Booking`` with this ``series_id``."""

    id: Mapped[int] = mapped_column(primary_key=True)
    freq: Mapped[str] = mapped_column(String(16), default="weekly")
    count: Mapped[int] = mapped_column(Integer)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Booking(CommunityScoped, Model):
    """One booking of one room for one slot. ``community_id`` is the room's."""

    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("room.id"))
    series_id: Mapped[int | None] = mapped_column(
        ForeignKey("booking_series.id"), index=True
    )
    sequence: Mapped[int] = mapped_column(Integer, default=1)
    # Moved or changed on its own: "this and the rest" no longer moves it.
    detached: Mapped[bool] = mapped_column(Boolean, default=False)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The calendar day (Asia/Shanghai) of ``starts_at``, for months and days.
    held_on: Mapped[date] = mapped_column(Date, index=True)
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organization.id"), index=True
    )
    # An outside unit received (会议接待 / 参访接待), named; "" otherwise.
    outside_unit: Mapped[str] = mapped_column(String(100), default="")
    purpose: Mapped[str] = mapped_column(String(200), default="")
    service_type: Mapped[str] = mapped_column(String(32), index=True)
    expected_people: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[str] = mapped_column(
        String(16), default=BookingState.REQUESTED, index=True
    )
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    booked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The use, recorded after the slot: held (None until recorded) and people.
    held: Mapped[bool | None] = mapped_column(Boolean)
    people: Mapped[int | None] = mapped_column(Integer)
    use_recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    use_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The activity log of the same organization at the same time, counted once.
    activity_id: Mapped[int | None] = mapped_column(
        ForeignKey("activity.id"), unique=True
    )
    # The capacity-building session held in the room that made this booking.
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("training_session.id"), unique=True
    )
    version: Mapped[int] = mapped_column(Integer, default=1)

    room: Mapped[Room] = relationship()
    organization: Mapped[Organization | None] = relationship()
    booked_by: Mapped[User | None] = relationship(foreign_keys=[booked_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    activity: Mapped[Activity | None] = relationship()
    session: Mapped[TrainingSession | None] = relationship()

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        Index("ix_booking_room_starts", "room_id", "starts_at"),
        Index("ix_booking_state_starts", "state", "starts_at"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("expected_people >= 0", name="expected_people_not_negative"),
        CheckConstraint("people IS NULL OR people >= 0", name="people_not_negative"),
    )

    @property
    def state_label(self) -> str:
        return str(BOOKING_STATE_LABELS[BookingState(self.state)])

    @property
    def service_type_label(self) -> str:
        return str(SERVICE_TYPE_LABELS[ServiceType(self.service_type)])

    @property
    def used(self) -> bool:
        """Counted as a space use: confirmed and recorded as held."""
        return self.state == BookingState.CONFIRMED and bool(self.held)


# PostgreSQL refuses two confirmed bookings of one room whose times overlap, also
# when two transactions race past the services' check. The range type's GiST
# operator class has ``=``, so no btree_gist extension is needed. SQLite has no
# such constraint; its write transactions are serialized (BEGIN IMMEDIATE), so the
# services' check inside the transaction is enough there. The migration makes the
# same constraint.
NO_OVERLAP = "booking_no_overlap"
NO_OVERLAP_DDL = (
    f"ALTER TABLE booking ADD CONSTRAINT {NO_OVERLAP} EXCLUDE USING gist ("
    "int4range(room_id, room_id, '[]') WITH =, "
    "tstzrange(starts_at, ends_at) WITH &&"
    ") WHERE (state = 'confirmed')"
)
event.listen(
    Booking.__table__,
    "after_create",
    DDL(NO_OVERLAP_DDL).execute_if(dialect="postgresql"),
)
