"""Every edit page takes back what it shows: the form posted as the page renders
it, unchanged, saves (a redirect), never a 500. Issue 13 found one edit page
(plan actions) answering 500 to every valid submission; this checks the kind,
every route named ``*edit*`` in the URL map, on the permission matrix's world."""

from __future__ import annotations

import pytest

from tests.conftest import login
from tests.page_forms import form_values
from tests.test_permission_matrix import _url, world  # noqa: F401  (fixture)

# Who edits what: the project lead may edit everything but an activity log of a
# leader's organization is theirs to fix as well; admins edit all of these.
EDITOR = "admin"


def _edit_rules(app):
    return sorted(
        (
            rule
            for rule in app.url_map.iter_rules()
            if "edit" in rule.endpoint.rsplit(".", 1)[-1]
            and {"GET", "POST"} <= rule.methods
            and not rule.rule.startswith("/api/")
        ),
        key=lambda r: r.rule,
    )


EDIT_PAGES = [
    "activities.edit",
    "admin.user_edit",
    "organizations.edit",
    "sessions.edit",
    "ventures.edit_action",
    "ventures.edit_round",
    "ventures.edit_template",
    "volunteers.edit",
]
# Edit pages checked elsewhere, with why.
ELSEWHERE = {
    # the world's venture runs, and only an application not yet under review is
    # edited: tests/ventures/test_edit_pages.py edits an applied one
    "ventures.edit",
}


def test_every_edit_page_is_checked(app):
    """A new edit page fails here until it is added to ``EDIT_PAGES``."""
    endpoints = {r.endpoint for r in _edit_rules(app)}
    assert endpoints == set(EDIT_PAGES) | ELSEWHERE


@pytest.mark.parametrize("endpoint", EDIT_PAGES)
def test_an_edit_page_saves_what_it_shows(app, world, endpoint):  # noqa: F811
    rules = [r for r in _edit_rules(app) if r.endpoint == endpoint]
    assert rules, endpoint
    client = app.test_client()
    user = world["users"][EDITOR]
    assert login(client, user.username).status_code == 302
    for rule in rules:
        if not rule.arguments:
            continue  # the "new" form behind the same view
        url = _url(rule, world["params"])
        page = client.get(url)
        assert page.status_code == 200, url
        response = client.post(url, data=form_values(page.get_data(as_text=True)))
        assert response.status_code == 302, (
            url,
            response.status_code,
            response.get_data(as_text=True)[:2000],
        )
