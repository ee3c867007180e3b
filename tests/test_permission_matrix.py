"""Every route × every role (and anonymous, and the leader of another organization)
with its expected status. The routes come from the URL map, so a route added without
an entry here fails ``test_every_route_has_an_entry``."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

import pytest

from incubator import workflow
from incubator.activities import services as activity_services
from incubator.activities.schemas import ActivityLog, ResourceEntry
from incubator.followups.schemas import FollowUpPlan
from incubator.organizations import records
from incubator.organizations.incubation import dimensions
from incubator.volunteers import certificates, hours
from incubator.volunteers import services as volunteer_services
from incubator.volunteers.models import RosterImport
from incubator.volunteers.schemas import VolunteerRegistration
from tests.conftest import DEFAULT_PASSWORD, login
from tests.images import png_bytes

ROLES = ("anonymous", "admin", "social_worker", "org_leader", "other_leader", "viewer")
STAFF = {"admin": 200, "social_worker": 200}
STAFF_REDIRECT = {"admin": 302, "social_worker": 302}
STAFF_400 = {"admin": 400, "social_worker": 400}
READ = {"anonymous": 302, "admin": 200, "social_worker": 200, "viewer": 200}
ORGANIZE = {"anonymous": 302, "viewer": 403, "other_leader": 404, "*": 200}
EDIT_VOLUNTEER = {"anonymous": 302, "viewer": 403, "other_leader": 404, "*": 200}
CHANGE_VOLUNTEER = {"anonymous": 302, "viewer": 403, "other_leader": 404, "*": 302}
ATTENDEES = {"anonymous": 401, "other_leader": 404, "*": 200}
ADD_ATTENDEE = {"anonymous": 401, "viewer": 403, "*": 400}

# (endpoint, method) -> {role or "*": status}. "*" is every role not named.
MATRIX: dict[tuple[str, str], dict[str, int]] = {
    ("static", "GET"): {"*": 200},
    ("bootstrap.static", "GET"): {"*": 200},
    ("main.home", "GET"): {"anonymous": 302, "*": 200},
    ("main.set_language", "GET"): {"*": 302},
    ("pwa.service_worker", "GET"): {"*": 200},
    ("pwa.manifest", "GET"): {"*": 200},
    ("pwa.offline", "GET"): {"*": 200},
    # probes for the load balancer (issue 18): no login, answer for everyone
    ("health.healthz", "GET"): {"*": 200},
    # the suite's schema comes from create_all, not the migrations: not at head
    ("health.readyz", "GET"): {"*": 503},
    ("auth.large_text", "POST"): {"*": 302},
    ("auth.login", "GET"): {"anonymous": 200, "*": 302},
    ("auth.login", "POST"): {"anonymous": 200, "*": 302},
    ("auth.logout", "POST"): {"*": 302},
    ("auth.change_password", "GET"): {"anonymous": 302, "*": 200},
    ("auth.change_password", "POST"): {"anonymous": 302, "*": 200},
    ("admin.users", "GET"): {"anonymous": 302, "admin": 200, "*": 403},
    ("admin.user_new", "GET"): {"anonymous": 302, "admin": 200, "*": 403},
    ("admin.user_new", "POST"): {"anonymous": 302, "admin": 200, "*": 403},
    ("admin.user_edit", "GET"): {"anonymous": 302, "admin": 200, "*": 403},
    ("admin.user_edit", "POST"): {"anonymous": 302, "admin": 200, "*": 403},
    ("admin.user_password", "GET"): {"anonymous": 302, "admin": 200, "*": 403},
    ("admin.user_password", "POST"): {"anonymous": 302, "admin": 200, "*": 403},
    ("admin.user_active", "POST"): {"anonymous": 302, "admin": 302, "*": 403},
    ("audit.index", "GET"): {"anonymous": 302, "admin": 200, "*": 403},
    ("api.create_token", "POST"): {"*": 400},
    ("api.revoke_current_token", "DELETE"): {"anonymous": 401, "*": 204},
    ("api.me", "GET"): {"anonymous": 401, "*": 200},
    ("api.list_users", "GET"): {"anonymous": 401, "admin": 200, "*": 403},
    ("api.create_user", "POST"): {"anonymous": 401, "admin": 400, "*": 403},
    # Another user's account: admins only (anyone may read their own).
    ("api.get_user", "GET"): {"anonymous": 401, "admin": 200, "*": 404},
    ("api.patch_user", "PATCH"): {"anonymous": 401, "admin": 400, "*": 403},
    ("api.openapi_json", "GET"): {"*": 200},
    # organizations: the world's organization is led by "org_leader", owned by
    # "social_worker"; "other_leader" leads another one.
    ("organizations.index", "GET"): {"anonymous": 302, "*": 200},
    ("organizations.export", "GET"): {**READ, "org_leader": 403, "other_leader": 403},
    ("organizations.board", "GET"): {**READ, "org_leader": 403, "other_leader": 403},
    ("organizations.caseload", "GET"): {"anonymous": 302, **STAFF, "*": 403},
    ("organizations.new", "GET"): {"anonymous": 302, **STAFF, "*": 403},
    ("organizations.new", "POST"): {"anonymous": 302, **STAFF, "*": 403},
    ("organizations.detail", "GET"): {"anonymous": 302, "other_leader": 404, "*": 200},
    ("organizations.edit", "GET"): {
        "anonymous": 302,
        "viewer": 403,
        "other_leader": 404,
        "*": 200,
    },
    ("organizations.edit", "POST"): {
        "anonymous": 302,
        "viewer": 403,
        "other_leader": 404,
        "*": 200,
    },
    ("organizations.change_stage", "POST"): {
        "anonymous": 302,
        **STAFF_REDIRECT,
        "*": 403,
    },
    ("organizations.new_assessment", "GET"): {"anonymous": 302, **STAFF, "*": 403},
    ("organizations.new_assessment", "POST"): {"anonymous": 302, **STAFF, "*": 403},
    ("organizations.assessment", "GET"): {
        "anonymous": 302,
        "other_leader": 404,
        "*": 200,
    },
    ("organizations.add_note", "POST"): {"anonymous": 302, **STAFF_REDIRECT, "*": 403},
    ("organizations.archive", "POST"): {"anonymous": 302, **STAFF_REDIRECT, "*": 403},
    ("organizations.timeline", "GET"): {**READ, "org_leader": 403, "other_leader": 403},
    ("incubation_admin.index", "GET"): {"anonymous": 302, "admin": 200, "*": 403},
    ("incubation_admin.save_stages", "POST"): {
        "anonymous": 302,
        "admin": 302,
        "*": 403,
    },
    ("incubation_admin.save_dimensions", "POST"): {
        "anonymous": 302,
        "admin": 302,
        "*": 403,
    },
    ("incubation_admin.save_criteria", "POST"): {
        "anonymous": 302,
        "admin": 302,
        "*": 403,
    },
    ("api.list_organizations", "GET"): {"anonymous": 401, "*": 200},
    ("api.create_organization", "POST"): {"anonymous": 401, **STAFF_400, "*": 403},
    ("api.get_organization", "GET"): {"anonymous": 401, "other_leader": 404, "*": 200},
    ("api.patch_organization", "PATCH"): {"anonymous": 401, "viewer": 403, "*": 400},
    ("api.change_stage", "POST"): {"anonymous": 401, **STAFF_400, "*": 403},
    ("api.stage_history", "GET"): {"anonymous": 401, "other_leader": 404, "*": 200},
    ("api.timeline", "GET"): {
        "anonymous": 401,
        "org_leader": 403,
        "other_leader": 403,
        "*": 200,
    },
    ("api.list_assessments", "GET"): {"anonymous": 401, "other_leader": 404, "*": 200},
    ("api.create_assessment", "POST"): {"anonymous": 401, **STAFF_400, "*": 403},
    ("api.list_notes", "GET"): {"anonymous": 401, **STAFF, "*": 403},
    ("api.create_note", "POST"): {"anonymous": 401, **STAFF_400, "*": 403},
    # volunteers: the world's volunteer is in the world's organization. Viewers see
    # no resident: every roster, volunteer, hours and certificate page is 403.
    ("volunteers.index", "GET"): {"anonymous": 302, "viewer": 403, "*": 200},
    ("volunteers.search", "POST"): {"viewer": 403, "*": 302},
    ("volunteers.export", "GET"): {"anonymous": 302, "viewer": 403, "*": 200},
    ("volunteers.new", "GET"): {"anonymous": 302, "viewer": 403, "*": 200},
    ("volunteers.new", "POST"): {"anonymous": 302, "viewer": 403, "*": 200},
    ("volunteers.edit", "GET"): EDIT_VOLUNTEER,
    ("volunteers.edit", "POST"): EDIT_VOLUNTEER,
    ("volunteers.detail", "GET"): {
        "anonymous": 302,
        "viewer": 403,
        "other_leader": 404,
        "*": 200,
    },
    ("volunteers.reveal", "POST"): {
        "anonymous": 302,
        "admin": 400,
        "social_worker": 400,
        "*": 403,
    },
    ("volunteers.anonymize", "POST"): {"anonymous": 302, "admin": 302, "*": 403},
    ("volunteers.org_roster", "GET"): {
        "anonymous": 302,
        "viewer": 403,
        "other_leader": 404,
        "*": 200,
    },
    ("volunteers.add_membership", "POST"): CHANGE_VOLUNTEER,
    ("volunteers.change_membership", "POST"): CHANGE_VOLUNTEER,
    ("volunteers.add_hours", "POST"): CHANGE_VOLUNTEER,
    ("volunteers.correct_hours", "GET"): EDIT_VOLUNTEER,
    ("volunteers.correct_hours", "POST"): EDIT_VOLUNTEER,
    ("volunteers.hours_index", "GET"): {"anonymous": 302, "viewer": 403, "*": 200},
    ("volunteers.hours_export", "GET"): {"anonymous": 302, "viewer": 403, "*": 200},
    ("volunteers.issue_certificate", "POST"): CHANGE_VOLUNTEER,
    ("volunteers.certificate", "GET"): {
        "anonymous": 302,
        "viewer": 403,
        "other_leader": 404,
        "*": 200,
    },
    ("volunteers.import_roster", "GET"): {"anonymous": 302, **STAFF, "*": 403},
    ("volunteers.import_roster", "POST"): {"anonymous": 302, **STAFF, "*": 403},
    ("volunteers.import_template", "GET"): {"anonymous": 302, **STAFF, "*": 403},
    ("volunteers.import_report", "GET"): {
        "anonymous": 302,
        "admin": 200,
        "social_worker": 404,
        "*": 403,
    },
    ("volunteers.import_confirm", "POST"): {
        "anonymous": 302,
        "admin": 302,
        "social_worker": 404,
        "*": 403,
    },
    ("volunteers.import_discard", "POST"): {
        "anonymous": 302,
        "admin": 302,
        "social_worker": 404,
        "*": 403,
    },
    # Imports of organizations and users: the world holds no import_batch, so the
    # report and its actions are 404 to those who may import at all.
    ("organizations.import_organizations", "GET"): {
        "anonymous": 302,
        **STAFF,
        "*": 403,
    },
    ("organizations.import_organizations", "POST"): {
        "anonymous": 302,
        **STAFF,
        "*": 403,
    },
    ("organizations.import_template", "GET"): {"anonymous": 302, **STAFF, "*": 403},
    ("organizations.import_report", "GET"): {
        "anonymous": 302,
        "admin": 404,
        "social_worker": 404,
        "*": 403,
    },
    ("organizations.import_confirm", "POST"): {
        "anonymous": 302,
        "admin": 404,
        "social_worker": 404,
        "*": 403,
    },
    ("organizations.import_discard", "POST"): {
        "anonymous": 302,
        "admin": 404,
        "social_worker": 404,
        "*": 403,
    },
    ("user_import.upload", "GET"): {"anonymous": 302, "admin": 200, "*": 403},
    ("user_import.upload", "POST"): {"anonymous": 302, "admin": 200, "*": 403},
    ("user_import.template", "GET"): {"anonymous": 302, "admin": 200, "*": 403},
    ("user_import.report", "GET"): {"anonymous": 302, "admin": 404, "*": 403},
    ("user_import.import_confirm", "POST"): {"anonymous": 302, "admin": 404, "*": 403},
    ("user_import.import_discard", "POST"): {"anonymous": 302, "admin": 404, "*": 403},
    ("api.list_volunteers", "GET"): {"anonymous": 401, "viewer": 403, "*": 200},
    ("api.search_volunteers", "POST"): {"anonymous": 401, "viewer": 403, "*": 400},
    ("api.create_volunteer", "POST"): {"anonymous": 401, "viewer": 403, "*": 400},
    ("api.get_volunteer", "GET"): {
        "anonymous": 401,
        "viewer": 403,
        "other_leader": 404,
        "*": 200,
    },
    ("api.patch_volunteer", "PATCH"): {"anonymous": 401, "viewer": 403, "*": 400},
    ("api.list_members", "GET"): {
        "anonymous": 401,
        "viewer": 403,
        "other_leader": 404,
        "*": 200,
    },
    ("api.add_member", "POST"): {"anonymous": 401, "viewer": 403, "*": 400},
    ("api.list_hours", "GET"): {"anonymous": 401, "viewer": 403, "*": 200},
    ("api.create_hours", "POST"): {"anonymous": 401, "viewer": 403, "*": 400},
    ("api.correct_hours", "POST"): {"anonymous": 401, "viewer": 403, "*": 400},
    # activities: the world's activity belongs to the world's organization
    ("activities.index", "GET"): {"anonymous": 302, "*": 200},
    ("activities.export", "GET"): {"anonymous": 302, "*": 200},
    ("activities.calendar", "GET"): {"anonymous": 302, "*": 200},
    ("activities.review_queue", "GET"): {"anonymous": 302, **STAFF, "*": 403},
    ("activities.new", "GET"): {"anonymous": 302, "viewer": 403, "*": 200},
    ("activities.new", "POST"): {"anonymous": 302, "viewer": 403, "*": 200},
    ("activities.detail", "GET"): {"anonymous": 302, "other_leader": 404, "*": 200},
    ("activities.edit", "GET"): EDIT_VOLUNTEER,
    ("activities.edit", "POST"): EDIT_VOLUNTEER,
    ("activities.review", "POST"): {"anonymous": 302, **STAFF_REDIRECT, "*": 403},
    ("activities.add_photos", "POST"): CHANGE_VOLUNTEER,
    ("activities.photo", "GET"): {"anonymous": 302, "other_leader": 404, "*": 200},
    ("activities.photo_page", "GET"): {"anonymous": 302, "other_leader": 404, "*": 200},
    ("activities.delete_photo", "POST"): CHANGE_VOLUNTEER,
    ("resources.index", "GET"): {"anonymous": 302, "*": 200},
    ("resources.export", "GET"): {"anonymous": 302, "*": 200},
    ("resources.new", "GET"): {"anonymous": 302, "viewer": 403, "*": 200},
    ("resources.new", "POST"): {"anonymous": 302, "viewer": 403, "*": 200},
    # evidence (an invoice, a donor's statement) may name people: not for viewers
    ("resources.evidence", "GET"): {
        "anonymous": 302,
        "viewer": 403,
        "other_leader": 404,
        "*": 200,
    },
    ("api.list_activities", "GET"): {"anonymous": 401, "*": 200},
    ("api.create_activity", "POST"): {"anonymous": 401, "viewer": 403, "*": 400},
    ("api.get_activity", "GET"): {"anonymous": 401, "other_leader": 404, "*": 200},
    ("api.patch_activity", "PATCH"): {"anonymous": 401, "viewer": 403, "*": 400},
    ("api.review_activity", "POST"): {"anonymous": 401, **STAFF_400, "*": 403},
    ("api.list_resources", "GET"): {"anonymous": 401, "*": 200},
    ("api.create_resource", "POST"): {"anonymous": 401, "viewer": 403, "*": 400},
    # micro-ventures: the world's venture (of "org_leader"'s organization) runs.
    ("ventures.index", "GET"): {"anonymous": 302, "*": 200},
    ("ventures.new_round", "GET"): {"anonymous": 302, "admin": 200, "*": 403},
    ("ventures.new_round", "POST"): {"anonymous": 302, "admin": 200, "*": 403},
    ("ventures.edit_round", "GET"): {"anonymous": 302, "admin": 200, "*": 403},
    ("ventures.edit_round", "POST"): {"anonymous": 302, "admin": 200, "*": 403},
    ("ventures.round_detail", "GET"): {"anonymous": 302, "*": 200},
    ("ventures.export_round", "GET"): {"anonymous": 302, "*": 200},
    ("ventures.apply", "GET"): {"anonymous": 302, "viewer": 403, "*": 200},
    ("ventures.apply", "POST"): {"anonymous": 302, "viewer": 403, "*": 200},
    ("ventures.edit", "GET"): {
        "anonymous": 302,
        "viewer": 403,
        "other_leader": 404,
        "*": 200,
    },
    ("ventures.edit", "POST"): {
        "anonymous": 302,
        "viewer": 403,
        "other_leader": 404,
        "*": 200,
    },
    ("ventures.detail", "GET"): {"anonymous": 302, "other_leader": 404, "*": 200},
    ("ventures.set_reviewers", "POST"): {"anonymous": 302, "admin": 302, "*": 403},
    ("ventures.submit_review", "POST"): {
        "anonymous": 302,
        "org_leader": 403,
        "other_leader": 403,
        "*": 302,
    },
    ("ventures.transition", "POST"): {"anonymous": 302, **STAFF_REDIRECT, "*": 403},
    ("ventures.midterm", "POST"): {"anonymous": 302, **STAFF_REDIRECT, "*": 403},
    ("ventures.add_action", "POST"): {"anonymous": 302, **STAFF_REDIRECT, "*": 403},
    ("ventures.edit_action", "GET"): {"anonymous": 302, **STAFF, "*": 403},
    ("ventures.edit_action", "POST"): {"anonymous": 302, **STAFF, "*": 403},
    ("ventures.complete_action", "POST"): {
        "anonymous": 302,
        **STAFF_REDIRECT,
        "*": 403,
    },
    ("ventures.remove_action", "POST"): {
        "anonymous": 302,
        **STAFF_REDIRECT,
        "*": 403,
    },
    ("ventures.add_expenditure", "POST"): {
        "anonymous": 302,
        "viewer": 403,
        "other_leader": 404,
        "*": 302,
    },
    ("ventures.receipt", "GET"): {
        "anonymous": 302,
        "viewer": 403,
        "other_leader": 404,
        "*": 200,
    },
    ("ventures.catalogue", "GET"): {"anonymous": 302, **STAFF, "*": 403},
    ("ventures.edit_template", "GET"): {"anonymous": 302, "admin": 200, "*": 403},
    ("ventures.edit_template", "POST"): {"anonymous": 302, "admin": 200, "*": 403},
    ("ventures.customize_catalogue", "POST"): {
        "anonymous": 302,
        "admin": 302,
        "*": 403,
    },
    ("api.list_rounds", "GET"): {"anonymous": 401, "*": 200},
    ("api.create_round", "POST"): {"anonymous": 401, "admin": 400, "*": 403},
    ("api.get_round", "GET"): {"anonymous": 401, "*": 200},
    ("api.patch_round", "PATCH"): {"anonymous": 401, "admin": 400, "*": 403},
    ("api.list_ventures", "GET"): {"anonymous": 401, "*": 200},
    ("api.create_venture", "POST"): {"anonymous": 401, "viewer": 403, "*": 400},
    ("api.get_venture", "GET"): {"anonymous": 401, "other_leader": 404, "*": 200},
    ("api.patch_venture", "PATCH"): {"anonymous": 401, "viewer": 403, "*": 400},
    ("api.transition_venture", "POST"): {"anonymous": 401, **STAFF_400, "*": 403},
    ("api.midterm_venture", "POST"): {"anonymous": 401, **STAFF_400, "*": 403},
    ("api.set_reviewers", "POST"): {"anonymous": 401, "admin": 400, "*": 403},
    ("api.list_reviews", "GET"): {"anonymous": 401, "other_leader": 404, "*": 200},
    ("api.submit_review", "POST"): {
        "anonymous": 401,
        "org_leader": 403,
        "other_leader": 403,
        "*": 400,
    },
    ("api.list_actions", "GET"): {"anonymous": 401, "other_leader": 404, "*": 200},
    ("api.add_action", "POST"): {"anonymous": 401, **STAFF_400, "*": 403},
    ("api.patch_action", "PATCH"): {"anonymous": 401, **STAFF_400, "*": 403},
    ("api.list_expenditures", "GET"): {
        "anonymous": 401,
        "other_leader": 404,
        "*": 200,
    },
    ("api.add_expenditure", "POST"): {"anonymous": 401, "viewer": 403, "*": 400},
    # sessions: the world's session invites "org_leader"'s organization only
    ("sessions.index", "GET"): {"anonymous": 302, "*": 200},
    ("sessions.new", "GET"): {"anonymous": 302, **STAFF, "*": 403},
    ("sessions.new", "POST"): {"anonymous": 302, **STAFF, "*": 403},
    ("sessions.detail", "GET"): {"anonymous": 302, "other_leader": 404, "*": 200},
    ("sessions.edit", "GET"): {"anonymous": 302, **STAFF, "*": 403},
    ("sessions.edit", "POST"): {"anonymous": 302, **STAFF, "*": 403},
    ("sessions.cancel", "POST"): {"anonymous": 302, **STAFF_REDIRECT, "*": 403},
    ("sessions.register", "POST"): {
        "anonymous": 302,
        "viewer": 403,
        "other_leader": 404,
        "*": 302,
    },
    ("sessions.attendance", "POST"): {"anonymous": 302, **STAFF_REDIRECT, "*": 403},
    # room bookings (pages): the world's booking is "org_leader"'s organization's
    ("bookings.index", "GET"): {"anonymous": 302, "*": 200},
    ("bookings.queue", "GET"): {"anonymous": 302, **STAFF, "*": 403},
    ("bookings.mine", "GET"): {"anonymous": 302, "viewer": 403, "*": 200},
    ("bookings.detail", "GET"): {"anonymous": 302, "other_leader": 404, "*": 200},
    ("bookings.uses", "GET"): {**READ, "org_leader": 403, "other_leader": 403},
    ("bookings.export", "GET"): {**READ, "org_leader": 403, "other_leader": 403},
    ("bookings.new", "GET"): {"anonymous": 302, "viewer": 403, "*": 200},
    ("bookings.new", "POST"): {"anonymous": 302, "viewer": 403, "*": 200},
    ("bookings.decide", "POST"): {"anonymous": 302, **STAFF_REDIRECT, "*": 403},
    ("bookings.cancel", "POST"): {
        "anonymous": 302,
        "viewer": 403,
        "other_leader": 404,
        "*": 302,
    },
    ("bookings.record_use", "POST"): {
        "anonymous": 302,
        "viewer": 403,
        "other_leader": 404,
        "*": 302,
    },
    ("followups.index", "GET"): {"anonymous": 302, **STAFF, "*": 403},
    ("followups.new", "GET"): {"anonymous": 302, **STAFF, "*": 403},
    ("followups.new", "POST"): {"anonymous": 302, **STAFF, "*": 403},
    ("followups.complete", "POST"): {"anonymous": 302, **STAFF_REDIRECT, "*": 403},
    ("followups.mine", "GET"): {"anonymous": 302, **STAFF, "*": 403},
    ("followups.cadence", "GET"): {"anonymous": 302, "admin": 200, "*": 403},
    ("followups.cadence", "POST"): {"anonymous": 302, "admin": 302, "*": 403},
    ("calendar.month", "GET"): {"anonymous": 302, "*": 200},
    ("calendar.feed_page", "GET"): {"anonymous": 302, "*": 200},
    ("calendar.reset_feed", "POST"): {"*": 302},
    # the feed is public by design: its key is the secret
    ("calendar.ics", "GET"): {"*": 200},
    ("api.list_sessions", "GET"): {"anonymous": 401, "*": 200},
    ("api.create_session", "POST"): {"anonymous": 401, **STAFF_400, "*": 403},
    ("api.get_session", "GET"): {"anonymous": 401, "other_leader": 404, "*": 200},
    ("api.patch_session", "PATCH"): {"anonymous": 401, **STAFF_400, "*": 403},
    ("api.cancel_session", "POST"): {"anonymous": 401, **STAFF_400, "*": 403},
    ("api.register", "POST"): {"anonymous": 401, "viewer": 403, "*": 400},
    ("api.record_attendance", "POST"): {"anonymous": 401, **STAFF_400, "*": 403},
    # sign-ins (issue 17): the public page needs no login; the world's "code"
    # param is the language's ("zh"), no sign-in code, hence 404. Names for staff
    # and the leader of her own records, counts for viewers; the world's sign-in
    # is on the activity, so removing it under a session or booking is a 404.
    ("signin.page", "GET"): {"*": 404},
    ("signin.submit", "POST"): {"*": 404},
    ("signin.forget", "GET"): {"*": 302},
    ("api.list_activity_attendees", "GET"): ATTENDEES,
    ("api.list_session_attendees", "GET"): ATTENDEES,
    ("api.list_booking_attendees", "GET"): ATTENDEES,
    ("api.add_activity_attendee", "POST"): ADD_ATTENDEE,
    ("api.add_session_attendee", "POST"): ADD_ATTENDEE,
    ("api.add_booking_attendee", "POST"): ADD_ATTENDEE,
    ("api.remove_activity_attendee", "DELETE"): {
        **ADD_ATTENDEE,
        "other_leader": 404,
        "*": 204,
    },
    ("api.remove_session_attendee", "DELETE"): {**ADD_ATTENDEE, "*": 404},
    # only masked numbers are kept in the tests' configuration: 409 where allowed
    ("api.reveal_activity_attendee_phone", "POST"): {
        "anonymous": 401,
        **{"admin": 409, "social_worker": 409},
        "*": 403,
    },
    ("api.reveal_session_attendee_phone", "POST"): {
        "anonymous": 401,
        **{"admin": 404, "social_worker": 404},
        "*": 403,
    },
    ("api.reveal_booking_attendee_phone", "POST"): {
        "anonymous": 401,
        **{"admin": 404, "social_worker": 404},
        "*": 403,
    },
    ("api.remove_booking_attendee", "DELETE"): {**ADD_ATTENDEE, "*": 404},
    ("api.list_followups", "GET"): {"anonymous": 401, **STAFF, "*": 403},
    ("api.create_followup", "POST"): {"anonymous": 401, **STAFF_400, "*": 403},
    ("api.complete_followup", "POST"): {"anonymous": 401, **STAFF_400, "*": 403},
    # notifications: the world's reminder belongs to "org_leader"
    ("notifications.index", "GET"): {"anonymous": 302, "*": 200},
    ("notifications.mark_read", "POST"): {
        "anonymous": 302,
        "org_leader": 302,
        "*": 404,
    },
    ("notifications.mark_all_read", "POST"): {"anonymous": 302, "*": 302},
    ("notifications.settings", "GET"): {"anonymous": 302, "*": 200},
    ("notifications.settings", "POST"): {"anonymous": 302, "*": 302},
    ("exports.index", "GET"): {"anonymous": 302, "*": 200},
    # the leader's own export, still queued: back to her list; anyone else 404
    ("exports.download", "GET"): {"anonymous": 302, "org_leader": 302, "*": 404},
    ("reminders_admin.index", "GET"): {"anonymous": 302, "admin": 200, "*": 403},
    ("reminders_admin.send_now", "POST"): {"anonymous": 302, "admin": 302, "*": 403},
    ("reminders_admin.resend", "POST"): {"anonymous": 302, "admin": 302, "*": 403},
    ("reports.index", "GET"): {"anonymous": 302, "*": 200},
    ("reports.monthly", "GET"): {**READ, "org_leader": 403, "other_leader": 403},
    ("reports.monthly_xlsx", "GET"): {**READ, "org_leader": 403, "other_leader": 403},
    ("projects.index", "GET"): {**READ, "org_leader": 403, "other_leader": 403},
    ("projects.new_project", "GET"): {"anonymous": 302, "admin": 200, "*": 403},
    ("projects.new_project", "POST"): {"anonymous": 302, "admin": 200, "*": 403},
    ("projects.project", "GET"): {**READ, "org_leader": 403, "other_leader": 403},
    ("projects.add_indicator", "POST"): {"anonymous": 302, "admin": 302, "*": 403},
    ("reports.annual", "GET"): {**READ, "org_leader": 403, "other_leader": 403},
    ("projects.change_indicator", "POST"): {
        "anonymous": 302,
        "admin": 302,
        "*": 403,
    },
    ("reports.application", "GET"): {"anonymous": 302, **STAFF, "*": 403},
    ("reports.application", "POST"): {"anonymous": 302, **STAFF, "*": 403},
    ("api.monthly_report", "GET"): {
        "anonymous": 401,
        "org_leader": 403,
        "other_leader": 403,
        "*": 422,  # no month given
    },
    ("api.list_projects", "GET"): {
        "anonymous": 401,
        "org_leader": 403,
        "other_leader": 403,
        "*": 200,
    },
    ("api.create_project", "POST"): {"anonymous": 401, "admin": 400, "*": 403},
    ("api.list_indicators", "GET"): {
        "anonymous": 401,
        "org_leader": 403,
        "other_leader": 403,
        "*": 200,
    },
    ("api.create_indicator", "POST"): {"anonymous": 401, "admin": 400, "*": 403},
    ("api.project_progress", "GET"): {
        "anonymous": 401,
        "org_leader": 403,
        "other_leader": 403,
        "*": 200,
    },
    ("communities_admin.index", "GET"): {"anonymous": 302, "admin": 200, "*": 403},
    ("communities_admin.new", "GET"): {"anonymous": 302, "admin": 200, "*": 403},
    ("communities_admin.new", "POST"): {"anonymous": 302, "admin": 200, "*": 403},
    ("communities_admin.community", "GET"): {
        "anonymous": 302,
        "admin": 200,
        "*": 403,
    },
    ("communities_admin.community", "POST"): {
        "anonymous": 302,
        "admin": 302,
        "*": 403,
    },
    ("communities_admin.add_compound", "POST"): {
        "anonymous": 302,
        "admin": 302,
        "*": 403,
    },
    ("communities_admin.change_compound", "POST"): {
        "anonymous": 302,
        "admin": 302,
        "*": 403,
    },
    ("communities_admin.add_room", "POST"): {
        "anonymous": 302,
        "admin": 302,
        "*": 403,
    },
    ("communities_admin.change_room", "POST"): {
        "anonymous": 302,
        "admin": 302,
        "*": 403,
    },
    ("api.list_communities", "GET"): {
        "anonymous": 401,
        "org_leader": 403,
        "other_leader": 403,
        "*": 200,
    },
    ("api.create_community", "POST"): {"anonymous": 401, "admin": 400, "*": 403},
    ("api.get_community", "GET"): {
        "anonymous": 401,
        "org_leader": 403,
        "other_leader": 403,
        "*": 200,
    },
    ("api.change_community", "PATCH"): {"anonymous": 401, "admin": 400, "*": 403},
    ("api.list_compounds", "GET"): {
        "anonymous": 401,
        "org_leader": 403,
        "other_leader": 403,
        "*": 200,
    },
    ("api.add_compound", "POST"): {"anonymous": 401, "admin": 400, "*": 403},
    ("api.change_compound", "PATCH"): {"anonymous": 401, "admin": 400, "*": 403},
    ("api.list_rooms", "GET"): {
        "anonymous": 401,
        "org_leader": 403,
        "other_leader": 403,
        "*": 200,
    },
    ("api.add_room", "POST"): {"anonymous": 401, "admin": 400, "*": 403},
    ("api.change_room", "PATCH"): {"anonymous": 401, "admin": 400, "*": 403},
    # rooms at the top level: leaders read their communities' rooms to book
    ("api.list_all_rooms", "GET"): {"anonymous": 401, "*": 200},
    ("api.create_room_anywhere", "POST"): {"anonymous": 401, "admin": 400, "*": 403},
    ("api.get_one_room", "GET"): {"anonymous": 401, "*": 200},
    ("api.patch_one_room", "PATCH"): {"anonymous": 401, "admin": 400, "*": 403},
    # bookings: the world's booking is "org_leader"'s organization's
    ("api.list_bookings", "GET"): {"anonymous": 401, "*": 200},
    ("api.create_booking", "POST"): {"anonymous": 401, "viewer": 403, "*": 400},
    ("api.get_booking", "GET"): {"anonymous": 401, "other_leader": 404, "*": 200},
    ("api.patch_booking", "PATCH"): {"anonymous": 401, "viewer": 403, "*": 400},
    ("api.decide_on_booking", "POST"): {"anonymous": 401, **STAFF_400, "*": 403},
    ("api.cancel_a_booking", "POST"): {"anonymous": 401, "viewer": 403, "*": 400},
    ("api.record_booking_use", "POST"): {"anonymous": 401, "viewer": 403, "*": 400},
    ("api.list_notifications", "GET"): {"anonymous": 401, "*": 200},
    # sign-in pages: the world's activity of "org_leader"'s organization, with one
    # sign-in; the organizer (staff, the leader) shows its code and adds sheets.
    ("signins.code", "GET"): ORGANIZE,
    ("signins.sheet", "GET"): ORGANIZE,
    ("signins.paper", "GET"): ORGANIZE,
    ("signins.paper", "POST"): ORGANIZE,
    ("signins.import_sheet", "GET"): ORGANIZE,
    ("signins.import_sheet", "POST"): ORGANIZE,
    ("signins.import_template", "GET"): ORGANIZE,
    ("signins.attendee_list", "GET"): {"anonymous": 302, "other_leader": 404, "*": 200},
    # full numbers only where the agency keeps them encrypted (not the default)
    ("signins.reveal", "POST"): {"anonymous": 302, "other_leader": 404, "*": 403},
    ("signins.remove", "POST"): {
        "anonymous": 302,
        "other_leader": 404,
        **STAFF_REDIRECT,
        "*": 403,
    },
    ("signins.import_report", "GET"): {"anonymous": 302, "viewer": 403, "*": 404},
    ("signins.import_confirm", "POST"): {"anonymous": 302, "viewer": 403, "*": 404},
    ("signins.import_discard", "POST"): {"anonymous": 302, "viewer": 403, "*": 404},
    ("residents_admin.residents", "GET"): {"anonymous": 302, "admin": 200, "*": 403},
    ("residents_admin.residents", "POST"): {"anonymous": 302, "admin": 200, "*": 403},
    ("residents_admin.erase", "POST"): {"anonymous": 302, "admin": 200, "*": 403},
    ("api.read_notification", "POST"): {
        "anonymous": 401,
        "org_leader": 200,
        "*": 404,
    },
}


def _expected(endpoint: str, method: str, role: str) -> int:
    entry = MATRIX[(endpoint, method)]
    return entry.get(role, entry.get("*"))


# Routes that change the world's records for the routes after them run last.
LAST = (
    "organizations.archive",
    "volunteers.anonymize",
    "activities.delete_photo",
    "ventures.remove_action",
    "ventures.transition",
    "sessions.cancel",
    "bookings.cancel",
    "followups.cadence",
    "calendar.reset_feed",
    "reminders_admin.send_now",
    "projects.change_indicator",
    "api.remove_activity_attendee",
)


def _routes(app):
    rules = sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint in LAST)
    for rule in rules:
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def test_every_route_has_an_entry(app):
    missing = [
        f"{rule.endpoint} {method} {rule.rule}"
        for rule, method in _routes(app)
        if (rule.endpoint, method) not in MATRIX
    ]
    assert not missing, "routes without a permission-matrix entry: " + ", ".join(
        missing
    )


# ---- the workflows' declared transitions and the routes that perform them ----

ACCOUNT_ROLES = ("admin", "social_worker", "org_leader", "viewer")
CHANGING = {"POST", "PATCH", "PUT", "DELETE"}


def _lets_through(endpoint: str, method: str) -> set[str]:
    """The roles whose request passes the route's role check: anything but 401
    and 403 (a 404 is the record scope, not the role)."""
    return {
        r for r in ACCOUNT_ROLES if _expected(endpoint, method, r) not in (401, 403)
    }


def test_every_declared_transition_has_a_route(app):
    """Every transition a role may make is performed by some page or API route;
    those only the system makes (a job, a stage change) have none."""
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    problems = []
    for flow in workflow.WORKFLOWS:
        for t in flow.transitions:
            move = f"{flow.name}: {t.name} {t.source} -> {t.target}"
            if t.roles and not t.routes:
                problems.append(f"{move} has no route")
            if not t.roles and t.routes:
                problems.append(f"{move} is the system's but has routes")
            problems += [
                f"{move}: no route {e}" for e in t.routes if e not in endpoints
            ]
    assert not problems, "\n".join(problems)


def test_routes_let_through_the_roles_their_transitions_allow(app):
    """A route lets through exactly the roles that may make some transition it
    performs (derived from the workflows, checked against the matrix above); the
    service refuses a role the single move does not allow (e.g. a social worker
    approving a venture) with the move's own 403."""
    performed: dict[str, set[str]] = {}
    for flow in workflow.WORKFLOWS:
        for t in flow.transitions:
            for endpoint in t.routes:
                performed.setdefault(endpoint, set()).update(t.roles)
    methods: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        methods.setdefault(rule.endpoint, set()).update(rule.methods & CHANGING)
    problems = []
    for endpoint, roles in sorted(performed.items()):
        if not methods.get(endpoint):
            problems.append(f"{endpoint} changes nothing (no POST, PATCH or DELETE)")
        for method in sorted(methods.get(endpoint, ())):
            through = _lets_through(endpoint, method)
            if through != roles:
                problems.append(
                    f"{method} {endpoint} lets through {sorted(through)}, "
                    f"its transitions allow {sorted(roles)}"
                )
    assert not problems, "\n".join(problems)


