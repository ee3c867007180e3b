"""Issue 16 in a real browser at 390 px, as leader_wu of the demo (禾山夕阳红舞蹈队,
42 volunteers, two of them 张德胜): the volunteer search (typed and through a
Chinese input method), the count of ticked volunteers, the two 张德胜 told apart,
an hours error on the right row, the write-up's counter, and a photo that opens on
a page with a way back (and Escape)."""

from __future__ import annotations

import re

import pytest

from tests.images import png_bytes

pytestmark = pytest.mark.browser


def test_the_activity_form_and_photo_page_on_a_phone(live_server, browser, tmp_path):
    base = live_server
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.goto(f"{base}/login")
    page.fill("#username", "leader_wu")
    page.fill("#password", "heshan2026")
    page.click("form button[type=submit]")
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/activities/new")

    rows = page.locator("[data-name]")
    count = page.locator("[data-picker-count]")
    assert rows.count() == 42
    assert count.inner_text() == "已选 0 人（共 42 人）"
    search = page.locator("[data-picker-search]")
    search.press_sequentially("张")
    visible = page.locator("[data-name]:visible")
    assert visible.count() == 4
    zhang = page.locator("[data-name^='张德胜']")
    assert [re.sub(r"\s+", " ", zhang.nth(i).inner_text()) for i in range(2)] == [
        "张德胜 枋湖花园小区 · 尾号 9005",
        "张德胜 东晖广场小区 · 尾号 9252",
    ]
    # An input method: nothing moves while pinyin is composed, the list follows
    # the finished word.
    search.fill("")
    page.evaluate(
        """() => {
        const box = document.querySelector('[data-picker-search]');
        box.dispatchEvent(new CompositionEvent('compositionstart'));
        box.value = 'zhang';
        box.dispatchEvent(new InputEvent('input', {isComposing: true}));
    }"""
    )
    assert visible.count() == 42
    assert page.locator("[data-picker-none]").is_hidden()
    page.evaluate(
        """() => {
        const box = document.querySelector('[data-picker-search]');
        box.value = '张德胜';
        box.dispatchEvent(new CompositionEvent('compositionend', {data: '张德胜'}));
    }"""
    )
    assert visible.count() == 2
    zhang.nth(0).locator("input[type=checkbox]").check()
    zhang.nth(0).locator(".hours-input").fill("2")
    zhang.nth(1).locator(".hours-input").fill("9")  # typing hours ticks the box
    assert count.inner_text() == "已选 2 人（共 42 人）"
    assert count.get_attribute("aria-live") == "polite"
    page.screenshot(path=str(tmp_path / "search.png"))

    page.fill("#title", "重阳节登山")
    page.fill("#start_time", "09:00")
    page.fill("#end_time", "11:00")
    page.select_option("#form", "group")
    page.select_option("#service_type", index=1)
    page.select_option("#target_group", index=1)
    page.fill("#person_times", "20")
    counter = page.locator(".char-counter")
    assert counter.inner_text() == "已输入 0 / 最大 5000 字"
    page.fill("#summary", "登山 3 公里，全员安全返回。")
    assert counter.inner_text() == "已输入 15 / 最大 5000 字"
    assert counter.get_attribute("aria-live") == "polite"
    photo = tmp_path / "合影.png"
    photo.write_bytes(png_bytes((800, 600)))
    page.set_input_files("#photos", [str(photo), str(photo)])
    page.click("form[data-draft] button[type=submit]")
    page.wait_for_load_state()

    refused = page.locator(".volunteer-refused")
    assert refused.count() == 1
    message = "张德胜（东晖广场小区 · 尾号 9252）：9 小时超过了活动时长（2 小时）。"
    assert message in refused.inner_text()
    assert message in page.locator(".alert-danger").inner_text()
    page.screenshot(path=str(tmp_path / "hours_error.png"))
    refused.locator(".hours-input").fill("2")
    page.set_input_files("#photos", [str(photo), str(photo)])
    page.click("form[data-draft] button[type=submit]")
    page.wait_for_url(re.compile(r"/activities/\d+\?saved=1"))
    detail = page.url

    page.locator(".photo-grid a").first.click()
    page.wait_for_url(re.compile(r"/activities/photos/\d+/view"))
    assert page.get_by_text("第 1 张，共 2 张").is_visible()
    assert page.locator("img.photo-full").evaluate("i => i.naturalWidth") > 0
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(tmp_path / "photo.png"))
    page.get_by_role("link", name="下一张").click()
    page.wait_for_url(re.compile(r"/view$"))
    assert page.get_by_text("第 2 张，共 2 张").is_visible()
    with page.expect_navigation():
        page.keyboard.press("ArrowLeft")
    assert page.get_by_text("第 1 张，共 2 张").is_visible()
    with page.expect_navigation():
        page.keyboard.press("Escape")
    assert page.url == detail.split("?")[0] + "#photos"
    page.go_back()
    page.get_by_role("link", name="返回活动").click()
    page.wait_for_url(re.compile(r"/activities/\d+#photos$"))
    context.close()
