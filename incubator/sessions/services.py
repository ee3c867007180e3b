"""Scheduling capacity-building sessions (one, or a weekly or monthly series),
moving or cancelling one occurrence or the rest of a series, registrations by org
leaders and attendance. Pages, the API and the demo call these; they flush and
audit, never commit."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from incubator import signals
from incubator.audit import services as audit
from incubator.auth.models import User
from incubator.auth.roles import STAFF_ROLES, Role
from incubator.community.models import Room
from incubator.community.scope import community_for_new
from incubator.database import serialize_on, utcnow
from incubator.errors import NotPermitted, RuleViolation, StaleRecord, ValidationFailed
from incubator.extensions import db
from incubator.i18n import local_zone
from incubator.organizations.incubation import dimensions
from incubator.organizations.models import Organization
from incubator.periods import add_months
from incubator.sessions.models import (
    Freq,
    SessionAttendee,
    SessionInvite,
    SessionSeries,
    SessionState,
    TrainingSession,
)
from incubator.sessions.schemas import (
    FIELDS,
    Attendance,
    Registration,
    SessionCancellation,
    SessionChange,
    SessionSchedule,
    check_times,
)
from incubator.volunteers.models import Membership


def _staff(actor: User) -> None:
    if actor.role not in STAFF_ROLES:
        raise NotPermitted(_l("Social workers schedule capacity-building sessions."))


def _dimension(key: str | None) -> str:
    """A configured capacity dimension's key, or none."""
    if key and key not in {d.key for d in dimensions()}:
        raise ValidationFailed(_l("Please choose one."), field="dimension")
    return key or ""


def occurrences(starts: datetime, freq: str | None, count: int) -> list[datetime]:
    """The start of each occurrence, in the project's time zone: weekly, or monthly
    on the same day (the 31st falls on the last day of a shorter month)."""
    local = starts.astimezone(local_zone())
    if not freq:
        return [starts]
    result = []
    for k in range(count):
        if freq == Freq.WEEKLY:
            day = local.date() + timedelta(weeks=k)
        else:
            day = add_months(local.date(), k)
        result.append(
            datetime.combine(day, local.timetz()).replace(tzinfo=local_zone())
        )
    return result


def _check_room(room_id: int | None, community_id: int | None) -> None:
    """A centre room named for a session: open, of the session's community."""
    if room_id is None:
        return
    room = db.session.get(Room, room_id)
    if room is None or room.archived or room.community_id != community_id:
        raise ValidationFailed(
            _l("Choose an open room of the session's community centre."),
            field="room_id",
        )


def _tell(sessions: list[TrainingSession], action: str, actor: User) -> None:
    """Tell the features above (bookings) what happened to each session."""
    for session in sessions:
        signals.session_saved.send(session, action=action, actor=actor)


def _organizations(ids) -> list[Organization]:
    wanted = sorted({int(i) for i in ids or ()})
    if not wanted:
        return []
    orgs = db.session.scalars(
        select(Organization).where(
            Organization.id.in_(wanted), Organization.archived_at.is_(None)
        )
    ).all()
    if len(orgs) != len(wanted):
        raise ValidationFailed(_l("Unknown organization."), field="organization_ids")
    return list(orgs)


def schedule_session(
    schedule: SessionSchedule, *, actor: User
) -> list[TrainingSession]:
    """One session, or a series (``schedule.recurrence``: weekly or monthly, ``n``
    times) of ``n`` sessions sharing a ``series_id``. Returns them in order."""
    _staff(actor)
    clean = schedule.details()
    clean["dimension"] = _dimension(schedule.dimension)
    starts_at, ends_at = schedule.starts_at, schedule.ends_at
    orgs = _organizations(schedule.organization_ids)
    community_id = community_for_new(actor, schedule.community_id)
    freq: str | None = None
    count = 1
    if schedule.recurrence:
        freq, count = schedule.recurrence.freq, schedule.recurrence.count
    series = None
    if freq:
        series = SessionSeries(freq=freq, count=count, created_by_id=actor.id)
        db.session.add(series)
        db.session.flush()
    length = ends_at - starts_at
    sessions = []
    for sequence, start in enumerate(occurrences(starts_at, freq, count), start=1):
        session = TrainingSession(
            series_id=series.id if series else None,
            sequence=sequence,
            starts_at=start,
            ends_at=start + length,
            organizer_id=actor.id,
            community_id=community_id,
            invites=[SessionInvite(organization_id=o.id) for o in orgs],
            **clean,
        )
        db.session.add(session)
        sessions.append(session)
    db.session.flush()
    _check_room(clean["room_id"], sessions[0].community_id)
    for session in sessions:
        audit.record(
            "create",
            session,
            actor=actor,
            changes={
                "title": [None, session.title],
                "starts_at": [None, session.starts_at.isoformat()],
                "organization_ids": [None, [o.id for o in orgs]],
                "series_id": [None, session.series_id],
            },
        )
    db.session.flush()
    _tell(sessions, "scheduled", actor)
    return sessions