def test_every_declared_guard_and_effect_is_bound(app):
    for flow in workflow.WORKFLOWS:
        for t in flow.transitions:
            for name in t.guards:
                assert name in flow.guards, f"{flow.name}: guard {name} unbound"
            if t.effect:
                assert t.effect in flow.effects, f"{flow.name}: {t.effect} unbound"


@pytest.fixture
def world(db, make_user, make_org):
    """The records the URLs point at: a target user and two organizations, each with
    its own leader."""
    social_worker = make_user("social_worker", username="matrix_sw")
    leader = make_user("org_leader", username="matrix_leader")
    other_leader = make_user("org_leader", username="matrix_other")
    org = make_org("本组织", leader=leader, social_worker=social_worker)
    other_org = make_org("别的组织", leader=other_leader)
    target = make_user("viewer", username="matrix_target")
    assessment = records.record_assessment(
        org,
        actor=social_worker,
        assessed_on=date(2026, 1, 5),
        scores={d.key: 3 for d in dimensions()},
    )
    db.session.commit()
    users = {
        "admin": make_user("admin", username="matrix_admin"),
        "social_worker": social_worker,
        "org_leader": leader,
        "other_leader": other_leader,
        "viewer": make_user("viewer", username="matrix_viewer"),
    }
    volunteer = volunteer_services.create_volunteer(
        VolunteerRegistration(name="王阿姨", birth_year=1958, phone="13912345678"),
        actor=leader,
        organization=org,
    )
    record = hours.record_service(
        volunteer,
        org,
        actor=leader,
        served_on=date(2026, 1, 6),
        hours="2",
        service="排练",
    )
    certificate = certificates.issue_certificate(
        volunteer, actor=social_worker, issuer_name="本组织"
    )
    activity = activity_services.log_activity(
        org,
        ActivityLog(
            organization_id=org.id,
            title="排练",
            form="group",
            service_type="self_org_service",
            target_group="elders",
            starts_at=datetime(2026, 1, 6, 2, tzinfo=UTC),
            ends_at=datetime(2026, 1, 6, 4, tzinfo=UTC),
            place="活动室",
            person_times=12,
        ),
        actor=leader,
    )
    photo = activity_services.add_photo(activity, png_bytes(), "合影.png", actor=leader)
    line = activity_services.record_resource(
        ResourceEntry(
            partner="超市", kind="goods", value="100.00", received_on=date(2026, 1, 6)
        ),
        actor=leader,
        organization=org,
        activity=activity,
        evidence=(png_bytes(), "发票.png"),
    )
    venture_ids = _running_venture(world_users=users, org=org, leader=leader)
    schedule_ids = _sessions_and_followups(users, org)
    reminder_ids = _a_reminder(leader)
    project_id, indicator_id = _a_project(org)
    place_ids = _a_room(org)
    booking_ids = _a_booking(place_ids["room_id"], org, leader)
    sign_in_ids = _a_sign_in(activity, leader)
    batch = RosterImport(created_by_id=users["admin"].id, rows=[], report=[])
    db.session.add(batch)
    db.session.commit()
    params = {
        "activity_id": activity.id,
        "photo_id": photo.id,
        "line_id": line.id,
        "volunteer_id": volunteer.id,
        "membership_id": volunteer.memberships[0].id,
        "record_id": record.id,
        "certificate_id": certificate.id,
        "batch_id": batch.id,
        "user_id": target.id,
        "assessment_id": assessment.id,
        "org_id": org.id,
        "filename": "css/app.css",
        "code": "zh",
        **venture_ids,
        **schedule_ids,
        **reminder_ids,
        "project_id": project_id,
        "indicator_id": indicator_id,
        **place_ids,
        **booking_ids,
        **sign_in_ids,
    }
    params.update(_sign_in_params(org, activity, params))
    return {"users": users, "params": params, "org": org, "other_org": other_org}


