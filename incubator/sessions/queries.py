"""The sessions a user may see: staff and viewers those of the communities in
their scope; an org leader those their organizations are invited to; and the
read model a session's page and its API resource share (``SessionView``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from incubator.auth.models import User
from incubator.auth.roles import STAFF_ROLES, Role
from incubator.community.scope import in_scope, in_scope_of, may_see_community
from incubator.extensions import db
from incubator.i18n import local_date
from incubator.organizations.models import Organization
from incubator.sessions.holidays import day_warning
from incubator.sessions.models import SessionInvite, SessionState, TrainingSession


def visible_condition(user: User):
    if user.role == Role.ORG_LEADER:
        return TrainingSession.id.in_(
            select(SessionInvite.session_id)
            .join(Organization, Organization.id == SessionInvite.organization_id)
            .where(Organization.leader_user_id == user.id)
        )
    return in_scope(TrainingSession.community_id, user)


def sessions_query(
    user: User,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    organizer_id: int | None = None,
    organization_id: int | None = None,
) -> Select:
    stmt = (
        select(TrainingSession)
        .where(visible_condition(user))
        .options(
            selectinload(TrainingSession.invites).joinedload(SessionInvite.organization)
        )
        .order_by(TrainingSession.starts_at, TrainingSession.id)
    )
    if start is not None:
        stmt = stmt.where(TrainingSession.starts_at >= start)
    if end is not None:
        stmt = stmt.where(TrainingSession.starts_at < end)
    if organizer_id:
        stmt = stmt.where(TrainingSession.organizer_id == organizer_id)
    if organization_id:
        stmt = stmt.where(
            TrainingSession.id.in_(
                select(SessionInvite.session_id).where(
                    SessionInvite.organization_id == organization_id
                )
            )
        )
    return stmt


def may_see(user: User, session: TrainingSession) -> bool:
    if user.role != Role.ORG_LEADER:
        return may_see_community(user, session.community_id)
    return any(i.organization.leader_user_id == user.id for i in session.invites)


def scheduled_by_organizer(start: datetime, end: datetime) -> dict[int | None, int]:
    """How many sessions each organizer has scheduled (not cancelled or held)
    starting in ``[start, end)``."""
    return dict(
        db.session.execute(
            select(TrainingSession.organizer_id, func.count())
            .where(
                TrainingSession.state == SessionState.SCHEDULED,
                TrainingSession.starts_at >= start,
                TrainingSession.starts_at < end,
                in_scope_of(TrainingSession.community_id, TrainingSession.organizer_id),
            )
            .group_by(TrainingSession.organizer_id)
        ).all()
    )


@dataclass
class InviteView:
    """An invitation as a session's page and API resource show it: with the
    organization's name. Reads the invitation's own columns through."""

    invite: SessionInvite

    def __getattr__(self, name: str):
        return getattr(self.invite, name)

    @property
    def organization_name(self) -> str:
        return self.invite.organization.name


@dataclass
class SessionView:
    """A session as its page and its API resource show it to a user: the
    invitations the user may see (an org leader only their own organizations'
    numbers, not the others'), the totals (of every invitation) and, for staff
    only, the warning for its day (a holiday, a weekend). Reads the session's own
    columns through (``view.title``)."""

    session: TrainingSession
    invites: list[InviteView]
    day_warning: str | None

    def __getattr__(self, name: str):
        return getattr(self.session, name)

    @property
    def organization_ids(self) -> list[int]:
        return [i.organization_id for i in self.invites]

    @property
    def registered(self) -> int:
        return self.session.registered_total

    @property
    def attendance(self) -> int:
        return self.session.attendance_total


def session_view(user: User, session: TrainingSession) -> SessionView:
    """``session`` as ``user`` sees it (its invitations loaded with their
    organizations, as ``sessions_query`` loads them)."""
    invites = [
        InviteView(i)
        for i in session.invites
        if user.role != Role.ORG_LEADER or i.organization.leader_user_id == user.id
    ]
    return SessionView(
        session=session,
        invites=invites,
        # the holiday warning helps staff plan; leaders and viewers only attend
        day_warning=(
            day_warning(local_date(session.starts_at))
            if user.role in STAFF_ROLES
            else None
        ),
    )
