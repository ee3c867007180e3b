"""The public sign-in page in a real browser with JavaScript off, as WeChat's
in-app browser may be: a 360 px phone, nothing loaded from elsewhere, a plain
form POST signs in, the next visit is prefilled."""

from __future__ import annotations

from datetime import timedelta

import pytest

from incubator.activities.models import Activity
from incubator.database import utcnow
from incubator.i18n import local_date
from incubator.signins import codes
from tests.conftest import serving

WECHAT_UA = (
    "Mozilla/5.0 (Linux; Android 12; V2001A) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Version/4.0 Chrome/86.0.4240.99 XWEB/4435 MMWEBSDK/20230504 Mobile Safari/537.36 "
    "MMWEBID/1234 MicroMessenger/8.0.37.2380(0x2800253D) WeChat/arm64 Weixin "
    "NetType/WIFI Language/zh_CN ABI/arm64"
)


@pytest.fixture
def open_activity(app, db, make_org):
    org = make_org("合唱团")
    start = utcnow() - timedelta(minutes=10)
    activity = Activity(
        organization_id=org.id,
        community_id=org.community_id,
        title="社区合唱排练（第十二期）",
        form="group",
        service_type="self_org_service",
        target_group="elders",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        held_on=local_date(start),
        place="社区服务中心三楼多功能活动室",
        person_times=10,
    )
    db.session.add(activity)
    db.session.commit()
    return activity


@pytest.mark.parametrize("width", [360, 390])
def test_signs_in_without_javascript_on_a_small_phone(
    app, db, browser, open_activity, width
):
    path = f"/signin/{codes.code_for(open_activity)}"
    db.session.commit()  # the test's own transaction holds SQLite's write lock
    with serving(app) as url:
        context = browser.new_context(
            viewport={"width": width, "height": 740},
            java_script_enabled=False,
            user_agent=WECHAT_UA,
            locale="zh-CN",
        )
        page = context.new_page()
        elsewhere = []
        page.on(
            "request",
            lambda r: None if r.url.startswith(url) else elsewhere.append(r.url),
        )
        page.goto(url + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.fill("#name", "王秀英")
        page.fill("#phone", "138 0013 8000")
        page.check("#consent")
        page.click("button[type=submit]")
        assert page.locator('[data-testid="signin-done"]').is_visible()
        assert "已签到" in page.inner_text("body")
        page.goto(url + path)
        assert page.input_value("#phone") == "13800138000"
        page.click("button[type=submit]")  # consent remembered
        assert "已签到过" in page.inner_text("body")
        context.close()
        assert elsewhere == []
