"""In a real browser at a phone's size: an org leader logs an activity with two
volunteers and a photo, a social worker returns it, the leader fixes it, the social
worker approves it; hours and the ledger reflect it; bad uploads are refused; a
double tap makes one record; another leader cannot see it."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from incubator.activities.models import Activity, ActivityPhoto
from incubator.volunteers.hours import total_hours
from tests.browser_support import SCREENSHOTS
from tests.images import png_bytes

pytestmark = pytest.mark.browser
PASSWORD = "correct-horse-9"


def _login(page, base, username):
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def _phone(browser):
    return browser.new_context(
        viewport={"width": 360, "height": 740},
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
    )


def test_log_return_fix_approve_on_a_phone(
    live_server,
    browser,
    team,
    make_user,
    make_org,
    db,
    tmp_path,
):
    base = live_server
    other = make_user("org_leader", username="other_boss")
    make_org("别的组织", leader=other)
    helper_ids = [v.id for v in team["helpers"]]
    org_id = team["org"].id
    ours = Activity.organization_id == org_id
    # The server thread writes to the same SQLite file: end this thread's
    # transaction (and its lock) before every browser step that writes.
    db.session.commit()
    photo = tmp_path / "合影.png"
    photo.write_bytes(png_bytes((800, 600)))
    fake = tmp_path / "伪装.jpg"
    fake.write_text("this is not an image\n" * 20)
    huge = tmp_path / "巨幅.png"
    from PIL import Image

    Image.new("1", (9000, 6000)).save(huge, "PNG")  # 54 megapixels

    leader = _phone(browser)
    page = leader.new_page()
    _login(page, base, "team_leader")
    page.goto(f"{base}/activities/new")
    page.fill("#title", "重阳节文艺汇演")
    page.fill("#start_time", "14:00")
    page.fill("#end_time", "16:00")
    page.fill("#place", "活动室")
    page.select_option("#form", "community")
    page.select_option("#service_type", "self_org_service")
    page.select_option("#target_group", "elders")
    page.fill("#person_times", "45")
    for vid in helper_ids:
        page.check(f"#vol-{vid}")
        page.fill(f"input[name='hours-{vid}']", "2")
    page.set_input_files("#photos", str(photo))
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=str(SCREENSHOTS / "activity-form-phone.png"), full_page=True)
    button = page.locator("form[data-once] button[type=submit]")
    button.dblclick()  # a double tap on a slow phone
    page.wait_for_url(re.compile(r"/activities/\d+"))
    assert "待审核" in page.locator("main").inner_text()
    db.session.expire_all()
    assert (
        db.session.scalar(select(func.count()).select_from(Activity).where(ours)) == 1
    )
    activity_id = db.session.scalar(select(Activity.id).where(ours))
    photos = (
        select(func.count())
        .select_from(ActivityPhoto)
        .where(ActivityPhoto.activity_id == activity_id)
    )
    assert db.session.scalar(photos) == 1
    db.session.commit()

    # a text file renamed .jpg is refused, nothing stored
    page.set_input_files("input[name=photos]", str(fake))
    page.click("text=添加照片")
    page.wait_for_load_state()
    assert "不是可以识别的照片" in page.locator("main").inner_text()
    page.set_input_files("input[name=photos]", str(huge))
    page.click("text=添加照片")
    page.wait_for_load_state()
    assert "照片太大" in page.locator("main").inner_text()
    db.session.expire_all()
    assert db.session.scalar(photos) == 1
    db.session.commit()

    # another organization's leader cannot see it
    stranger = _phone(browser).new_page()
    _login(stranger, base, "other_boss")
    response = stranger.goto(f"{base}/activities/{activity_id}")
    assert response.status == 404

    # the social worker returns it
    sw = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    sw_page = sw.new_page()
    _login(sw_page, base, "team_sw")
    sw_page.goto(f"{base}/activities/review")
    sw_page.click("text=重阳节文艺汇演")
    sw_page.fill("#reason", "请补充服务人次的统计方式")
    sw_page.click("text=退回修改")
    sw_page.wait_for_load_state()
    assert "已退回" in sw_page.locator("main").inner_text()

    # the leader fixes and resubmits
    page.goto(f"{base}/activities/{activity_id}")
    assert "请补充服务人次的统计方式" in page.locator("main").inner_text()
    page.click("text=修改并重新提交")
    page.fill("#person_times", "42")
    page.fill("#summary", "按签到表统计 42 人次")
    page.click("form[data-once] button[type=submit]")
    page.wait_for_url(re.compile(rf"/activities/{activity_id}\?saved=1"))
    assert "待审核" in page.locator("main").inner_text()

    # the social worker approves; hours recorded
    sw_page.goto(f"{base}/activities/{activity_id}")
    sw_page.click("text=审核通过")
    sw_page.wait_for_load_state()
    assert "已审核" in sw_page.locator("main").inner_text()
    db.session.expire_all()
    assert total_hours(helper_ids) == {vid: Decimal("2.0") for vid in helper_ids}
    db.session.commit()

    # the leader adds a ledger line from the activity; the ledger total shows it
    page.goto(f"{base}/activities/{activity_id}")
    page.click("text=添加资源链接")
    page.fill("#partner", "本地超市")
    page.select_option("#kind", "goods")
    page.fill("#value", "1200.50")
    page.fill("#description", "慰问品")
    page.click("form[data-once] button[type=submit]")
    page.wait_for_url(re.compile(rf"/activities/{activity_id}$"))
    page.goto(f"{base}/resources")
    assert "1,200.50" in page.locator("main").inner_text()
    page.screenshot(path=str(SCREENSHOTS / "ledger-phone.png"), full_page=True)
    for context in (leader, sw):
        context.close()
