"""Exports of the whole district: the workbook's rows are the records (content,
order, scope), memory does not grow with the number of rows, and an export too
large to write while the user waits runs as a background job that notifies its
requester with a link only they may use."""

from __future__ import annotations

import tempfile
import tracemalloc
from datetime import timedelta
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select, update

from incubator import spreadsheets
from incubator.activities.export import ACTIVITIES
from incubator.activities.models import Activity
from incubator.database import utcnow
from incubator.organizations.models import Organization
from incubator.reminders import export_files, exports
from incubator.reminders.models import ExportJob, ExportState, Reminder
from incubator.spreadsheets import write_workbook
from incubator.volunteers.models import ServiceRecord
from tests.conftest import login


def _sheet(data: bytes):
    return load_workbook(BytesIO(data)).active


def _rows(data: bytes) -> list[tuple]:
    return list(_sheet(data).iter_rows(min_row=2, values_only=True))


def _download(client, url):
    """GET ``url`` and close the answer (a file sent from disk stays open until
    then): (status, body, headers)."""
    answer = client.get(url)
    try:
        return answer.status_code, answer.data, answer.headers
    finally:
        answer.close()


def _expected_activities(db, org_ids) -> list[tuple]:
    """The records as the export should show them: newest start first."""
    found = db.session.execute(
        select(Activity.held_on, Organization.name, Activity.title, Activity.summary)
        .join(Organization, Organization.id == Activity.organization_id)
        .where(Activity.organization_id.in_(org_ids))
        .order_by(Activity.starts_at.desc(), Activity.id.desc())
    ).all()
    return [tuple(row) for row in found]


def test_activity_rows_are_the_records_in_order_and_in_scope(client, db, team, bulk):
    bulk.activities(team["org"], 30)
    bulk.activities(bulk.other, 12)
    login(client, "team_sw")  # sees both organizations of the community
    answer = client.get("/activities/export.xlsx")
    assert answer.status_code == 200
    rows = _rows(answer.data)
    assert len(rows) == 42
    shown = [(r[0].date(), r[1], r[2], r[11]) for r in rows]
    assert shown == _expected_activities(db, [team["org"].id, bulk.other.id])
    first = rows[0]
    assert first[3:10] == ("小组活动", "自组织服务", "长者", "活动室", first[7], 2, 3.0)

    client.post("/logout")
    login(client, "team_leader")  # only her organization
    rows = _rows(client.get("/activities/export.xlsx").data)
    assert {r[1] for r in rows} == {"舞蹈队"}
    assert [(r[0].date(), r[1], r[2], r[11]) for r in rows] == _expected_activities(
        db, [team["org"].id]
    )


def test_text_that_looks_like_a_formula_stays_text(client, db, team, bulk):
    bulk.activities(team["org"], 8)  # log 0 is titled "=活动0"
    login(client, "team_sw")
    sheet = _sheet(client.get("/activities/export.xlsx").data)
    cells = [row[2] for row in sheet.iter_rows(min_row=2)]
    formula_like = [c for c in cells if str(c.value).startswith("=")]
    assert formula_like and all(c.data_type == "s" for c in formula_like)


def test_filters_apply_to_the_export(client, db, team, bulk):
    bulk.activities(team["org"], 10)
    bulk.activities(bulk.other, 10)
    login(client, "team_sw")
    rows = _rows(
        client.get(f"/activities/export.xlsx?organization={bulk.other.id}").data
    )
    assert len(rows) == 10 and {r[1] for r in rows} == {"合唱团"}


def test_hours_rows_are_the_records_and_a_leader_sees_only_hers(client, db, team, bulk):
    bulk.activities(team["org"], 6)
    bulk.activities(bulk.other, 4)
    login(client, "team_leader")
    rows = _rows(client.get("/volunteers/hours/export.xlsx").data)
    assert len(rows) == 12  # two volunteers on each of her 6 logs
    assert {r[3] for r in rows} == {"舞蹈队"}
    expected = db.session.execute(
        select(ServiceRecord.served_on, ServiceRecord.service)
        .where(ServiceRecord.organization_id == team["org"].id)
        .order_by(ServiceRecord.served_on.desc(), ServiceRecord.id.desc())
    ).all()
    assert [(r[0].date(), r[4]) for r in rows] == [tuple(e) for e in expected]
    assert {(r[5], r[6], r[9]) for r in rows} == {(1.5, "林社工", "是")}


