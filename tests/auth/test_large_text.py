"""The 大字 (large text) switch: kept on the user (every device, across logins),
audited, and carried by every page as a class on <html>; before login a cookie
enlarges the login page."""

from __future__ import annotations

import re

from sqlalchemy import select

from incubator.audit.models import AuditEntry
from incubator.extensions import db
from tests.conftest import login

LARGE_HTML = re.compile(r'<html lang="[^"]+" class="large-text">')


def _pressed(html: str) -> str:
    button = re.search(r"<button[^>]*large-text-toggle[^>]*>", html)
    assert button is not None
    return re.search(r'aria-pressed="(\w+)"', button.group(0)).group(1)


def test_large_text_is_kept_per_user_across_logins_and_audited(app, client, make_user):
    user = make_user("org_leader", username="wu_ayi")
    other = make_user("org_leader", username="zheng_ayi")
    db.session.commit()
    assert login(client, "wu_ayi").status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert not LARGE_HTML.search(page)
    assert _pressed(page) == "false"

    answer = client.post("/display/large-text", data={"on": "1", "next": "/activities"})
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith("/activities")
    page = client.get("/activities").get_data(as_text=True)
    assert LARGE_HTML.search(page)
    assert _pressed(page) == "true"

    db.session.expire_all()
    assert db.session.get(type(user), user.id).large_text is True
    assert db.session.get(type(other), other.id).large_text is False
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "large_text")
    ).one()
    assert entry.actor_id == user.id
    assert entry.entity_id == user.id
    assert entry.changes["large_text"] == [False, True]

    # another browser (no cookie): the choice comes with the login
    client.post("/logout")
    fresh = app.test_client()
    assert login(fresh, "wu_ayi").status_code == 302
    assert LARGE_HTML.search(fresh.get("/").get_data(as_text=True))
    # the other leader is not affected
    third = app.test_client()
    assert login(third, "zheng_ayi").status_code == 302
    assert not LARGE_HTML.search(third.get("/").get_data(as_text=True))

    # switched off again: standard pages, audited once more
    fresh.post("/display/large-text", data={"on": "0", "next": "/"})
    assert not LARGE_HTML.search(fresh.get("/").get_data(as_text=True))
    actions = db.session.scalars(
        select(AuditEntry.changes).where(AuditEntry.action == "large_text")
    ).all()
    assert [c["large_text"] for c in actions] == [[False, True], [True, False]]


def test_login_page_is_enlarged_by_a_cookie_before_login(client):
    page = client.get("/login").get_data(as_text=True)
    assert not LARGE_HTML.search(page)
    assert _pressed(page) == "false"
    answer = client.post("/display/large-text", data={"on": "1", "next": "/login"})
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith("/login")
    page = client.get("/login").get_data(as_text=True)
    assert LARGE_HTML.search(page)
    assert _pressed(page) == "true"
    assert (
        db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "large_text")
        ).all()
        == []
    )


def test_large_text_switch_refuses_a_foreign_next(client):
    answer = client.post(
        "/display/large-text", data={"on": "1", "next": "https://evil.example/"}
    )
    assert answer.status_code == 302
    assert "evil" not in answer.headers["Location"]


def test_form_errors_are_tied_to_their_input(client):
    page = client.post("/login", data={"username": "", "password": ""}).get_data(
        as_text=True
    )
    username = re.search(r'<input[^>]*id="username"[^>]*>', page).group(0)
    assert 'aria-invalid="true"' in username
    assert 'aria-describedby="username-error"' in username
    assert 'id="username-error"' in page
    # required said in words, not only by colour
    assert re.search(
        r'<label[^>]*for="username"[^>]*>[^<]*<span class="required-mark">', page
    )
