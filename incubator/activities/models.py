"""Activity logs (活动记录), their photos and review history, and the ledger of
resources linked (资源链接台账)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from incubator.auth.models import User
from incubator.community.models import CommunityScoped, Compound, Room
from incubator.database import UTCDateTime, utcnow
from incubator.extensions import Model
from incubator.i18n import LabelledEnum
from incubator.organizations.models import Organization
from incubator.volunteers.models import ServiceRecord, Volunteer


class Form(LabelledEnum):
    GROUP = "group", _l("Group activity")
    COMMUNITY = "community", _l("Community activity")
    TRAINING = "training", _l("Training")
    MEETING = "meeting", _l("Meeting")
    CASE = "case", _l("Casework")
    OTHER = "other", _l("Other")


FORM_LABELS = Form.labels()


# The 13 regular service types of the centre (DOMAIN.md); shown in Chinese in both
# languages' data, with English for the interface.
class ServiceType(LabelledEnum):
    PUBLIC_CLASS = "public_class", _l("Public-welfare class")
    SELF_ORG_SERVICE = "self_org_service", _l("Self-organization service")
    SCIENCE = "science", _l("Science popularization")
    ACADEMY = "academy", _l("Community academy")
    PARTY_TRAINING = "party_training", _l("Party-building training")
    CAPACITY = "capacity", _l("Community capacity building")
    MEETING_RECEPTION = "meeting_reception", _l("Meeting reception")
    VISIT_RECEPTION = "visit_reception", _l("Visit reception")
    ROUTINE_TRAINING = "routine_training", _l("Routine training")
    RESOURCE_SHARING = "resource_sharing", _l("Resource sharing")
    ONLINE_CONSULTING = "online_consulting", _l("Online consulting")
    CASE_USE = "case_use", _l("Casework use")
    OTHER = "other", _l("Other")


SERVICE_TYPE_LABELS = ServiceType.labels()


class TargetGroup(LabelledEnum):
    CHILDREN = "children", _l("Children")
    YOUTH = "youth", _l("Youth")
    WOMEN = "women", _l("Women")
    ELDERS = "elders", _l("Elders")
    SPECIAL = "special", _l("People with disabilities / special groups")
    ALL_RESIDENTS = "all_residents", _l("All residents")


TARGET_GROUP_LABELS = TargetGroup.labels()


class ReviewState(LabelledEnum):
    PENDING = "pending", _l("Waiting for review")
    APPROVED = "approved", _l("Approved")
    RETURNED = "returned", _l("Returned")


REVIEW_STATE_LABELS = ReviewState.labels()


# The columns the figures count, after review state and day (the covering
# indexes of ``Activity``).
FIGURE_COLUMNS = (
    "community_id",
    "form",
    "service_type",
    "target_group",
    "person_times",
    "compound_id",
    "room_id",
)


class Activity(CommunityScoped, Model):
    # Not a column: set on the record a repeated submission returns.
    duplicate_submission = False
    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organization.id"), index=True
    )
    title: Mapped[str] = mapped_column(String(100))
    form: Mapped[str] = mapped_column(String(16), index=True)
    service_type: Mapped[str] = mapped_column(String(32), index=True)
    target_group: Mapped[str] = mapped_column(String(16), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The calendar day (project time zone) the activity took place, for months.
    held_on: Mapped[date] = mapped_column(Date, index=True)
    compound_id: Mapped[int | None] = mapped_column(
        ForeignKey("compound.id"), index=True
    )
    place: Mapped[str] = mapped_column(String(100), default="")
    # Held in a room of the community service centre: a space use (使用空间场次)
    # unless a used booking of the room is linked to it (``Booking.activity_id``).
    room_id: Mapped[int | None] = mapped_column(ForeignKey("room.id"), index=True)
    person_times: Mapped[int] = mapped_column(Integer, default=0)
    summary: Mapped[str] = mapped_column(Text, default="")
    review_state: Mapped[str] = mapped_column(
        String(16), default=ReviewState.PENDING, index=True
    )
    return_reason: Mapped[str] = mapped_column(Text, default="")
    logged_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # One form submission makes one activity (a double tap posts the same key).
    submission_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    organization: Mapped[Organization] = relationship()
    compound: Mapped[Compound | None] = relationship()
    room: Mapped[Room | None] = relationship()
    logged_by: Mapped[User | None] = relationship()
    volunteers: Mapped[list[ActivityVolunteer]] = relationship(
        back_populates="activity",
        cascade="all, delete-orphan",
        order_by="ActivityVolunteer.id",
    )
    photos: Mapped[list[ActivityPhoto]] = relationship(
        back_populates="activity", order_by="ActivityPhoto.id"
    )

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        Index("ix_activity_org_held", "organization_id", "held_on"),
        # District scale (issue 18): lists sort by start, communities' pages by
        # community and start (reports by review state and day: ix_activity_figures).
        Index("ix_activity_starts_at", "starts_at"),
        Index("ix_activity_community_starts", "community_id", "starts_at"),
        # The review queue: pending logs, oldest first (issue 18, lists).
        Index("ix_activity_review_created", "review_state", "created_at"),
        # Figures (issue 18): every column a report counts, so a period's
        # figures read the index alone; by review state and day for the whole
        # district, by community first for one community (a project's year).
        Index("ix_activity_figures", "review_state", "held_on", *FIGURE_COLUMNS),
        Index(
            "ix_activity_community_figures",
            "community_id",
            "review_state",
            "held_on",
            *FIGURE_COLUMNS[1:],
        ),
        # Calendars (issue 18): each day's first activities by start.
        Index("ix_activity_held_starts", "held_on", "starts_at"),
    )

    @property
    def form_label(self) -> str:
        return str(FORM_LABELS[Form(self.form)])

    @property
    def service_type_label(self) -> str:
        return str(SERVICE_TYPE_LABELS[ServiceType(self.service_type)])

    @property
    def target_group_label(self) -> str:
        return str(TARGET_GROUP_LABELS[TargetGroup(self.target_group)])

    @property
    def review_state_label(self) -> str:
        return str(REVIEW_STATE_LABELS[ReviewState(self.review_state)])

    @property
    def place_label(self) -> str:
        parts = [self.compound.name if self.compound else "", self.place]
        return " ".join(p for p in parts if p)


class ActivityVolunteer(Model):
    """A volunteer who served in an activity, with their hours. On approval the
    hours become a service record of the volunteer."""

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id"), index=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteer.id"), index=True)
    hours: Mapped[Decimal] = mapped_column(Numeric(6, 1))
    service_record_id: Mapped[int | None] = mapped_column(
        ForeignKey("service_record.id")
    )

    activity: Mapped[Activity] = relationship(back_populates="volunteers")
    volunteer: Mapped[Volunteer] = relationship()
    service_record: Mapped[ServiceRecord | None] = relationship()


class ActivityPhoto(Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id"), index=True)
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    original_name: Mapped[str] = mapped_column(String(200), default="")
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    size: Mapped[int] = mapped_column(Integer)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    activity: Mapped[Activity] = relationship(back_populates="photos")


class ActivityEvent(Model):
    """The log's own history: logged, edited, returned, resubmitted, approved."""

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    action: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, default="")

    actor: Mapped[User | None] = relationship()


