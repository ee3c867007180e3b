"""After 5 failures for one account within 15 minutes the next attempt gets 429
without the password being checked, and says in Chinese when to try again."""

from datetime import timedelta

from sqlalchemy import func, select

from incubator.auth.models import LoginFailure
from tests.conftest import DEFAULT_PASSWORD, login


def _fail(client, username, times):
    for _ in range(times):
        assert login(client, username, "wrong-password").status_code == 200


def test_sixth_attempt_is_refused_even_with_the_right_password(client, make_user, db):
    user = make_user()
    _fail(client, user.username, 5)
    response = login(client, user.username, DEFAULT_PASSWORD)
    assert response.status_code == 429
    page = response.get_data(as_text=True)
    assert "登录失败次数过多" in page
    assert "之后再试" in page
    assert client.get("/").status_code == 302  # not logged in
    # the refused attempt was not even counted as a check
    assert db.session.scalar(select(func.count()).select_from(LoginFailure)) == 5


def test_throttle_names_the_time_to_retry(client, make_user, frozen_time):
    user = make_user()
    _fail(client, user.username, 5)  # all at 09:00 Asia/Shanghai
    page = login(client, user.username).get_data(as_text=True)
    assert "09:15" in page


def test_throttle_is_shared_with_the_api(client, make_user):
    user = make_user()
    _fail(client, user.username, 5)
    response = client.post(
        "/api/v1/tokens", json={"username": user.username, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 429
    body = response.get_json()
    assert body["error"]["code"] == "too_many_attempts"
    assert "之后再试" in body["error"]["message"]
    assert int(response.headers["Retry-After"]) > 0


def test_window_passes_after_15_minutes(client, make_user, frozen_time):
    user = make_user()
    _fail(client, user.username, 5)
    frozen_time.shift(timedelta(minutes=15, seconds=1))
    assert login(client, user.username).status_code == 302


def test_other_accounts_are_not_affected(client, make_user):
    victim = make_user()
    other = make_user()
    _fail(client, victim.username, 5)
    assert login(client, other.username).status_code == 302


def test_four_failures_then_success_clears_the_count(client, make_user, db):
    user = make_user()
    _fail(client, user.username, 4)
    assert login(client, user.username).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(LoginFailure)) == 0


def test_unknown_usernames_are_throttled_too(client):
    _fail(client, "nobody", 5)
    assert login(client, "nobody", "whatever-pass").status_code == 429
