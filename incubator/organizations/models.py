"""Community social organizations (社区社会组织) and their incubation records:
stage changes, capacity assessments and case notes, plus the admin-configured
stages, dimensions and graduation criteria."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    event,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship, validates

from incubator.auth.models import User
from incubator.community.models import Community, CommunityScoped, Compound
from incubator.database import UTCDateTime, utcnow
from incubator.errors import ValidationFailed
from incubator.extensions import Model
from incubator.i18n import LabelledEnum
from incubator.normalize import name_key as normalized_name_key


class OrgKind(LabelledEnum):
    CULTURE_SPORTS = "culture_sports", _l("Culture and sports")
    CHARITY = "charity", _l("Charity")
    LIFE_SERVICE = "life_service", _l("Life services")
    COMMUNITY_AFFAIRS = "community_affairs", _l("Community affairs")
    VOLUNTEER = "volunteer", _l("Volunteer service")
    OTHER = "other", _l("Other")


ORG_KIND_LABELS = OrgKind.labels()


class FilingStatus(LabelledEnum):
    NONE = "none", _l("Not filed")
    FILED = "filed", _l("Filed")
    REGISTERED = "registered", _l("Registered")


FILING_STATUS_LABELS = FilingStatus.labels()


class Organization(Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    # ``incubator.normalize.name_key(name)``, set whenever ``name`` is: names are
    # unique per community by this key, the same on SQLite and PostgreSQL.
    name_key: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32), index=True)
    compound_id: Mapped[int | None] = mapped_column(
        ForeignKey("compound.id"), index=True
    )
    filing_status: Mapped[str] = mapped_column(String(16), default=FilingStatus.NONE)
    founded_on: Mapped[date | None] = mapped_column(Date)
    member_count: Mapped[int] = mapped_column(Integer, default=0)
    description: Mapped[str] = mapped_column(Text, default="")
    stage: Mapped[str] = mapped_column(String(32), default="intake", index=True)
    stage_since: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The stage an organization was in before it went dormant (休眠), to go back to.
    stage_before_dormant: Mapped[str | None] = mapped_column(String(32))
    social_worker_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id"), index=True
    )
    leader_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id"), index=True
    )
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, index=True
    )
    version: Mapped[int] = mapped_column(Integer, default=1)

    community: Mapped[Community] = relationship()
    compound: Mapped[Compound | None] = relationship()
    social_worker: Mapped[User | None] = relationship(foreign_keys=[social_worker_id])
    leader: Mapped[User | None] = relationship(
        foreign_keys=[leader_user_id], back_populates="led_organizations"
    )

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        UniqueConstraint("community_id", "name"),
        # A unique index rather than a constraint: SQLite drops it (and the
        # column) without recreating the table, so downgrade --sql works.
        Index(
            "uq_organization_community_id_name_key",
            "community_id",
            "name_key",
            unique=True,
        ),
    )

    @validates("name")
    def _set_name_key(self, _key, value):
        self.name_key = normalized_name_key(value or "")[:200]
        return value

    @property
    def kind_label(self) -> str:
        return str(ORG_KIND_LABELS[OrgKind(self.kind)])

    @property
    def filing_status_label(self) -> str:
        return str(FILING_STATUS_LABELS[FilingStatus(self.filing_status)])

    @property
    def archived(self) -> bool:
        return self.archived_at is not None

    def __repr__(self) -> str:
        return f"<Organization {self.name}>"


class StageChange(CommunityScoped, Model):
    """One move of an organization between stages. Never updated or deleted: the
    labels are copied, so renaming a stage later does not rewrite history."""

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    from_stage: Mapped[str | None] = mapped_column(String(32))
    to_stage: Mapped[str] = mapped_column(String(32))
    from_label: Mapped[str] = mapped_column(String(64), default="")
    to_label: Mapped[str] = mapped_column(String(64), default="")
    direction: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    organization: Mapped[Organization] = relationship()
    actor: Mapped[User | None] = relationship()

    __table_args__ = (
        Index("ix_stage_change_org_at", "organization_id", "changed_at"),
        Index("ix_stage_change_at", "changed_at"),  # reports
    )


class Assessment(Model):
    """A capacity assessment (能力评估): a score 1-5 on each dimension."""

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"))
    assessed_on: Mapped[date] = mapped_column(Date)
    assessor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    average: Mapped[Decimal] = mapped_column(Numeric(3, 2))
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organization: Mapped[Organization] = relationship()
    assessor: Mapped[User | None] = relationship()
    scores: Mapped[list[AssessmentScore]] = relationship(
        back_populates="assessment",
        order_by="AssessmentScore.position",
        cascade="all, delete-orphan",
    )

    __table_args__ = (Index("ix_assessment_org_on", "organization_id", "assessed_on"),)

    def score_map(self) -> dict[str, int]:
        return {s.dimension: s.score for s in self.scores}


class AssessmentScore(Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id"), index=True)
    dimension: Mapped[str] = mapped_column(String(32))
    dimension_label: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer, default=0)
    score: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")

    assessment: Mapped[Assessment] = relationship(back_populates="scores")

    __table_args__ = (UniqueConstraint("assessment_id", "dimension"),)


class ContactKind(LabelledEnum):
    VISIT = "visit", _l("Visit")
    PHONE = "phone", _l("Phone call")
    MEETING = "meeting", _l("Meeting")
    OTHER = "other", _l("Other")


CONTACT_KIND_LABELS = ContactKind.labels()


class CaseNote(Model):
    """A social worker's dated note (工作记录); never shown to org leaders."""

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    noted_on: Mapped[date] = mapped_column(Date)
    contact_kind: Mapped[str] = mapped_column(String(16), default=ContactKind.OTHER)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organization: Mapped[Organization] = relationship()
    author: Mapped[User | None] = relationship()

    __table_args__ = (Index("ix_case_note_org_on", "organization_id", "noted_on"),)

    @property
    def contact_kind_label(self) -> str:
        return str(CONTACT_KIND_LABELS[ContactKind(self.contact_kind)])