def _running_venture(*, world_users, org, leader) -> dict:
    """A round open today and a running venture of ``org`` with a plan action, an
    expenditure with its receipt photo, and the catalogue saved for editing."""
    from incubator.i18n import local_today
    from incubator.ventures import plans, reviews, rounds, spending
    from incubator.ventures import services as venture_services
    from incubator.ventures.schemas import (
        PlanActionEntry,
        RoundSchedule,
        VentureApplication,
    )

    admin, sw = world_users["admin"], world_users["social_worker"]
    today = local_today()
    org.filing_status = "filed"
    round_ = rounds.create_round(
        RoundSchedule(
            name="矩阵批次",
            budget="10000",
            opens_on=today - timedelta(days=30),
            closes_on=today + timedelta(days=30),
            runs_from=today - timedelta(days=30),
            runs_until=today + timedelta(days=180),
        ),
        actor=admin,
    )
    venture = venture_services.apply(
        round_,
        org,
        VentureApplication(
            round_id=round_.id,
            organization_id=org.id,
            title="社区共读",
            need="需要",
            target_group="children",
            requested_amount="3000",
        ),
        actor=leader,
    )
    venture_services.set_reviewers(venture, [sw.id], actor=admin)
    venture_services.transition(venture, "reviewing", actor=admin)
    reviews.submit_review(venture, actor=sw, scores={c.id: 80 for c in round_.criteria})
    venture_services.transition(venture, "approved", actor=admin)
    venture_services.transition(venture, "running", actor=sw)
    action = plans.add_action(
        venture, PlanActionEntry(goal="目标", action="行动", due_on=today), actor=sw
    )
    line = spending.record_expenditure(
        venture,
        actor=leader,
        spent_on=today,
        amount="100",
        purpose="图书",
        receipt=(png_bytes(), "发票.png"),
    )
    plans.materialize_catalogue()
    template_id = plans.catalogue()[0].id
    return {
        "round_id": round_.id,
        "venture_id": venture.id,
        "action_id": action.id,
        "expenditure_id": line.id,
        "template_id": template_id,
    }


