"""Micro-ventures (微公益创投): rounds with their scoring criteria, the ventures
applied for in them with budget lines, reviews, the tailored support plan and its
catalogue, expenditures, and each venture's own history."""

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
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from incubator.activities.models import TARGET_GROUP_LABELS, TargetGroup
from incubator.auth.models import User
from incubator.community.models import CommunityScoped
from incubator.database import UTCDateTime, utcnow
from incubator.deadlines import is_overdue
from incubator.extensions import Model
from incubator.i18n import LabelledEnum
from incubator.organizations.models import Organization


class State(LabelledEnum):
    APPLIED = "applied", _l("Applied")
    REVIEWING = "reviewing", _l("Under review")
    APPROVED = "approved", _l("Funded")
    REJECTED = "rejected", _l("Rejected")
    RUNNING = "running", _l("Running")
    CLOSED = "closed", _l("Closed")
    TERMINATED = "terminated", _l("Terminated")


STATE_LABELS = State.labels()


class ClosingGrade(LabelledEnum):
    EXCELLENT = "excellent", _l("Excellent")
    GOOD = "good", _l("Good")
    PASS = "pass", _l("Pass")
    FAIL = "fail", _l("Fail")


CLOSING_GRADE_LABELS = ClosingGrade.labels()


class VentureRound(Model):
    """A round (创投批次) with its own budget, application window and running
    period; the approved total of its ventures never exceeds the budget."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    budget: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    opens_on: Mapped[date] = mapped_column(Date)
    closes_on: Mapped[date] = mapped_column(Date)
    runs_from: Mapped[date] = mapped_column(Date)
    runs_until: Mapped[date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    criteria: Mapped[list[RoundCriterion]] = relationship(
        back_populates="round",
        order_by="RoundCriterion.position",
        cascade="all, delete-orphan",
    )

    __mapper_args__ = {"version_id_col": version}


class RoundCriterion(Model):
    """A scoring criterion of a round (e.g. 需求契合度) with its weight in percent;
    a round's weights add up to 100."""

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("venture_round.id"), index=True)
    name: Mapped[str] = mapped_column(String(50))
    weight: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer, default=0)

    round: Mapped[VentureRound] = relationship(back_populates="criteria")


class Venture(CommunityScoped, Model):
    # Not a column: set on the record a repeated submission returns.
    duplicate_submission = False
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("venture_round.id"), index=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organization.id"), index=True
    )
    # An organization neither filed nor registered applies through a sponsor.
    sponsor_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id"))
    title: Mapped[str] = mapped_column(String(100))
    need: Mapped[str] = mapped_column(Text, default="")
    target_group: Mapped[str] = mapped_column(String(16))
    planned_activities: Mapped[str] = mapped_column(Text, default="")
    expected_outputs: Mapped[str] = mapped_column(Text, default="")
    requested_amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    approved_amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    state: Mapped[str] = mapped_column(String(16), default=State.APPLIED, index=True)
    state_since: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_on: Mapped[date | None] = mapped_column(Date, index=True)
    decision_note: Mapped[str] = mapped_column(Text, default="")
    midterm_on: Mapped[date | None] = mapped_column(Date)
    midterm_note: Mapped[str] = mapped_column(Text, default="")
    outputs_achieved: Mapped[str] = mapped_column(Text, default="")
    closing_grade: Mapped[str | None] = mapped_column(String(16))
    lessons: Mapped[str] = mapped_column(Text, default="")
    closed_on: Mapped[date | None] = mapped_column(Date)
    termination_reason: Mapped[str] = mapped_column(Text, default="")
    applied_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # One form submission makes one application (a double tap posts the same key).
    submission_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    round: Mapped[VentureRound] = relationship()
    organization: Mapped[Organization] = relationship(foreign_keys=[organization_id])
    sponsor: Mapped[Organization | None] = relationship(foreign_keys=[sponsor_id])
    applied_by: Mapped[User | None] = relationship()
    budget_lines: Mapped[list[BudgetLine]] = relationship(
        back_populates="venture",
        order_by="BudgetLine.position",
        cascade="all, delete-orphan",
    )

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (Index("ix_venture_round_state", "round_id", "state"),)

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS[State(self.state)])

    @property
    def closing_grade_label(self) -> str:
        if not self.closing_grade:
            return ""
        return str(CLOSING_GRADE_LABELS[ClosingGrade(self.closing_grade)])

    @property
    def target_group_label(self) -> str:
        return str(TARGET_GROUP_LABELS[TargetGroup(self.target_group)])


