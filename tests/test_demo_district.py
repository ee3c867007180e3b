"""``flask --app wsgi demo district``: the district-scale data set (issue 18), at a
tiny scale, on the suite's backend. The database enforces foreign keys and checks
(SQLite's are on, as the app's engine sets them), so every row inserted passed them;
the rest of what the services would have made is checked here in SQL."""

from __future__ import annotations

import re
from datetime import UTC, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text

from incubator.activities.models import Activity
from incubator.auth.models import User
from incubator.community.models import Community
from incubator.demo.district import BENCH_USERS, DISTRICT_PASSWORD
from incubator.demo.district.generate import scaled
from incubator.i18n import local_today, local_zone
from incubator.normalize import name_key
from incubator.organizations.models import Organization
from incubator.periods import month_key, month_range
from incubator.reports.monthly import monthly_report
from incubator.signins.models import Resident
from tests.conftest import login

SCALE = 0.004


def _generate(app, scale=SCALE):
    result = app.test_cli_runner().invoke(
        args=["demo", "district", "--scale", str(scale)]
    )
    assert result.exit_code == 0, result.output
    return result


def _count(db, table: str) -> int:
    return db.session.execute(text(f'SELECT count(*) FROM "{table}"')).scalar_one()


def test_fills_an_empty_database_once_with_counts_that_scale(app, db):
    result = _generate(app)
    for username in BENCH_USERS.values():
        assert username in result.output
    assert DISTRICT_PASSWORD in result.output
    sizes = scaled(SCALE)
    exact = {
        "organization": sizes["organizations"],
        "volunteer": sizes["volunteers"],
        "activity": sizes["activities"],
        "activity_volunteer": 2 * sizes["activities"],
        "service_record": sizes["service_records"],
        "resource_link": sizes["resources"],
        "training_session": sizes["sessions"],
        "booking": sizes["bookings"],
        "resident": sizes["residents"],
        "community": sizes["communities"],
    }
    assert {t: _count(db, t) for t in exact} == exact
    assert sizes["activities"] == 1200 and sizes["volunteers"] == 160
    # Follow-ups and sign-ins: near their sizes (a clash is skipped, not repeated).
    assert 0.9 * sizes["followups"] <= _count(db, "follow_up") <= sizes["followups"]
    assert 0.6 * sizes["sign_ins"] <= _count(db, "sign_in") <= 1.4 * sizes["sign_ins"]
    for table in (
        "venture",
        "venture_round",
        "project",
        "indicator",
        "room",
        "compound",
        "session_invite",
        "stage_change",
        "user_community",
    ):
        assert _count(db, table) >= 1, table
    # One leader per organization, about 20 organizations per social worker.
    roles = dict(
        db.session.execute(select(User.role, func.count()).group_by(User.role)).all()
    )
    assert roles["org_leader"] == sizes["organizations"]
    assert roles["social_worker"] == sizes["social_workers"]
    users = _count(db, "user")

    again = app.test_cli_runner().invoke(
        args=["demo", "district", "--scale", str(SCALE)]
    )
    assert again.exit_code != 0
    assert "already holds" in again.output
    assert _count(db, "user") == users
    assert _count(db, "activity") == sizes["activities"]


def test_counts_scale_linearly():
    small, large = scaled(0.01), scaled(1.0)
    assert large["activities"] == 300_000 and large["organizations"] == 2_000
    assert large["service_records"] == 600_000 and large["volunteers"] == 40_000
    assert large["followups"] == 20_000 and large["sessions"] == 2_000
    assert small["activities"] == 3_000 and small["organizations"] == 20
    tiny = scaled(0.0001)
    assert all(count >= 1 for count in tiny.values())
    assert tiny["volunteers"] >= 2 * tiny["organizations"]


