"""The main navigation. Each entry names the endpoint that will serve it; an entry
whose feature is not built yet shows as "coming" instead of a dead link."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from incubator.auth.permissions import may_see_residents
from incubator.auth.roles import RESIDENT_ROLES, Role


@dataclass(frozen=True)
class NavItem:
    label: object
    endpoint: str
    roles: frozenset[str] | None = None  # None: every logged-in user

    def visible_to(self, user) -> bool:
        return self.roles is None or user.role in self.roles

    @property
    def ready(self) -> bool:
        return self.endpoint in current_app.view_functions

    @property
    def url(self) -> str | None:
        return url_for(self.endpoint) if self.ready else None


MAIN_NAV = (
    NavItem(_l("Organizations"), "organizations.index"),
    # viewers see no resident, so no roster (issue 13)
    NavItem(_l("Volunteers"), "volunteers.index", RESIDENT_ROLES),
    NavItem(_l("Activities"), "activities.index"),
    NavItem(_l("Micro-ventures"), "ventures.index"),
    NavItem(_l("Capacity building"), "sessions.index"),
    # 场地: staff and viewers land on the room-by-day grid, leaders on their own
    # bookings (with "book a room"); the grid is a button away for them too.
    NavItem(
        _l("Rooms and bookings"),
        "bookings.index",
        frozenset({Role.ADMIN, Role.SOCIAL_WORKER, Role.VIEWER}),
    ),
    NavItem(_l("Rooms and bookings"), "bookings.mine", frozenset({Role.ORG_LEADER})),
    NavItem(
        _l("My work"),
        "followups.mine",
        frozenset({Role.ADMIN, Role.SOCIAL_WORKER}),
    ),
    NavItem(
        _l("Follow-ups"),
        "followups.index",
        frozenset({Role.ADMIN, Role.SOCIAL_WORKER}),
    ),
    NavItem(_l("Calendar"), "calendar.month"),
    NavItem(_l("Reports"), "reports.index"),
)

ADMIN_NAV = (
    NavItem(_l("Users"), "admin.users", frozenset({Role.ADMIN})),
    NavItem(_l("Communities"), "communities_admin.index", frozenset({Role.ADMIN})),
    NavItem(
        _l("Incubation settings"), "incubation_admin.index", frozenset({Role.ADMIN})
    ),
    NavItem(_l("Follow-up cadence"), "followups.cadence", frozenset({Role.ADMIN})),
    NavItem(_l("Reminders and jobs"), "reminders_admin.index", frozenset({Role.ADMIN})),
    NavItem(_l("Audit trail"), "audit.index", frozenset({Role.ADMIN})),
    NavItem(_l("Residents"), "residents_admin.residents", frozenset({Role.ADMIN})),
)


def nav_for(user) -> dict[str, list[NavItem]]:
    if not user.is_authenticated:
        return {"main": [], "admin": []}
    return {
        "main": [item for item in MAIN_NAV if item.visible_to(user)],
        "admin": [item for item in ADMIN_NAV if item.visible_to(user)],
    }


def init_app(app) -> None:
    # templates ask ``may_see_residents(current_user)`` before naming a resident
    app.jinja_env.globals["may_see_residents"] = may_see_residents

    @app.context_processor
    def _navigation():
        from flask import has_request_context

        if not has_request_context():  # an email rendered by a job
            return {}
        return {"navigation": nav_for(current_user)}
