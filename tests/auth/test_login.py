from datetime import timedelta

from sqlalchemy import select

from incubator.auth.models import User, UserSession
from tests.conftest import DEFAULT_PASSWORD, login


def test_login_page_is_chinese(client):
    page = client.get("/login").get_data(as_text=True)
    assert "登录" in page
    assert 'lang="zh-CN"' in page


def test_anonymous_home_redirects_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_login_lands_on_home_with_navigation(client, make_user):
    user = make_user("social_worker", name="林社工")
    response = login(client, user.username)
    assert response.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "林社工" in page
    for label in ("组织", "志愿者", "活动", "创投", "培力课程", "跟进", "报表", "通知"):
        assert label in page


def test_wrong_password_is_refused_with_chinese_message(client, make_user):
    user = make_user()
    response = login(client, user.username, "wrong-password")
    assert response.status_code == 200
    assert "用户名或密码错误" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_deactivated_user_cannot_log_in(client, make_user):
    user = make_user(active=False)
    response = login(client, user.username)
    assert response.status_code == 200
    assert client.get("/").status_code == 302


def test_password_is_hashed_with_argon2id(db, make_user):
    user = make_user()
    stored = db.session.scalar(select(User.password_hash).where(User.id == user.id))
    assert stored.startswith("$argon2id$")
    assert DEFAULT_PASSWORD not in stored


def test_session_cookie_flags(client, make_user):
    user = make_user()
    response = login(client, user.username)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    # without "remember me" the cookie ends with the browser session
    assert "Expires" not in cookie


def test_remember_me_lasts_at_most_14_days(client, make_user, db):
    user = make_user()
    response = login(client, user.username, remember="y")
    assert "Expires" in response.headers["Set-Cookie"]
    sess = db.session.scalar(select(UserSession).where(UserSession.user_id == user.id))
    assert sess.expires_at - sess.created_at <= timedelta(days=14)
