"""The installable app on a leader's phone (390 px): a log written without signal
is kept on the phone with its photo, shown as 待发送 (also after a reload without
signal), and sent once the phone is back online, exactly once, even when the
answer to a send is lost; logout leaves nothing on the phone; and the leader's
home weighs little once the app shell is cached."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from incubator.activities.models import Activity, ActivityPhoto
from incubator.demo.seed import DEMO_PASSWORD
from tests.browser_support import SCREENSHOTS
from tests.images import png_bytes

pytestmark = pytest.mark.browser
WEIGHT_BUDGET = 300 * 1024


def _phone(browser):
    return browser.new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
    )


def _login(page, base, username="leader_wu"):
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def _open_form_controlled(page, base):
    """The activity form, opened once the service worker controls the page, so
    the worker has kept a copy of it for a later visit without signal."""
    page.goto(f"{base}/activities/new")
    _until(page, "navigator.serviceWorker.controller !== null")
    page.reload()
    page.wait_for_selector("form[data-offline-log]")


def _fill(page, title, photo):
    page.fill("#title", title)
    page.fill("#start_time", "09:00")
    page.fill("#end_time", "10:30")
    page.fill("#place", "活动室")
    page.select_option("#form", "community")
    page.select_option("#service_type", "self_org_service")
    page.select_option("#target_group", "elders")
    page.fill("#person_times", "12")
    page.set_input_files("#photos", str(photo))


def _counts(db, title):
    """(activities titled ``title``, their photos), read fresh; the transaction is
    ended so the server thread can write."""
    db.session.expire_all()
    ids = db.session.scalars(select(Activity.id).where(Activity.title == title)).all()
    photos = db.session.scalar(
        select(func.count())
        .select_from(ActivityPhoto)
        .where(ActivityPhoto.activity_id.in_(ids))
    )
    db.session.commit()
    return len(ids), photos


def _kept(page) -> int:
    return page.evaluate("OfflineLog.list().then(function (l) { return l.length; })")


def _until(page, expression, seconds=30):
    """Wait until ``expression`` is true in the page (polled from here: the
    page's CSP refuses the eval that ``wait_for_function`` polls with)."""
    for _ in range(seconds * 5):
        if page.evaluate(expression):
            return
        page.wait_for_timeout(200)
    raise AssertionError(f"never true: {expression}")


def _wait_until_none_kept(page):
    _until(page, "OfflineLog.list().then(function (l) { return l.length === 0; })")


def _photo(tmp_path):
    photo = tmp_path / "合影.png"
    photo.write_bytes(png_bytes((640, 480)))
    return photo


def test_a_log_written_without_signal_is_kept_and_sent_once(
    app, live_server, browser, db, tmp_path
):
    base = live_server
    # CSRF on, as in production: the kept log carries no token; the phone fetches
    # a fresh one when it sends (a token from hours ago may have expired)
    app.config["WTF_CSRF_ENABLED"] = True
    db.session.commit()
    title = "离线登记的义诊活动"
    context = _phone(browser)
    page = context.new_page()
    _login(page, base)
    _open_form_controlled(page, base)

    context.set_offline(True)
    _fill(page, title, _photo(tmp_path))
    page.click("form[data-offline-log] button[type=submit]")
    item = page.locator("[data-testid=pending-item]")
    item.wait_for()
    assert title in item.inner_text()
    assert "1 张照片" in item.inner_text()
    assert "1 条活动记录待发送" in page.locator("#pending-logs").inner_text()
    assert page.input_value("#title") == ""  # the form is ready for the next log
    assert _counts(db, title) == (0, 0)

    page.reload()  # still without signal: the kept form and the kept log
    page.wait_for_selector("form[data-offline-log]")
    page.locator("[data-testid=pending-item]").wait_for()
    assert title in page.locator("#pending-logs").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(SCREENSHOTS / "offline-log-pending-phone.png"))

    context.set_offline(False)
    page.locator("[data-testid=pending-sent]").wait_for()
    assert "已发送" in page.locator("#pending-logs").inner_text()
    assert page.locator("[data-testid=pending-item]").count() == 0
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(SCREENSHOTS / "offline-log-sent-phone.png"))
    assert _counts(db, title) == (1, 1)
    assert _kept(page) == 0

    page.reload()  # nothing left to send: no second record
    page.wait_for_selector("form[data-offline-log]")
    assert _counts(db, title) == (1, 1)
    context.close()