def _sessions_and_followups(world_users, org) -> dict:
    from incubator.followups import services as followups
    from incubator.i18n import local_today, local_zone
    from incubator.schedule import feed
    from incubator.sessions import services as sessions
    from incubator.sessions.schemas import SessionSchedule

    sw = world_users["social_worker"]
    # Yesterday at 10:00 in Shanghai: a start taken from the clock crossed midnight
    # when the suite ran after 22:00, and the edit form (one day, two times) could
    # not show it.
    yesterday = local_today() - timedelta(days=1)
    start = datetime.combine(yesterday, time(10), tzinfo=local_zone()).astimezone(UTC)
    session = sessions.schedule_session(
        SessionSchedule(
            title="培力课",
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            capacity=20,
            organization_ids=[org.id],
        ),
        actor=sw,
    )[0]
    followup = followups.schedule_followup(
        org,
        FollowUpPlan(organization_id=org.id, kind="visit", due_on=local_today()),
        actor=sw,
    )
    return {
        "session_id": session.id,
        "followup_id": followup.id,
        "key": feed.feed_key(sw),
    }


def _a_project(org) -> tuple[int, int]:
    from decimal import Decimal

    from incubator.extensions import db
    from incubator.projects.models import Indicator, Project

    project = Project(
        name="矩阵项目",
        community_id=org.community_id,
        budget=Decimal("1000"),
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 12, 31),
    )
    db.session.add(project)
    db.session.flush()
    indicator = Indicator(project_id=project.id, metric="person_times", target=10)
    db.session.add(indicator)
    db.session.flush()
    return project.id, indicator.id