def _following(
    session: TrainingSession, *, with_detached: bool = False
) -> list[TrainingSession]:
    """This occurrence and the later ones of its series still scheduled (and, for
    changes, not changed on their own)."""
    if session.series_id is None:
        return [session]
    stmt = select(TrainingSession).where(
        TrainingSession.series_id == session.series_id,
        TrainingSession.sequence > session.sequence,
        TrainingSession.state == SessionState.SCHEDULED,
    )
    if not with_detached:
        stmt = stmt.where(TrainingSession.detached.is_(False))
    later = db.session.scalars(stmt.order_by(TrainingSession.sequence)).all()
    return [session, *later]


def _flush(message=None) -> None:
    try:
        db.session.flush()
    except StaleDataError:
        raise StaleRecord(
            message
            or _l("Someone else changed this session at the same moment; reload it.")
        ) from None


def update_session(
    session: TrainingSession, change: SessionChange, *, actor: User
) -> list[TrainingSession]:
    """Change one occurrence (``scope="this"``: it leaves the series' later
    changes) or it and the rest of its series (``"following"``: a new time moves
    each by the same shift). Returns the sessions changed."""
    _staff(actor)
    if change.version != session.version:
        raise StaleRecord(
            _l("Someone else changed this session after you opened it; reload it.")
        )
    if session.state != SessionState.SCHEDULED:
        raise RuleViolation(_l("Only a scheduled session can be changed."))
    scope = change.scope
    clean = {f: getattr(session, f) for f in FIELDS}
    clean.update(change.changes())
    clean["dimension"] = _dimension(clean["dimension"])
    if clean["room_id"] != session.room_id:
        _check_room(clean["room_id"], session.community_id)
    new_start = change.starts_at or session.starts_at
    new_end = change.ends_at or new_start + (session.ends_at - session.starts_at)
    check_times(new_start, new_end)
    organization_ids = change.organization_ids
    length = new_end - new_start
    orgs = None if organization_ids is None else _organizations(organization_ids)
    targets = _following(session) if scope == "following" else [session]
    starts = {session.id: new_start}
    if scope == "following" and session.series_id is not None:
        # Each later occurrence keeps its place in the series from the new first
        # one: monthly on the same day (clamped), weekly on the same weekday.
        series = db.session.get_one(SessionSeries, session.series_id)
        plan = occurrences(new_start, series.freq, series.count)
        for target in targets:
            index = target.sequence - session.sequence
            if 0 <= index < len(plan):
                starts[target.id] = plan[index]
    for target in targets:
        registered = sum(i.registered or 0 for i in target.invites)
        if clean["capacity"] < registered:
            raise RuleViolation(
                _l(
                    "%(n)d places are already registered; the capacity cannot be less.",
                    n=registered,
                ),
                field="capacity",
            )
        for key, value in clean.items():
            setattr(target, key, value)
        target.starts_at = starts.get(target.id, target.starts_at)
        target.ends_at = target.starts_at + length
        if orgs is not None:
            _set_invites(target, orgs)
        if scope == "this" and target.series_id is not None:
            target.detached = True
        changes = audit.pending_changes(target)
        if orgs is not None:
            changes["organization_ids"] = [None, sorted(o.id for o in orgs)]
        audit.record("update", target, actor=actor, changes=changes, summary=scope)
    _flush()
    _tell(targets, "changed", actor)
    return targets


def _set_invites(session: TrainingSession, orgs: list[Organization]) -> None:
    wanted = {o.id for o in orgs}
    for invite in list(session.invites):
        if invite.organization_id not in wanted and not invite.registered:
            session.invites.remove(invite)
    have = {i.organization_id for i in session.invites}
    for org in orgs:
        if org.id not in have:
            session.invites.append(SessionInvite(organization_id=org.id))


def cancel_session(
    session: TrainingSession, cancellation: SessionCancellation, *, actor: User
) -> list[TrainingSession]:
    """Cancel ``session`` (or it and the rest of its series); only a scheduled
    one. Returns the sessions cancelled."""
    _staff(actor)
    if session.state != SessionState.SCHEDULED:
        raise RuleViolation(_l("Only a scheduled session can be cancelled."))
    reason, scope = cancellation.reason, cancellation.scope
    targets = (
        _following(session, with_detached=True) if scope == "following" else [session]
    )
    for target in targets:
        target.state = SessionState.CANCELLED
        target.cancel_reason = reason[:2000]
        audit.record("cancel", target, actor=actor, summary=scope)
    _flush()
    _tell(targets, "cancelled", actor)
    return targets


