"""The one-pass figures (``projects.tallies``, what the dashboards and the
monthly report show since issue 18) equal the single-figure counting functions
of ``projects.metrics`` on the demo, for the whole agency and each community."""

from datetime import date, timedelta

from sqlalchemy import select

from incubator.activities.models import ServiceType, TargetGroup
from incubator.community.models import Community
from incubator.i18n import local_today
from incubator.periods import months_before
from incubator.projects import metrics, tallies
from incubator.reports.dashboards import agency_dashboard


def _scopes(db):
    ids = db.session.scalars(select(Community.id).order_by(Community.id)).all()
    return [None, frozenset(ids), *(frozenset({i}) for i in ids)]


def test_dashboard_trend_and_breakdowns_equal_the_metrics(app, db, demo_today):
    today = local_today()
    last_year = (months_before(today.replace(day=1), 11), today + timedelta(days=1))
    this_year = (date(today.year, 1, 1), today + timedelta(days=1))
    board = agency_dashboard()
    assert board.trend == metrics.monthly_trend(last_year)
    assert board.service_types == metrics.by_service_type(this_year)
    assert board.target_groups == metrics.by_target_group(this_year)
    assert board.compounds == metrics.by_compound(this_year)
    assert sum(n for _m, n, _p in board.trend) > 50  # the demo's year counted


def test_one_pass_figures_equal_the_metrics(app, db, demo_today):
    today = local_today()
    periods = [
        (today.replace(day=1), today + timedelta(days=1)),
        (months_before(today.replace(day=1), 1), today.replace(day=1)),
        (date(today.year - 1, today.month, 1), today + timedelta(days=1)),
    ]
    for period in periods:
        for scope in _scopes(db):
            per = tallies.activity_tallies(period, scope)
            whole = tallies.ActivityTally()
            for tally in per.values():
                whole.add(tally)
            assert whole.total == metrics.activities(period, None, scope)
            assert whole.person_times == metrics.person_times(period, scope)
            assert whole.service_sessions == metrics.service_sessions(period, scope)
            assert {
                k.value: whole.by_service_type[k.value] for k in ServiceType
            } == metrics.by_service_type(period, scope)
            assert {
                k.value: whole.by_target_group[k.value] for k in TargetGroup
            } == metrics.by_target_group(period, scope)
            assert {i: t.total for i, t in per.items()} == (
                metrics.activities_per_community(period, scope)
            )
            follow = tallies.followups(period, scope)
            assert {i: d for i, (d, _o) in follow.items() if d} == {
                i: n
                for i, n in metrics.followups_done_per_community(period, scope).items()
            }
            assert {i: o for i, (_d, o) in follow.items() if o} == (
                metrics.followups_overdue_per_community(period, scope)
            )
            held = tallies.sessions(period, scope)
            assert {i: n for i, (n, _a) in held.items()} == (
                metrics.capacity_sessions_per_community(period, scope)
            )
            assert sum(a for _n, a in held.values()) == metrics.session_attendees(
                period, scope
            )
            assert tallies.space(period, scope) == metrics.space_per_community(
                period, scope
            )