def _sign_in_params(org, activity, params) -> dict:
    """A resident signed in to the world's activity; and a confirmed booking of
    the world's organization when the world has none yet."""
    from incubator.bookings.models import Booking
    from incubator.extensions import db
    from incubator.signins import services as signins
    from incubator.signins.models import SignInSource
    from incubator.signins.schemas import AttendeeIn

    found = {}
    if "booking_id" not in params:
        booking = Booking(
            community_id=org.community_id,
            room_id=params["room_id"],
            starts_at=activity.starts_at,
            ends_at=activity.ends_at,
            held_on=activity.held_on,
            organization_id=org.id,
            service_type="routine_training",
            state="confirmed",
        )
        db.session.add(booking)
        db.session.flush()
        found["booking_id"] = booking.id
    sign_in, _created = signins.sign_in(
        activity,
        AttendeeIn(name="王秀英", phone="13800138000"),
        source=SignInSource.PAPER,
        actor=activity.logged_by,
    )
    db.session.commit()
    found["sign_in_id"] = sign_in.id
    return found


def _a_room(org) -> dict:
    from incubator.bookings.models import Booking
    from incubator.community.models import Compound, Room
    from incubator.extensions import db

    room = Room(community_id=org.community_id, name="矩阵活动室", capacity=20)
    compound = Compound(community_id=org.community_id, name="矩阵小区")
    db.session.add_all([room, compound])
    db.session.flush()
    booking = Booking(
        room_id=room.id,
        community_id=room.community_id,
        starts_at=datetime(2026, 1, 6, 2, tzinfo=UTC),
        ends_at=datetime(2026, 1, 6, 4, tzinfo=UTC),
        held_on=date(2026, 1, 6),
        organization_id=org.id,
        purpose="排练",
        service_type="routine_training",
        state="confirmed",
    )
    db.session.add(booking)
    db.session.flush()
    return {
        "community_id": org.community_id,
        "compound_id": compound.id,
        "room_id": room.id,
        "booking_id": booking.id,
    }