def _warm_up(user) -> None:
    """Read the rows once untraced: what is loaded once (translations, compiled
    statements, the objects the inserts expired) is not what grows per row."""
    assert sum(1 for _row in ACTIVITIES.rows(user, {})) > 0


def _peak_bytes(user) -> tuple[int, int]:
    """tracemalloc's peak while the whole activities export is written."""
    tracemalloc.start()
    try:
        with tempfile.TemporaryFile() as spool:
            count = write_workbook(
                spool,
                ACTIVITIES.title(),
                ACTIVITIES.headers(),
                ACTIVITIES.rows(user, {}),
            )
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return count, peak


def test_memory_does_not_grow_with_the_number_of_rows(app, db, team, bulk, monkeypatch):
    # batches smaller than the smaller export, so both hold whole batches
    monkeypatch.setattr(spreadsheets, "EXPORT_BATCH", 50)
    bulk.activities(team["org"], 500)
    _warm_up(team["sw"])
    small_count, small = _peak_bytes(team["sw"])
    bulk.activities(team["org"], 4500)
    _warm_up(team["sw"])
    large_count, large = _peak_bytes(team["sw"])
    assert (small_count, large_count) == (500, 5000)
    # Ten times the rows: a workbook held in memory would take ~10x (it did:
    # 3.5 GB for the district). Streamed, the peak stays that of one batch.
    assert large < small * 1.1, (small, large)


# ---- the background job ----

LARGE = pytest.mark.config(SYNC_EXPORT_ROWS=5)


def _queue(client, url="/activities/export.xlsx", referrer="/activities"):
    return client.get(url, headers={"Referer": f"http://localhost{referrer}"})


@LARGE
def test_a_large_export_is_queued_then_notified_and_downloaded(
    client, db, team, bulk, monkeypatch
):
    # the lease is renewed while rows are written (on SQLite, while they are read)
    monkeypatch.setattr(exports, "HEARTBEAT_ROWS", 2)
    bulk.activities(team["org"], 9)
    login(client, "team_leader")
    answer = _queue(client)
    assert answer.status_code == 302 and answer.location.endswith("/activities")
    page = client.get("/activities").get_data(as_text=True)
    assert "导出已开始，完成后会在通知中提供下载链接" in page
    job = db.session.scalar(select(ExportJob))
    assert (job.state, job.kind, job.user_id) == (
        "queued",
        "activities",
        team["leader"].id,
    )
    assert "排队中" in client.get("/exports").get_data(as_text=True)

    assert exports.export_job()["done"] == 1
    db.session.expire_all()
    job = db.session.get(ExportJob, job.id)
    assert (job.state, job.rows) == ("done", 9)
    notice = db.session.scalar(
        select(Reminder).where(Reminder.recipient_id == team["leader"].id)
    )
    assert notice.link == f"/exports/{job.id}/download"
    assert "导出完成" in notice.title
    assert "下载" in client.get("/exports").get_data(as_text=True)

    status, data, headers = _download(client, notice.link)
    assert status == 200
    assert "attachment" in headers["Content-Disposition"]
    rows = _rows(data)
    assert [(r[0].date(), r[1], r[2], r[11]) for r in rows] == _expected_activities(
        db, [team["org"].id]
    )

    client.post("/logout")
    login(client, "team_sw")  # sees the organization, but did not ask
    assert client.get(notice.link).status_code == 404
    assert "还没有导出" in client.get("/exports").get_data(as_text=True)
    client.post("/logout")
    assert client.get(notice.link).status_code == 302  # to the login page


@LARGE
def test_the_job_holds_what_the_requester_may_see(client, db, team, bulk):
    bulk.activities(team["org"], 6)
    bulk.activities(bulk.other, 6)
    login(client, "team_leader")
    _queue(client, "/volunteers/hours/export.xlsx", "/volunteers/hours")
    exports.export_job()
    job = db.session.scalar(select(ExportJob))
    rows = _rows(_download(client, f"/exports/{job.id}/download")[1])
    assert len(rows) == 12 and {r[3] for r in rows} == {"舞蹈队"}


