"""Community social organizations (社区社会组织)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from incubator.auth.models import User
from incubator.database import UTCDateTime, utcnow
from incubator.extensions import db
from incubator.projects.models import Compound


class OrgKind(StrEnum):
    CULTURE_SPORTS = "culture_sports"
    CHARITY = "charity"
    LIFE_SERVICE = "life_service"
    COMMUNITY_AFFAIRS = "community_affairs"
    VOLUNTEER = "volunteer"
    OTHER = "other"


ORG_KIND_LABELS = {
    OrgKind.CULTURE_SPORTS: _l("Culture and sports"),
    OrgKind.CHARITY: _l("Charity"),
    OrgKind.LIFE_SERVICE: _l("Life services"),
    OrgKind.COMMUNITY_AFFAIRS: _l("Community affairs"),
    OrgKind.VOLUNTEER: _l("Volunteer service"),
    OrgKind.OTHER: _l("Other"),
}


class FilingStatus(StrEnum):
    NONE = "none"
    FILED = "filed"
    REGISTERED = "registered"


FILING_STATUS_LABELS = {
    FilingStatus.NONE: _l("Not filed"),
    FilingStatus.FILED: _l("Filed"),
    FilingStatus.REGISTERED: _l("Registered"),
}


class Organization(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    compound_id: Mapped[int | None] = mapped_column(
        ForeignKey("compound.id"), index=True
    )
    filing_status: Mapped[str] = mapped_column(String(16), default=FilingStatus.NONE)
    founded_on: Mapped[date | None] = mapped_column(Date)
    member_count: Mapped[int] = mapped_column(Integer, default=0)
    description: Mapped[str] = mapped_column(Text, default="")
    stage: Mapped[str] = mapped_column(String(32), default="intake", index=True)
    social_worker_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id"), index=True
    )
    leader_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id"), index=True
    )
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    compound: Mapped[Compound | None] = relationship()
    social_worker: Mapped[User | None] = relationship(foreign_keys=[social_worker_id])
    leader: Mapped[User | None] = relationship(
        foreign_keys=[leader_user_id], back_populates="led_organizations"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def kind_label(self) -> str:
        return str(ORG_KIND_LABELS[OrgKind(self.kind)])

    def __repr__(self) -> str:
        return f"<Organization {self.name}>"
