"""Who may see and add sign-ins, and the read models of them: a record's
attendees (names and masked phones, or only the count) and the counts of many
records at once, in a fixed number of queries.

- Admins and social workers see the attendees of every record of their
  communities (``community.scope``), by name and masked phone.
- An organization leader sees names for her own organization's activities and
  bookings only; of a session her organization was invited to, the count.
- Viewers (street office, civil affairs) see counts only, never a resident.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import contains_eager

from incubator.activities.models import Activity
from incubator.auth.models import User
from incubator.auth.roles import STAFF_ROLES, Role
from incubator.bookings.models import Booking
from incubator.community.scope import may_see_community
from incubator.extensions import db
from incubator.sessions.models import TrainingSession
from incubator.sessions.queries import may_see as may_see_session
from incubator.signins.codes import Record, kind_of
from incubator.signins.models import SIGN_IN_SOURCE_LABELS, SignIn, SignInSource

# The column of ``SignIn`` that points at each kind of record.
KIND_COLUMNS = {
    "activity": SignIn.activity_id,
    "session": SignIn.session_id,
    "booking": SignIn.booking_id,
}


def _active(user: User | None) -> bool:
    return bool(user is not None and user.is_authenticated and user.active)


def _organization_id(record: Record) -> int | None:
    if isinstance(record, Activity | Booking):
        return record.organization_id
    return None


def _leads(user: User, record: Record) -> bool:
    """``user`` leads the organization ``record`` belongs to (an activity or a
    booking of hers; never a session, which gathers several organizations)."""
    if isinstance(record, Activity):
        return record.organization.leader_user_id == user.id
    if isinstance(record, Booking):
        org = record.organization
        return org is not None and org.leader_user_id == user.id
    return False


def may_see_record(user: User | None, record: Record) -> bool:
    """Whether ``user`` may see ``record`` at all (else it is a 404): staff and
    viewers of its community, a leader her own organization's activities and
    bookings and the sessions her organization was invited to."""
    if not _active(user):
        return False
    assert user is not None
    if user.role == Role.ORG_LEADER:
        if isinstance(record, TrainingSession):
            return may_see_session(user, record)
        return _leads(user, record)
    return may_see_community(user, record.community_id)


def may_see_attendee_names(viewer: User | None, record: Record) -> bool:
    """Whether ``viewer`` sees who signed in (names, masked phones), not only
    how many: staff of the record's community, and a leader for her own
    organization's activities and bookings. Never viewers."""
    if not _active(viewer):
        return False
    assert viewer is not None
    if viewer.role in STAFF_ROLES:
        return may_see_community(viewer, record.community_id)
    if viewer.role == Role.ORG_LEADER:
        return _leads(viewer, record)
    return False


def may_add_sign_ins(actor: User | None, record: Record) -> bool:
    """Whether ``actor`` may type or import sign-ins (a paper sheet) onto
    ``record``, or remove one: the same people who see the names."""
    return may_see_attendee_names(actor, record)


@dataclass(frozen=True)
class AttendeeRow:
    id: int
    resident_id: int
    name: str
    phone: str  # masked: 138****8000
    source: str
    source_label: str
    signed_at: datetime
    erased: bool


@dataclass
class AttendeeList:
    """How many signed in to a record and, for those who may see them, who
    (``rows`` is empty when the viewer may only see the count)."""

    count: int
    rows: list[AttendeeRow] = field(default_factory=list)
    names_shown: bool = False


def record_condition(record: Record) -> ColumnElement[bool]:
    """The condition on ``SignIn`` selecting the sign-ins of ``record``."""
    return KIND_COLUMNS[kind_of(record)] == record.id


def attendees(
    record: Record,
    *,
    viewer: User | None,
    limit: int | None = None,
    offset: int = 0,
) -> AttendeeList:
    """The sign-ins of ``record`` as ``viewer`` may see them, first signed in
    first; ``limit``/``offset`` page the rows (the count is of all). Two
    queries at most, however many rows."""
    where = record_condition(record)
    count = db.session.scalar(select(func.count(SignIn.id)).where(where)) or 0
    if not may_see_attendee_names(viewer, record) or count == 0:
        return AttendeeList(count=count, names_shown=False)
    stmt = (
        select(SignIn)
        .where(where)
        .join(SignIn.resident)
        .options(contains_eager(SignIn.resident))
        .order_by(SignIn.signed_at, SignIn.id)
        .offset(offset)
    )
    if limit is not None:
        stmt = stmt.limit(limit)
    from_db = db.session.scalars(stmt).all()
    return AttendeeList(count=count, rows=[_row(s) for s in from_db], names_shown=True)


def attendee(
    record: Record, sign_in_id: int, *, viewer: User | None
) -> AttendeeRow | None:
    """One sign-in of ``record`` as ``attendees`` shows it, or ``None`` (absent,
    or the viewer may only see counts). One query."""
    if not may_see_attendee_names(viewer, record):
        return None
    sign_in = db.session.scalar(
        select(SignIn)
        .where(SignIn.id == sign_in_id, record_condition(record))
        .join(SignIn.resident)
        .options(contains_eager(SignIn.resident))
    )
    return _row(sign_in) if sign_in is not None else None


def _row(sign_in: SignIn) -> AttendeeRow:
    resident = sign_in.resident
    return AttendeeRow(
        id=sign_in.id,
        resident_id=resident.id,
        name=resident.name,
        phone=resident.phone_masked,
        source=sign_in.source,
        source_label=str(SIGN_IN_SOURCE_LABELS[SignInSource(sign_in.source)]),
        signed_at=sign_in.signed_at,
        erased=resident.erased,
    )


def sign_in_counts(kind: str, ids: list[int]) -> dict[int, int]:
    """``{record id: sign-ins}`` for records of one ``kind`` (``"activity"``,
    ``"session"``, ``"booking"``), in one query; records without sign-ins are
    absent (read ``.get(id, 0)``)."""
    if not ids:
        return {}
    column = KIND_COLUMNS[kind]
    rows = db.session.execute(
        select(column, func.count(SignIn.id))
        .where(column.in_(sorted(set(ids))))
        .group_by(column)
    ).all()
    return {int(record_id): int(n) for record_id, n in rows if record_id is not None}