class ResourceKind(LabelledEnum):
    MONEY = "money", _l("Money")
    GOODS = "goods", _l("Goods")
    VENUE = "venue", _l("Venue")
    PROFESSIONAL = "professional", _l("Professional help")
    OTHER = "other", _l("Other")


RESOURCE_KIND_LABELS = ResourceKind.labels()


class ResourceLink(CommunityScoped, Model):
    """A line of the ledger of resources linked (资源链接台账), valued in yuan."""

    id: Mapped[int] = mapped_column(primary_key=True)
    partner: Mapped[str] = mapped_column(String(100), index=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    value: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    valuation_basis: Mapped[str] = mapped_column(String(200), default="")
    received_on: Mapped[date] = mapped_column(Date, index=True)
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organization.id"), index=True
    )
    activity_id: Mapped[int | None] = mapped_column(
        ForeignKey("activity.id"), index=True
    )
    evidence_name: Mapped[str | None] = mapped_column(String(64))
    evidence_original: Mapped[str] = mapped_column(String(200), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organization: Mapped[Organization | None] = relationship()
    activity: Mapped[Activity | None] = relationship()
    recorded_by: Mapped[User | None] = relationship()

    # The value linked per period (issue 18), read from the index alone.
    __table_args__ = (
        Index(
            "ix_resource_link_figures",
            "received_on",
            "community_id",
            "activity_id",
            "value",
        ),
        Index(
            "ix_resource_link_community_figures",
            "community_id",
            "received_on",
            "activity_id",
            "value",
        ),
    )

    @property
    def kind_label(self) -> str:
        return str(RESOURCE_KIND_LABELS[ResourceKind(self.kind)])