def _a_booking(room_id: int, org, leader) -> dict:
    """A confirmed booking of the world's room by ``org``'s leader, tomorrow."""
    from incubator.bookings import services as bookings
    from incubator.bookings.schemas import BookingIn
    from incubator.i18n import local_today, local_zone

    start = datetime.combine(
        local_today() + timedelta(days=1), time(10), tzinfo=local_zone()
    )
    booking = bookings.book_room(
        BookingIn(
            room_id=room_id,
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            organization_id=org.id,
            purpose="排练",
            service_type="routine_training",
            expected_people=10,
        ),
        actor=leader,
    )[0]
    return {"booking_id": booking.id}


def _a_sign_in(activity, leader) -> dict:
    from incubator.signins.schemas import AttendeeIn
    from incubator.signins.services import add_sheet

    result = add_sheet(
        activity, [AttendeeIn(name="李阿姨", phone="13912340000")], actor=leader
    )
    row = result.added[0]
    # the pages' remove and reveal get a sign-in of their own: the API's DELETE
    # removes the world's other one
    own = {"sign_in_id": row.id}
    return {
        "kind": "activity",
        "target_id": activity.id,
        "resident_id": row.resident_id,
        "endpoint_params": {"signins.remove": own, "signins.reveal": own},
    }


def _a_reminder(leader) -> dict:
    from incubator.extensions import db
    from incubator.reminders.models import Delivery, ExportJob, Reminder

    reminder = Reminder(
        recipient_id=leader.id,
        kind="monthly_log_reminder",
        period="2026-01",
        title="请记录上月活动",
        body="",
        link="",
    )
    db.session.add(reminder)
    db.session.flush()
    delivery = Delivery(reminder_id=reminder.id, channel="email", state="failed")
    db.session.add(delivery)
    job = ExportJob(user_id=leader.id, kind="activities", args={}, state="queued")
    db.session.add(job)
    db.session.flush()
    return {
        "job_id": job.id,
        "reminder_id": reminder.id,
        "notification_id": reminder.id,
        "delivery_id": delivery.id,
    }


