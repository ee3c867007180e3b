"""Signing in: one resident per number however typed, once per record, the
window, which records take sign-ins, paper sheets, erasure and retention."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from incubator.audit.models import AuditEntry
from incubator.errors import NotPermitted, RuleViolation, ValidationFailed
from incubator.signins import codes, jobs, queries, services
from incubator.signins.models import Resident, SignIn, SignInSource
from incubator.signins.schemas import AttendeeIn
from tests.signins.conftest import person

QR = SignInSource.QR


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize(
    "typed",
    [
        "13800138000",
        "138 0013 8000",
        "+86 138-0013-8000",
        "0086 13800138000",
        "１３８００１３８０００",
        "138－0013－8000",
        " 138\u30000013 8000 ",
    ],
)
def test_one_person_however_the_number_is_typed(centre, db, typed):
    activity = centre["activity"]
    services.sign_in(activity, person(), source=QR, actor=None)
    row, created = services.sign_in(
        activity, person(phone=typed), source=QR, actor=None
    )
    assert not created
    assert _count(db, Resident) == 1
    assert _count(db, SignIn) == 1


def test_twice_to_one_record_is_one_row_and_other_records_count_apart(centre, db):
    first, created = services.sign_in(
        centre["activity"], person(), source=QR, actor=None
    )
    again, created_again = services.sign_in(
        centre["activity"], person(), source=QR, actor=None
    )
    assert created and not created_again and again.id == first.id
    services.sign_in(centre["session"], person(), source=QR, actor=None)
    services.sign_in(centre["booking"], person(), source=QR, actor=None)
    assert _count(db, SignIn) == 3
    assert _count(db, Resident) == 1
    rows = db.session.scalars(select(SignIn)).all()
    assert {r.community_id for r in rows} == {centre["activity"].community_id}


def test_the_latest_name_typed_is_kept_and_the_phone_only_masked(centre, db):
    services.sign_in(centre["activity"], person("王秀英"), source=QR, actor=None)
    services.sign_in(centre["session"], person("王秀瑛"), source=QR, actor=None)
    resident = db.session.scalar(select(Resident))
    assert resident.name == "王秀瑛"
    assert resident.phone_masked == "138****8000"
    assert resident.phone_encrypted is None  # RESIDENT_PHONE_STORAGE = masked
    assert "13800138000" not in resident.key
    assert resident.last_signed_at == datetime(2026, 3, 1, 1, 0, tzinfo=UTC)


@pytest.mark.config(RESIDENT_PHONE_STORAGE="encrypted")
def test_encrypted_phone_is_revealed_to_staff_and_audited(centre, db):
    row, _ = services.sign_in(centre["activity"], person(), source=QR, actor=None)
    db.session.commit()
    assert row.resident.phone_encrypted
    assert services.reveal_phone(row, actor=centre["sw"]) == "13800138000"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "reveal"))
    assert entry.entity_type == "Resident" and entry.actor_id == centre["sw"].id
    for who in ("leader", "viewer"):
        with pytest.raises(NotPermitted):
            services.reveal_phone(row, actor=centre[who])


def test_window_is_enforced_for_residents_not_for_staff(centre, db):
    activity = centre["activity"]
    opens, closes = codes.window(activity)
    assert opens == activity.starts_at - timedelta(hours=1)
    # the end of 2026-03-01 in Shanghai
    assert closes == datetime(2026, 3, 1, 16, 0, tzinfo=UTC)
    with pytest.raises(RuleViolation):
        services.sign_in(
            activity, person(), source=QR, actor=None, now=opens - timedelta(seconds=1)
        )
    services.sign_in(activity, person(), source=QR, actor=None, now=opens)
    with pytest.raises(RuleViolation):
        services.sign_in(
            activity, person("李建国", "13911112222"), source=QR, actor=None, now=closes
        )
    # staff type the paper sheet a week later
    _, created = services.sign_in(
        activity,
        person("李建国", "13911112222"),
        source=SignInSource.PAPER,
        actor=centre["sw"],
        now=closes + timedelta(days=7),
    )
    assert created


def test_cancelled_sessions_and_unconfirmed_bookings_take_no_sign_ins(centre, db):
    centre["session"].state = "cancelled"
    centre["booking"].state = "requested"
    db.session.commit()
    for record in (centre["session"], centre["booking"]):
        with pytest.raises(RuleViolation):
            services.sign_in(record, person(), source=QR, actor=None)
        with pytest.raises(RuleViolation):
            services.sign_in(
                record, person(), source=SignInSource.PAPER, actor=centre["admin"]
            )
    # an activity in any review state takes them
    centre["activity"].review_state = "returned"
    services.sign_in(centre["activity"], person(), source=QR, actor=None)


def test_who_may_add_paper_rows(centre, db):
    activity, session, booking = (centre[k] for k in ("activity", "session", "booking"))
    for who in ("sw", "admin"):
        for record in (activity, session, booking):
            assert queries.may_add_sign_ins(centre[who], record)
    assert queries.may_add_sign_ins(centre["leader"], activity)
    assert queries.may_add_sign_ins(centre["leader"], booking)
    assert not queries.may_add_sign_ins(centre["leader"], session)
    for who in ("other", "viewer"):
        for record in (activity, session, booking):
            assert not queries.may_add_sign_ins(centre[who], record)
            with pytest.raises(NotPermitted):
                services.sign_in(
                    record, person(), source=SignInSource.PAPER, actor=centre[who]
                )
    with pytest.raises(NotPermitted):
        services.sign_in(activity, person(), source=SignInSource.PAPER, actor=None)


def test_a_paper_sheet_adds_and_reports_already_there(centre, db):
    activity = centre["activity"]
    services.sign_in(activity, person(), source=QR, actor=None)
    result = services.add_sheet(
        activity,
        [
            person("王秀英", "138 0013 8000"),
            {"name": "李建国", "phone": "13911112222"},
            {"name": "李建国", "phone": 13911112222.0},  # a number cell
            {"name": "张三", "phone": "13711112222"},
        ],
        actor=centre["leader"],
    )
    assert len(result.added) == 2 and len(result.already) == 2
    assert {s.source for s in result.added} == {"paper"}
    assert _count(db, SignIn) == 3
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "import"))
    assert "李建国" not in entry.summary and "139" not in entry.summary


def test_a_sheet_with_a_bad_row_stores_nothing(centre, db):
    with pytest.raises(ValidationFailed) as refused:
        services.add_sheet(
            centre["activity"],
            [
                {"name": "李建国", "phone": "13911112222"},
                {"name": "", "phone": "13911112223"},
                {"name": "张三", "phone": "1234"},
                {"name": "李四"},
            ],
            actor=centre["sw"],
        )
    errors = refused.value.details["rows"]
    assert set(errors) == {2, 3, 4}
    assert "11" in errors[4]
    db.session.rollback()
    assert _count(db, SignIn) == 0


@pytest.mark.parametrize(
    "name,phone,field",
    [
        ("", "13800138000", "name"),
        ("   ", "13800138000", "name"),
        ("王\x00秀英", "13800138000", "name"),
        ("王\n秀英", "13800138000", "name"),
        ("王\u202e秀英", "13800138000", "name"),
        ("王" * 51, "13800138000", "name"),
        ("王秀英", "1380013800", "phone"),
        ("王秀英", "23800138000", "phone"),
        ("王秀英", "138001380001", "phone"),
        ("王秀英", "1380013800０\x00", "phone"),
        ("王秀英", "", "phone"),
        ("王秀英", "1" * 100, "phone"),
    ],
)
def test_malformed_attendees_are_refused(name, phone, field, app):
    with app.test_request_context():
        with pytest.raises(ValidationFailed) as refused:
            AttendeeIn(name=name, phone=phone)
    assert refused.value.field == field


def test_erase_keeps_counts_and_the_person_may_sign_in_again(centre, db):
    row, _ = services.sign_in(centre["activity"], person(), source=QR, actor=None)
    resident = row.resident
    with pytest.raises(NotPermitted):
        services.erase_resident(resident, actor=centre["sw"], reason="本人申请")
    with pytest.raises(ValidationFailed):
        services.erase_resident(resident, actor=centre["admin"], reason=" ")
    assert services.find_resident("+86 138 0013 8000") == resident
    services.erase_resident(resident, actor=centre["admin"], reason="本人申请")
    db.session.commit()
    assert resident.erased and resident.key is None
    assert resident.name == "" and resident.phone_masked == ""
    assert services.find_resident("13800138000") is None
    assert queries.sign_in_counts("activity", [centre["activity"].id]) == {
        centre["activity"].id: 1
    }
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "anonymize")
    )
    assert entry.entity_id == resident.id and "王秀英" not in str(entry.changes)
    # she signs in again: a new resident, the activity now counts two rows
    again, created = services.sign_in(
        centre["activity"], person(), source=QR, actor=None
    )
    assert created and again.resident_id != resident.id
    assert queries.sign_in_counts("activity", [centre["activity"].id]) == {
        centre["activity"].id: 2
    }
    # erasing twice does nothing
    services.erase_resident(resident, actor=centre["admin"], reason="再次")


def test_retention_job_anonymizes_old_residents_only(centre, db, app):
    old, _ = services.sign_in(
        centre["activity"],
        person("老李", "13911110000"),
        source=SignInSource.PAPER,
        actor=centre["sw"],
    )
    recent, _ = services.sign_in(centre["activity"], person(), source=QR, actor=None)
    old.resident.last_signed_at = datetime(2022, 12, 31, tzinfo=UTC)
    db.session.commit()
    assert jobs.anonymize_expired() == 1
    db.session.commit()
    assert old.resident.erased and not recent.resident.erased
    assert jobs.anonymize_expired() == 0  # idempotent
    assert _count(db, SignIn) == 2
    # four years later, the recent one goes too
    later = datetime(2029, 3, 2, tzinfo=UTC)
    assert jobs.anonymize_expired(now=later) == 1


def test_removing_a_sign_in(centre, db):
    row, _ = services.sign_in(centre["activity"], person(), source=QR, actor=None)
    with pytest.raises(NotPermitted):
        services.remove_sign_in(row, actor=centre["other"])
    services.remove_sign_in(row, actor=centre["leader"])
    db.session.commit()
    assert _count(db, SignIn) == 0 and _count(db, Resident) == 1


def test_codes_are_stable_and_unforgeable(centre, db):
    activity, session, booking = (centre[k] for k in ("activity", "session", "booking"))
    for record in (activity, session, booking):
        code = codes.code_for(record)
        assert codes.record_for(code) is record
        assert codes.record_for(code.upper()) is record
    code = codes.code_for(activity)
    letter, rest = code[0], code[1:]
    forged = [
        "",
        "x",
        code[:-1],
        code + "a",
        code[:-1] + ("a" if code[-1] != "a" else "b"),
        "s" + rest,  # another kind, same check
        f"a{activity.id + 1}-{code.split('-')[1]}",
        "a99999999999-aaaaaaaaaa",
        "a0-aaaaaaaaaa",
        code.replace("-", "_"),
    ]
    for bad in forged:
        assert codes.record_for(bad) is None, bad
    assert letter == "a"


def test_attendee_names_are_for_staff_and_the_leader_of_her_own_records(centre, db):
    activity, session = centre["activity"], centre["session"]
    services.sign_in(activity, person(), source=QR, actor=None)
    services.sign_in(session, person(), source=QR, actor=None)
    db.session.commit()
    for who in ("sw", "admin", "leader"):
        found = queries.attendees(activity, viewer=centre[who])
        assert found.count == 1 and found.rows[0].name == "王秀英"
        assert found.rows[0].phone == "138****8000"
    for who in ("viewer", "other", None):
        found = queries.attendees(activity, viewer=centre.get(who) if who else None)
        assert found.count == 1 and found.rows == []
    # the leader's organization was not the session's
    found = queries.attendees(session, viewer=centre["leader"])
    assert found.count == 1 and found.rows == []


def test_a_concurrent_duplicate_is_already_signed_in(centre, db, monkeypatch):
    """Two taps racing: the second insert meets the unique constraint, inside a
    SAVEPOINT, and answers the first row; the transaction goes on."""
    first, _ = services.sign_in(centre["activity"], person(), source=QR, actor=None)
    db.session.commit()
    monkeypatch.setattr(services, "_existing_before_insert", lambda *a: None)
    row, created = services.sign_in(centre["activity"], person(), source=QR, actor=None)
    assert not created and row.id == first.id
    services.sign_in(centre["session"], person(), source=QR, actor=None)
    db.session.commit()
    assert _count(db, SignIn) == 2


def test_a_concurrent_new_resident_is_found(centre, db, monkeypatch):
    services.sign_in(centre["activity"], person(), source=QR, actor=None)
    db.session.commit()
    monkeypatch.setattr(services, "_resident_by_key", lambda key: None)
    row, created = services.sign_in(centre["session"], person(), source=QR, actor=None)
    db.session.commit()
    assert created and _count(db, Resident) == 1
