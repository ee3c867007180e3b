"""The main pages of each role on the demo, for the browser tests that walk them all
(phone layouts, 大字 mode, axe-core). One list, so a page added here is checked by every
such test.

``main_pages(username)`` answers ``[(name, path), ...]``: the pages that user reaches
from the navigation and the first record of each list the user may open. Record ids
are looked up in the demo database (call it inside the app context of ``live_server``).
"""

from __future__ import annotations

from sqlalchemy import select

from incubator.activities.models import Activity
from incubator.auth.models import User
from incubator.bookings.models import Booking
from incubator.community.scope import in_scope
from incubator.extensions import db
from incubator.organizations.models import Organization
from incubator.sessions.models import TrainingSession
from incubator.ventures.models import Venture
from incubator.volunteers.models import Volunteer

DEMO_PASSWORD = "heshan2026"  # noqa: S105 - the published demo password

# one login per role, the ones the walks use
ROLE_LOGINS = {
    "admin": "admin",
    "social_worker": "sw_lin",
    "org_leader": "leader_wu",
    "viewer": "viewer",
}

_STAFF = ("admin", "social_worker")

# (name, path, roles that reach it)
_LISTS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("home", "/", ("admin", "social_worker", "org_leader", "viewer")),
    (
        "organizations",
        "/organizations",
        ("admin", "social_worker", "org_leader", "viewer"),
    ),
    ("board", "/organizations/board", _STAFF + ("viewer",)),
    ("caseload", "/organizations/caseload", _STAFF),
    ("volunteers", "/volunteers", ("admin", "social_worker", "org_leader")),
    ("hours", "/volunteers/hours", ("admin", "social_worker", "org_leader")),
    ("activities", "/activities", ("admin", "social_worker", "org_leader", "viewer")),
    ("review-queue", "/activities/review", _STAFF),
    (
        "activity-calendar",
        "/activities/calendar",
        ("admin", "social_worker", "org_leader", "viewer"),
    ),
    ("resources", "/resources", _STAFF + ("viewer",)),
    ("ventures", "/ventures", ("admin", "social_worker", "org_leader", "viewer")),
    ("sessions", "/sessions", ("admin", "social_worker", "org_leader", "viewer")),
    ("rooms", "/bookings", ("admin", "social_worker", "org_leader", "viewer")),
    ("booking-queue", "/bookings/queue", _STAFF),
    ("my-bookings", "/bookings/mine", _STAFF + ("org_leader",)),
    ("book-a-room", "/bookings/new", _STAFF + ("org_leader",)),
    ("room-uses", "/bookings/uses", _STAFF + ("viewer",)),
    ("my-work", "/followups/mine", _STAFF),
    ("followups", "/followups", _STAFF),
    ("calendar", "/calendar", ("admin", "social_worker", "org_leader", "viewer")),
    ("reports", "/reports", ("admin", "social_worker", "org_leader", "viewer")),
    ("monthly", "/reports/monthly", _STAFF + ("viewer",)),
    ("projects", "/reports/projects", _STAFF + ("viewer",)),
    (
        "notifications",
        "/notifications",
        ("admin", "social_worker", "org_leader", "viewer"),
    ),
    ("users", "/admin/users", ("admin",)),
    ("communities", "/admin/communities", ("admin",)),
    ("reminders-admin", "/admin/reminders", ("admin",)),
    ("audit", "/admin/audit", ("admin",)),
    ("residents", "/admin/residents", ("admin",)),
)


def _first(statement):
    return db.session.scalars(statement.limit(1)).first()


def main_pages(username: str) -> list[tuple[str, str]]:
    """The main pages of ``username`` (a demo login), lists first, then one record of
    each kind the user may open. Needs an app context on the demo database."""
    user = db.session.scalars(select(User).where(User.username == username)).one()
    role = user.role
    pages = [(name, path) for name, path, roles in _LISTS if role in roles]
    orgs = select(Organization).order_by(Organization.id)
    if role == "org_leader":
        orgs = orgs.where(Organization.leader_user_id == user.id)
    org = _first(orgs)
    if org is not None:
        pages.append(("organization", f"/organizations/{org.id}"))
        if role != "viewer":
            pages.append(("roster", f"/volunteers/organization/{org.id}"))
        activity = _first(
            select(Activity)
            .where(Activity.organization_id == org.id)
            .order_by(Activity.id.desc())
        )
        if activity is not None:
            pages.append(("activity", f"/activities/{activity.id}"))
            if role != "viewer":
                pages.append(("activity-form", f"/activities/{activity.id}/edit"))
                # the organizer's sign-in pages (staff, the leader of her own)
                pages.append(("sign-in-code", f"/signins/activity/{activity.id}/code"))
                pages.append(
                    ("sign-in-paper", f"/signins/activity/{activity.id}/paper")
                )
        venture = _first(select(Venture).where(Venture.organization_id == org.id))
        if venture is not None:
            pages.append(("venture", f"/ventures/{venture.id}"))
        if role != "viewer":
            volunteer = _first(select(Volunteer).order_by(Volunteer.id))
            if volunteer is not None and role != "org_leader":
                pages.append(("volunteer", f"/volunteers/{volunteer.id}"))
    bookings = (
        select(Booking).where(in_scope(Booking.community_id, user)).order_by(Booking.id)
    )
    if role == "org_leader":
        bookings = bookings.where(Booking.organization_id == (org.id if org else 0))
    booking = _first(bookings)
    if booking is not None:
        pages.append(("booking", f"/bookings/{booking.id}"))
    session = _first(select(TrainingSession).order_by(TrainingSession.id))
    if session is not None:
        pages.append(("session", f"/sessions/{session.id}"))
    if role != "viewer":
        pages.append(("new-activity", "/activities/new"))
    return pages
