"""Follow-ups (跟进/回访): dated tasks on an organization for a social worker, and the
cadence by stage that schedules the next one."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from incubator.auth.models import User
from incubator.community.models import CommunityScoped
from incubator.database import UTCDateTime, utcnow
from incubator.deadlines import is_overdue
from incubator.extensions import Model
from incubator.organizations.models import Organization


class Kind(StrEnum):
    VISIT = "visit"
    PHONE = "phone"
    SUPERVISION = "supervision"
    MEETING = "meeting"


KIND_LABELS = {
    Kind.VISIT: _l("Home visit"),
    Kind.PHONE: _l("Phone call"),
    Kind.SUPERVISION: _l("Supervision"),
    Kind.MEETING: _l("Meeting"),
}


class FollowUpState(StrEnum):
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


STATE_LABELS = {
    FollowUpState.OPEN: _l("To follow up"),
    FollowUpState.DONE: _l("Done"),
    FollowUpState.CANCELLED: _l("Cancelled"),
}


# how a follow-up came to be: planned by hand, scheduled by the stage's cadence when
# the previous one was done, or by a stage change (the audit log shows these labels)
ORIGIN_LABELS = {
    "manual": _l("Planned by hand"),
    "cadence": _l("By the stage's cadence"),
    "stage": _l("By a stage change"),
}


class FollowUp(CommunityScoped, Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"))
    kind: Mapped[str] = mapped_column(String(16))
    due_on: Mapped[date] = mapped_column(Date)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    notes: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(16), default=FollowUpState.OPEN)
    done_on: Mapped[date | None] = mapped_column(Date)
    outcome: Mapped[str] = mapped_column(Text, default="")
    # manual, cadence (scheduled when the previous one was done) or stage
    origin: Mapped[str] = mapped_column(String(16), default="manual")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    organization: Mapped[Organization] = relationship()
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        # Nothing is ever scheduled twice for one organization, day and kind.
        UniqueConstraint("organization_id", "due_on", "kind"),
        Index("ix_follow_up_assignee_state_due", "assignee_id", "state", "due_on"),
        Index("ix_follow_up_org_state", "organization_id", "state"),
        Index("ix_follow_up_state_due", "state", "due_on"),
        Index("ix_follow_up_state_done", "state", "done_on"),  # reports
    )

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS[Kind(self.kind)])

    def overdue(self, today: date) -> bool:
        return self.state == FollowUpState.OPEN and is_overdue(self.due_on, today)

    def state_label(self, today: date) -> str:
        if self.overdue(today):
            return str(_l("Overdue"))
        return str(STATE_LABELS[FollowUpState(self.state)])


class CadenceSetting(Model):
    """Months between follow-ups for a stage; absent rows mean the defaults of
    DOMAIN.md, ``months`` empty means none."""

    id: Mapped[int] = mapped_column(primary_key=True)
    stage: Mapped[str] = mapped_column(String(32), unique=True)
    months: Mapped[int | None] = mapped_column(Integer)
