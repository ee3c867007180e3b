"""The public sign-in page: no login, no JavaScript, the consent, the cookie
that remembers, clear refusals (4xx, nothing stored), the window and the
throttle."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from incubator.signins import codes
from incubator.signins.models import Resident, SignIn
from incubator.signins.public import REMEMBER_COOKIE

FORM = {"name": "王秀英", "phone": "138 0013 8000", "consent": "y"}


def _url(record) -> str:
    return f"/signin/{codes.code_for(record)}"


def _count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(SignIn))


def test_the_page_shows_the_record_and_the_notice_without_scripts(centre, client):
    response = client.get(_url(centre["activity"]))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for text in ("广场舞排练", "舞蹈队", "多功能室", "姓名", "手机号", "3"):
        assert text in html
    assert "<script" not in html
    assert "http://" not in html.replace("http://localhost", "")
    assert "https://" not in html
    assert 'type="tel"' in html and 'method="post"' in html


def test_a_plain_form_post_signs_in_and_remembers(centre, client, db):
    url = _url(centre["session"])
    response = client.post(url, data=FORM)
    assert response.status_code == 201
    html = response.get_data(as_text=True)
    assert "已签到" in html and "✓" in html
    assert _count(db) == 1
    cookie = client.get_cookie(REMEMBER_COOKIE, path="/signin")
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax"
    assert cookie.expires is not None
    # the next time the form is filled in; twice counts once
    page = client.get(_url(centre["activity"])).get_data(as_text=True)
    assert 'value="王秀英"' in page and 'value="13800138000"' in page
    again = client.post(url, data=FORM)
    assert again.status_code == 200 and "已签到过" in again.get_data(as_text=True)
    assert _count(db) == 1
    # "not me" forgets
    forgotten = client.get(f"{url}/forget")
    assert forgotten.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert 'value="王秀英"' not in page


def test_consent_is_required(centre, client, db):
    response = client.post(_url(centre["activity"]), data={**FORM, "consent": ""})
    assert response.status_code == 400
    assert "勾选" in response.get_data(as_text=True)
    assert _count(db) == 0


@pytest.mark.parametrize(
    "name,phone,message",
    [
        ("", "13800138000", "请输入您的姓名"),
        ("王秀英", "1380013800", "11 位"),
        ("王秀英", "", "11 位"),
        ("王" * 60, "13800138000", "50"),
        ("王\u202e秀英", "13800138000", ""),
    ],
)
def test_malformed_input_is_shown_on_the_form(centre, client, db, name, phone, message):
    response = client.post(
        _url(centre["activity"]), data={"name": name, "phone": phone, "consent": "y"}
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "is-invalid" in html and message in html
    assert _count(db) == 0
    assert db.session.scalar(select(func.count()).select_from(Resident)) == 0


def test_control_characters_are_a_400_on_the_form(centre, client, db):
    response = client.post(
        _url(centre["activity"]), data={**FORM, "name": "王\x00秀英"}
    )
    assert response.status_code == 400
    assert 'data-testid="signin-form"' in response.get_data(as_text=True)
    assert _count(db) == 0


def test_english_when_the_browser_asks(centre, client):
    response = client.post(
        _url(centre["activity"]),
        data={**FORM, "phone": "123"},
        headers={"Accept-Language": "en-US,en;q=0.9"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "11-digit mobile number" in html


@pytest.mark.parametrize(
    "code", ["nonsense", "a1-aaaaaaaaaa", "a999999-abcdefghij", "%00", "a" * 300]
)
def test_forged_or_garbled_codes_are_404(centre, client, db, code):
    assert client.get(f"/signin/{code}").status_code in (400, 404)
    assert client.post(f"/signin/{code}", data=FORM).status_code in (400, 404)
    assert _count(db) == 0


def test_a_forged_code_is_a_404_page(centre, client):
    real = codes.code_for(centre["activity"])
    forged = real[:-1] + ("b" if real[-1] == "a" else "a")
    response = client.get(f"/signin/{forged}")
    assert response.status_code == 404
    assert "签到码无效" in response.get_data(as_text=True)


def test_outside_the_window_the_page_says_when(centre, client, db):
    time = centre["time"]
    url = _url(centre["activity"])
    time.move_to(centre["activity"].starts_at - timedelta(hours=2))
    page = client.get(url).get_data(as_text=True)
    assert "签到尚未开始" in page and "09:00" in page
    assert client.post(url, data=FORM).status_code == 409
    time.move_to(centre["activity"].starts_at + timedelta(days=1))
    page = client.get(url).get_data(as_text=True)
    assert "签到已结束" in page
    assert client.post(url, data=FORM).status_code == 409
    assert _count(db) == 0


def test_unconfirmed_booking_says_nobody_can_sign_in(centre, client, db):
    centre["booking"].state = "cancelled"
    db.session.commit()
    page = client.get(_url(centre["booking"])).get_data(as_text=True)
    assert 'data-testid="signin-unavailable"' in page
    assert client.post(_url(centre["booking"]), data=FORM).status_code == 409


@pytest.mark.config(SIGN_IN_PER_ADDRESS=3)
def test_throttled_per_address(centre, client, db):
    url = _url(centre["activity"])
    statuses = [
        client.post(url, data={**FORM, "phone": f"1390000000{i}"}).status_code
        for i in range(4)
    ]
    assert statuses[:3] == [201, 201, 201] and statuses[3] == 429
    assert "请稍候" in client.post(url, data=FORM).get_data(as_text=True)
    # refused posts count too: another address is not throttled
    other = client.post(url, data=FORM, environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code in (200, 201)


@pytest.mark.config(SIGN_IN_PER_CODE=2)
def test_throttled_per_code_and_failures_count(centre, client, db):
    url = _url(centre["activity"])
    assert client.post(url, data={**FORM, "phone": "1"}).status_code == 400
    assert (
        client.post(
            url, data=FORM, environ_base={"REMOTE_ADDR": "10.0.0.2"}
        ).status_code
        == 201
    )
    response = client.post(url, data=FORM, environ_base={"REMOTE_ADDR": "10.0.0.3"})
    assert response.status_code == 429
    # another code is not affected
    assert client.post(_url(centre["session"]), data=FORM).status_code == 201


@pytest.mark.config(WTF_CSRF_ENABLED=True)
def test_csrf_protects_the_anonymous_form(centre, client, db):
    url = _url(centre["activity"])
    refused = client.post(url, data=FORM)
    assert refused.status_code == 400 and _count(db) == 0
    page = client.get(url).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post(url, data={**FORM, "csrf_token": token}).status_code == 201


def test_the_page_query_budget(centre, client, count_queries):
    url = _url(centre["activity"])
    with count_queries() as counter:
        assert client.get(url).status_code == 200
    assert counter.count <= 5, counter
    with count_queries() as counter:
        assert client.post(url, data=FORM).status_code == 201
    assert counter.count <= 14, counter