def test_every_row_is_as_the_services_would_make_it(app, db):
    _generate(app)
    one = lambda sql: db.session.execute(text(sql)).scalar_one()  # noqa: E731
    # Community stamping: a record's community is its organization's.
    for table in (
        "activity",
        "service_record",
        "follow_up",
        "venture",
        "stage_change",
        "resource_link",
    ):
        assert not one(
            f"SELECT count(*) FROM {table} r JOIN organization o "
            "ON o.id = r.organization_id WHERE r.community_id <> o.community_id"
        ), table
    assert not one(
        "SELECT count(*) FROM sign_in s JOIN activity a ON a.id = s.activity_id "
        "WHERE s.community_id <> a.community_id"
    )
    assert not one(
        "SELECT count(*) FROM booking b JOIN room r ON r.id = b.room_id "
        "WHERE b.community_id <> r.community_id"
    )
    # held_on is the Asia/Shanghai day of starts_at; ends after it starts.
    zone = local_zone()
    for activity in db.session.scalars(select(Activity)):
        assert activity.held_on == activity.starts_at.astimezone(zone).date()
        assert activity.starts_at.tzinfo is not None
        assert activity.ends_at > activity.starts_at
        assert activity.held_on < local_today()
        assert activity.review_state in ("approved", "pending", "returned")
        assert (activity.review_state == "returned") == bool(activity.return_reason)
        assert activity.version == 1
    # Approved activities' helpers have their service records; others none.
    assert not one(
        "SELECT count(*) FROM activity_volunteer v JOIN activity a "
        "ON a.id = v.activity_id WHERE (a.review_state = 'approved') <> "
        "(v.service_record_id IS NOT NULL)"
    )
    assert not one(
        "SELECT count(*) FROM activity_volunteer v JOIN service_record s "
        "ON s.id = v.service_record_id JOIN activity a ON a.id = v.activity_id "
        "WHERE s.volunteer_id <> v.volunteer_id OR s.hours <> v.hours "
        "OR s.served_on <> a.held_on OR s.activity_id <> a.id "
        "OR s.organization_id <> a.organization_id"
    )
    # Helpers are on the roster that day, never twice on one log.
    assert not one(
        "SELECT count(*) FROM activity_volunteer v JOIN activity a "
        "ON a.id = v.activity_id WHERE NOT EXISTS (SELECT 1 FROM membership m "
        "WHERE m.volunteer_id = v.volunteer_id AND m.organization_id = "
        "a.organization_id AND m.joined_on <= a.held_on AND (m.left_on IS NULL "
        "OR m.left_on >= a.held_on))"
    )
    assert not one(
        "SELECT count(*) FROM (SELECT activity_id, volunteer_id FROM "
        "activity_volunteer GROUP BY activity_id, volunteer_id "
        "HAVING count(*) > 1) d"
    )
    # A volunteer's day holds at most 24 hours; hours in half-hour steps.
    assert not one(
        "SELECT count(*) FROM (SELECT volunteer_id, served_on FROM service_record "
        "GROUP BY volunteer_id, served_on HAVING sum(hours) > 24) d"
    )
    assert not one("SELECT count(*) FROM service_record WHERE hours <= 0")
    assert not one(
        "SELECT count(*) FROM service_record WHERE served_on >= "
        f"'{local_today().isoformat()}'"
    )
    # Names and their keys, volunteer numbers and phones.
    for org in db.session.scalars(select(Organization)):
        assert org.name_key == name_key(org.name)
        assert org.leader_user_id and org.social_worker_id
    for number, phone in db.session.execute(
        text("SELECT number, phone FROM volunteer")
    ):
        assert re.fullmatch(r"V\d{6}", number) and re.fullmatch(r"1[3-9]\d{9}", phone)
    for key, masked in db.session.execute(select(Resident.key, Resident.phone_masked)):
        assert re.fullmatch(r"[0-9a-f]{64}", key)
        assert re.fullmatch(r"1\d\d\*{4}\d{4}", masked)
    assert not one(
        "SELECT count(*) FROM resident WHERE last_signed_at IS NULL AND id IN "
        "(SELECT resident_id FROM sign_in)"
    )
    # Scopes: on the user row and in user_community alike.
    for user in db.session.scalars(select(User)):
        rows = db.session.execute(
            text("SELECT community_id FROM user_community WHERE user_id = :u"),
            {"u": user.id},
        ).scalars()
        assert ",".join(str(c) for c in sorted(rows)) == user.community_scope
    # Confirmed bookings of one room never overlap; a round funds within budget.
    assert not one(
        "SELECT count(*) FROM booking a JOIN booking b ON a.room_id = b.room_id "
        "AND a.id < b.id AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at "
        "WHERE a.state = 'confirmed' AND b.state = 'confirmed'"
    )
    assert not one(
        "SELECT count(*) FROM venture_round r WHERE r.budget < (SELECT "
        "coalesce(sum(approved_amount), 0) FROM venture v WHERE v.round_id = r.id)"
    )
    assert not one(
        "SELECT count(*) FROM follow_up WHERE state = 'done' AND done_on IS NULL"
    )


