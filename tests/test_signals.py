"""The extension points: every feature's receivers are connected once, however many
apps the tests build, and ordered answers come back in their declared order."""

from config import TestingConfig
from incubator import create_app, signals

# Receivers each signal has once the app factory imported every hooks module.
EXPECTED = {
    signals.timeline_events: 9,
    signals.timeline_event_count: 9,
    signals.organization_panels: 3,
    signals.caseload_last_contact: 2,
    signals.caseload_last_activity: 1,
    signals.caseload_flags: 1,
    signals.activity_counted: 1,
    signals.stage_changed: 1,
    signals.activity_returned: 1,
    signals.record_panels: 1,
}


def test_receivers_are_connected_once_however_many_apps(app, database_url):
    for _ in range(3):
        create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=database_url)
    for signal, count in EXPECTED.items():
        assert len(signal.receivers) == count, signal.name


def test_ordered_sorts_by_declared_order_not_by_connection():
    results = [("c", (30, "c")), ("a", (10, "a")), ("b", (20, "b"))]
    assert signals.ordered(results) == ["a", "b", "c"]


def test_panels_keep_their_order(app, make_org, make_user):
    """Activities, then micro-ventures, then the schedule, as before signals."""
    from incubator.activities.hooks import activities_panel
    from incubator.followups.hooks import schedule_panel
    from incubator.organizations.panels import panels_for
    from incubator.ventures.hooks import ventures_panel

    org, viewer = make_org(), make_user("social_worker")
    with app.test_request_context():
        shown = [p.title for p in panels_for(org, viewer)]
        expected = [
            make(org, viewer).title
            for make in (activities_panel, ventures_panel, schedule_panel)
        ]
    assert shown == expected and len(set(expected)) == 3
