"""Every main page of each role (``tests.main_pages``) at 360, 390 and 1280 px in
headless Chromium: the page never scrolls sideways, nothing inside a card or a table
cell spills out of its box, no visible text wraps one or two characters per line
(the "何/梓/萱" and "2026/年10/月31/日" of issue 16) or is cut to one or two characters
(the month calendar's entries). A full-page screenshot of every
(role, page, width) is kept in ``build/screens/`` as a test artefact.

One browser; one context per role and width, logged in once and reused for every page.
A failure names the page, the width and the offending text.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.main_pages import DEMO_PASSWORD, ROLE_LOGINS, main_pages

pytestmark = pytest.mark.browser

WIDTHS = (360, 390, 1280)
SHOWN = 8  # problems listed per page and width; the rest are counted
SCREENS = Path(__file__).resolve().parent.parent / "build" / "screens"

# Measures the rendered page; answers a list of problems, each {kind, text, detail}.
# - "page": the document is wider than the window (it scrolls sideways)
# - "overflow": something inside a table cell or a card sticks out of it, or the cell or
#   card itself has to scroll or clip its content sideways
# - "narrow": a visible text (2+ characters) is laid out on 2+ lines of at most one
#   character each, or on 3+ lines none wider than about two CJK characters
# - "truncated": a text cut with an ellipsis to a few characters (the
#   month grid's "社…" entries on a phone): narrower than 5 em and under half the text
MEASURE = (Path(__file__).resolve().parent / "layout_measure.js").read_text(
    encoding="utf-8"
)


def _log_in(context, base, username):
    page = context.new_page()
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    return page


def walk(browser, base, role, username, pages, screens=SCREENS):
    """Open each of ``pages`` at every width; answers the problems found as lines
    ``role page width: kind: text (detail)`` and saves a screenshot of each."""
    screens.mkdir(parents=True, exist_ok=True)
    found = []
    for width in WIDTHS:
        phone = width < 576
        context = browser.new_context(
            viewport={"width": width, "height": 844 if phone else 900},
            is_mobile=phone,
            has_touch=phone,
            locale="zh-CN",
        )
        try:
            page = _log_in(context, base, username)
            for name, path in pages:
                answer = page.goto(f"{base}{path}")
                status = answer.status if answer else 0
                if status != 200:
                    found.append(f"{role} {name} {width}: status {status} at {path}")
                    continue
                page.screenshot(
                    path=str(screens / f"{role}-{name}-{width}.png"), full_page=True
                )
                problems = page.evaluate(MEASURE)
                for problem in problems[:SHOWN]:
                    found.append(
                        f"{role} {name} ({path}) {width}px: {problem['kind']}: "
                        f"{problem['text']!r} ({problem['detail']})"
                    )
                if len(problems) > SHOWN:
                    found.append(
                        f"{role} {name} ({path}) {width}px: "
                        f"and {len(problems) - SHOWN} more"
                    )
        finally:
            context.close()
    return found


@pytest.mark.parametrize("role", sorted(ROLE_LOGINS))
def test_main_pages_fit_phone_and_desktop(live_server, browser, db, role):
    username = ROLE_LOGINS[role]
    pages = main_pages(username)
    # end the test's read transaction so the server thread may write (the login)
    db.session.commit()
    found = walk(browser, live_server, role, username, pages)
    assert found == [], "\n".join(found)
