"""The purchased service project and its contract indicators."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from incubator.community.models import Community
from incubator.database import UTCDateTime, utcnow
from incubator.extensions import Model


class Project(Model):
    """A government-purchased social work service project."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # The agency (承接机构) holding the project, printed on reports and certificates.
    agency: Mapped[str] = mapped_column(String(200), default="", server_default="")
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    year: Mapped[int] = mapped_column(Integer, default=1)
    kind: Mapped[str] = mapped_column(String(20), default="single")
    renewal: Mapped[bool] = mapped_column(Boolean, default=False)
    budget: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    community: Mapped[Community] = relationship()
    indicators: Mapped[list[Indicator]] = relationship(
        back_populates="project", order_by="Indicator.position"
    )


class Indicator(Model):
    """A contract indicator of a project: a metric (projects.metrics.METRICS) and
    its target for the project's period. Progress is computed, never typed in."""

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    metric: Mapped[str] = mapped_column(String(32))
    target: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    position: Mapped[int] = mapped_column(Integer, default=0)

    project: Mapped[Project] = relationship(back_populates="indicators")

    __table_args__ = (UniqueConstraint("project_id", "metric"),)
