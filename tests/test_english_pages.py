"""In English, the main pages of every role carry no Chinese of their own: every
run of Chinese characters left on the page is the demo's data (names, titles,
notes), never a label, a message or an enumeration the code forgot to translate."""

from __future__ import annotations

import html
import json
import re

import pytest
from sqlalchemy import JSON, String, Text, select

from incubator.demo.seed import seed_demo
from incubator.extensions import Model, db
from tests.main_pages import DEMO_PASSWORD, ROLE_LOGINS, main_pages

CJK_RUN = re.compile(r"[\u3400-\u9fff]+")
# The language switch names the other language in its own script.
OWN_WORDS = {"中文"}
ATTRIBUTES = re.compile(r'(?:placeholder|title|aria-label|data-label|alt)="([^"]*)"')


def _data_text() -> str:
    """Every text the database holds, to tell data from the interface."""
    parts = []
    for mapper in Model.registry.mappers:
        columns = [
            c
            for c in mapper.local_table.columns
            if isinstance(c.type, String | Text | JSON)
        ]
        if not columns:
            continue
        for row in db.session.execute(select(*columns)):
            for value in row:
                if isinstance(value, dict | list):
                    parts.append(json.dumps(value, ensure_ascii=False))
                elif value:
                    parts.append(str(value))
    return "\n".join(parts)


def _visible_text(page: str) -> str:
    body = page.split("<main", 1)[-1]
    body = re.sub(r"<script.*?</script>", "", body, flags=re.S)
    shown = re.sub(r"<[^>]+>", "\n", body)
    return html.unescape(shown + "\n" + "\n".join(ATTRIBUTES.findall(body)))


@pytest.mark.parametrize("role", sorted(ROLE_LOGINS))
def test_main_pages_in_english_have_no_chinese_of_their_own(app, db, role):
    seed_demo()
    db.session.commit()
    data = _data_text()
    username = ROLE_LOGINS[role]
    client = app.test_client()
    client.get("/language/en")
    response = client.post(
        "/login", data={"username": username, "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    leftovers = {}
    for _name, path in main_pages(username):
        page = client.get(path).get_data(as_text=True)
        assert 'lang="en"' in page, path
        for run in CJK_RUN.findall(_visible_text(page)):
            if run not in OWN_WORDS and run not in data:
                leftovers.setdefault(run, path)
    assert leftovers == {}
