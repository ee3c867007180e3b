"""Volunteers (志愿者), their memberships in organizations, their service hours
(服务时长) as the national rules for volunteer service records ask, certificates
issued, and roster imports waiting for confirmation."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from incubator.auth.models import User
from incubator.community.models import CommunityScoped, Compound
from incubator.database import UTCDateTime, utcnow
from incubator.extensions import Model
from incubator.i18n import LabelledEnum
from incubator.import_batches import BatchColumns
from incubator.organizations.models import Organization


class Gender(LabelledEnum):
    FEMALE = "female", _l("Female")
    MALE = "male", _l("Male")
    UNKNOWN = "unknown", _l("Not given")


GENDER_LABELS = Gender.labels()


class Availability(LabelledEnum):
    WEEKDAY_DAYTIME = "weekday_daytime", _l("Weekday daytime")
    WEEKDAY_EVENING = "weekday_evening", _l("Weekday evenings")
    WEEKEND = "weekend", _l("Weekends")


AVAILABILITY_LABELS = Availability.labels()


class VolunteerStatus(LabelledEnum):
    ACTIVE = "active", _l("Active")
    LEFT = "left", _l("Left")


STATUS_LABELS = VolunteerStatus.labels()


class MemberRole(LabelledEnum):
    MEMBER = "member", _l("Member")
    BACKBONE = "backbone", _l("Backbone")


MEMBER_ROLE_LABELS = MemberRole.labels()


class Volunteer(CommunityScoped, Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str | None] = mapped_column(String(16), unique=True)  # 志愿者编号
    name: Mapped[str] = mapped_column(String(32), index=True)
    gender: Mapped[str] = mapped_column(String(8), default=Gender.UNKNOWN)
    birth_year: Mapped[int] = mapped_column(Integer)
    phone: Mapped[str | None] = mapped_column(String(20), unique=True)
    id_number: Mapped[str | None] = mapped_column(String(18), unique=True)
    compound_id: Mapped[int | None] = mapped_column(
        ForeignKey("compound.id"), index=True
    )
    availability: Mapped[list] = mapped_column(JSON, default=list)
    joined_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(
        String(8), default=VolunteerStatus.ACTIVE, index=True
    )
    left_on: Mapped[date | None] = mapped_column(Date)
    # A volunteer under 14 needs a guardian's recorded consent.
    guardian_name: Mapped[str | None] = mapped_column(String(32))
    guardian_consent_on: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, default="")
    anonymized_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    compound: Mapped[Compound | None] = relationship()
    skills: Mapped[list[VolunteerSkill]] = relationship(
        back_populates="volunteer",
        cascade="all, delete-orphan",
        order_by="VolunteerSkill.skill",
    )
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="volunteer", order_by="Membership.joined_on"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def gender_label(self) -> str:
        return str(GENDER_LABELS[Gender(self.gender)])

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[VolunteerStatus(self.status)])

    @property
    def skill_names(self) -> list[str]:
        return [s.skill for s in self.skills]

    @property
    def availability_labels(self) -> list[str]:
        return [
            str(AVAILABILITY_LABELS[Availability(a)])
            for a in self.availability or []
            if a in {x.value for x in Availability}
        ]


class VolunteerSkill(Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteer.id"))
    skill: Mapped[str] = mapped_column(String(32), index=True)

    volunteer: Mapped[Volunteer] = relationship(back_populates="skills")

    __table_args__ = (UniqueConstraint("volunteer_id", "skill"),)


class Membership(Model):
    """A volunteer in an organization, as member (成员) or backbone (骨干)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteer.id"), index=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organization.id"), index=True
    )
    role: Mapped[str] = mapped_column(String(16), default=MemberRole.MEMBER)
    joined_on: Mapped[date] = mapped_column(Date)
    left_on: Mapped[date | None] = mapped_column(Date)

    volunteer: Mapped[Volunteer] = relationship(back_populates="memberships")
    organization: Mapped[Organization] = relationship()

    @property
    def role_label(self) -> str:
        return str(MEMBER_ROLE_LABELS[MemberRole(self.role)])

    @property
    def current(self) -> bool:
        return self.left_on is None


class ServiceRecord(CommunityScoped, Model):
    """Hours of one volunteer's service (服务时长): who, for which organization, what
    service, which day, how long (actual service time, travel excluded), recorded
    by whom. Never edited: a correction is a new record pointing at this one."""

    id: Mapped[int] = mapped_column(primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteer.id"))
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"))
    service: Mapped[str] = mapped_column(String(200))
    served_on: Mapped[date] = mapped_column(Date)
    hours: Mapped[Decimal] = mapped_column(Numeric(6, 1))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set when the hours come from an activity log (the activities feature).
    activity_id: Mapped[int | None] = mapped_column(Integer, index=True)
    corrects_id: Mapped[int | None] = mapped_column(
        ForeignKey("service_record.id"), unique=True
    )
    correction_reason: Mapped[str] = mapped_column(Text, default="")
    # True once a later correction replaces this record; totals skip it.
    superseded: Mapped[bool] = mapped_column(Boolean, default=False)

    volunteer: Mapped[Volunteer] = relationship()
    organization: Mapped[Organization] = relationship()
    recorded_by: Mapped[User | None] = relationship()
    corrects: Mapped[ServiceRecord | None] = relationship(remote_side=[id])

    __table_args__ = (
        Index("ix_service_record_volunteer_on", "volunteer_id", "served_on"),
        Index("ix_service_record_org_on", "organization_id", "served_on"),
        Index("ix_service_record_served_on", "served_on"),  # reports
        # Hours served per period (issue 18), read from the index alone: the
        # whole district by day, one community by community first.
        Index(
            "ix_service_record_figures",
            "served_on",
            "community_id",
            "superseded",
            "hours",
        ),
        Index(
            "ix_service_record_community_figures",
            "community_id",
            "served_on",
            "superseded",
            "hours",
        ),
    )


class Certificate(Model):
    """A volunteer service record certificate (志愿服务记录证明) as issued: its
    content is kept, so a reprint shows what was certified."""

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteer.id"), index=True)
    issuer_name: Mapped[str] = mapped_column(String(100))
    period_start: Mapped[date | None] = mapped_column(Date)
    period_end: Mapped[date | None] = mapped_column(Date)
    issued_on: Mapped[date] = mapped_column(Date)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    total_hours: Mapped[Decimal] = mapped_column(Numeric(8, 1))
    content: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    volunteer: Mapped[Volunteer] = relationship()
    issued_by: Mapped[User | None] = relationship()


class RosterImport(BatchColumns, Model):
    """An uploaded roster waiting for the user to confirm. The parsed rows are
    deleted once imported or discarded (``incubator.import_batches``)."""

    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id"))
