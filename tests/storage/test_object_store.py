"""Uploaded files on an S3-compatible object store (moto's server): pages put
photos, thumbnails, evidence and receipts into the bucket, never onto the disk;
two app servers with their own upload folders share them; serving still checks
who may see them; a refused request leaves no object behind."""

from __future__ import annotations

from io import BytesIO

import pytest
from PIL import Image
from sqlalchemy import select

from config import TestingConfig
from incubator import create_app, storage
from incubator.activities import services as activity_services
from incubator.activities.models import ActivityPhoto, ResourceLink
from incubator.errors import RuleViolation
from incubator.ventures import services as venture_services
from incubator.ventures.models import Expenditure
from tests.conftest import IsolatedClient, login
from tests.images import png_bytes
from tests.storage.conftest import files_on_disk, make_bucket, moto_server, objects

PDF = b"%PDF-1.4\n% an invoice from the supermarket\n%%EOF\n"


def _upload(client, activity_id: int, count: int = 1):
    return client.post(
        f"/activities/{activity_id}/photos",
        data={
            "photos": [
                (BytesIO(png_bytes(color=(i * 40, 90, 60))), f"{i}.png")
                for i in range(count)
            ]
        },
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def test_a_photo_uploaded_on_the_page_lands_in_the_bucket_not_on_disk(
    app, client, team, log, db, s3_endpoint, bucket, tmp_path
):
    activity = log(team["org"], team["leader"])
    login(client, "team_leader")
    assert "照片已添加" in _upload(client, activity.id).get_data(as_text=True)
    photo = db.session.scalar(select(ActivityPhoto))
    stored = objects(s3_endpoint, bucket)
    full = stored[f"photos/{photo.stored_name}"]
    thumb = stored[f"photos/thumb-{photo.stored_name}"]
    assert set(stored) == {
        f"photos/{photo.stored_name}",
        f"photos/thumb-{photo.stored_name}",
    }
    with Image.open(BytesIO(thumb)) as image:
        assert image.format == "JPEG" and max(image.size) <= 360
    assert files_on_disk(tmp_path / "uploads-a") == []

    served = client.get(f"/activities/photos/{photo.id}")
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert served.get_data() == full
    assert client.get(f"/activities/photos/{photo.id}?size=thumb").get_data() == thumb
    # the browser's copy is revalidated, and an unchanged photo is not sent again
    etag = served.headers["ETag"]
    again = client.get(
        f"/activities/photos/{photo.id}", headers={"If-None-Match": etag}
    )
    assert again.status_code == 304 and again.get_data() == b""

    photo_id = photo.id
    page = client.get(f"/activities/{activity.id}").get_data(as_text=True)
    assert f"/activities/photos/{photo_id}/delete" in page
    assert client.post(f"/activities/photos/{photo_id}/delete").status_code == 302
    assert objects(s3_endpoint, bucket) == {}
    assert client.get(f"/activities/photos/{photo_id}").status_code == 404


def test_two_app_servers_share_one_bucket(
    app, second_app, client, team, log, db, s3_endpoint, bucket, tmp_path
):
    activity = log(team["org"], team["leader"])
    login(client, "team_leader")
    _upload(client, activity.id)
    other = second_app.test_client()
    login(other, "team_leader")
    _upload(other, activity.id)  # the second server's upload
    photos = db.session.scalars(select(ActivityPhoto).order_by(ActivityPhoto.id)).all()
    assert len(photos) == 2
    stored = objects(s3_endpoint, bucket)
    for photo in photos:
        key = f"photos/{photo.stored_name}"
        # each server serves what either wrote
        assert client.get(f"/activities/photos/{photo.id}").get_data() == stored[key]
        assert other.get(f"/activities/photos/{photo.id}").get_data() == stored[key]
    assert files_on_disk(tmp_path / "uploads-a") == []
    assert files_on_disk(tmp_path / "uploads-b") == []


def test_serving_checks_who_may_see_the_photo(
    app, client, team, log, make_user, make_org, db
):
    activity = log(team["org"], team["leader"])
    login(client, "team_leader")
    _upload(client, activity.id)
    photo = db.session.scalar(select(ActivityPhoto))
    outsider = make_user("org_leader", username="outsider", name="外人")
    make_org("别的队", leader=outsider)
    db.session.commit()
    stranger = app.test_client()
    assert stranger.get(f"/activities/photos/{photo.id}").status_code == 302  # login
    login(stranger, "outsider")
    assert stranger.get(f"/activities/photos/{photo.id}").status_code == 404


def test_a_refused_upload_leaves_no_object(
    app, client, team, log, db, s3_endpoint, bucket, monkeypatch
):
    """The first photo of two is stored, then the second is refused: the request
    rolls back, and the first photo's objects go with it."""
    activity = log(team["org"], team["leader"])
    login(client, "team_leader")
    original = activity_services.attach_photo
    calls = []

    def second_refused(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuleViolation("refused for the test")
        return original(*args, **kwargs)

    monkeypatch.setattr(activity_services, "attach_photo", second_refused)
    response = _upload(client, activity.id, count=2)
    assert "refused for the test" in response.get_data(as_text=True)
    assert len(calls) == 2
    assert db.session.scalar(select(ActivityPhoto)) is None
    assert objects(s3_endpoint, bucket) == {}


def test_evidence_pdf_goes_to_the_bucket_and_is_served_to_who_may_see_it(
    app, client, team, make_user, db, s3_endpoint, bucket, tmp_path
):
    login(client, "team_leader")
    response = client.post(
        "/resources/new",
        data={
            "partner": "本地超市",
            "kind": "goods",
            "value": "300.00",
            "received_on": "2026-01-06",
            "organization_id": team["org"].id,
            "description": "慰问品",
            "evidence": (BytesIO(PDF), "发票.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    line = db.session.scalar(select(ResourceLink))
    assert objects(s3_endpoint, bucket) == {f"evidence/{line.evidence_name}": PDF}
    assert files_on_disk(tmp_path / "uploads-a") == []
    served = client.get(f"/resources/{line.id}/evidence")
    assert served.mimetype == "application/pdf" and served.get_data() == PDF
    make_user("viewer", username="street_viewer", name="街道")
    db.session.commit()
    viewer = app.test_client()
    login(viewer, "street_viewer")
    assert viewer.get(f"/resources/{line.id}/evidence").status_code == 403


def test_a_receipt_goes_to_the_bucket(
    fund, reviewed, client, db, s3_endpoint, bucket, tmp_path
):
    venture = reviewed(fund["dance"])
    venture_services.transition(venture, "approved", actor=fund["admin"])
    venture_services.transition(venture, "running", actor=fund["sw"])
    db.session.commit()
    login(client, "fund_sw")
    response = client.post(
        f"/ventures/{venture.id}/expenditures",
        data={
            "spent_on": "2026-03-01",
            "amount": "120.50",
            "purpose": "教材",
            "receipt": (BytesIO(png_bytes()), "发票.png"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    line = db.session.scalar(select(Expenditure))
    stored = objects(s3_endpoint, bucket)
    assert set(stored) == {
        f"receipts/{line.receipt_name}",
        f"receipts/thumb-{line.receipt_name}",
    }
    served = client.get(f"/ventures/receipts/{line.id}")
    assert served.get_data() == stored[f"receipts/{line.receipt_name}"]
    thumb = client.get(f"/ventures/receipts/{line.id}?size=thumb")
    assert thumb.get_data() == stored[f"receipts/thumb-{line.receipt_name}"]
    other = client.application.test_client()
    login(other, "other_leader")  # another organization's leader
    assert other.get(f"/ventures/receipts/{line.id}").status_code == 404
    assert files_on_disk(tmp_path / "uploads-a") == []


def test_a_missing_object_is_a_404_not_a_500(
    app, client, team, log, db, s3_endpoint, bucket
):
    activity = log(team["org"], team["leader"])
    login(client, "team_leader")
    _upload(client, activity.id)
    photo = db.session.scalar(select(ActivityPhoto))
    storage.delete("photos", photo.stored_name)
    assert client.get(f"/activities/photos/{photo.id}").status_code == 404


def test_s3_without_a_bucket_stops_the_app_with_what_to_set(tmp_path):
    with pytest.raises(storage.StorageMisconfigured, match="S3_BUCKET"):
        create_app(TestingConfig, STORAGE="s3", S3_BUCKET="")
    with pytest.raises(storage.StorageMisconfigured, match="local"):
        create_app(TestingConfig, STORAGE="ftp")


def test_an_unreachable_store_is_a_503_in_the_users_language(
    app, client, team, log, db, database_url, tmp_path
):
    """An app server whose object store has gone away answers "try again
    shortly" (503), not a 500, and saves nothing of an upload."""
    activity = log(team["org"], team["leader"])
    with moto_server() as endpoint:
        broken = create_app(
            TestingConfig,
            SQLALCHEMY_DATABASE_URI=database_url,
            UPLOAD_FOLDER=str(tmp_path / "uploads-c"),
            STORAGE="s3",
            S3_BUCKET=make_bucket(endpoint),
            S3_ENDPOINT_URL=endpoint,
            S3_CONNECT_TIMEOUT=1,
        )
    broken.test_client_class = IsolatedClient
    other = broken.test_client()
    login(other, "team_leader")
    response = _upload(other, activity.id)
    assert response.status_code == 503
    assert "暂时无法读取上传的文件" in response.get_data(as_text=True)
    assert db.session.scalar(select(ActivityPhoto)) is None
    with broken.app_context():
        db.engine.dispose()


@pytest.mark.config(READY_TIMEOUT=30)  # a loaded machine: the answer, not a timeout
def test_readyz_follows_the_object_store(
    app,
    client,
    db,
    at_head,
    database_url,
    tmp_path,
):
    response = client.get("/readyz")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["checks"]["storage"] == "ok"
    with moto_server() as endpoint:
        gone = create_app(
            TestingConfig,
            SQLALCHEMY_DATABASE_URI=database_url,
            UPLOAD_FOLDER=str(tmp_path / "uploads-d"),
            READY_TIMEOUT=30,
            STORAGE="s3",
            S3_BUCKET=make_bucket(endpoint),
            S3_ENDPOINT_URL=endpoint,
            S3_CONNECT_TIMEOUT=1,
        )
        assert gone.test_client().get("/readyz").status_code == 200
    response = gone.test_client().get("/readyz")
    assert response.status_code == 503
    checks = response.get_json()["checks"]
    assert checks["database"] == "ok" and checks["storage"] != "ok"
    with gone.app_context():
        db.engine.dispose()


def test_a_deletion_whose_commit_fails_keeps_the_photo(
    app, client, team, log, db, s3_endpoint, bucket, monkeypatch
):
    """The objects go only after the deletion is committed: a commit refused
    for want of a lock (503, try again) leaves the photo and its files."""
    from flask import has_request_context
    from sqlalchemy.exc import OperationalError

    activity = log(team["org"], team["leader"])
    login(client, "team_leader")
    _upload(client, activity.id)
    photo_id = db.session.scalar(select(ActivityPhoto.id))
    before = objects(s3_endpoint, bucket)
    commit = db.session.commit

    def locked():
        if has_request_context():
            raise OperationalError("COMMIT", {}, Exception("database is locked"))
        commit()

    monkeypatch.setattr(db.session, "commit", locked)
    response = client.post(f"/activities/photos/{photo_id}/delete")
    assert response.status_code == 503
    monkeypatch.undo()
    assert db.session.get(ActivityPhoto, photo_id) is not None
    assert objects(s3_endpoint, bucket) == before
    assert client.get(f"/activities/photos/{photo_id}").status_code == 200
