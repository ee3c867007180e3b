"""The catalogue of extension points: blinker signals a lower layer sends and a higher
one answers, so organizations never import the features that add to its pages.

Infrastructure: this module imports nothing from the features. A feature connects
its receivers when its ``hooks`` module is imported (the app factory imports every
hooks module), at module level, never inside ``create_app``: a module is imported
once per process, so a receiver is connected exactly once however many apps the
tests build. Receivers are module-level functions, which blinker's weak references
keep alive as long as their module.

blinker calls receivers in no defined order. Where the old registries had one (the
panels of an organization's page, the timeline's sources, whose ties keep their
order), a receiver returns ``(order, value)`` and the sender sorts by ``order``
(``ordered``); the orders in use are listed under each signal.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from blinker import Namespace

_signals = Namespace()


def ordered(results: Iterable[tuple[Any, tuple[int, Any]]]) -> list[Any]:
    """The values of ``signal.send(...)``'s results whose receivers return
    ``(order, value)``, sorted by ``order`` (ties keep blinker's order)."""
    pairs = [answer for _receiver, answer in results]
    return [value for _order, value in sorted(pairs, key=lambda pair: pair[0])]


def values(results: Iterable[tuple[Any, Any]]) -> list[Any]:
    """The values of ``signal.send(...)``'s results, without their receivers."""
    return [answer for _receiver, answer in results]


timeline_events = _signals.signal(
    "timeline-events",
    doc="""An organization's timeline page (or its API resource) is being built.

    Sent by ``organizations.timeline.timeline_for`` as
    ``send(org, viewer=User, limit=int)``. A receiver returns ``(order, events)``:
    at most ``limit`` of its newest ``TimelineEvent``s for ``org`` as ``viewer`` may
    see them, loaded in a fixed number of queries. The sender merges them newest
    first; events at the same moment keep the order of ``order``. Orders in use:
    organizations' own 10 (profile), 20 (stages), 30 (assessments), 40 (case
    notes); volunteers 50; activities 60; ventures 70; followups 80 (follow-ups)
    and 90 (capacity-building sessions). Every receiver also answers
    ``timeline_event_count``.""",
)

timeline_event_count = _signals.signal(
    "timeline-event-count",
    doc="""How many timeline events an organization has, for the API's ``total``.

    Sent by ``organizations.timeline.timeline_total`` as
    ``send(org, viewer=User)``. A receiver returns an ``int``: the number of events
    its ``timeline_events`` receiver could list for ``org`` as ``viewer`` sees them
    (one ``COUNT`` query). The sender adds them up.""",
)

organization_panels = _signals.signal(
    "organization-panels",
    doc="""An organization's page shows the boxes other features add to it.

    Sent by ``organizations.panels.panels_for`` as ``send(org, viewer=User)``. A
    receiver returns ``(order, panel)``, ``panel`` an
    ``organizations.panels.Panel`` or ``None`` to show nothing, built in a fixed
    number of queries. Panels are shown by ``order``: activities 10, ventures 20,
    follow-ups and sessions (the schedule) 30.""",
)

caseload_last_contact = _signals.signal(
    "caseload-last-contact",
    doc="""When someone last heard from each organization of a caseload.

    Sent by ``organizations.caseload.caseload_rows`` as ``send(org_ids=[int])``
    (``org_ids`` never empty). A receiver returns ``{org_id: date}`` (a local
    calendar day) for the organizations it knows of, in one query; the caseload
    keeps the latest day. Organizations (case notes) and followups answer.""",
)

caseload_last_activity = _signals.signal(
    "caseload-last-activity",
    doc="""When each organization of a caseload last held an activity.

    Sent by ``organizations.caseload.caseload_rows`` as ``send(org_ids=[int])``
    (never empty). A receiver returns ``{org_id: date}`` (local calendar day), in
    one query; the caseload keeps the latest. Activities answer.""",
)

caseload_flags = _signals.signal(
    "caseload-flags",
    doc="""What needs attention on each organization of a caseload.

    Sent by ``organizations.caseload.caseload_rows`` as ``send(org_ids=[int])``
    (never empty). A receiver returns ``(order, {org_id: str})``, the text a
    translated sentence (e.g. "2 plan actions overdue"), in one query; each row
    shows its flags by ``order``. Ventures answer with order 10.""",
)

activity_counted = _signals.signal(
    "activity-counted",
    doc="""How many activities an organization logged that count toward graduation.

    Sent by ``organizations.incubation.count_activities`` as
    ``send(organization_id=int, since=date)`` (``since`` a local calendar day,
    inclusive). A receiver returns an ``int`` (one ``COUNT`` query); the sender
    adds them up. Activities answer with its approved activities.""",
)

stage_changed = _signals.signal(
    "stage-changed",
    doc="""An organization moved to another incubation stage.

    Sent by ``organizations.stages.change_stage`` as
    ``send(org, change=StageChange, actor=User | None)`` after the change is
    flushed, inside the same unit of work. A receiver may change other records
    (followups reschedules its cadence follow-ups); it flushes, never commits, and
    raises a ``DomainError`` to refuse the whole change. It returns what it did
    as a sentence for the person who changed the stage (``""`` or ``None`` for
    nothing worth saying); the page shows them.""",
)

agency_of_community = _signals.signal(
    "agency-of-community",
    doc="""Which agency (承接机构) serves a community on a day, for the documents
    a lower feature prints (a volunteer's certificate).

    Sent as ``send(community_id, on=date)``; projects answers with the agency
    named on the community's project running that day (or the latest before
    it), ``""`` when none names one. Senders fall back to ``AGENCY_NAME``.""",
)

organization_moved = _signals.signal(
    "organization-moved",
    doc="""An organization moved to another community (a rare boundary change).

    Sent by ``organizations.services.update_organization`` as
    ``send(org, from_community_id=int, actor=User)`` after ``org.community_id``
    changed, inside the same unit of work. Records already made keep their
    community (past figures stay); a receiver moves what is still to come
    (followups moves open follow-ups). It flushes, never commits. Return values
    are ignored.""",
)

# ---- auth tells audit and organizations; reminders asks the scheduler ----

account_changed = _signals.signal(
    "account-changed",
    doc="""Something happened to an account or an API token that the audit trail
    records (auth sits below audit, so it announces instead of writing the entry).

    Sender: the ``User`` or ``ApiToken``. Keyword arguments: ``action`` (login,
    logout, token_issued, token_revoked, create, update, activate, deactivate,
    password_reset, password_change), ``actor`` (the user who did it), ``changes``
    (``{field: [before, after]}``, or ``None`` for the sender's pending changes)
    and ``summary``. Sent before the change is flushed; the receiver
    (audit.services) adds the entry in the same transaction.""",
)

organizations_led = _signals.signal(
    "organizations-led",
    doc="""An account was created or edited with the organizations it leads.

    Sender: the ``User`` (flushed, with an id). Keyword arguments:
    ``organization_ids`` (the organizations it leads from now on; ignored unless
    the user is an organization leader) and ``actor``. The receiver
    (organizations.leaders) sets the organizations' leader and audits each
    change; it raises ``ValidationFailed`` on ``organization_ids`` for an unknown
    organization, which the sender lets through.""",
)

leadable_organizations = _signals.signal(
    "leadable-organizations",
    doc="""Asked by the account pages (auth): which organizations an organization
    leader's account may be set to lead.

    Sender: the admin asking (or none). The receiver (organizations.leaders)
    returns ``[(id, name)]`` of the organizations not archived in the admin's
    scope, by name; the page offers them in that order.""",
)

scheduled_jobs = _signals.signal(
    "scheduled-jobs",
    doc="""Asked by the reminders admin page: the jobs the scheduler process runs
    and when each fires next (the scheduler sits above reminders).

    Sender: the Flask app. Keyword argument: ``now`` (aware UTC). The receiver
    (incubator.scheduler) returns ``(jobs, next_runs)``: its ``Job`` list in
    order and ``{job id: next fire time or None}``.""",
)

# ---- auth asks community about a user's scope (auth sits below community) ----

community_scope_set = _signals.signal(
    "community-scope-set",
    doc="""An account was created or edited with the communities it serves.

    Sender: the ``User`` (flushed, with an id). Keyword arguments:
    ``community_ids`` (a list of ids; empty means every community) or
    ``community_names`` (the CLI), and ``actor`` (the admin, or ``None`` from
    the shell). The receiver (community.users) checks every community exists, is
    open and lies in the actor's own scope, replaces the scope and audits the
    change; it raises ``ValidationFailed`` on ``community_ids`` otherwise.""",
)

scope_choices = _signals.signal(
    "scope-choices",
    doc="""Asked by the account pages (auth): which communities a scope may
    name, for the actor ``sender``. The receiver (community.users) returns
    ``[(id, name)]`` of the open communities in the actor's scope, in display
    order.""",
)

user_scopes = _signals.signal(
    "user-scopes",
    doc="""Asked by the account pages (auth): the scope of each listed user.

    Sent as ``send(user_ids=[int])``. The receiver (community.users) returns
    ``{user_id: ([community id], [community name])}`` in one query; a user
    missing from it serves every community.""",
)

visible_users = _signals.signal(
    "visible-users",
    doc="""Asked by the account pages (auth): which accounts the admin ``sender``
    may administer. The receiver (community.users) returns a condition on
    ``User``: every account for an all-communities admin, else those scoped
    within the admin's communities (and the admin's own).""",
)

scope_limited = _signals.signal(
    "scope-limited",
    doc="""Asked by layers below community (the audit trail): whether the user
    ``sender`` serves only some communities. The receiver (community.users)
    returns ``True`` for a limited scope; such a user is kept from the pages
    that cannot be filtered by community.""",
)

# ---- the audit log asks features for labels it cannot find by convention ----

audit_value_labels = _signals.signal(
    "audit-value-labels",
    doc="""Labels of stored values the audit log cannot find beside the model (a
    ``LabelledEnum`` named after the field or a ``<FIELD>_LABELS`` table), such as
    configured stages.

    Sent as ``send(None)`` once per page of the audit log; a receiver answers
    ``{(record_type, field): {value: label}}``.""",
)


# ---- activities tell reminders (the notice to the organization) ----

activity_returned = _signals.signal(
    "activity-returned",
    doc="""A social worker returned an activity log to its organization to fix.

    Sent by ``activities.services.review_activity`` as
    ``send(activity, event=ActivityEvent, actor=User)`` after the return is
    flushed (``event.id`` set: one id per return, so a second return after a fix
    is a new event), inside the same unit of work. The receiver
    (reminders.notices) records a notice to the organization's leader in the
    outbox, which delivers it after the commit; it flushes, never commits.
    Return values are ignored.""",
)


# ---- activities and sessions tell bookings (a centre room's use) ----

activity_saved = _signals.signal(
    "activity-saved",
    doc="""An activity log was logged or changed (its times, organization or room
    may be new).

    Sent by ``activities.services.log_activity`` and ``update_activity`` as
    ``send(activity, actor=User)`` after the log is flushed, inside the same unit
    of work (not for a repeated submission answered with the first log). The
    receiver (bookings.hooks) links the log to a confirmed booking of the same
    organization whose time overlaps it, so the room's use counts once, or drops
    a link that no longer fits. It flushes, never commits. Return values are
    ignored.""",
)

session_saved = _signals.signal(
    "session-saved",
    doc="""A capacity-building session was scheduled, changed, cancelled or held.

    Sent by ``sessions.services`` (``schedule_session``, ``update_session``,
    ``cancel_session``, ``record_attendance``) as
    ``send(session, action=str, actor=User)`` for each session touched, after it
    is flushed, inside the same unit of work; ``action`` is ``"scheduled"``,
    ``"changed"``, ``"cancelled"`` or ``"held"``. The receiver (bookings.hooks)
    keeps the booking of a session held in a centre room (``room_id``) in step:
    made, moved, cancelled with it, and its use recorded (the attendance total)
    when the session is held. It raises ``BookingConflict`` (a ``DomainError``)
    when the room is taken, which refuses the whole session change. Return
    values are ignored.""",
)
# ---- a record's page shows what higher features add (sign-ins on an activity) ----

record_panels = _signals.signal(
    "record-panels",
    doc="""The page of one record (an activity, a capacity-building session, a
    room booking) shows the boxes other features add to it.

    Sent by the record's page as ``send(record, viewer=User)``, best through
    ``record_panels_for``. A receiver returns ``(order, html)``: ``html`` the
    box rendered (``markupsafe.Markup``), built in a fixed number of queries,
    or ``None`` to show nothing. Orders in use: signins 10 (sign-ins: the count,
    the attendees for those who may see them, the QR code and paper sheet).""",
)


def record_panels_for(record, *, viewer) -> list[Any]:
    """The boxes the features add to ``record``'s page for ``viewer``, in order
    (``record_panels``); a template shows each as it is."""
    found = ordered(record_panels.send(record, viewer=viewer))
    return [panel for panel in found if panel is not None]


# ---- exports too large to answer at once (issue 18) ----

export_requested = _signals.signal(
    "export-requested",
    doc="""A page's export has more rows than are written while the user waits
    (``spreadsheets.SYNC_EXPORT_ROWS``), so it is to run in the background.

    Sent by ``spreadsheets.answer_export`` as
    ``send(kind, user=User, args={name: [values]}, rows=int)``. The receiver
    (reminders.exports) records a queued export job for ``user`` and returns its
    id; the scheduler writes the file later and notifies the user with a link.
    With no receiver the export is answered at once.""",
)
