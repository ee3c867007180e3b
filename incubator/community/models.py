"""The community served and its residential compounds: reference data that every
feature may name (an organization's, a volunteer's or an activity's compound)."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from incubator.extensions import Model


class Community(Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    district: Mapped[str] = mapped_column(String(64), default="")
    city: Mapped[str] = mapped_column(String(64), default="")

    compounds: Mapped[list[Compound]] = relationship(
        back_populates="community", order_by="Compound.position"
    )


class Compound(Model):
    """A residential compound (小区) of the community."""

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer, default=0)

    community: Mapped[Community] = relationship(back_populates="compounds")
