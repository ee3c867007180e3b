"""API: who signed in to an activity, a session or a booking
(``/activities/{id}/attendees`` and the same under sessions and bookings).

Out: ``{id, name, phone (masked), source, source_label, signed_at}``. Viewers,
and leaders on a record not of their own organization, get the ``total`` with
no ``items`` (counts only, as for volunteers). A record outside the caller's
scope is a 404. ``POST`` answers 201 for a new sign-in, 200 with the same row
when the resident had signed in already."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from flask import abort, jsonify
from pydantic import BaseModel, Field, field_validator
from sqlalchemy import select

from incubator.activities.models import Activity
from incubator.api.core import PageQuery, current_api_user, endpoint
from incubator.auth.roles import Role
from incubator.bookings.models import Booking
from incubator.extensions import db
from incubator.i18n import local_zone
from incubator.sessions.models import TrainingSession
from incubator.signins import services
from incubator.signins.codes import Record, code_for, sign_in_url, window
from incubator.signins.models import SignIn, SignInSource
from incubator.signins.queries import (
    AttendeeRow,
    attendee,
    attendees,
    may_add_sign_ins,
    may_see_record,
    record_condition,
)
from incubator.signins.schemas import AttendeeIn
from incubator.transaction import settle

TAG = "attendees"
WRITERS = (Role.ADMIN, Role.SOCIAL_WORKER, Role.ORG_LEADER)
KINDS: dict[str, type[Record]] = {
    "activities": Activity,
    "sessions": TrainingSession,
    "bookings": Booking,
}


class AttendeeOut(BaseModel):
    id: int
    name: str
    phone: str
    source: str
    source_label: str
    signed_at: datetime

    @field_validator("signed_at", mode="before")
    @classmethod
    def _local(cls, value):
        return value.astimezone(local_zone()) if isinstance(value, datetime) else value

    @classmethod
    def of(cls, row: AttendeeRow) -> AttendeeOut:
        return cls.model_validate(row, from_attributes=True)


class SignInCode(BaseModel):
    code: str
    url: str = Field(description="The public sign-in page the QR code opens")
    opens_at: datetime = Field(description="An hour before the start")
    closes_at: datetime = Field(description="The end of the record's local day")

    @field_validator("opens_at", "closes_at", mode="before")
    @classmethod
    def _local(cls, value):
        return value.astimezone(local_zone()) if isinstance(value, datetime) else value


class AttendeePage(BaseModel):
    items: list[AttendeeOut]
    page: int
    per_page: int
    total: int
    sign_in: SignInCode | None = Field(
        default=None,
        description="The record's sign-in code, for those who organize it "
        "(who may see the names); null for the others",
    )


def _load(kind: str, record_id: int) -> Record:
    record = cast("Record | None", db.session.get(KINDS[kind], record_id))
    if record is None or not may_see_record(current_api_user(), record):
        abort(404)
    return record


def _list(kind: str, record_id: int, query: PageQuery) -> dict:
    record = _load(kind, record_id)
    page, per_page = query.clamp()
    found = attendees(
        record,
        viewer=current_api_user(),
        limit=per_page,
        offset=(page - 1) * per_page,
    )
    code = None
    if may_add_sign_ins(current_api_user(), record):
        opens, closes = window(record)
        code = SignInCode(
            code=code_for(record),
            url=sign_in_url(record, external=True),
            opens_at=opens,
            closes_at=closes,
        ).model_dump(mode="json")
    return {
        "items": [AttendeeOut.of(r).model_dump(mode="json") for r in found.rows],
        "page": page,
        "per_page": per_page,
        "total": found.count,
        "sign_in": code,
    }


def _add(kind: str, record_id: int, body: AttendeeIn):
    record = _load(kind, record_id)
    row, created = services.sign_in(
        record, body, source=SignInSource.API, actor=current_api_user()
    )
    row_id = row.id
    settle()
    found = attendee(record, row_id, viewer=current_api_user())
    if found is None:  # pragma: no cover - who may add may see
        abort(404)
    out = AttendeeOut.of(found)
    response = jsonify(out.model_dump(mode="json"))
    response.status_code = 201 if created else 200
    return response


def _remove(kind: str, record_id: int, sign_in_id: int):
    record = _load(kind, record_id)
    sign_in = db.session.scalar(
        select(SignIn).where(SignIn.id == sign_in_id, record_condition(record))
    )
    if sign_in is None:
        abort(404)
    services.remove_sign_in(sign_in, actor=current_api_user())
    return "", 204


class RevealedPhone(BaseModel):
    id: int
    phone: str | None


def _reveal(kind: str, record_id: int, sign_in_id: int) -> RevealedPhone:
    record = _load(kind, record_id)
    sign_in = db.session.scalar(
        select(SignIn).where(SignIn.id == sign_in_id, record_condition(record))
    )
    if sign_in is None:
        abort(404)
    phone = services.reveal_phone(sign_in, actor=current_api_user())
    return RevealedPhone(id=sign_in.id, phone=phone)


def _declare(path: str, noun: str) -> None:
    """The endpoints of one kind of record (``/{path}/{<noun>_id}/attendees...``)."""
    param = f"{noun}_id"
    rule = f"/{path}/<int:{param}>/attendees"

    def list_view(query: PageQuery, **ids):
        return _list(path, ids[param], query)

    def add_view(body: AttendeeIn, **ids):
        return _add(path, ids[param], body)

    def remove_view(sign_in_id: int, **ids):
        return _remove(path, ids[param], sign_in_id)

    def reveal_view(sign_in_id: int, **ids):
        return _reveal(path, ids[param], sign_in_id)

    list_view.__name__ = f"list_{noun}_attendees"
    reveal_view.__name__ = f"reveal_{noun}_attendee_phone"
    add_view.__name__ = f"add_{noun}_attendee"
    remove_view.__name__ = f"remove_{noun}_attendee"
    endpoint(
        rule,
        summary=f"Who signed in to the {noun} (viewers: only the total)",
        tag=TAG,
        query=PageQuery,
        response=AttendeePage,
        errors=(404,),
    )(list_view)
    endpoint(
        rule,
        "POST",
        summary=f"Sign a resident in to the {noun}; 200 with the same row when "
        "already signed in",
        tag=TAG,
        body=AttendeeIn,
        response=AttendeeOut,
        status=201,
        roles=WRITERS,
        errors=(403, 404, 409),
    )(add_view)
    endpoint(
        f"{rule}/<int:sign_in_id>",
        "DELETE",
        summary=f"Remove a sign-in from the {noun}",
        tag=TAG,
        status=204,
        roles=WRITERS,
        errors=(403, 404),
    )(remove_view)

    endpoint(
        f"{rule}/<int:sign_in_id>/phone",
        "POST",
        summary=f"The full number of a resident signed in to the {noun} (audited; "
        "409 when only masked numbers are kept)",
        tag=TAG,
        response=RevealedPhone,
        roles=(Role.ADMIN, Role.SOCIAL_WORKER),
        errors=(403, 404, 409),
    )(reveal_view)


_declare("activities", "activity")
_declare("sessions", "session")
_declare("bookings", "booking")
