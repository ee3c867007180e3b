"""axe-core (tests/vendor/axe-core, tests only) on every main page of each role, in
the standard and the 大字 (large text) mode, and on the login page: no serious or
critical WCAG 2.0/2.1 A/AA violation. Failures name the page, the rule and the
elements, so they can be fixed where they are."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.main_pages import DEMO_PASSWORD, ROLE_LOGINS, main_pages

# The page keeps its strict CSP; only the injected axe script needs bypass_csp.
AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}
PHONE = {"width": 390, "height": 844}

pytestmark = pytest.mark.browser


def axe_violations(page) -> list[str]:
    """Run axe on ``page``; one line per serious/critical violation."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']})",
        TAGS,
    )
    lines = []
    for violation in result["violations"]:
        if violation["impact"] not in BLOCKING:
            continue
        targets = [" ".join(map(str, node["target"])) for node in violation["nodes"]]
        summary = violation["nodes"][0].get("failureSummary", "").replace("\n", " ")
        lines.append(
            f"{violation['id']} ({violation['impact']}, {len(targets)}x): "
            f"{targets[:6]} -- {summary[:300]}"
        )
    return lines


def new_page(browser):
    """A phone-sized page; the machines are shared, so waits are generous."""
    context = browser.new_context(viewport=PHONE, locale="zh-CN", bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(120_000)
    return context, page


def log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", DEMO_PASSWORD)
    page.click("form.card button[type=submit]")
    page.wait_for_url(f"{base}/")


def set_large_text(page, on: bool) -> None:
    """Press the 大字 switch of the navbar if it is not already as wanted."""
    button = page.locator("[data-testid=large-text-switch] button")
    if (button.get_attribute("aria-pressed") == "true") != on:
        button.click()
        page.wait_for_load_state()
    assert page.locator("[data-testid=large-text-switch] button").get_attribute(
        "aria-pressed"
    ) == ("true" if on else "false")


def walk(page, base: str, pages) -> list[str]:
    problems = []
    for name, path in pages:
        response = page.goto(base + path)
        assert response is not None and response.status == 200, (name, path)
        for line in axe_violations(page):
            problems.append(f"{name} {path}: {line}")
    return problems


@pytest.mark.parametrize("mode", ["standard", "large"])
@pytest.mark.parametrize("role", sorted(ROLE_LOGINS))
def test_main_pages_have_no_serious_axe_violation(live_server, browser, db, role, mode):
    username = ROLE_LOGINS[role]
    pages = main_pages(username)
    db.session.rollback()  # end the read, or the server's logins wait on it
    context, page = new_page(browser)
    log_in(page, live_server, username)
    set_large_text(page, mode == "large")
    large = page.evaluate("document.documentElement.classList.contains('large-text')")
    assert large == (mode == "large")
    problems = walk(page, live_server, pages)
    context.close()
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("mode", ["standard", "large"])
def test_login_page_has_no_serious_axe_violation(live_server, browser, mode):
    context, page = new_page(browser)
    page.goto(f"{live_server}/login")
    set_large_text(page, mode == "large")
    problems = [f"login: {line}" for line in axe_violations(page)]
    # a failed login shows its errors on the fields: they are checked too
    page.fill("#username", "nobody")
    page.click("form.card button[type=submit]")
    page.wait_for_load_state()
    problems += [f"login (failed): {line}" for line in axe_violations(page)]
    context.close()
    assert problems == [], "\n".join(problems)


def test_large_text_mode_enlarges_text_and_controls_on_a_phone(live_server, browser):
    context, page = new_page(browser)
    log_in(page, live_server, "leader_wu")
    standard_font = page.evaluate(
        "parseFloat(getComputedStyle(document.body).fontSize)"
    )
    set_large_text(page, True)
    sizes = {}
    for name, path in (("home", "/"), ("activity-form", "/activities/new")):
        page.goto(live_server + path)
        sizes[name] = page.evaluate(
            """() => {
              const visible = el => el.offsetParent !== null
                && el.getBoundingClientRect().height > 0;
              const controls = [...document.querySelectorAll(
                'main .btn, main input.form-control, main .form-select,'
                + ' main textarea, nav .btn')].filter(visible);
              const checks = [...document.querySelectorAll('main .form-check')]
                .filter(visible);
              return {
                body: parseFloat(getComputedStyle(document.body).fontSize),
                controls: controls.length,
                low: controls.map(el => [el.outerHTML.slice(0, 80),
                  el.getBoundingClientRect().height])
                  .filter(([, h]) => h < 44),
                checks: checks.map(el => el.getBoundingClientRect().height)
                  .filter(h => h < 44),
              };
            }"""
        )
    context.close()
    assert standard_font < 18
    for name, found in sizes.items():
        assert found["body"] >= 18, name
        assert found["controls"] > 0, name
        assert found["low"] == [], name
        assert found["checks"] == [], name
