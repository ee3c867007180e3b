"""Every page of ``tests.main_pages`` answers 200 to its role on the demo, so the
browser walks that use the list never walk a 403 or 404 page."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from incubator.auth import services as user_services
from incubator.auth.models import User
from tests.main_pages import DEMO_PASSWORD, ROLE_LOGINS, main_pages


@pytest.mark.parametrize("role", sorted(ROLE_LOGINS))
def test_every_main_page_opens_for_its_role(app, demo_today, role):
    username = ROLE_LOGINS[role]
    pages = main_pages(username)
    assert len(pages) >= 10
    client = app.test_client()
    response = client.post(
        "/login", data={"username": username, "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    failing = []
    for name, path in pages:
        answer = client.get(path)
        if answer.status_code != 200:
            failing.append((name, path, answer.status_code))
    assert failing == []


@pytest.mark.parametrize("round_", [1, 2])
def test_the_copied_demo_takes_new_records(app, db, demo_today, round_):
    """The second demo of the day is copied back rather than seeded: new records
    still get fresh ids after it (PostgreSQL's sequences moved past the copy)."""
    before = db.session.scalar(select(func.count()).select_from(User))
    user = user_services.create_user(
        f"new_{round_}",
        name="新社工",
        role="social_worker",
        password="correct-horse-9",
        actor=None,
    )
    db.session.commit()
    assert user.id > before
    assert db.session.scalar(select(func.count()).select_from(User)) == before + 1