ENDPOINT_PARAMS = {"bootstrap.static": {"filename": "css/bootstrap.min.css"}}


def _url(rule, params) -> str:
    params = {
        **params,
        **ENDPOINT_PARAMS.get(rule.endpoint, {}),
        **params.get("endpoint_params", {}).get(rule.endpoint, {}),
    }

    def fill(match):
        name = match.group(2)
        return str(params[name])

    return re.sub(r"<(?:(\w+):)?(\w+)>", fill, rule.rule)


def _client_for(app, role, world):
    client = app.test_client()
    headers = {}
    if role == "anonymous":
        return client, headers
    user = world["users"][role]
    assert login(client, user.username).status_code == 302
    token = client.post(
        "/api/v1/tokens", json={"username": user.username, "password": DEFAULT_PASSWORD}
    ).get_json()["token"]
    headers["Authorization"] = f"Bearer {token}"
    return client, headers


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(app, world, role):
    failures = []
    for rule, method in _routes(app):
        if (rule.endpoint, method) not in MATRIX:
            continue  # reported by test_every_route_has_an_entry
        client, headers = _client_for(app, role, world)
        url = _url(rule, world["params"])
        is_api = rule.rule.startswith("/api/")
        response = client.open(
            url,
            method=method,
            headers=headers if is_api else {},
            data={} if not is_api else None,
        )
        response.close()
        expected = _expected(rule.endpoint, method, role)
        if response.status_code != expected:
            failures.append(
                f"{method} {url}: {response.status_code}, expected {expected}"
            )
    assert not failures, f"as {role}:\n" + "\n".join(failures)
