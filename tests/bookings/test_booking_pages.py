"""The booking pages: the room-by-day grid (what staff and leaders see), the
leader's "book a room" form with free times, the queue, a booking's page and its
actions, the month's uses and the Excel export; query counts flat with rows."""

from datetime import timedelta
from io import BytesIO

import pytest
from openpyxl import load_workbook

from incubator.bookings.models import Booking
from incubator.extensions import db as _db
from tests.bookings.conftest import at
from tests.conftest import login

DAY = "2026-03-03"  # a Tuesday, two days after the frozen "now"


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


@pytest.fixture
def day_of_bookings(centre, book):
    """On DAY: 舞蹈队 (bk_leader) requests the studio, 巡逻队 is confirmed in the
    hall, the agency holds the hall in the evening."""
    c = centre
    requested = book(
        c["leader"], c["studio"], at(DAY, 9), at(DAY, 11), organization_id=c["dance"].id
    )[0]
    patrol = book(
        c["sw"],
        c["hall"],
        at(DAY, 14),
        at(DAY, 16),
        organization_id=c["patrol"].id,
        purpose="巡逻队例会",
        service_type="self_org_service",
    )[0]
    agency = book(c["sw"], c["hall"], at(DAY, 19), at(DAY, 20, 30), purpose="党课")[0]
    return {"requested": requested, "patrol": patrol, "agency": agency}


def test_staff_grid_shows_every_booking_and_marks_requests_in_words(
    client, centre, day_of_bookings
):
    login(client, "bk_sw")
    html = page(client, f"/bookings?day={DAY}")
    assert "多功能厅" in html and "舞蹈室" in html
    assert "巡逻队例会" in html and "党课" in html
    assert "排练" in html  # the leader's request, in full for staff
    assert "Awaiting approval" in html or "待审批" in html
    assert 'data-testid="room-grid"' in html and 'data-testid="room-agenda"' in html


def test_leader_sees_her_bookings_in_full_and_others_only_as_taken(
    client, centre, day_of_bookings
):
    login(client, "bk_other")  # 巡逻队's leader
    html = page(client, f"/bookings?day={DAY}")
    assert "巡逻队例会" in html
    assert "排练" not in html and "党课" not in html  # others' purposes
    assert "舞蹈队" not in html
    assert "Taken" in html or "已占用" in html
    # and she cannot open the others' bookings
    assert client.get(f"/bookings/{day_of_bookings['requested'].id}").status_code == 404
    assert client.get(f"/bookings/{day_of_bookings['agency'].id}").status_code == 404
    assert client.get(f"/bookings/{day_of_bookings['patrol'].id}").status_code == 200


def test_phone_agenda_shows_one_room_with_free_and_taken_times(
    client, centre, day_of_bookings
):
    login(client, "bk_sw")
    hall = centre["hall"]
    html = page(client, f"/bookings?day={DAY}&room={hall.id}")
    agenda = html.split('data-testid="room-agenda"')[1].split(
        'data-testid="room-grid"'
    )[0]
    assert "08:30–14:00" in agenda  # free from opening to the patrol's meeting
    assert "巡逻队例会" in agenda and "排练" not in agenda  # the studio is not shown