class BudgetLine(Model):
    """A line of the requested budget (e.g. 材料费 800.00)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    venture_id: Mapped[int] = mapped_column(ForeignKey("venture.id"), index=True)
    item: Mapped[str] = mapped_column(String(100))
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    position: Mapped[int] = mapped_column(Integer, default=0)

    venture: Mapped[Venture] = relationship(back_populates="budget_lines")


class VentureReview(Model):
    """A reviewer assigned to a venture and, once submitted, their scores. A
    submitted review is final: reviewers score blind, then see the others'."""

    id: Mapped[int] = mapped_column(primary_key=True)
    venture_id: Mapped[int] = mapped_column(ForeignKey("venture.id"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The weighted average of this reviewer's scores, 0..100.
    total: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    comment: Mapped[str] = mapped_column(Text, default="")

    venture: Mapped[Venture] = relationship()
    reviewer: Mapped[User] = relationship()
    scores: Mapped[list[ReviewScore]] = relationship(
        back_populates="review", cascade="all, delete-orphan"
    )

    __table_args__ = (UniqueConstraint("venture_id", "reviewer_id"),)


class ReviewScore(Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("venture_review.id"), index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("round_criterion.id"))
    score: Mapped[int] = mapped_column(Integer)

    review: Mapped[VentureReview] = relationship(back_populates="scores")

    __table_args__ = (UniqueConstraint("review_id", "criterion_id"),)


class PlanTemplate(Model):
    """An entry of the catalogue of support actions (服务策略库), keyed by stage
    (empty: any stage) and capacity dimension. Absent rows mean the defaults."""

    id: Mapped[int] = mapped_column(primary_key=True)
    stage: Mapped[str] = mapped_column(String(32), default="")
    dimension: Mapped[str] = mapped_column(String(32))
    goal: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(Text)
    due_days: Mapped[int] = mapped_column(Integer, default=60)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (Index("ix_plan_template_key", "dimension", "stage"),)


class PlanAction(Model):
    """An action of a venture's tailored support plan (量身定制服务策略)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    venture_id: Mapped[int] = mapped_column(ForeignKey("venture.id"), index=True)
    goal: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(50), default="")
    due_on: Mapped[date] = mapped_column(Date, index=True)
    dimension: Mapped[str] = mapped_column(String(32), default="")
    # Set when the action was proposed from the catalogue.
    template_id: Mapped[int | None] = mapped_column(ForeignKey("plan_template.id"))
    done_on: Mapped[date | None] = mapped_column(Date)
    done_note: Mapped[str] = mapped_column(Text, default="")
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    venture: Mapped[Venture] = relationship()

    __mapper_args__ = {"version_id_col": version}

    @property
    def done(self) -> bool:
        return self.done_on is not None

    def overdue(self, today: date) -> bool:
        return self.done_on is None and is_overdue(self.due_on, today)


class Expenditure(Model):
    """Money spent on a running venture, against its approved amount."""

    id: Mapped[int] = mapped_column(primary_key=True)
    venture_id: Mapped[int] = mapped_column(ForeignKey("venture.id"), index=True)
    spent_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    purpose: Mapped[str] = mapped_column(String(200))
    receipt_name: Mapped[str | None] = mapped_column(String(64))
    receipt_original: Mapped[str] = mapped_column(String(200), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    recorded_by: Mapped[User | None] = relationship()


class VentureEvent(Model):
    """One step in a venture's life: applied, edited, reviewers assigned, a review
    submitted, each state change, plan and money entries."""

    id: Mapped[int] = mapped_column(primary_key=True)
    venture_id: Mapped[int] = mapped_column(ForeignKey("venture.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    action: Mapped[str] = mapped_column(String(24))
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")

    actor: Mapped[User | None] = relationship()