def test_the_monthly_report_equals_raw_sql_over_the_generated_tables(app, db):
    _generate(app)
    today = local_today()
    month = month_key((today.replace(day=1) - timedelta(days=1)).replace(day=1))
    start, end = month_range(month)
    report = monthly_report((start, end), month)
    params = {"s": start, "e": end}
    approved = (
        "SELECT id FROM activity WHERE review_state = 'approved' "
        "AND held_on >= :s AND held_on < :e"
    )
    raw_total, raw_people = db.session.execute(
        text(
            "SELECT count(*), coalesce(sum(person_times), 0) FROM activity "
            "WHERE review_state = 'approved' AND held_on >= :s AND held_on < :e"
        ),
        params,
    ).one()
    raw_hours = db.session.execute(
        text(
            "SELECT coalesce(sum(hours), 0) FROM service_record WHERE NOT superseded "
            "AND served_on >= :s AND served_on < :e"
        ),
        params,
    ).scalar_one()
    zone = local_zone()
    from datetime import datetime, time

    moments = {
        "ms": datetime.combine(start, time(0), tzinfo=zone).astimezone(UTC),
        "me": datetime.combine(end, time(0), tzinfo=zone).astimezone(UTC),
    }
    if db.session.get_bind().dialect.name == "sqlite":
        moments = {k: v.replace(tzinfo=None) for k, v in moments.items()}
    raw_served = db.session.execute(
        text(
            "SELECT count(DISTINCT resident_id) FROM sign_in WHERE "
            f"activity_id IN ({approved}) OR session_id IN (SELECT id FROM "
            "training_session WHERE state = 'held' AND starts_at >= :ms AND "
            "starts_at < :me) OR booking_id IN (SELECT id FROM booking WHERE "
            "state = 'confirmed' AND held AND held_on >= :s AND held_on < :e)"
        ),
        {**params, **moments},
    ).scalar_one()
    assert raw_total > 10 and raw_served > 0
    assert report["activities"]["total"] == raw_total
    assert report["person_times"] == raw_people
    assert Decimal(report["volunteer_hours"]) == Decimal(raw_hours)
    assert report["people_served"] == raw_served


PAGES = {
    "admin": (
        "/",
        "/activities",
        "/activities/calendar",
        "/calendar",
        "/organizations/board",
        "/reports/monthly",
    ),
    "social_worker": (
        "/",
        "/activities",
        "/activities/calendar",
        "/calendar",
        "/organizations/board",
        "/reports/monthly",
    ),
    "org_leader": ("/", "/activities", "/activities/calendar", "/calendar"),
    "street_viewer": (
        "/",
        "/activities",
        "/activities/calendar",
        "/organizations/board",
        "/reports/monthly",
    ),
}


@pytest.mark.parametrize("role", sorted(PAGES))
def test_pages_open_for_the_bench_logins(app, db, role):
    _generate(app, 0.002)
    client = app.test_client()
    assert login(client, BENCH_USERS[role], DISTRICT_PASSWORD).status_code == 302
    for page in PAGES[role]:
        answer = client.get(page)
        assert answer.status_code == 200, (role, page, answer.status_code)
    if role == "street_viewer":
        viewer = db.session.scalar(
            select(User).where(User.username == BENCH_USERS[role])
        )
        streets = db.session.scalars(select(Community.street).distinct())
        assert viewer.community_scope and len(list(streets)) >= 1


def test_the_foreign_key_check_names_a_row_that_points_nowhere(app, db):
    """On PostgreSQL the generator loads with the keys' triggers off and checks
    every key afterwards; the check finds a broken one."""
    from incubator.demo.district.generate import check_foreign_keys

    _generate(app, 0.002)
    check_foreign_keys([Activity.__table__, Organization.__table__])
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(text("PRAGMA defer_foreign_keys = ON"))
    else:
        db.session.execute(text("SET LOCAL session_replication_role = replica"))
    db.session.execute(
        text(
            "UPDATE activity SET organization_id = 999999 "
            "WHERE id = (SELECT min(id) FROM activity)"
        )
    )
    with pytest.raises(RuntimeError, match="1 rows of activity.organization_id"):
        check_foreign_keys([Activity.__table__])
    db.session.rollback()