def test_leader_books_from_the_free_times(client, centre, day_of_bookings, db):
    login(client, "bk_leader")
    studio = centre["studio"]
    html = page(client, f"/bookings/new?room_id={studio.id}&day={DAY}")
    assert 'data-testid="free-slots"' in html
    assert "11:00–21:00" in html  # after her own request until closing
    response = client.post(
        "/bookings/new",
        data={
            "room_id": studio.id,
            "day": DAY,
            "start_time": "15:00",
            "end_time": "17:00",
            "purpose": "常规排练",
            "service_type": "routine_training",
            "expected_people": "12",
            "organization_id": centre["dance"].id,
            "count": "4",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    made = db.session.scalars(
        _db.select(Booking).where(Booking.purpose == "常规排练")
    ).all()
    assert len(made) == 4 and {b.state for b in made} == {"requested"}
    mine = page(client, "/bookings/mine")
    assert mine.count("常规排练") == 4


def test_a_clash_is_shown_on_the_start_field(client, centre, day_of_bookings, db):
    login(client, "bk_sw")
    hall = centre["hall"]
    response = client.post(
        "/bookings/new",
        data={
            "room_id": hall.id,
            "day": DAY,
            "start_time": "15:00",
            "end_time": "17:00",
            "purpose": "讲座",
            "service_type": "public_class",
            "expected_people": "12",
            "organization_id": "",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "start_time-error" in html and "14:00–16:00" in html
    assert (
        db.session.scalar(_db.select(Booking).where(Booking.purpose == "讲座")) is None
    )


def test_warnings_show_before_booking(client, centre):
    login(client, "bk_sw")
    hall = centre["hall"]
    # 08:00 is before the hall opens (08:30); 2026-03-01 is a Sunday
    html = page(
        client, f"/bookings/new?room_id={hall.id}&day=2026-03-08&start=08:00&end=09:00"
    )
    assert html.count('data-testid="booking-warning"') == 2


def test_staff_approve_and_refuse_from_the_queue(client, centre, book, db):
    c = centre
    first = book(
        c["leader"], c["studio"], at(DAY, 9), at(DAY, 10), organization_id=c["dance"].id
    )[0]
    second = book(
        c["other"],
        c["studio"],
        at(DAY, 10),
        at(DAY, 11),
        organization_id=c["patrol"].id,
    )[0]
    login(client, "bk_sw")
    html = page(client, "/bookings/queue")
    assert html.count('action="/bookings/') >= 4
    client.post(
        f"/bookings/{first.id}/decision", data={"decision": "approve", "next": "queue"}
    )
    client.post(
        f"/bookings/{second.id}/decision", data={"decision": "refuse", "reason": ""}
    )
    db.session.expire_all()
    assert db.session.get(Booking, first.id).state == "confirmed"
    assert "批准了申请" in page(client, f"/bookings/{first.id}")  # the history
    assert db.session.get(Booking, second.id).state == "requested"  # no reason
    client.post(
        f"/bookings/{second.id}/decision",
        data={"decision": "refuse", "reason": "当天消防检查"},
    )
    db.session.expire_all()
    assert db.session.get(Booking, second.id).state == "refused"
    client.post("/logout")
    login(client, "bk_other")
    mine = page(client, "/bookings/mine")
    assert "当天消防检查" in mine


def test_leader_cancels_and_records_use(client, centre, book, db, frozen_time):
    c = centre
    made = book(
        c["leader"],
        c["hall"],
        at(DAY, 9),
        at(DAY, 10),
        organization_id=c["dance"].id,
        recurrence={"freq": "weekly", "count": 3},
    )
    login(client, "bk_leader")
    html = page(client, f"/bookings/{made[0].id}")
    assert 'value="rest"' in html  # the series: this one, or the rest
    client.post(f"/bookings/{made[1].id}/cancel", data={"reason": "", "scope": "rest"})
    db.session.expire_all()
    assert [db.session.get(Booking, b.id).state for b in made] == [
        "confirmed",
        "cancelled",
        "cancelled",
    ]
    frozen_time.move_to(at(DAY, 11))
    client.post("/logout")
    login(client, "bk_leader")
    html = page(client, f"/bookings/{made[0].id}")
    assert 'id="use"' in html
    client.post(f"/bookings/{made[0].id}/use", data={"held": "1", "people": "14"})
    db.session.expire_all()
    booking = db.session.get(Booking, made[0].id)
    assert booking.held is True and booking.people == 14


def _use(booking, people, db):
    booking.held = True
    booking.people = people
    db.session.commit()


def test_uses_of_the_month_and_export(client, centre, book, db, frozen_time):
    c = centre
    a = book(
        c["sw"],
        c["hall"],
        at(DAY, 9),
        at(DAY, 10),
        purpose="=1+1",
        organization_id=c["dance"].id,
    )[0]
    b = book(c["sw"], c["hall"], at(DAY, 10), at(DAY, 11), service_type="public_class")[
        0
    ]
    s = book(c["sw"], c["studio"], at(DAY, 12), at(DAY, 13))[0]
    book(c["sw"], c["studio"], at(DAY, 14), at(DAY, 15))  # not recorded: no use
    for booking, people in ((a, 10), (b, 25), (s, 7)):
        _use(booking, people, db)
    login(client, "bk_viewer")
    html = page(client, "/bookings/uses?month=2026-03")
    assert "使用 3 场，到场 42 人" in html
    assert 'data-testid="grand-total">3 / 42<' in html
    response = client.get("/bookings/export.xlsx?month=2026-03")
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.data)).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 4
    cell = sheet.cell(row=2, column=5)
    assert cell.value == "=1+1" and cell.data_type == "s"
    assert rows[0][3] == "舞蹈队"


def test_bad_input_never_fails(client, centre):
    login(client, "bk_sw")
    for url in (
        "/bookings?day=2026-13-40",
        "/bookings/uses?month=x",
        "/bookings/new?room_id=abc&day=zz&start=25:00",
        "/bookings?community_id=99999999999",
    ):
        assert client.get(url).status_code == 200, url
    response = client.post(
        "/bookings/new", data={"room_id": "x", "day": "2026-03-03", "purpose": "a\x00b"}
    )
    assert response.status_code in (200, 400)
    assert _db.session.scalar(_db.select(Booking)) is None


# ---- query budgets ----


@pytest.fixture
def grow(centre, book):
    state = {"n": 0}
    c = centre

    def to(n):
        while state["n"] < n:
            k = state["n"]
            state["n"] += 1
            room = c["hall"] if k % 2 else c["studio"]
            start = at(DAY, 8) + timedelta(minutes=40 * (k // 2))
            made = book(
                c["leader"],
                room,
                start,
                start + timedelta(minutes=30),
                organization_id=c["dance"].id,
            )
            for m in made:
                m.held = True
                m.people = 3
            _db.session.commit()

    return to


@pytest.mark.parametrize(
    "url",
    [
        f"/bookings?day={DAY}",
        "/bookings/queue",
        "/bookings/mine",
        "/bookings/uses?month=2026-03",
        "/bookings/export.xlsx?month=2026-03",
        f"/bookings/new?day={DAY}",
    ],
)
def test_pages_are_flat_with_rows(client, centre, grow, assert_constant_queries, url):
    grow(2)
    login(client, "bk_sw")
    assert_constant_queries(url, lambda: grow(12))


@pytest.mark.parametrize(
    "url", [f"/bookings?day={DAY}", "/bookings/mine", f"/bookings/new?day={DAY}"]
)
def test_leader_pages_are_flat_with_rows(
    client, centre, grow, assert_constant_queries, url
):
    grow(2)
    login(client, "bk_leader")
    assert_constant_queries(url, lambda: grow(12))


def test_several_communities_filter_and_scope(client, centre, book, db, make_user):
    from incubator.community.models import Community, Room
    from incubator.community.scope import set_scope

    c = centre
    other = Community(name="第二社区")
    db.session.add(other)
    db.session.flush()
    far = Room(community_id=other.id, name="远方礼堂", capacity=50)
    db.session.add(far)
    db.session.commit()
    admin = c["admin"]  # every community
    book(admin, far, at(DAY, 9), at(DAY, 10), purpose="远方的会")
    book(admin, c["hall"], at(DAY, 9), at(DAY, 10), purpose="本地的会")
    login(client, "bk_admin")
    # One community's rooms at a time (issue 18): the first by default.
    first = page(client, f"/bookings?day={DAY}")
    assert "本地的会" in first and 'name="community_id"' in first
    assert "远方礼堂" not in first
    one = page(client, f"/bookings?day={DAY}&community_id={other.id}")
    assert "远方的会" in one and "本地的会" not in one
    # a social worker of the first community sees nothing of the second
    sw = make_user("social_worker", username="bk_sw_local")
    set_scope(sw, [c["community"].id])
    db.session.commit()
    client.post("/logout")
    login(client, "bk_sw_local")
    local = page(client, f"/bookings?day={DAY}&community_id={other.id}")
    assert "远方礼堂" not in local and "远方的会" not in local
    assert 'name="community_id"' not in local


def test_a_leaders_clash_names_the_slot_not_who_holds_it(
    client, centre, day_of_bookings, db
):
    login(client, "bk_leader")  # 舞蹈队; the hall is 巡逻队's from 14:00 to 16:00
    response = client.post(
        "/bookings/new",
        data={
            "room_id": centre["hall"].id,
            "day": DAY,
            "start_time": "15:00",
            "end_time": "17:00",
            "purpose": "加练",
            "service_type": "routine_training",
            "expected_people": "12",
            "organization_id": centre["dance"].id,
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "14:00–16:00" in html and "start_time-error" in html
    assert "巡逻队" not in html


def test_viewers_read_the_grid_without_actions(client, centre, day_of_bookings):
    login(client, "bk_viewer")
    html = page(client, f"/bookings?day={DAY}")
    assert "巡逻队例会" in html and "排练" in html
    assert "/bookings/new" not in html and "/bookings/queue" not in html
    detail = page(client, f"/bookings/{day_of_bookings['requested'].id}")
    assert "/decision" not in detail and "/cancel" not in detail
