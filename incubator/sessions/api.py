"""API: capacity-building sessions (with series, registrations and attendance).
Thin adapters onto ``incubator.sessions``."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from flask import abort
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from incubator.api.core import Id, PageQuery, current_api_user, endpoint, page_rows
from incubator.auth.roles import Role
from incubator.extensions import db
from incubator.i18n import local_zone
from incubator.organizations.access import get_visible_organization_or_404
from incubator.sessions import services
from incubator.sessions.holidays import day_warning
from incubator.sessions.models import Freq, SessionInvite, TrainingSession
from incubator.sessions.queries import may_see, sessions_query
from incubator.sessions.schemas import SessionCancellation
from incubator.transaction import settle

TAG = "sessions"
STAFF = (Role.ADMIN, Role.SOCIAL_WORKER)
SAFE_DAY: dict[str, Any] = {"ge": date(2000, 1, 1), "le": date(2100, 12, 31)}


class Recurrence(BaseModel):
    model_config = ConfigDict(extra="forbid")

    freq: Freq
    count: int = Field(ge=2, le=services.MAX_OCCURRENCES)


class SessionFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=100)
    topic: str = Field(default="", max_length=5000)
    dimension: str = Field(default="", max_length=32, description="A dimension key")
    trainer: str = Field(default="", max_length=100)
    starts_at: datetime = Field(description="ISO 8601 with offset")
    ends_at: datetime
    place: str = Field(default="", max_length=100)
    capacity: int = Field(ge=1, le=services.MAX_CAPACITY)
    organization_ids: list[Id] = Field(default_factory=list, max_length=200)


class SessionIn(SessionFields):
    recurrence: Recurrence | None = None


class SessionPatch(BaseModel):
    """Only the fields sent change."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(default=None, min_length=1, max_length=100)
    topic: str | None = Field(default=None, max_length=5000)
    dimension: str | None = Field(default=None, max_length=32)
    trainer: str | None = Field(default=None, max_length=100)
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    place: str | None = Field(default=None, max_length=100)
    capacity: int | None = Field(default=None, ge=1, le=services.MAX_CAPACITY)
    organization_ids: list[Id] | None = Field(default=None, max_length=200)
    version: int
    scope: str = Field(
        default="this",
        pattern="^(this|following)$",
        description="this occurrence, or it and the rest of its series",
    )


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

    @classmethod
    def of(cls, s: TrainingSession) -> SessionOut:
        user = current_api_user()
        invites = [
            i
            for i in s.invites
            if user.role != Role.ORG_LEADER or i.organization.leader_user_id == user.id
        ]
        return cls(
            id=s.id,
            series_id=s.series_id,
            sequence=s.sequence,
            title=s.title,
            topic=s.topic,
            dimension=s.dimension,
            trainer=s.trainer,
            starts_at=s.starts_at.astimezone(local_zone()),
            ends_at=s.ends_at.astimezone(local_zone()),
            place=s.place,
            capacity=s.capacity,
            state=s.state,
            state_label=s.state_label,
            organization_ids=[i.organization_id for i in invites],
            invites=[
                InviteOut(
                    organization_id=i.organization_id,
                    organization_name=i.organization.name,
                    registered=i.registered,
                    attendees=i.attendees,
                )
                for i in invites
            ],
            registered=s.registered_total,
            attendance=s.attendance_total,
            walk_ins=s.walk_ins,
            feedback_score=str(s.feedback_score)
            if s.feedback_score is not None
            else None,
            detached=s.detached,
            day_warning=day_warning(services.session_day(s)),
            version=s.version,
        )


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


def _values(body: SessionFields) -> dict:
    return body.model_dump(mode="python", exclude={"recurrence", "version", "scope"})


@endpoint(
    "/sessions",
    "POST",
    summary="Schedule a session, or a weekly or monthly series of them",
    tag=TAG,
    body=SessionIn,
    response=SessionCreated,
    status=201,
    roles=STAFF,
    errors=(404,),
)
def create_session(body: SessionIn):
    recurrence = body.recurrence.model_dump(mode="json") if body.recurrence else None
    created = services.schedule_session(
        actor=current_api_user(), recurrence=recurrence, **_values(body)
    )
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
    body=SessionPatch,
    response=SessionList,
    roles=STAFF,
    errors=(404, 409),
)
def patch_session(session_id: int, body: SessionPatch):
    values = body.model_dump(
        mode="python", exclude_unset=True, exclude={"version", "scope"}
    )
    changed = services.update_session(
        _load(session_id),
        actor=current_api_user(),
        expected_version=body.version,
        scope=body.scope,
        **values,
    )
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


class RegistrationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    organization_id: Id
    count: int = Field(ge=0, le=services.MAX_CAPACITY)


@endpoint(
    "/sessions/<int:session_id>/registrations",
    "POST",
    summary="How many members of an invited organization will come; 409 when full",
    tag=TAG,
    body=RegistrationIn,
    response=SessionOut,
    roles=(Role.ADMIN, Role.SOCIAL_WORKER, Role.ORG_LEADER),
    errors=(403, 404, 409),
)
def register(session_id: int, body: RegistrationIn):
    session = _load(session_id)
    org = get_visible_organization_or_404(current_api_user(), body.organization_id)
    services.register(session, org, actor=current_api_user(), count=body.count)
    settle()
    return SessionOut.of(session)


class AttendanceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    organization_id: Id | None = None
    attendees: int | None = Field(default=None, ge=0, le=services.MAX_CAPACITY)
    volunteer_ids: list[Id] | None = Field(
        default=None, max_length=1000, description="Named members from the roster"
    )
    walk_ins: int | None = Field(default=None, ge=0, le=services.MAX_CAPACITY)
    feedback_score: str | None = Field(default=None, max_length=5, description="1-5")
    override: bool = Field(
        default=False, description="Record more than the capacity on purpose"
    )


@endpoint(
    "/sessions/<int:session_id>/attendance",
    "POST",
    summary="Record attendance (the session then counts as held); 409 past capacity",
    tag=TAG,
    body=AttendanceIn,
    response=SessionOut,
    roles=STAFF,
    errors=(404, 409),
)
def record_attendance(session_id: int, body: AttendanceIn):
    session = _load(session_id)
    services.record_attendance(
        session, actor=current_api_user(), **body.model_dump(mode="python")
    )
    settle()
    return SessionOut.of(session)
