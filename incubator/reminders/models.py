"""The outbox of reminders (月度提醒) and notices: one row per recipient, kind and
period, recorded before anything is delivered; one delivery per channel beyond the
in-app notification centre; each user's channel choices; and the runs of the
scheduled jobs."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from incubator.auth.models import User
from incubator.database import UTCDateTime, utcnow
from incubator.extensions import Model
from incubator.i18n import LabelledEnum


class Kind(LabelledEnum):
    MONTHLY_LOG_REMINDER = (
        "monthly_log_reminder",
        _l("Reminder to log last month's activities"),
    )
    MONTHLY_DIGEST = "monthly_digest", _l("Monthly digest of my work")
    MONTHLY_REPORT = "monthly_report", _l("Monthly report and indicator progress")
    ACTIVITY_RETURNED = "activity_returned", _l("An activity log was returned to fix")
    EXPORT_READY = "export_ready", _l("An export is ready to download")


KIND_LABELS = Kind.labels()
# The kinds the monthly job records, once per recipient and month.
MONTHLY_KINDS = (Kind.MONTHLY_LOG_REMINDER, Kind.MONTHLY_DIGEST, Kind.MONTHLY_REPORT)
# A kind with no channel choice of its own follows this kind's choice (a leader who
# asked for her monthly reminder by email gets a returned log by email too).
FALLBACK_KIND: dict[str, str] = {Kind.ACTIVITY_RETURNED: Kind.MONTHLY_LOG_REMINDER}


class Channel(LabelledEnum):
    EMAIL = "email", _l("Email")
    WECOM = "wecom", _l("WeCom group")


CHANNEL_LABELS = Channel.labels()


class DeliveryState(LabelledEnum):
    PENDING = "pending", _l("Pending")
    SENDING = "sending", _l("Sending")
    SENT = "sent", _l("Sent")
    RETRYING = "retrying", _l("Retrying")
    FAILED = "failed", _l("Failed")


DELIVERY_STATE_LABELS = DeliveryState.labels()


class Reminder(Model):
    """A reminder or notice for one user; it is their in-app notification. The
    unique key (recipient, kind, period) is what makes "exactly once" hold
    whatever retries, restarts or extra processes happen."""

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    kind: Mapped[str] = mapped_column(String(32))
    # The month it was sent in, YYYY-MM (about the month before for monthly ones);
    # for a notice of one event, that event's key (``notices.event_key``).
    period: Mapped[str] = mapped_column(String(7))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    recipient: Mapped[User] = relationship()
    deliveries: Mapped[list[Delivery]] = relationship(
        back_populates="reminder", order_by="Delivery.channel"
    )

    __table_args__ = (
        UniqueConstraint("recipient_id", "kind", "period"),
        Index("ix_reminder_recipient_read", "recipient_id", "read_at"),
        Index("ix_reminder_period_kind", "period", "kind"),
    )

    @property
    def kind_label(self) -> str:
        try:
            return str(KIND_LABELS[Kind(self.kind)])
        except ValueError:
            return self.kind


class Delivery(Model):
    """A reminder sent by email or to the WeCom group, after the commit that
    recorded it. Claimed (``sending``) before it goes out, so two processes never
    both send it; failures retry with backoff, then stay ``failed``."""

    id: Mapped[int] = mapped_column(primary_key=True)
    reminder_id: Mapped[int] = mapped_column(ForeignKey("reminder.id"))
    channel: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16), default=DeliveryState.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    last_error: Mapped[str] = mapped_column(Text, default="")

    reminder: Mapped[Reminder] = relationship(back_populates="deliveries")

    __table_args__ = (
        UniqueConstraint("reminder_id", "channel"),
        Index("ix_delivery_state_next", "state", "next_attempt_at"),
    )

    @property
    def state_label(self) -> str:
        return str(DELIVERY_STATE_LABELS[DeliveryState(self.state)])


class ReminderPreference(Model):
    """A user's channels for one kind of reminder (in-app is always on)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    kind: Mapped[str] = mapped_column(String(32))
    email: Mapped[bool] = mapped_column(Boolean, default=False)
    wecom: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (UniqueConstraint("user_id", "kind"),)


class JobRun(Model):
    """The last run of each scheduled job (or of the CLI), for the admin page."""

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(64), unique=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ok: Mapped[bool | None] = mapped_column(Boolean)
    summary: Mapped[str] = mapped_column(Text, default="")


class ExportState(LabelledEnum):
    QUEUED = "queued", _l("Queued")
    RUNNING = "running", _l("Running")
    DONE = "done", _l("Ready")
    FAILED = "failed", _l("Failed")
    EXPIRED = "expired", _l("Expired")


EXPORT_STATE_LABELS = ExportState.labels()


class ExportJob(Model):
    """An export too large to write while its requester waits, written by the
    scheduler (``reminders.exports``). ``kind`` names a registered
    ``spreadsheets.Export``, ``args`` the page's filters (``{name: [values]}``);
    what it holds is computed when it runs, with the requester's scope then.
    Claimed by a conditional UPDATE (queued to running), so of two schedulers
    only one writes it; one left running past its lease by a dead process is
    queued again. The file lives in the storage layer under ``file_name``
    until ``expires_at``, then it is deleted and the job marked expired."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    kind: Mapped[str] = mapped_column(String(32))
    args: Mapped[dict] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(16), default=ExportState.QUEUED)
    rows: Mapped[int | None] = mapped_column(Integer)
    file_name: Mapped[str | None] = mapped_column(String(100))
    download_name: Mapped[str] = mapped_column(String(200), default="")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error: Mapped[str] = mapped_column(Text, default="")

    user: Mapped[User] = relationship()

    __table_args__ = (
        Index("ix_export_job_state_created", "state", "created_at"),
        Index("ix_export_job_user_created", "user_id", "created_at"),
    )

    @property
    def state_label(self) -> str:
        return str(EXPORT_STATE_LABELS[ExportState(self.state)])