# ---- configuration (admin) ----


class StageSetting(Model):
    """A configured incubation stage. Absent rows mean the defaults of DOMAIN.md."""

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(32), unique=True)
    label_zh: Mapped[str] = mapped_column(String(64))
    label_en: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class DimensionSetting(Model):
    """A configured assessment dimension. Absent rows mean the defaults."""

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(32), unique=True)
    label_zh: Mapped[str] = mapped_column(String(64))
    label_en: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class GraduationSetting(Model):
    """The graduation (出壳) criteria; one row, absent means the defaults."""

    id: Mapped[int] = mapped_column(primary_key=True)
    min_average: Mapped[Decimal] = mapped_column(Numeric(3, 2))
    min_activities: Mapped[int] = mapped_column(Integer)
    activity_months: Mapped[int] = mapped_column(Integer)
    require_filing: Mapped[bool] = mapped_column(Boolean)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


@event.listens_for(StageChange, "before_update")
def _stage_changes_are_immutable(mapper, connection, target):
    raise RuntimeError("stage changes are history and are never updated")


@event.listens_for(StageChange, "before_delete")
def _stage_changes_are_never_deleted(mapper, connection, target):
    raise RuntimeError("stage changes are history and are never deleted")


@event.listens_for(Session, "before_flush")
def _stamp_community(session, _context, _instances):
    """Give every new community-scoped record (``CommunityScoped``) the community
    it belongs to when its service did not name one: its organization's, else
    its activity's, else its compound's, else the only open community of the
    deployment. Raises ``ValidationFailed`` on ``community_id`` when several
    communities exist and nothing names one."""
    for obj in list(session.new):
        if not isinstance(obj, CommunityScoped) or obj.community_id is not None:
            continue
        obj.community_id = _community_of(session, obj)


def _community_of(session, obj) -> int:
    org_id = getattr(obj, "organization_id", None)
    org = getattr(obj, "organization", None) or (
        session.get(Organization, org_id) if org_id else None
    )
    if org is not None and org.community_id is not None:
        return org.community_id
    activity = getattr(obj, "activity", None)
    if activity is not None:
        if activity.community_id is not None:
            return activity.community_id
        return _community_of(session, activity)
    compound = getattr(obj, "compound", None) or (
        session.get(Compound, obj.compound_id)
        if getattr(obj, "compound_id", None)
        else None
    )
    if compound is not None:
        return compound.community_id
    return only_open_community(session)


def only_open_community(session) -> int:
    """The id of the deployment's one open community. Raises ``ValidationFailed``
    (``community_id``) when there is none or there are several."""
    ids = session.scalars(
        select(Community.id).where(Community.archived_at.is_(None)).limit(2)
    ).all()
    if len(ids) == 1:
        return ids[0]
    if not ids:
        raise ValidationFailed(
            _l("No community is set up yet; an admin must create one first."),
            field="community_id",
        )
    raise ValidationFailed(_l("Choose the community."), field="community_id")
