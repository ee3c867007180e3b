"""API: capacity-building sessions (with series, registrations and attendance).
Thin adapters onto ``incubator.sessions``."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from flask import abort
from pydantic import BaseModel, Field, field_validator
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from incubator.api.core import Id, PageQuery, current_api_user, endpoint, page_rows
from incubator.auth.roles import Role
from incubator.extensions import db
from incubator.i18n import local_zone
from incubator.organizations.access import get_visible_organization_or_404
from incubator.sessions import services
from incubator.sessions.models import SessionInvite, TrainingSession
from incubator.sessions.queries import may_see, session_view, sessions_query
from incubator.sessions.schemas import (
    Attendance,
    Registration,
    SessionCancellation,
    SessionChange,
    SessionSchedule,
)
from incubator.transaction import settle

TAG = "sessions"
STAFF = (Role.ADMIN, Role.SOCIAL_WORKER)
SAFE_DAY: dict[str, Any] = {"ge": date(2000, 1, 1), "le": date(2100, 12, 31)}


class InviteOut(BaseModel):
    organization_id: int
    organization_name: str
    registered: int | None
    attendees: int | None


class SessionOut(BaseModel):
    id: int
    series_id: int | None
    sequence: int
    title: str
    topic: str
    dimension: str
    trainer: str
    starts_at: datetime
    ends_at: datetime
    place: str
    room_id: int | None
    capacity: int
    state: str
    state_label: str
    organization_ids: list[int]
    invites: list[InviteOut]
    registered: int
    attendance: int
    walk_ins: int
    feedback_score: str | None
    detached: bool
    day_warning: str | None
    version: int

    # Validated from the read model (``SessionView``): times in the project's
    # zone, the feedback score as text.
    @field_validator("starts_at", "ends_at", mode="before")
    @classmethod
    def _local(cls, value):
        return value.astimezone(local_zone()) if isinstance(value, datetime) else value

    @field_validator("feedback_score", mode="before")
    @classmethod
    def _score(cls, value):
        return str(value) if isinstance(value, Decimal) else value

    @classmethod
    def of(cls, s: TrainingSession) -> SessionOut:
        view = session_view(current_api_user(), s)
        return cls.model_validate(view, from_attributes=True)


class SessionPage(BaseModel):
    items: list[SessionOut]
    page: int
    per_page: int
    total: int


class SessionCreated(SessionOut):
    occurrences: list[SessionOut] = Field(description="Every session of the series")


class SessionQuery(PageQuery):
    date_from: date | None = Field(default=None, alias="from", **SAFE_DAY)
    date_to: date | None = Field(default=None, alias="to", **SAFE_DAY)
    organization_id: Id | None = None


def _load(session_id: int) -> TrainingSession:
    session = db.session.scalar(
        select(TrainingSession)
        .where(TrainingSession.id == session_id)
        .options(
            selectinload(TrainingSession.invites).joinedload(SessionInvite.organization)
        )
    )
    if session is None or not may_see(current_api_user(), session):
        abort(404)
    return session


def _bound(day: date | None) -> datetime | None:
    return datetime.combine(day, time(0), tzinfo=local_zone()) if day else None


@endpoint(
    "/sessions",
    summary="Sessions the caller may see (every occurrence of a series), by time",
    tag=TAG,
    query=SessionQuery,
    response=SessionPage,
)
def list_sessions(query: SessionQuery):
    end = None
    if query.date_to:
        from datetime import timedelta

        end = _bound(query.date_to + timedelta(days=1))
    stmt = sessions_query(
        current_api_user(),
        start=_bound(query.date_from),
        end=end,
        organization_id=query.organization_id,
    )
    items, meta = page_rows(stmt, query)
    return {"items": [SessionOut.of(s).model_dump(mode="json") for s in items], **meta}


@endpoint(
    "/sessions",
    "POST",
    summary="Schedule a session, or a weekly or monthly series of them",
    tag=TAG,
    body=SessionSchedule,
    response=SessionCreated,
    status=201,
    roles=STAFF,
    errors=(404,),
)
def create_session(body: SessionSchedule):
    created = services.schedule_session(body, actor=current_api_user())
    settle()
    outs = [SessionOut.of(s) for s in created]
    return SessionCreated(**outs[0].model_dump(), occurrences=outs)


@endpoint(
    "/sessions/<int:session_id>",
    summary="One session",
    tag=TAG,
    response=SessionOut,
    errors=(404,),
)
def get_session(session_id: int):
    return SessionOut.of(_load(session_id))


class SessionList(BaseModel):
    items: list[SessionOut]


@endpoint(
    "/sessions/<int:session_id>",
    "PATCH",
    summary="Change (move) one occurrence, or it and the rest of its series",
    tag=TAG,
    body=SessionChange,
    response=SessionList,
    roles=STAFF,
    errors=(404, 409),
)
def patch_session(session_id: int, body: SessionChange):
    changed = services.update_session(_load(session_id), body, actor=current_api_user())
    settle()
    return SessionList(items=[SessionOut.of(s) for s in changed])


@endpoint(
    "/sessions/<int:session_id>/cancel",
    "POST",
    summary="Cancel one occurrence, or it and the rest of its series",
    tag=TAG,
    body=SessionCancellation,
    response=SessionList,
    roles=STAFF,
    errors=(404, 409),
)
def cancel_session(session_id: int, body: SessionCancellation):
    changed = services.cancel_session(_load(session_id), body, actor=current_api_user())
    settle()
    return SessionList(items=[SessionOut.of(s) for s in changed])


@endpoint(
    "/sessions/<int:session_id>/registrations",
    "POST",
    summary="How many members of an invited organization will come; 409 when full",
    tag=TAG,
    body=Registration,
    response=SessionOut,
    roles=(Role.ADMIN, Role.SOCIAL_WORKER, Role.ORG_LEADER),
    errors=(403, 404, 409),
)
def register(session_id: int, body: Registration):
    session = _load(session_id)
    org = get_visible_organization_or_404(current_api_user(), body.organization_id)
    services.register(session, org, body, actor=current_api_user())
    settle()
    return SessionOut.of(session)


@endpoint(
    "/sessions/<int:session_id>/attendance",
    "POST",
    summary="Record attendance (the session then counts as held); 409 past capacity",
    tag=TAG,
    body=Attendance,
    response=SessionOut,
    roles=STAFF,
    errors=(404, 409),
)
def record_attendance(session_id: int, body: Attendance):
    session = _load(session_id)
    services.record_attendance(session, body, actor=current_api_user())
    settle()
    return SessionOut.of(session)
