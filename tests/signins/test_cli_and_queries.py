"""``flask signins anonymize`` and ``flask signins erase``; the counts for
lists in one query; the attendee list's queries do not grow with rows."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from incubator.auth.models import LoginFailure
from incubator.signins import jobs, queries, services, throttle
from incubator.signins.models import Resident, SignInSource
from tests.conftest import login
from tests.signins.conftest import person

QR = SignInSource.QR


def test_cli_erase_and_anonymize(centre, db, app):
    services.sign_in(centre["activity"], person(), source=QR, actor=None)
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "signins",
            "erase",
            "--phone",
            "+86 138 0013 8000",
            "--reason",
            "本人申请",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "erased" in result.output
    db.session.expire_all()
    resident = db.session.scalar(select(Resident))
    assert resident.erased and resident.name == ""
    again = runner.invoke(
        args=["signins", "erase", "--phone", "13800138000", "--reason", "x"]
    )
    assert again.exit_code == 0 and "No resident" in again.output
    bad = runner.invoke(args=["signins", "erase", "--phone", "123", "--reason", "x"])
    assert bad.exit_code != 0
    result = runner.invoke(args=["signins", "anonymize"])
    assert result.exit_code == 0 and "0 residents" in result.output


def test_the_retention_job_prunes_old_throttle_counts(centre, db):
    old = datetime(2026, 2, 28, tzinfo=UTC)
    throttle.count("10.0.0.1", "a1-x", now=old)
    throttle.count("10.0.0.1", "a1-x")
    db.session.add(LoginFailure(username="someone", at=old))
    db.session.commit()
    jobs.anonymize_expired()
    db.session.commit()
    names = db.session.scalars(select(LoginFailure.username)).all()
    assert sorted(names) == ["signin:code:a1-x", "signin:ip:10.0.0.1", "someone"]


def test_counts_for_lists_in_one_query(centre, db, count_queries):
    activity, session = centre["activity"], centre["session"]
    for i in range(3):
        services.sign_in(
            activity, person(phone=f"1390000000{i}"), source=QR, actor=None
        )
    services.sign_in(session, person(), source=QR, actor=None)
    db.session.commit()
    activity_id = activity.id
    with count_queries() as counter:
        found = queries.sign_in_counts("activity", [activity_id, activity_id + 99])
    assert found == {activity_id: 3} and counter.count == 1
    assert queries.sign_in_counts("session", [session.id]) == {session.id: 1}
    assert queries.sign_in_counts("booking", []) == {}


def test_attendee_list_queries_do_not_grow(centre, db, count_queries):
    activity = centre["activity"]

    def measure() -> int:
        db.session.expire_all()
        with count_queries() as counter:
            found = queries.attendees(activity, viewer=centre["sw"])
            assert all(r.name for r in found.rows)
        return counter.count

    services.sign_in(activity, person(), source=QR, actor=None)
    db.session.commit()
    before = measure()
    for i in range(10):
        services.sign_in(
            activity, person(phone=f"1390000001{i}"), source=QR, actor=None
        )
    db.session.commit()
    assert measure() == before <= 4


def test_erased_residents_show_as_erased_to_staff(centre, db):
    row, _ = services.sign_in(centre["activity"], person(), source=QR, actor=None)
    services.erase_resident(row.resident, actor=centre["admin"], reason="本人申请")
    db.session.commit()
    found = queries.attendees(centre["activity"], viewer=centre["sw"])
    assert found.count == 1 and found.rows[0].erased and found.rows[0].name == ""
    assert found.rows[0].phone == ""


def test_the_audit_trail_shows_erasures_and_sheets_without_the_person(
    centre, db, client
):
    row, _ = services.sign_in(centre["activity"], person(), source=QR, actor=None)
    services.add_sheet(
        centre["activity"], [person("李建国", "13911112222")], actor=centre["sw"]
    )
    services.erase_resident(row.resident, actor=centre["admin"], reason="本人申请")
    db.session.commit()
    assert login(client, "si_admin").status_code == 302
    page = client.get("/admin/audit")
    assert page.status_code == 200, page.status_code
    html = page.get_data(as_text=True)
    assert "居民" in html and "签到" in html
    for personal in ("王秀英", "李建国", "13800138000", "13911112222", "8000"):
        assert personal not in html
