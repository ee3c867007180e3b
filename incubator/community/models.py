"""The communities an agency serves, their residential compounds and the service
centre's rooms: reference data that every feature may name (an organization's, a
volunteer's or an activity's community and compound).

Nothing that records point to is ever deleted: communities, compounds and rooms
are archived (``archived_at``), and stay readable on the records that name them.
"""

from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    Time,
    false,
)
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from incubator.database import UTCDateTime, utcnow
from incubator.extensions import Model, db


class Community(Model):
    """A community (社区) of a street (街道) of a district (区)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    street: Mapped[str] = mapped_column(String(64), default="", server_default="")
    district: Mapped[str] = mapped_column(String(64), default="")
    city: Mapped[str] = mapped_column(String(64), default="")
    position: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=utcnow)

    compounds: Mapped[list[Compound]] = relationship(
        back_populates="community", order_by="Compound.position"
    )
    rooms: Mapped[list[Room]] = relationship(
        back_populates="community", order_by="Room.position"
    )

    @property
    def archived(self) -> bool:
        return self.archived_at is not None


class Compound(Model):
    """A residential compound (小区) of a community."""

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer, default=0)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    community: Mapped[Community] = relationship(back_populates="compounds")

    @property
    def archived(self) -> bool:
        return self.archived_at is not None


class Room(Model):
    """A room (活动室) of the community's service centre: capacity in people,
    equipment, opening hours and whether bookings need a social worker's approval
    (``needs_approval``; staff bookings are confirmed at once either way)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    capacity: Mapped[int | None] = mapped_column(Integer)
    equipment: Mapped[str] = mapped_column(Text, default="", server_default="")
    needs_approval: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    # Opening hours (Asia/Shanghai wall-clock); None: no hours set. A booking
    # outside them is warned about, not refused.
    opens_at: Mapped[time | None] = mapped_column(Time)
    closes_at: Mapped[time | None] = mapped_column(Time)
    position: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    community: Mapped[Community] = relationship(back_populates="rooms")

    @property
    def archived(self) -> bool:
        return self.archived_at is not None


# A user's scope: the communities they serve or oversee. No row means every
# community (the deployment's administrator, a district viewer). The ids are also
# kept on the user row (``User.community_scope``) so reading one's own scope costs
# no query; ``incubator.community.scope.set_scope`` writes both.
user_community = Table(
    "user_community",
    db.metadata,
    Column("user_id", ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "community_id", ForeignKey("community.id", ondelete="CASCADE"), primary_key=True
    ),
)


class CommunityScoped:
    """A record that belongs to one community and is counted in its figures
    (an activity, a service-hour record, a ledger line, a stage change, a
    venture, a session, a follow-up, a volunteer).

    ``community_id`` is the community at the time the record was made: an
    organization that moves to another community moves its future figures, never
    its past ones. When a service does not set it, ``incubator.organizations.
    stamping`` takes it from the record's organization (or activity, or
    compound) at flush time.
    """

    @declared_attr
    def community_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("community.id"), index=True)