@LARGE
def test_a_second_click_queues_nothing_more(client, db, team, bulk):
    bulk.activities(team["org"], 9)
    login(client, "team_leader")
    _queue(client)
    _queue(client)
    assert db.session.scalar(select(func.count(ExportJob.id))) == 1


@LARGE
def test_a_job_left_running_by_a_dead_process_is_retried(client, db, team, bulk):
    bulk.activities(team["org"], 9)
    login(client, "team_leader")
    _queue(client)
    job_id = db.session.scalar(select(ExportJob.id))
    assert exports.claim(job_id) == 1  # then the process dies
    db.session.execute(
        update(ExportJob).values(claimed_at=utcnow() - exports.LEASE - timedelta(1))
    )
    db.session.commit()
    assert exports.export_job() == {"retried": 1, "done": 1, "expired": 0}
    job = db.session.get(ExportJob, job_id)
    assert (job.state, job.attempts, job.rows) == ("done", 2, 9)
    assert _download(client, f"/exports/{job_id}/download")[0] == 200


@LARGE
def test_a_job_still_running_within_its_lease_is_left_alone(client, db, team, bulk):
    bulk.activities(team["org"], 9)
    login(client, "team_leader")
    _queue(client)
    job_id = db.session.scalar(select(ExportJob.id))
    assert exports.claim(job_id) == 1  # another scheduler is writing it
    assert exports.export_job() == {"retried": 0, "done": 0, "expired": 0}
    assert db.session.get(ExportJob, job_id).state == "running"


@LARGE
def test_two_workers_claiming_at_once_make_one_file(app, client, db, team, bulk):
    bulk.activities(team["org"], 9)
    login(client, "team_leader")
    _queue(client)
    job_id = db.session.scalar(select(ExportJob.id))
    first = exports.claim(job_id)
    assert first == 1 and exports.claim(job_id) is None  # the second one loses
    # The first worker stalls past its lease; a second scheduler takes the job
    # over and finishes it; then the first one wakes up and finishes too.
    db.session.execute(
        update(ExportJob).values(claimed_at=utcnow() - exports.LEASE - timedelta(1))
    )
    db.session.commit()
    exports.requeue_stale()
    second = exports.claim(job_id)
    assert second == 2 and exports.run(job_id, second) is True
    assert exports.run(job_id, first) is False
    files = sorted(export_files.names())
    job = db.session.get(ExportJob, job_id)
    assert files == [job.file_name] and job.file_name.startswith(f"export-{job_id}-2-")
    notices = db.session.scalar(select(func.count(Reminder.id)))
    assert notices == 1


@LARGE
def test_expired_files_are_deleted(client, db, team, bulk):
    bulk.activities(team["org"], 9)
    login(client, "team_leader")
    _queue(client)
    exports.export_job()
    job = db.session.scalar(select(ExportJob))
    name = job.file_name
    assert export_files.exists(name)
    db.session.execute(update(ExportJob).values(expires_at=utcnow() - timedelta(1)))
    db.session.commit()
    assert exports.export_job()["expired"] == 1
    assert not export_files.exists(name)
    db.session.expire_all()
    assert db.session.get(ExportJob, job.id).state == ExportState.EXPIRED
    answer = client.get(f"/exports/{job.id}/download")
    assert answer.status_code == 302 and answer.location.endswith("/exports")
    assert "已过期" in client.get("/exports").get_data(as_text=True)


@LARGE
def test_the_jobs_queries_do_not_grow_with_rows(client, db, team, bulk, count_queries):
    login(client, "team_leader")

    def run_one() -> int:
        _queue(client, "/volunteers/hours/export.xlsx", "/volunteers/hours")
        with count_queries() as counted:
            assert exports.export_job()["done"] == 1
        return counted.count

    bulk.activities(team["org"], 6)
    few = run_one()
    bulk.activities(team["org"], 300)
    assert run_one() == few


@LARGE
def test_my_exports_page_is_flat(client, db, team, bulk, count_queries):
    bulk.activities(team["org"], 9)
    login(client, "team_leader")

    def measure() -> int:
        with count_queries() as counted:
            assert client.get("/exports").status_code == 200
        return counted.count

    _queue(client)
    exports.export_job()
    one = measure()
    for month in ("2025-01", "2025-02", "2025-03"):
        _queue(client, f"/activities/export.xlsx?month={month}")
    exports.export_job()
    assert measure() == one
