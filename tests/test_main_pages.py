"""Every page of ``tests.main_pages`` answers 200 to its role on the demo, so the
browser walks that use the list never walk a 403 or 404 page."""

from __future__ import annotations

import pytest

from incubator.demo.seed import seed_demo
from tests.main_pages import DEMO_PASSWORD, ROLE_LOGINS, main_pages


@pytest.mark.parametrize("role", sorted(ROLE_LOGINS))
def test_every_main_page_opens_for_its_role(app, db, role):
    seed_demo()
    db.session.commit()
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
