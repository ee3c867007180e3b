"""Photos are checked and re-encoded; the ledger keeps exact money."""

from datetime import date
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from incubator.activities import photos, services
from incubator.activities.models import ActivityPhoto, ResourceLink
from incubator.activities.schemas import ResourceEntry
from incubator.errors import NotPermitted, ValidationFailed
from incubator.money import clean_money
from tests.conftest import login
from tests.images import jpeg_with_gps, png_bytes


def _stored_files(app) -> set[str]:
    folder = Path(app.config["UPLOAD_FOLDER"]) / "photos"
    return {p.name for p in folder.glob("*")} if folder.exists() else set()


def test_text_renamed_jpg_and_huge_image_are_refused(app, client, team, log, db):
    activity = log(team["org"], team["leader"])
    login(client, "team_leader")
    before = _stored_files(app)
    huge = BytesIO()
    Image.new("1", (9000, 6000)).save(huge, "PNG")  # 54 megapixels, tiny file
    for data, name, message in (
        (b"just some text\n" * 50, "photo.jpg", "不是"),
        (huge.getvalue(), "huge.png", "4000"),
        (b"\xff\xd8\xff" + b"0" * (photos.MAX_BYTES + 10), "big.jpg", "10 MB"),
    ):
        response = client.post(
            f"/activities/{activity.id}/photos",
            data={"photos": [(BytesIO(data), name)]},
            content_type="multipart/form-data",
            follow_redirects=True,
        )
        assert message in response.get_data(as_text=True), name
    assert db.session.scalar(select(func.count()).select_from(ActivityPhoto)) == 0
    assert _stored_files(app) == before


def test_photo_is_reencoded_without_location(app, team, log, db):
    activity = log(team["org"], team["leader"])
    photo = services.add_photo(
        activity, jpeg_with_gps(), "C:\\手机\\IMG_01.jpg", actor=team["leader"]
    )
    db.session.commit()
    assert photo.original_name == "IMG_01.jpg"
    assert photo.stored_name.endswith(".jpg") and "IMG" not in photo.stored_name
    stored = Path(app.config["UPLOAD_FOLDER"]) / "photos" / photo.stored_name
    with Image.open(stored) as image:
        assert image.format == "JPEG"
        assert 0x8825 not in image.getexif()  # no GPS


def test_at_most_nine_photos(team, log, db):
    activity = log(team["org"], team["leader"])
    for i in range(9):
        services.add_photo(activity, png_bytes(), f"{i}.png", actor=team["leader"])
    db.session.commit()
    with pytest.raises(ValidationFailed):
        services.add_photo(activity, png_bytes(), "10.png", actor=team["leader"])


def test_ledger_money_is_exact_and_totals_add_up(client, team, log, db):
    activity = log(team["org"], team["leader"])
    login(client, "team_leader")
    for value in ("0.10", "0.20", "1200.50"):
        response = client.post(
            "/resources/new",
            data={
                "partner": "本地超市",
                "kind": "goods",
                "value": value,
                "received_on": "2026-01-06",
                "organization_id": team["org"].id,
                "activity_id": activity.id,
                "description": "慰问品",
            },
        )
        assert response.status_code == 302
    total = db.session.scalar(select(func.sum(ResourceLink.value)))
    assert total == Decimal("1200.80")
    page = client.get("/resources").get_data(as_text=True)
    assert "1,200.80" in page
    for bad in ("12.345", "-1", "abc", "1e9"):
        response = client.post(
            "/resources/new",
            data={
                "partner": "x",
                "kind": "money",
                "value": bad,
                "received_on": "2026-01-06",
                "organization_id": team["org"].id,
            },
        )
        assert response.status_code == 200, bad


def test_leader_records_resources_only_for_their_organization(team, make_org, db):
    other = make_org("别人的组织")
    with pytest.raises(NotPermitted):
        services.record_resource(
            ResourceEntry(
                partner="x", kind="money", value="10", received_on=date(2026, 1, 1)
            ),
            actor=team["leader"],
            organization=other,
        )


def test_api_ledger(client, api_token, team):
    headers = api_token("social_worker")
    response = client.post(
        "/api/v1/resources",
        json={
            "partner": "街道",
            "kind": "venue",
            "value": "20000.00",
            "received_on": "2026-01-01",
            "valuation_basis": "市场租金",
        },
        headers=headers,
    )
    assert response.status_code == 201
    assert response.get_json()["value"] == "20000.00"
    listed = client.get("/api/v1/resources", headers=headers).get_json()
    assert listed["total"] == 1


def test_photo_limit_holds_across_requests_and_leaves_no_files(
    app, client, team, log, db
):
    activity = log(team["org"], team["leader"])
    login(client, "team_leader")
    before = _stored_files(app)

    def send(n):
        return client.post(
            f"/activities/{activity.id}/photos",
            data={"photos": [(BytesIO(png_bytes()), f"{i}.png") for i in range(n)]},
            content_type="multipart/form-data",
            follow_redirects=True,
        )

    send(5)
    response = send(5)  # 10 in all: refused before anything is written
    assert "每项活动最多 9 张照片" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ActivityPhoto)) == 5
    assert len(_stored_files(app) - before) == 10  # 5 photos and their thumbnails


def test_refused_batch_removes_what_it_wrote(app, client, team, log, db):
    activity = log(team["org"], team["leader"])
    login(client, "team_leader")
    before = _stored_files(app)
    response = client.post(
        f"/activities/{activity.id}/photos",
        data={
            "photos": [
                (BytesIO(png_bytes()), "good.png"),
                (BytesIO(b"not an image"), "bad.jpg"),
            ]
        },
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "bad.jpg" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ActivityPhoto)) == 0
    assert _stored_files(app) == before


def test_iphone_heic_gets_the_iphone_hint():
    heic = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 100
    with pytest.raises(ValidationFailed) as refused:
        photos.process_image(heic)
    assert "iPhone" in str(refused.value.message)


def test_negative_zero_is_plain_zero():
    assert str(clean_money("-0")) == "0.00"


def test_organization_page_lists_its_activities_and_the_activity_its_ledger(
    client, team, log, db
):
    activity = log(team["org"], team["leader"], title="义剪服务")
    services.record_resource(
        ResourceEntry(
            partner="理发店",
            kind="professional",
            value="300.00",
            received_on=date(2026, 1, 5),
        ),
        actor=team["sw"],
        organization=team["org"],
        activity=activity,
    )
    db.session.commit()
    login(client, "team_sw")
    page = client.get(f"/organizations/{team['org'].id}").get_data(as_text=True)
    assert "义剪服务" in page and "查看本组织全部活动" in page
    detail = client.get(f"/activities/{activity.id}").get_data(as_text=True)
    assert "理发店" in detail and "300.00" in detail