def register(
    session: TrainingSession,
    org: Organization,
    registration: Registration,
    *,
    actor: User,
) -> SessionInvite:
    """An invited organization says how many members will come (0 withdraws).
    A full session says how many places are left."""
    if not (
        actor.role in STAFF_ROLES
        or (actor.role == Role.ORG_LEADER and org.leader_user_id == actor.id)
    ):
        raise NotPermitted(_l("Only the organization's leader registers its members."))
    begun = session.starts_at <= utcnow()
    # Once it has begun only staff record registrations (e.g. from a paper list).
    if session.state == SessionState.CANCELLED or (
        begun and actor.role not in STAFF_ROLES
    ):
        raise RuleViolation(_l("Registration is closed for this session."))
    invite = next((i for i in session.invites if i.organization_id == org.id), None)
    if invite is None:
        raise NotPermitted(_l("The organization is not invited to this session."))
    count = registration.count
    serialize_on(f"session:{session.id}")
    db.session.refresh(session)
    others = sum(
        i.registered or 0 for i in session.invites if i.organization_id != org.id
    )
    left = session.capacity - others
    if count > left:
        raise RuleViolation(
            _l(
                "The session is full: %(left)d of %(capacity)d places are left.",
                left=max(left, 0),
                capacity=session.capacity,
            ),
            field="count",
        )
    invite.registered = count
    invite.registered_by_id = actor.id
    audit.record(
        "register",
        session,
        actor=actor,
        changes={"registered": [None, {str(org.id): count}]},
    )
    _flush()
    return invite


def record_attendance(
    session: TrainingSession, attendance: Attendance, *, actor: User
) -> TrainingSession:
    """Who came: a headcount for an invited organization, or its named members
    (the count follows from them), people from no organization (``walk_ins``), and
    the average feedback score (1-5). Once recorded the session counts as held.
    The total cannot pass the capacity unless ``override`` is given on purpose."""
    _staff(actor)
    if session.state == SessionState.CANCELLED:
        raise RuleViolation(_l("A cancelled session has no attendance."))
    if session.starts_at > utcnow():
        raise RuleViolation(_l("Attendance is recorded once the session has begun."))
    organization_id = attendance.organization_id
    if organization_id is not None:
        invite = next(
            (i for i in session.invites if i.organization_id == organization_id), None
        )
        if invite is None:
            raise ValidationFailed(
                _l("The organization is not invited to this session."),
                field="organization_id",
            )
        if attendance.volunteer_ids is not None:
            invite.attendees = _named(
                session, organization_id, attendance.volunteer_ids
            )
        else:
            # a headcount replaces any names recorded before
            db.session.execute(
                SessionAttendee.__table__.delete().where(
                    SessionAttendee.session_id == session.id,
                    SessionAttendee.organization_id == organization_id,
                )
            )
            invite.attendees = attendance.attendees
    if attendance.walk_ins is not None:
        session.walk_ins = attendance.walk_ins
    if attendance.score is not None:
        session.feedback_score = attendance.score
    total = session.attendance_total
    if total > session.capacity and not attendance.override:
        raise RuleViolation(
            _l(
                "%(total)d attendees exceed the capacity of %(capacity)d; tick "
                '"over capacity on purpose" if that is what happened.',
                total=total,
                capacity=session.capacity,
            ),
            field="attendees",
        )
    session.capacity_overridden = total > session.capacity
    session.state = SessionState.HELD
    changes = audit.pending_changes(session)
    changes["attendees"] = [
        None,
        {str(i.organization_id): i.attendees for i in session.invites},
    ]
    audit.record("attendance", session, actor=actor, changes=changes)
    _flush()
    _tell([session], "held", actor)
    return session


def record_attendance_sheet(
    session: TrainingSession,
    organizations: list[Attendance],
    rest: Attendance,
    *,
    actor: User,
) -> TrainingSession:
    """The attendance page at once: for each organization a headcount or the
    named members, then walk-ins and feedback (``rest``); the capacity is checked
    on the total (``rest.override`` passes it on purpose)."""
    for entry in organizations:
        record_attendance(
            session, entry.model_copy(update={"override": True}), actor=actor
        )
    return record_attendance(session, rest, actor=actor)


def _named(session: TrainingSession, organization_id: int, volunteer_ids) -> int:
    wanted = sorted({int(v) for v in volunteer_ids})
    members = set(
        db.session.scalars(
            select(Membership.volunteer_id).where(
                Membership.organization_id == organization_id,
                Membership.volunteer_id.in_(wanted or [0]),
            )
        )
    )
    if set(wanted) - members:
        raise ValidationFailed(
            _l("Only members on the organization's roster can be named."),
            field="volunteer_ids",
        )
    elsewhere = db.session.scalar(
        select(SessionAttendee.id).where(
            SessionAttendee.session_id == session.id,
            SessionAttendee.organization_id != organization_id,
            SessionAttendee.volunteer_id.in_(wanted or [0]),
        )
    )
    if elsewhere is not None:
        raise ValidationFailed(
            _l("A member is named for two organizations; name each person once."),
            field="volunteer_ids",
        )
    db.session.execute(
        SessionAttendee.__table__.delete().where(
            SessionAttendee.session_id == session.id,
            SessionAttendee.organization_id == organization_id,
        )
    )
    for volunteer_id in wanted:
        db.session.add(
            SessionAttendee(
                session_id=session.id,
                organization_id=organization_id,
                volunteer_id=volunteer_id,
            )
        )
    return len(wanted)


def session_day(session: TrainingSession) -> date:
    return session.starts_at.astimezone(local_zone()).date()
