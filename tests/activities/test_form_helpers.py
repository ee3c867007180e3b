"""Issue 16, the activity form on a leader's phone: two volunteers of one name told
apart, an hours error that says whose, a photo that opens on a page with a way
back, the write-up's limit, all as the leader sees them."""

import re

from sqlalchemy import select

from incubator.activities import services
from incubator.activities.schemas import MAX_SUMMARY
from incubator.community.models import Compound
from incubator.volunteers import services as volunteer_services
from incubator.volunteers.schemas import VolunteerRegistration
from tests.conftest import login
from tests.images import png_bytes


def _two_zhang(team, db):
    """Two 张德胜 on the roster, in two compounds, phones ending 8000 and 8001."""
    甲, 乙 = db.session.scalars(select(Compound).order_by(Compound.position)).all()[:2]
    zhangs = [
        volunteer_services.create_volunteer(
            VolunteerRegistration(
                name="张德胜", birth_year=1955, phone=phone, compound_id=compound.id
            ),
            actor=team["sw"],
            organization=team["org"],
        )
        for phone, compound in (("13900008000", 甲), ("13900008001", 乙))
    ]
    db.session.commit()
    return zhangs


def _form(team, volunteer_hours, **overrides):
    data = {
        "org": team["org"].id,
        "title": "重阳节文艺汇演",
        "held_on": "2026-02-10",
        "start_time": "14:00",
        "end_time": "16:30",
        "compound_id": "",
        "place": "活动室",
        "form": "community",
        "service_type": "self_org_service",
        "target_group": "elders",
        "person_times": "45",
        "summary": "演出 8 个节目",
        "submission_key": "k-1",
    }
    for volunteer, hours in volunteer_hours:
        data[f"vol-{volunteer.id}"] = "1"
        data[f"hours-{volunteer.id}"] = hours
    data.update(overrides)
    return data


def _row(page, volunteer):
    """The list row of ``volunteer`` on the form."""
    start = page.index(f'id="vol-{volunteer.id}"')
    return page[start : page.index("volunteer-pick", start)]


def test_two_of_one_name_are_told_apart_and_the_list_can_be_searched(
    frozen_time, client, team, db
):
    first, second = _two_zhang(team, db)
    login(client, "team_leader")
    page = client.get(f"/activities/new?org={team['org'].id}").get_data(as_text=True)
    assert "甲小区 · 尾号 8000" in _row(page, first)
    assert "乙小区 · 尾号 8001" in _row(page, second)
    # a name no one shares gets no extra words, and no full phone is ever shown
    assert "尾号 0001" not in page and "13900008000" not in page
    # the search box and the count, shown by their script (the plain list works without)
    assert "按姓名查找志愿者" in page and "data-picker-search" in page
    assert "js/volunteer_picker.js" in page
    assert page.count('type="checkbox" name="vol-') == 4


def test_an_hours_error_names_whose_hours(frozen_time, client, team, db):
    first, second = _two_zhang(team, db)
    login(client, "team_leader")
    helper = team["helpers"][0]
    # 2.5 hours of activity: 5 hours for the second 张德胜 is too many
    response = client.post(
        "/activities/new", data=_form(team, [(helper, "2"), (second, "5")])
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    message = "张德胜（乙小区 · 尾号 8001）：5 小时超过了活动时长（2.5 小时）。"
    assert message in page
    # shown on that volunteer's own row too, tied to the hours box
    row = _row(page, second)
    assert message in row and "is-invalid" in row and "aria-describedby" in row
    assert "is-invalid" not in _row(page, first)
    # negative hours: named as well
    page = client.post("/activities/new", data=_form(team, [(first, "-1")])).get_data(
        as_text=True
    )
    assert "张德胜（甲小区 · 尾号 8000）：" in page
    # listed with no hours at all: named
    page = client.post("/activities/new", data=_form(team, [(helper, "")])).get_data(
        as_text=True
    )
    assert f"{helper.name}：" in page


def test_the_api_names_the_volunteer_and_gives_their_id(frozen_time, client, team, db):
    _first, second = _two_zhang(team, db)
    token = client.post(
        "/api/v1/tokens",
        json={"username": "team_leader", "password": "correct-horse-9"},
    ).get_json()["token"]
    response = client.post(
        "/api/v1/activities",
        json={
            "organization_id": team["org"].id,
            "title": "义诊",
            "form": "community",
            "service_type": "science",
            "target_group": "elders",
            "starts_at": "2026-02-20T09:00:00+08:00",
            "ends_at": "2026-02-20T11:00:00+08:00",
            "place": "活动中心",
            "person_times": 60,
            "volunteer_hours": [{"volunteer_id": second.id, "hours": "3"}],
        },
        headers={"Authorization": f"Bearer {token}"},
    )
    error = response.get_json()["error"]
    assert response.status_code == 422
    [message] = error["fields"]["volunteer_hours"]
    assert message == "张德胜（乙小区 · 尾号 8001）：3 小时超过了活动时长（2 小时）。"
    assert error["details"] == {"volunteer_id": second.id}


def test_the_write_up_carries_its_real_limit(frozen_time, client, team, db):
    login(client, "team_leader")
    page = client.get(f"/activities/new?org={team['org'].id}").get_data(as_text=True)
    summary = re.search(r"<textarea[^>]*name=\"summary\"[^>]*>", page).group(0)
    assert f'maxlength="{MAX_SUMMARY}"' in summary
    assert "已输入 {n} / 最大 {max} 字" in page and "js/char_counter.js" in page
    # without the script, the server still refuses a longer text in words
    page = client.post(
        "/activities/new", data=_form(team, [], summary="字" * (MAX_SUMMARY + 1))
    ).get_data(as_text=True)
    assert f"字段长度不能超过 {MAX_SUMMARY} 个字符。" in page


def test_a_photo_opens_on_a_page_with_a_way_back(
    frozen_time, client, team, log, db, make_user
):
    activity = log(team["org"], team["leader"])
    photos = [
        services.add_photo(activity, png_bytes(), f"合影{i}.png", actor=team["leader"])
        for i in range(3)
    ]
    db.session.commit()
    login(client, "team_leader")
    detail = client.get(f"/activities/{activity.id}").get_data(as_text=True)
    assert f'href="/activities/photos/{photos[0].id}/view"' in detail
    assert f'href="/activities/photos/{photos[0].id}"' not in detail
    page = client.get(f"/activities/photos/{photos[1].id}/view").get_data(as_text=True)
    assert "返回活动" in page and f'href="/activities/{activity.id}#photos"' in page
    assert "第 2 张，共 3 张" in page
    assert f'href="/activities/photos/{photos[0].id}/view">‹ 上一张' in page
    assert f'href="/activities/photos/{photos[2].id}/view">下一张 ›' in page
    assert f'src="/activities/photos/{photos[1].id}"' in page
    last = client.get(f"/activities/photos/{photos[2].id}/view").get_data(as_text=True)
    assert "上一张" in last and "下一张" not in last
    # an outsider finds nothing
    make_user("org_leader", username="outsider")
    client.post("/logout")
    login(client, "outsider")
    assert client.get(f"/activities/photos/{photos[1].id}/view").status_code == 404


def test_the_log_page_tells_apart_two_of_one_name(frozen_time, client, team, db):
    """Who served, on the log's page: each 张德胜 with their compound and 尾号."""
    first, second = _two_zhang(team, db)
    login(client, "team_leader")
    response = client.post(
        "/activities/new",
        data=_form(team, [(first, "1"), (second, "2")]),
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "甲小区 · 尾号 8000</span>（1.0）" in page
    assert "乙小区 · 尾号 8001</span>（2.0）" in page
