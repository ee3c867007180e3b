"""The organizer's sign-in pages as their users see them: the box on an
activity's and a session's page (a count for viewers, names for staff and the
leader, the warning past the typed person-times), the QR code page, the printed
sheet, typing and importing a paper sheet, the audited reveal, removing a
sign-in, and the admin erasing a resident."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from io import BytesIO

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from incubator.activities.models import Activity
from incubator.audit.models import AuditEntry
from incubator.extensions import db as _db
from incubator.sessions.models import TrainingSession
from incubator.signins import services
from incubator.signins.models import Resident, SignIn
from incubator.signins.schemas import AttendeeIn
from tests.conftest import login

# 2026-03-01 10:00-12:00 Asia/Shanghai
STARTS = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)
ENDS = datetime(2026, 3, 1, 4, 0, tzinfo=UTC)
NAMES = ("王秀英", "李建国", "张桂兰")


@pytest.fixture
def world(frozen_time, make_user, make_org, db, community):
    sw = make_user("social_worker", username="sp_sw")
    admin = make_user("admin", username="sp_admin")
    leader = make_user("org_leader", username="sp_leader")
    other = make_user("org_leader", username="sp_other")
    viewer = make_user("viewer", username="sp_viewer")
    dance = make_org("舞蹈队", leader=leader, social_worker=sw)
    make_org("巡逻队", leader=other, social_worker=sw)
    activity = Activity(
        organization_id=dance.id,
        community_id=dance.community_id,
        title="广场舞排练",
        form="group",
        service_type="self_org_service",
        target_group="elders",
        starts_at=STARTS,
        ends_at=ENDS,
        held_on=date(2026, 3, 1),
        place="活动室",
        person_times=2,
        review_state="pending",
    )
    session = TrainingSession(
        community_id=community.id,
        title="财务培训",
        starts_at=STARTS,
        ends_at=ENDS,
        place="会议室",
        capacity=30,
        state="scheduled",
    )
    db.session.add_all([activity, session])
    db.session.commit()
    return {
        "sw": sw,
        "admin": admin,
        "leader": leader,
        "other": other,
        "viewer": viewer,
        "activity": activity,
        "session": session,
    }


def _sign(record, actor, names=NAMES, start=13900000000):
    services.add_sheet(
        record,
        [AttendeeIn(name=n, phone=str(start + i)) for i, n in enumerate(names)],
        actor=actor,
    )
    _db.session.commit()


def _as(client, user):
    client.post("/logout")
    assert login(client, user.username).status_code == 302


def _page(client, url, status=200) -> str:
    response = client.get(url)
    assert response.status_code == status, url
    return response.get_data(as_text=True)


def test_viewer_sees_the_count_and_no_name(client, world):
    _sign(world["activity"], world["sw"])
    _as(client, world["viewer"])
    html = _page(client, f"/activities/{world['activity'].id}")
    assert 'data-testid="sign-in-count"' in html
    assert re.search(r"3 signed in|签到 3 人", html)
    for name in NAMES:
        assert name not in html
    assert "****" not in html
    assert "sign-in-warning" not in html  # for those who answer for it
    assert "sign-in-qr" not in html
    a = world["activity"].id
    for url in (
        f"/signins/activity/{a}/code",
        f"/signins/activity/{a}/sheet",
        f"/signins/activity/{a}/paper",
        f"/signins/activity/{a}/import",
    ):
        _page(client, url, 403)
    listing = _page(client, f"/signins/activity/{a}/attendees")
    assert not any(name in listing for name in NAMES)


def test_leader_of_another_org_gets_404(client, world):
    _sign(world["activity"], world["sw"])
    _as(client, world["other"])
    a = world["activity"].id
    for url in (
        f"/activities/{a}",
        f"/signins/activity/{a}/code",
        f"/signins/activity/{a}/sheet",
        f"/signins/activity/{a}/attendees",
        f"/signins/activity/{a}/paper",
    ):
        _page(client, url, 404)


def test_leader_sees_names_of_her_own_activity_and_the_warning(client, world):
    _sign(world["activity"], world["sw"])
    _as(client, world["leader"])
    html = _page(client, f"/activities/{world['activity'].id}")
    for name in NAMES:
        assert name in html
    assert "139****0000" in html
    assert 'data-testid="sign-in-warning"' in html
    assert re.search(
        r"3 signed in, more than the 2|签到人数 3 多于填写的服务人次 2", html
    )
    assert 'data-testid="sign-in-qr"' in html
    # she types sheets again; removing is the staff's
    assert "/remove" not in html


def test_no_warning_within_the_typed_person_times(client, world):
    _sign(world["activity"], world["sw"], names=NAMES[:2])
    _as(client, world["sw"])
    html = _page(client, f"/activities/{world['activity'].id}")
    assert "sign-in-warning" not in html
    assert "/remove" in html


def test_session_page_names_for_staff_count_for_invited_leader(client, world):
    session = world["session"]
    _sign(session, world["sw"])
    _as(client, world["sw"])
    html = _page(client, f"/sessions/{session.id}")
    assert all(name in html for name in NAMES)
    assert 'data-testid="sign-in-qr"' in html
    _as(client, world["viewer"])
    html = _page(client, f"/sessions/{session.id}")
    assert "sign-in-count" in html and not any(name in html for name in NAMES)


def test_qr_page_has_the_svg_the_link_and_the_window(client, world):
    _sign(world["activity"], world["sw"], names=NAMES[:1])
    _as(client, world["leader"])
    html = _page(client, f"/signins/activity/{world['activity'].id}/code")
    assert re.search(r"<svg[^>]*class=\"qr-code\"", html)
    link = re.search(r'data-testid="sign-in-link">([^<]+)<', html).group(1)
    assert "/signin/a" in link
    assert re.search(r"09:00 起至当日 24:00|09:00 until 24:00 the same day", html)
    assert re.search(r"1 signed in|签到 1 人", html)
    assert "<script>" not in html and "style=" not in html


def test_print_sheet_is_one_page_of_twenty_rows_with_the_qr(client, world):
    _as(client, world["sw"])
    html = _page(client, f"/signins/activity/{world['activity'].id}/sheet")
    assert re.search(r"<svg[^>]*class=\"qr-code\"", html)
    body = html.split('data-testid="sheet-rows"')[1].split("</table>")[0]
    assert body.count("<tr>") == 21  # the header and 20 lines
    assert "广场舞排练" in html and "舞蹈队" in html and "活动室" in html
    assert 'class="navbar' not in html


def test_paper_sheet_shows_row_errors_and_saves_nothing(client, world):
    _as(client, world["leader"])
    a = world["activity"].id
    form = _page(client, f"/signins/activity/{a}/paper")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
    data = {
        "csrf_token": token,
        "rows-0-name": "王秀英",
        "rows-0-phone": "138 0013 8000",
        "rows-2-name": "李建国",
        "rows-2-phone": "1234",
    }
    response = client.post(f"/signins/activity/{a}/paper?rows=10", data=data)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="rows-2-phone-error"' in html
    assert _db.session.scalar(select(func.count(SignIn.id))) == 0
    data["rows-2-phone"] = "+86 139-0000-0001"
    data["rows-3-name"] = "王秀英"  # the same person again counts once
    data["rows-3-phone"] = "13800138000"
    response = client.post(f"/signins/activity/{a}/paper?rows=10", data=data)
    assert response.status_code == 302
    rows = _db.session.scalars(select(SignIn)).all()
    assert len(rows) == 2 and {r.source for r in rows} == {"paper"}


def test_more_rows_without_script(client, world):
    _as(client, world["sw"])
    html = _page(client, f"/signins/activity/{world['activity'].id}/paper?rows=20")
    assert 'name="rows-19-phone"' in html and 'name="rows-20-phone"' not in html
    assert "rows=30" in html
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    kept = client.post(
        f"/signins/activity/{world['activity'].id}/paper?rows=30",
        data={"csrf_token": token, "more": "1", "rows-0-name": "王秀英"},
    ).get_data(as_text=True)
    assert 'name="rows-29-phone"' in kept and 'value="王秀英"' in kept
    assert _db.session.scalar(select(func.count(SignIn.id))) == 0
    huge = _page(client, f"/signins/activity/{world['activity'].id}/paper?rows=x9")
    assert 'name="rows-9-phone"' in huge


def _workbook(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["姓名*", "手机号*"])
    for row in rows:
        sheet.append(row)
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_excel_import_preview_then_confirm(client, world):
    _as(client, world["sw"])
    a = world["activity"].id
    template = client.get(f"/signins/activity/{a}/import/template.xlsx")
    assert template.status_code == 200 and template.data[:2] == b"PK"
    page = _page(client, f"/signins/activity/{a}/import")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    data = _workbook(
        [
            ["示例：张三", "13800138000"],
            ["王秀英", 13800138001],
            ["李建国", "138-0013-8002"],
            ["张桂兰", 1.38e10 + 0.5],
            ["", "13800138004"],
        ]
    )
    response = client.post(
        f"/signins/activity/{a}/import",
        data={"csrf_token": token, "file": (BytesIO(data), "签到.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    report = _page(client, response.headers["Location"])
    assert "138****8001" in report and "138****8002" in report
    assert "13800138001" not in report
    errors = report.split('id="import-errors"')[1]
    assert "张桂兰" in errors
    assert _db.session.scalar(select(func.count(SignIn.id))) == 0
    confirm = re.search(r'action="([^"]+/confirm)"', report).group(1)
    response = client.post(confirm, data={"csrf_token": token})
    assert response.status_code == 302
    rows = _db.session.scalars(select(SignIn)).all()
    assert len(rows) == 2 and {r.source for r in rows} == {"import"}


def test_staff_remove_a_sign_in(client, world):
    _sign(world["activity"], world["sw"])
    _as(client, world["sw"])
    a = world["activity"].id
    html = _page(client, f"/signins/activity/{a}/attendees")
    action = re.findall(r'action="([^"]+/remove)"', html)[0]
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    response = client.post(
        action, data={"csrf_token": token, "next": f"/activities/{a}"}
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/activities/{a}")
    assert _db.session.scalar(select(func.count(SignIn.id))) == 2
    _as(client, world["leader"])
    response = client.post(action.replace("/remove", "/remove"), data={})
    assert response.status_code in (403, 404)


def test_reveal_is_audited_and_only_where_numbers_are_kept(app, client, world):
    a = world["activity"].id
    app.config["RESIDENT_PHONE_STORAGE"] = "encrypted"
    try:
        _sign(world["activity"], world["sw"], names=NAMES[:1])
        _as(client, world["sw"])
        html = _page(client, f"/signins/activity/{a}/attendees")
        action = re.search(r'action="([^"]+/reveal)"', html).group(1)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
        response = client.post(action, data={"csrf_token": token})
        assert response.status_code == 200
        shown = response.get_data(as_text=True)
        assert 'data-testid="revealed-phone">13900000000<' in shown
        entries = _db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "reveal")
        ).all()
        assert len(entries) == 1 and entries[0].entity_type == "Resident"
        _as(client, world["leader"])  # a leader sees names, never full numbers
        html = _page(client, f"/signins/activity/{a}/attendees")
        assert "/reveal" not in html
        assert client.post(action, data={}).status_code in (400, 403)
    finally:
        app.config["RESIDENT_PHONE_STORAGE"] = "masked"
    _as(client, world["sw"])
    html = _page(client, f"/signins/activity/{a}/attendees")
    assert "/reveal" not in html  # masked only: nothing to reveal


def test_admin_erases_a_resident_on_request(client, world):
    _sign(world["activity"], world["sw"], names=NAMES[:1])
    _sign(world["session"], world["sw"], names=["王秀英"])
    _as(client, world["admin"])
    page = _page(client, "/admin/residents")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    html = client.post(
        "/admin/residents", data={"csrf_token": token, "phone": "139 0000 0000"}
    ).get_data(as_text=True)
    assert "王秀英" in html and "139****0000" in html
    action = re.search(r'action="([^"]+/erase)"', html).group(1)
    refused = client.post(action, data={"csrf_token": token, "reason": ""})
    assert refused.status_code == 200
    assert _db.session.scalar(select(Resident)).name == "王秀英"
    response = client.post(action, data={"csrf_token": token, "reason": "本人来电要求"})
    assert response.status_code == 302
    resident = _db.session.scalar(select(Resident))
    assert resident.erased and resident.name == "" and resident.key is None
    assert _db.session.scalar(select(func.count(SignIn.id))) == 2  # counts stay
    html = client.post(
        "/admin/residents", data={"csrf_token": token, "phone": "13900000000"}
    ).get_data(as_text=True)
    assert 'data-testid="resident-none"' in html
    bad = client.post("/admin/residents", data={"csrf_token": token, "phone": "12"})
    assert bad.status_code == 200
    _as(client, world["sw"])
    assert client.get("/admin/residents").status_code == 403


@pytest.mark.parametrize("kind", ["activity", "session"])
def test_record_page_and_attendee_list_keep_their_queries(
    client, world, assert_constant_queries, kind
):
    record = world[kind]
    _as(client, world["sw"])
    start = iter(range(13700000000, 13800000000, 50))

    def grow():
        _sign(
            record,
            world["sw"],
            names=[f"居民{i}" for i in range(15)],
            start=next(start),
        )

    page = (
        f"/activities/{record.id}" if kind == "activity" else f"/sessions/{record.id}"
    )
    _sign(record, world["sw"], names=NAMES[:1], start=13600000000)
    for url in (
        page,
        f"/signins/{kind}/{record.id}/attendees",
        f"/signins/{kind}/{record.id}/code",
    ):
        assert_constant_queries(url, grow)


def test_admin_page_keeps_its_queries(client, world, count_queries):
    _sign(world["activity"], world["sw"], names=NAMES[:1])
    _as(client, world["admin"])
    page = _page(client, "/admin/residents")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)

    def measure():
        with count_queries() as counter:
            client.post(
                "/admin/residents", data={"csrf_token": token, "phone": "13900000000"}
            )
        return counter.count

    before = measure()
    _sign(world["session"], world["sw"], names=NAMES[:1])
    assert measure() == before
