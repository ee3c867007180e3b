"""``flask backup`` / ``restore`` and ``flask storage copy`` / ``check`` with the
uploads in an object store: a backup from a bucket restores byte-identical into
a fresh bucket, a local instance moves into a bucket (and back), the copy is
idempotent, and a stopped object store is reported, not hidden."""

from __future__ import annotations

import hashlib

import pytest

from config import TestingConfig
from incubator import create_app, storage
from incubator.backup import archive
from incubator.demo.seed import seed_demo
from incubator.extensions import db
from tests.storage.conftest import make_bucket, moto_server, objects
from tests.test_backup import cli, instance

UPLOADS = {
    "photos/3f2a.jpg": b"\xff\xd8 a photo of the dance group",
    "photos/thumb-3f2a.jpg": b"\xff\xd8 its thumbnail",
    "evidence/9b1c.pdf": b"%PDF-1.4 an invoice",
    "receipts/77aa.jpg": b"\xff\xd8 a receipt " * 1000,
}


def _s3(endpoint: str, bucket: str, prefix: str = "") -> dict:
    return {
        "STORAGE": "s3",
        "S3_BUCKET": bucket,
        "S3_ENDPOINT_URL": endpoint,
        "S3_REGION": "us-east-1",
        "S3_PREFIX": prefix,
    }


def populate() -> None:
    db.create_all()
    seed_demo()
    db.session.commit()
    for rel, data in UPLOADS.items():
        kind, name = rel.split("/")
        storage.put(kind, name, data, storage.content_type_of(name))


def stored_hashes() -> dict[str, str]:
    """{kind/name: sha256} of what the current app's store holds."""
    return {
        f"{kind}/{name}": hashlib.sha256(storage.read(kind, name)).hexdigest()
        for kind, name in storage.names()
    }


EXPECTED = {rel: hashlib.sha256(data).hexdigest() for rel, data in UPLOADS.items()}


def test_a_backup_from_a_bucket_restores_byte_identical_into_a_fresh_bucket(
    temporary_database, tmp_path, s3_endpoint
):
    target = tmp_path / "s3.tar.gz"
    first, fresh = make_bucket(s3_endpoint), make_bucket(s3_endpoint)
    with temporary_database() as source_url, temporary_database() as fresh_url:
        with instance(
            source_url, tmp_path / "up-a", **_s3(s3_endpoint, first, "agency-a")
        ) as app:
            populate()
            result = cli(app, "backup", str(target))
            assert result.exit_code == 0, result.output
            assert "4 uploaded files" in result.output
        manifest = archive.read_manifest(target)
        assert manifest.storage == "s3"
        assert {r: f["sha256"] for r, f in manifest.files.items()} == EXPECTED
        with instance(fresh_url, tmp_path / "up-b", **_s3(s3_endpoint, fresh)) as app:
            db.create_all()
            db.session.commit()
            result = cli(app, "restore", str(target))
            assert result.exit_code == 0, result.output
            assert stored_hashes() == EXPECTED
            assert archive.instance_rows() > 100
    restored = objects(s3_endpoint, fresh)
    assert restored == UPLOADS  # same keys, same bytes (no prefix in this bucket)
    assert set(objects(s3_endpoint, first)) == {f"agency-a/{k}" for k in UPLOADS}
    assert not (tmp_path / "up-a").exists() or not any((tmp_path / "up-a").rglob("*.*"))
    assert not (tmp_path / "up-b").exists() or not any((tmp_path / "up-b").rglob("*.*"))


def test_a_local_instance_moves_into_a_bucket_and_back(
    temporary_database, tmp_path, s3_endpoint
):
    to_s3, back = tmp_path / "local.tar.gz", tmp_path / "district.tar.gz"
    bucket = make_bucket(s3_endpoint)
    with (
        temporary_database() as local_url,
        temporary_database() as district_url,
        temporary_database() as again_url,
    ):
        with instance(local_url, tmp_path / "agency") as app:
            populate()
            assert cli(app, "backup", str(to_s3)).exit_code == 0
        assert (tmp_path / "agency" / "receipts" / "77aa.jpg").is_file()
        with instance(district_url, tmp_path / "x", **_s3(s3_endpoint, bucket)) as app:
            result = cli(app, "restore", str(to_s3))
            assert result.exit_code == 0, result.output
            # not empty now: a second restore is refused unless forced
            refused = cli(app, "restore", str(to_s3))
            assert refused.exit_code != 0 and "--force" in refused.output
            forced = cli(app, "restore", "--force", str(to_s3))
            assert forced.exit_code == 0, forced.output
            assert cli(app, "backup", str(back)).exit_code == 0
        assert objects(s3_endpoint, bucket) == UPLOADS
        with instance(again_url, tmp_path / "home-again") as app:
            result = cli(app, "restore", str(back))
            assert result.exit_code == 0, result.output
    home = tmp_path / "home-again"
    assert {
        p.relative_to(home).as_posix(): p.read_bytes()
        for p in home.rglob("*")
        if p.is_file()
    } == UPLOADS


def test_storage_copy_moves_local_files_into_the_bucket_idempotently(
    tmp_path, s3_endpoint
):
    bucket = make_bucket(s3_endpoint)
    local = tmp_path / "uploads"
    for rel, data in UPLOADS.items():
        (local / rel).parent.mkdir(parents=True, exist_ok=True)
        (local / rel).write_bytes(data)
    settings = {**_s3(s3_endpoint, bucket), "STORAGE": "local"}
    with instance(f"sqlite:///{tmp_path}/a.db", local, **settings) as app:
        dry = cli(app, "storage", "copy", "--to", "s3", "--dry-run")
        assert dry.exit_code == 0 and "Would copy 4 files" in dry.output
        assert objects(s3_endpoint, bucket) == {}
        first = cli(app, "storage", "copy", "--to", "s3")
        assert first.exit_code == 0, first.output
        assert "Copied 4 files" in first.output and "STORAGE=s3" in first.output
        again = cli(app, "storage", "copy", "--to", "s3")
        assert (
            "Copied 0 files" in again.output and "4 were there already" in again.output
        )
    assert objects(s3_endpoint, bucket) == UPLOADS
    # and back into an empty folder, from an app that now uses the bucket
    with instance(
        f"sqlite:///{tmp_path}/a.db", tmp_path / "back", **_s3(s3_endpoint, bucket)
    ) as app:
        result = cli(app, "storage", "copy", "--to", "local")
        assert result.exit_code == 0 and "Copied 4 files" in result.output
    assert (tmp_path / "back" / "receipts" / "77aa.jpg").read_bytes() == UPLOADS[
        "receipts/77aa.jpg"
    ]


def test_check_fails_when_the_object_store_is_stopped(tmp_path, s3_endpoint):
    with moto_server() as endpoint:
        bucket = make_bucket(endpoint)
        app = create_app(
            TestingConfig,
            SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/a.db",
            **_s3(endpoint, bucket),
            S3_CONNECT_TIMEOUT=1,
        )
        with app.app_context():
            storage.check()
            result = cli(app, "storage", "check")
            assert result.exit_code == 0 and "reachable" in result.output
    with app.app_context():
        with pytest.raises(storage.StorageUnavailable):
            storage.check()
        result = cli(app, "storage", "check")
        assert result.exit_code == 1 and "unreachable" in result.output
        failed = cli(app, "backup", str(tmp_path / "b.tar.gz"))
        assert failed.exit_code != 0 and "cannot be read" in failed.output
        assert not (tmp_path / "b.tar.gz").exists()
    with app.app_context():
        db.engine.dispose()
