"""Sessions end for real: a cookie copied before logout, a password change or a
deactivation gets no page afterwards; idle and absolute timeouts apply."""

from datetime import timedelta

from incubator.auth import services
from tests.conftest import DEFAULT_PASSWORD, login


def _copy_cookie(client):
    cookie = client.get_cookie("incubator_session")
    assert cookie is not None
    return cookie.value


def _replay(app, cookie_value):
    other = app.test_client()
    other.set_cookie("incubator_session", cookie_value)
    return other.get("/")


def test_cookie_copied_before_logout_gets_no_page(app, client, make_user):
    user = make_user()
    login(client, user.username)
    stolen = _copy_cookie(client)
    assert _replay(app, stolen).status_code == 200

    client.post("/logout")
    response = _replay(app, stolen)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_logout_after_the_session_ended_goes_to_login(client):
    response = client.post("/logout")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"


def test_password_change_ends_other_sessions_but_keeps_this_one(app, client, make_user):
    user = make_user()
    login(client, user.username)
    stolen = _copy_cookie(client)

    response = client.post(
        "/account/password",
        data={
            "current_password": DEFAULT_PASSWORD,
            "new_password": "a-new-secret-77",
            "confirm": "a-new-secret-77",
        },
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200  # this browser continues
    assert _replay(app, stolen).status_code == 302  # the copy does not
    assert login(app.test_client(), user.username, "a-new-secret-77").status_code == 302


def test_password_change_needs_current_password(client, make_user):
    user = make_user()
    login(client, user.username)
    response = client.post(
        "/account/password",
        data={
            "current_password": "wrong-one-123",
            "new_password": "a-new-secret-77",
            "confirm": "a-new-secret-77",
        },
    )
    assert response.status_code == 200
    assert "当前密码不正确" in response.get_data(as_text=True)


def test_deactivation_ends_sessions_at_once(app, client, make_user, db):
    admin = make_user("admin")
    user = make_user()
    login(client, user.username)
    assert client.get("/").status_code == 200
    services.set_active(user, False, actor=admin)
    db.session.commit()
    assert client.get("/").status_code == 302


def test_idle_timeout_30_minutes(client, make_user, frozen_time):
    user = make_user()
    login(client, user.username)
    frozen_time.shift(timedelta(minutes=29))
    assert client.get("/").status_code == 200  # activity renews the idle clock
    frozen_time.shift(timedelta(minutes=29))
    assert client.get("/").status_code == 200
    frozen_time.shift(timedelta(minutes=31))
    assert client.get("/").status_code == 302


def test_absolute_timeout_12_hours(client, make_user, frozen_time):
    user = make_user()
    login(client, user.username)
    for _ in range(28):  # active every 25 minutes for 11 h 40 min: never idle
        frozen_time.shift(timedelta(minutes=25))
        assert client.get("/").status_code == 200
    frozen_time.shift(timedelta(minutes=21))  # 12 h 01 min after login, idle 21 min
    assert client.get("/").status_code == 302


def test_remember_me_survives_idle_but_not_14_days(client, make_user, frozen_time):
    user = make_user()
    login(client, user.username, remember="y")
    frozen_time.shift(timedelta(days=3))
    assert client.get("/").status_code == 200
    frozen_time.shift(timedelta(days=11, minutes=1))
    assert client.get("/").status_code == 302
