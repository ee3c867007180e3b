"""CSRF, security headers, control characters, error pages, nothing from the
internet."""

import re

import pytest

from tests.conftest import login


@pytest.mark.config(WTF_CSRF_ENABLED=True)
def test_post_without_csrf_token_is_refused(client, make_user):
    user = make_user()
    response = client.post(
        "/login", data={"username": user.username, "password": "correct-horse-9"}
    )
    assert response.status_code == 400
    assert "表单已过期" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302  # not logged in


@pytest.mark.config(WTF_CSRF_ENABLED=True)
def test_post_with_csrf_token_is_accepted(client, make_user):
    user = make_user()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    token = token or re.search(
        r'id="csrf_token" name="csrf_token" type="hidden" value="([^"]+)"', page
    )
    assert token, page
    response = client.post(
        "/login",
        data={
            "username": user.username,
            "password": "correct-horse-9",
            "csrf_token": token.group(1),
        },
    )
    assert response.status_code == 302


@pytest.mark.config(WTF_CSRF_ENABLED=True)
def test_logout_without_csrf_token_is_refused(client, make_user):
    user = make_user()
    with client.session_transaction():
        pass
    # log in with a token first
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'value="([^"]+)"', page[page.index("csrf_token") :]).group(1)
    client.post(
        "/login",
        data={
            "username": user.username,
            "password": "correct-horse-9",
            "csrf_token": token,
        },
    )
    assert client.get("/").status_code == 200
    assert client.post("/logout").status_code == 400
    assert client.get("/").status_code == 200  # still logged in


def test_security_headers_on_every_response(client, login_as):
    responses = [
        client.get("/login"),
        client.get("/api/v1/openapi.json"),
        client.get("/"),  # a redirect
        client.get("/no/such/page"),  # an error page
        client.get("/api/v1/me"),  # a JSON error
        client.get("/static/css/app.css"),
    ]
    for response in responses:
        response.close()
        csp = response.headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp
        assert "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"]


def test_pages_with_personal_data_are_not_cached(client, login_as, api_token):
    login_as("admin")
    assert client.get("/admin/users").headers["Cache-Control"] == "no-store"
    assert client.get("/").headers["Cache-Control"] == "no-store"
    response = client.get("/api/v1/me", headers=api_token())
    assert response.headers["Cache-Control"] == "no-store"


def test_production_cookies_are_secure_httponly_lax(
    monkeypatch, database_url, make_user, db
):
    from config import ProductionConfig
    from incubator import create_app

    monkeypatch.setenv("SECRET_KEY", "p" * 40)
    app = create_app(
        ProductionConfig, SQLALCHEMY_DATABASE_URI=database_url, WTF_CSRF_ENABLED=False
    )
    username = make_user().username
    db.session.commit()  # the other app's request must find SQLite's write lock free
    response = login(app.test_client(), username)
    cookie = response.headers["Set-Cookie"]
    with app.app_context():
        db.engine.dispose()
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_nul_byte_in_form_is_a_clear_400_not_500(client, make_user):
    response = client.post("/login", data={"username": "ad\x00min", "password": "x"})
    assert response.status_code == 400
    assert "控制字符" in response.get_data(as_text=True)


def test_nul_byte_in_query_string_is_400(client, login_as):
    login_as("admin")
    assert client.get("/admin/users?q=%00").status_code == 400


def test_error_pages_are_chinese(client, login_as):
    login_as("viewer")
    response = client.get("/admin/users")
    assert response.status_code == 403
    assert "无权访问" in response.get_data(as_text=True)
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "页面不存在" in response.get_data(as_text=True)


def test_unexpected_error_gives_the_chinese_500_page(
    app, client, login_as, monkeypatch
):
    login_as("admin")
    from incubator.main import views

    def boom(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(views, "render_template", boom)
    response = client.get("/")
    assert response.status_code == 500
    assert "系统出错了" in response.get_data(as_text=True)


EXTERNAL_ASSET = re.compile(r"""(?:src|href)\s*=\s*["'](?:https?:)?//""", re.IGNORECASE)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_STYLE = re.compile(r"""\sstyle\s*=|<style""", re.IGNORECASE)


def _pages_for(client, login_as, make_org):
    yield "/login", client.get("/login")
    admin = login_as("admin")
    make_org(social_worker=admin)
    for path in (
        "/",
        "/admin/users",
        "/admin/users/new",
        "/admin/audit",
        f"/admin/users/{admin.id}/edit",
        f"/admin/users/{admin.id}/password",
        "/account/password",
        "/no/such/page",
    ):
        yield path, client.get(path)


def test_pages_load_nothing_from_the_internet_and_have_no_inline_code(
    client, login_as, make_org
):
    for path, response in _pages_for(client, login_as, make_org):
        html = response.get_data(as_text=True)
        assert not EXTERNAL_ASSET.search(html), path
        assert "http://" not in html and "https://" not in html, path
        assert not INLINE_SCRIPT.search(html), path
        assert not INLINE_STYLE.search(html), path


def test_local_bootstrap_is_served(client):
    html = client.get("/login").get_data(as_text=True)
    for url in re.findall(r'(?:src|href)="(/[^"]+\.(?:css|js))"', html):
        response = client.get(url)
        assert response.status_code == 200, url
        response.close()


def test_open_redirect_after_login_is_refused(client, make_user):
    user = make_user()
    response = login(client, user.username, next="https://evil.example/")
    assert response.headers["Location"] == "/"
    response = client.get("/language/en?next=//evil.example/")
    assert response.headers["Location"] == "/"
