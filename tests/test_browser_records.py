"""Readable records in a real browser: the audit log as cards on a phone and with
a readable 操作人 column on a desktop; the radar's full dimension names at 390 px."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from incubator.demo.seed import DEMO_PASSWORD
from incubator.organizations.models import Organization

pytestmark = pytest.mark.browser


def _log_in(page, base, username):
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def test_audit_log_cards_on_a_phone_and_radar_names_whole(live_server, browser, db):
    dance_id = db.session.scalar(
        select(Organization.id).where(Organization.name == "禾山夕阳红舞蹈队")
    )
    db.session.commit()  # free SQLite's write lock for the server thread
    desktop = browser.new_context(viewport={"width": 1280, "height": 900})
    page = desktop.new_page()
    _log_in(page, live_server, "admin")
    page.goto(f"{live_server}/admin/audit")
    who = page.locator("td.audit-who").first
    assert who.inner_text().endswith(("主管", "社工"))  # a name, not "User #1"
    # the actor's name on one line, not one character per line
    height = who.evaluate(
        """td => { const r = document.createRange(); r.selectNodeContents(td);
                   return r.getBoundingClientRect().height; }"""
    )
    assert height < 30
    desktop.close()

    phone = browser.new_context(viewport={"width": 390, "height": 844})
    page = phone.new_page()
    _log_in(page, live_server, "admin")
    page.goto(f"{live_server}/admin/audit")
    assert page.locator("table.audit-log thead").is_hidden()
    first = page.locator("tr.audit-entry").first
    card = first.bounding_box()
    assert card["width"] <= 390 and card["width"] > 300  # one card across the phone
    # the changes use the card's whole width, not a squeezed column
    assert first.locator("td.audit-changes").bounding_box()["width"] > 300
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    labels = first.locator("td").evaluate_all(
        "tds => tds.map(td => getComputedStyle(td, '::before').content)"
    )
    assert labels[:4] == ['"时间"', '"操作人"', '"操作"', '"记录"']

    page.goto(f"{live_server}/organizations/{dance_id}")
    page.wait_for_selector("#radar[data-rendered='1'] canvas")
    assert page.locator("#radar canvas").bounding_box()["width"] <= 390
    wrapped = page.evaluate(
        """() => {
          const chart = echarts.getInstanceByDom(document.getElementById('radar'));
          const radar = chart.getOption().radar[0];
          return [radar.radius, radar.axisName.formatter('服务策划与执行')];
        }"""
    )
    assert wrapped == ["50%", "服务策划\n与执行"]
    phone.close()