def test_a_send_whose_answer_was_lost_is_tried_again_without_a_duplicate(
    app, live_server, browser, db, tmp_path
):
    base = live_server
    app.config["WTF_CSRF_ENABLED"] = True
    db.session.commit()
    title = "回答丢失的手工活动"
    context = _phone(browser)
    page = context.new_page()
    _login(page, base)
    _open_form_controlled(page, base)
    context.set_offline(True)
    _fill(page, title, _photo(tmp_path))
    page.click("form[data-offline-log] button[type=submit]")
    page.locator("[data-testid=pending-item]").wait_for()

    posts = []

    def lose_the_first_answer(route):
        if route.request.method != "POST":
            route.continue_()
            return
        posts.append(route.request.url)
        if len(posts) == 1:
            route.fetch()  # the server gets it and answers; the phone never hears
            route.abort("connectionreset")
        else:
            route.continue_()

    context.route(re.compile(r".*/activities/new.*"), lose_the_first_answer)
    context.set_offline(False)
    # the first answer is lost: the log stays kept although the server made the
    # record; it is sent again (the worker's background sync, or the page) with
    # the same submission key, and the server answers with the record it made
    _wait_until_none_kept(page)
    print(f"\nposts seen: {posts}")
    assert len(posts) == 2
    assert _counts(db, title) == (1, 1)
    page.locator("[data-testid=pending-sent]").wait_for()
    page.reload()
    page.wait_for_selector("form[data-offline-log]")
    assert _counts(db, title) == (1, 1)
    context.close()


def test_logout_leaves_no_kept_log_on_the_phone(live_server, browser, db, tmp_path):
    base = live_server
    db.session.commit()
    context = _phone(browser)
    page = context.new_page()
    _login(page, base)
    _open_form_controlled(page, base)
    context.set_offline(True)
    _fill(page, "退出前没发出去的活动", _photo(tmp_path))
    page.click("form[data-offline-log] button[type=submit]")
    page.locator("[data-testid=pending-item]").wait_for()
    # signal is back but the server cannot be reached: the log stays kept
    context.route(
        re.compile(r".*/activities/new.*"),
        lambda route: (
            route.abort() if route.request.method == "POST" else route.continue_()
        ),
    )
    context.set_offline(False)
    page.goto(f"{base}/")
    page.locator("[data-testid=pending-item]").wait_for()
    assert _kept(page) == 1

    page.click(".navbar-toggler")
    page.locator("#mainnav.show").wait_for()
    page.wait_for_timeout(400)  # the menu slides open
    page.click("nav .dropdown-toggle >> text=吴阿姨")
    page.locator("text=退出登录").wait_for()
    page.click("text=退出登录")
    page.wait_for_url(re.compile(r"/login"))
    assert "已退出" in page.locator("main").inner_text()
    _login(page, base)
    _until(page, "typeof OfflineLog !== 'undefined'")
    assert _kept(page) == 0
    assert page.locator("[data-testid=pending-item]").count() == 0
    kept_form = page.evaluate(
        "caches.match('/activities/new', {ignoreSearch: true})"
        ".then(function (hit) { return !!hit; })"
    )
    assert kept_form is False
    context.close()


def _visit(page, url, sizes_before=None):
    """Open ``url`` and return (bytes from the network, responses). A response the
    service worker served from its cache counts 0; one it had to fetch counts what
    it weighed on the first visit."""
    responses = []

    def seen(response):
        responses.append(response)

    page.on("response", seen)
    page.goto(url)
    page.wait_for_load_state("load")
    page.remove_listener("response", seen)
    cached = set(
        page.evaluate(
            "caches.keys().then(function (names) { return Promise.all(names.map("
            "function (n) { return caches.open(n).then(function (c) {"
            " return c.keys(); }); })); }).then(function (lists) {"
            " return [].concat.apply([], lists).map(function (r) { return r.url; });"
            " })"
        )
    )
    total = 0
    weights = {}
    for response in responses:
        sizes = response.request.sizes()
        weight = sizes["responseBodySize"] + sizes["responseHeadersSize"]
        weights[response.url.split("?")[0]] = weight
        if response.from_service_worker and response.url.split("?")[0] in cached:
            continue
        if response.from_service_worker and sizes_before:
            weight = sizes_before.get(response.url.split("?")[0], weight)
        total += weight
    return total, weights


def test_a_leaders_home_weighs_little_once_the_app_is_cached(live_server, browser):
    base = live_server
    context = _phone(browser)
    page = context.new_page()
    # log in without opening a page, so the first visit starts with nothing cached
    form = context.request.get(f"{base}/login").text()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form)
    answer = context.request.post(
        f"{base}/login",
        form={
            "csrf_token": token.group(1) if token else "",
            "username": "leader_wu",
            "password": DEMO_PASSWORD,
        },
        max_redirects=0,
    )
    assert answer.status == 302

    first, weights = _visit(page, f"{base}/")
    print(f"\nleader_wu home, first visit: {first / 1024:.1f} KB transferred")
    _until(page, "navigator.serviceWorker.controller !== null")
    second, _ = _visit(page, f"{base}/", weights)
    print(f"leader_wu home, second visit: {second / 1024:.1f} KB transferred")
    assert "吴阿姨" in (page.locator("nav.navbar").text_content() or "")
    assert second < WEIGHT_BUDGET
    assert second < first
    context.close()
