"""API: the caller's own reminders and notices, newest first, and marking one
read."""

from __future__ import annotations

from datetime import datetime

from flask import abort
from pydantic import BaseModel
from sqlalchemy import select

from incubator.api.core import PageQuery, current_api_user, endpoint, paginate
from incubator.database import utcnow
from incubator.extensions import db
from incubator.reminders.models import Reminder
from incubator.transaction import settle

TAG = "notifications"


class NotificationOut(BaseModel):
    id: int
    kind: str
    kind_label: str
    period: str
    title: str
    body: str
    link: str
    read: bool
    created_at: datetime

    @classmethod
    def of(cls, r: Reminder) -> NotificationOut:
        return cls(
            id=r.id,
            kind=r.kind,
            kind_label=r.kind_label,
            period=r.period,
            title=r.title,
            body=r.body,
            link=r.link,
            read=r.read_at is not None,
            created_at=r.created_at,
        )


class NotificationPage(BaseModel):
    items: list[NotificationOut]
    page: int
    per_page: int
    total: int


@endpoint(
    "/notifications",
    summary="The caller's reminders and notices, newest first",
    tag=TAG,
    query=PageQuery,
    response=NotificationPage,
)
def list_notifications(query: PageQuery):
    stmt = (
        select(Reminder)
        .where(Reminder.recipient_id == current_api_user().id)
        .order_by(Reminder.created_at.desc(), Reminder.id.desc())
    )
    return paginate(stmt, query, NotificationOut.of)


@endpoint(
    "/notifications/<int:notification_id>/read",
    "POST",
    summary="Mark one of the caller's notifications read",
    tag=TAG,
    response=NotificationOut,
    errors=(404,),
)
def read_notification(notification_id: int):
    reminder = db.session.get(Reminder, notification_id)
    if reminder is None or reminder.recipient_id != current_api_user().id:
        abort(404)
    if reminder.read_at is None:
        reminder.read_at = utcnow()
        settle()
    return NotificationOut.of(reminder)
