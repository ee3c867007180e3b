"""Uploaded files on an S3-compatible object store: moto's S3 server on
loopback (a free port), one fresh bucket per test, and the suite's ``app``
fixture configured to use it (``STORAGE=s3``) with an upload folder of its own,
so a file that lands on the disk instead of the bucket shows."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import boto3
import pytest
from moto.server import ThreadedMotoServer

from config import TestingConfig
from incubator import create_app
from incubator.extensions import db as _db
from tests.conftest import IsolatedClient, _empty_all_tables
from tests.prod.test_health import at_head  # noqa: F401
from tests.ventures.conftest import apply, fund, reviewed  # noqa: F401

CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


@contextmanager
def moto_server() -> Iterator[str]:
    """A moto S3 server on 127.0.0.1 at a free port; yields its endpoint URL."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    with pytest.MonkeyPatch.context() as patch:
        for name, value in CREDENTIALS.items():
            patch.setenv(name, value)
        patch.delenv("AWS_PROFILE", raising=False)
        with moto_server() as url:
            yield url


def s3_client(endpoint: str):
    return boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")


def make_bucket(endpoint: str) -> str:
    name = f"incubator-{uuid.uuid4().hex[:12]}"
    s3_client(endpoint).create_bucket(Bucket=name)
    return name


def objects(endpoint: str, bucket: str) -> dict[str, bytes]:
    """{key: bytes} of every object in ``bucket``."""
    client = s3_client(endpoint)
    found = {}
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for item in page.get("Contents", []):
            body = client.get_object(Bucket=bucket, Key=item["Key"])["Body"]
            found[item["Key"]] = body.read()
    return found


@pytest.fixture
def bucket(s3_endpoint) -> str:
    return make_bucket(s3_endpoint)


@pytest.fixture
def s3_settings(s3_endpoint, bucket) -> dict:
    return {
        "STORAGE": "s3",
        "S3_BUCKET": bucket,
        "S3_ENDPOINT_URL": s3_endpoint,
        "S3_REGION": "us-east-1",
    }


@pytest.fixture
def app(request, database_url, _schema, s3_settings, tmp_path):
    """The suite's app (see tests/conftest.py) with its uploads in the test's
    bucket and an upload folder of its own (which must stay empty)."""
    overrides = {}
    for marker in request.node.iter_markers("config"):
        overrides = {**marker.kwargs, **overrides}
    application = create_app(
        TestingConfig,
        SQLALCHEMY_DATABASE_URI=database_url,
        UPLOAD_FOLDER=str(tmp_path / "uploads-a"),
        **{**s3_settings, **overrides},
    )
    application.test_client_class = IsolatedClient
    with application.app_context():
        yield application
        _db.session.remove()
        _empty_all_tables()
        _db.engine.dispose()


@pytest.fixture
def second_app(database_url, s3_settings, tmp_path, app):
    """Another app server: same database, same bucket, its own upload folder."""
    other = create_app(
        TestingConfig,
        SQLALCHEMY_DATABASE_URI=database_url,
        UPLOAD_FOLDER=str(tmp_path / "uploads-b"),
        **s3_settings,
    )
    other.test_client_class = IsolatedClient
    yield other
    with other.app_context():
        _db.engine.dispose()


def files_on_disk(folder) -> list[str]:
    return (
        sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
        if folder.exists()
        else []
    )
