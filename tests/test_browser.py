"""In headless Chromium at a phone's size: the demo social worker logs in and sees
the Chinese home page. Needs Debian's chromium (``make test`` installs it as root);
with REQUIRE_BROWSER=1 (CI) a missing browser fails instead of skipping."""

from __future__ import annotations

import pytest

from incubator.demo.seed import DEMO_PASSWORD
from tests.browser_support import SCREENSHOTS

pytestmark = pytest.mark.browser


@pytest.fixture
def phone_page(live_server, browser):
    context = browser.new_context(
        viewport={"width": 360, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
    )
    page = context.new_page()
    external = []
    page.on(
        "request",
        lambda req: (
            None
            if req.url.startswith(live_server) or req.url.startswith("data:")
            else external.append(req.url)
        ),
    )
    yield page, live_server, external
    context.close()


def test_social_worker_logs_in_on_a_phone(phone_page):
    page, base, external = phone_page
    page.goto(f"{base}/")
    assert "/login" in page.url
    assert page.locator("h1").first.inner_text() == "登录"
    page.fill("#username", "sw_lin")
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    assert page.locator("main h1").inner_text() == "您好，林社工"
    # her home is her day (issue 16): its four blocks, in order
    body = page.locator("main").inner_text()
    blocks = (
        "今天到期和逾期的跟进",
        "待我审核的活动记录",
        "待完成的支持措施",
        "60 天无动静的组织",
    )
    assert [body.index(b) for b in blocks] == sorted(body.index(b) for b in blocks)
    # the notification bell stays in sight on a phone, outside the folded menu
    assert page.locator("[data-testid=bell]").is_visible()
    # fits a 360 px phone: no horizontal scrolling
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "home-phone.png"), full_page=True)
    # the menu folds behind the toggler and opens on tap
    toggler = page.locator(".navbar-toggler")
    assert toggler.is_visible()
    assert not page.locator("#mainnav").is_visible()
    toggler.click()
    page.locator("#mainnav").wait_for(state="visible")
    menu = page.locator("#mainnav").inner_text()
    for label in ("组织", "志愿者", "活动", "创投", "培力课程", "跟进", "日历", "报表"):
        assert label in menu
    assert external == [], f"requests left the machine: {external}"


def _log_in(page, base, username="sw_lin"):
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def test_radar_chart_and_board_render_on_a_desktop(live_server, browser, db):
    from sqlalchemy import select

    from incubator.organizations.models import Organization

    dance_id = db.session.scalar(
        select(Organization.id).where(Organization.name == "禾山夕阳红舞蹈队")
    )
    db.session.commit()  # free SQLite's write lock for the server thread
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="zh-CN"
    )
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(
        "console", lambda msg: errors.append(msg.text) if msg.type == "error" else None
    )
    _log_in(page, live_server)
    page.goto(f"{live_server}/organizations/{dance_id}")
    page.wait_for_selector("#radar[data-rendered='1'] canvas")
    box = page.locator("#radar canvas").bounding_box()
    assert box["width"] > 200 and box["height"] > 200
    assert "最薄弱的维度" in page.locator("#assessments").inner_text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "organization-radar.png"), full_page=True)

    page.goto(f"{live_server}/organizations/board")
    columns = page.locator(".board-column")
    assert columns.count() == 6
    tops = {round(columns.nth(i).bounding_box()["y"]) for i in range(columns.count())}
    assert len(tops) == 1  # side by side on a desktop
    page.click("text=禾山夕阳红舞蹈队")
    page.wait_for_url(f"{live_server}/organizations/{dance_id}")
    assert errors == [], errors
    context.close()


def test_board_columns_stack_on_a_phone(phone_page):
    page, base, external = phone_page
    _log_in(page, base)
    page.goto(f"{base}/organizations/board")
    columns = page.locator(".board-column")
    boxes = [columns.nth(i).bounding_box() for i in range(columns.count())]
    assert len({round(b["x"]) for b in boxes}) == 1  # one above the other
    assert all(b["width"] <= 360 for b in boxes)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=str(SCREENSHOTS / "board-phone.png"), full_page=True)
    assert external == []


def test_report_charts_render_under_the_csp(live_server, browser, db):
    """The demo's dashboard: every chart draws (no CSP violation, no script error)
    and the indicator table sits beside them."""
    db.session.commit()
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="zh-CN"
    )
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(
        "console", lambda msg: errors.append(msg.text) if msg.type == "error" else None
    )
    _log_in(page, live_server, "admin")
    page.goto(f"{live_server}/reports")
    charts = page.locator("[data-chart]")
    assert charts.count() == 3
    for i in range(charts.count()):
        charts.nth(i).locator("canvas").wait_for()
        assert charts.nth(i).get_attribute("data-rendered") == "1"
    assert "指标进度" in page.locator("main").inner_text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "reports-dashboard.png"), full_page=True)
    assert errors == []
    context.close()
