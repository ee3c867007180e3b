"""Who sees which bookings: staff and viewers those of the communities in their
scope (bookings hold no residents' data), an organization leader her own
organizations' bookings. A booking outside this answers 404."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, select

from incubator.auth.models import User
from incubator.auth.roles import Role
from incubator.bookings.models import Booking
from incubator.community.models import Room
from incubator.community.scope import in_scope, may_see_community
from incubator.organizations.models import Organization


def booking_scope(user: User | None) -> ColumnElement[bool]:
    """A condition on ``Booking``: the bookings ``user`` may read."""
    if user is None or not user.is_authenticated or not user.active:
        return false()
    if user.role == Role.ORG_LEADER:
        led = select(Organization.id).where(Organization.leader_user_id == user.id)
        return Booking.organization_id.in_(led)
    return in_scope(Booking.community_id, user)


def may_see_booking(user: User | None, booking: Booking) -> bool:
    if user is None or not user.is_authenticated or not user.active:
        return False
    if user.role == Role.ORG_LEADER:
        org = booking.organization
        return org is not None and org.leader_user_id == user.id
    return may_see_community(user, booking.community_id)


def room_scope(user: User | None) -> ColumnElement[bool]:
    """A condition on ``Room``: staff and viewers read the rooms of their scope,
    an organization leader those of her organizations' communities."""
    if user is None or not user.is_authenticated or not user.active:
        return false()
    if user.role == Role.ORG_LEADER:
        led = select(Organization.community_id).where(
            Organization.leader_user_id == user.id
        )
        return Room.community_id.in_(led)
    return in_scope(Room.community_id, user)
