"""In headless Chromium at a phone's size: a social worker uploads a roster saved
by WPS, reads on the phone who will be imported and who not, and confirms."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from incubator.demo.seed import DEMO_PASSWORD
from incubator.volunteers.models import Volunteer
from tests.volunteers.test_import_spreadsheets import row, wps_file

pytestmark = pytest.mark.browser
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_import_report_reads_on_a_phone(live_server, browser, db, tmp_path):
    base = live_server
    context = browser.new_context(
        viewport={"width": 360, "height": 740},
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
    )
    page = context.new_page()
    page.goto(f"{base}/login")
    page.fill("#username", "sw_lin")
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    data = wps_file(
        [
            row("示例：张三", "13800138000"),
            row("欧阳秀英", 16600000001),
            row("司马建国", "16600000002", birth_year="1955", skills="摄影、舞蹈"),
            row("号码太长", 0),
            row("坏电话", "1660000"),
        ],
        raw={"D5": "1.66000000030001E+15"},
    )
    page.goto(f"{base}/volunteers/import")
    page.set_input_files(
        "input[type=file]",
        files=[{"name": "志愿者名册.xlsx", "mimeType": XLSX, "buffer": data}],
    )
    page.click("main form.card button[type=submit]")
    page.wait_for_url(f"{base}/volunteers/import/*")
    main = page.locator("main").inner_text()
    assert "第 2 行是模板中的示例" in main
    assert "将导入以下 2 名志愿者" in main
    going = page.locator("#import-rows tbody").inner_text()
    assert "欧阳秀英" in going and "司马建国" in going and "张三" not in going
    refused = page.locator("#import-errors tbody").inner_text()
    assert "号码太长" in refused and "坏电话" in refused
    # fits a 360 px phone: neither the page nor a table scrolls sideways
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    overflowing = page.evaluate(
        "[...document.querySelectorAll('.table-responsive')]"
        ".filter(e => e.scrollWidth > e.clientWidth).length"
    )
    assert overflowing == 0
    page.screenshot(path=str(tmp_path / "import-report-phone.png"), full_page=True)
    page.get_by_role("button", name="导入这 2 名志愿者").click()
    page.wait_for_url(re.compile(r"/volunteers/?$"))
    assert "已导入 2 名志愿者" in page.locator("body").inner_text()
    context.close()
    db.session.expire_all()
    names = set(
        db.session.scalars(
            select(Volunteer.name).where(Volunteer.phone.like("166000000%"))
        )
    )
    assert names == {"欧阳秀英", "司马建国"}
