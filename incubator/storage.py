"""Uploaded files (activity photos and their thumbnails, resource evidence,
venture receipts): in a local folder, or on an S3-compatible object store so that
several app servers share them (issue 18).

Every file has a *kind* (``photos``, ``evidence``, ``receipts``: a folder) and a
*name* (generated, e.g. ``3f2a....jpg``; a thumbnail is ``thumb-<name>``), both
plain path segments. The two backends keep the same layout:

- ``STORAGE=local`` (default): ``UPLOAD_FOLDER/<kind>/<name>``, as before.
- ``STORAGE=s3``: object ``<S3_PREFIX><kind>/<name>`` in ``S3_BUCKET`` at
  ``S3_ENDPOINT_URL`` (MinIO, Aliyun OSS, Tencent COS, AWS; moto in the tests),
  credentials from boto3's usual chain (``AWS_ACCESS_KEY_ID`` /
  ``AWS_SECRET_ACCESS_KEY``, a profile, an instance role).

So a backup's ``uploads/<kind>/<name>`` members are the same whichever backend
wrote them, and restoring a local backup into a bucket (or back) just works.

Files are served *through the app* on both backends (``send``): the view checks
who may see the record first, the bucket stays private, and the object store need
not be reachable from users' networks (a MinIO on the servers' private network).
A presigned redirect would hand out a URL that works for anyone who has it until
it expires, and needs the store on the public internet; photos here are at most a
few MB, so streaming them costs a worker little.

A file written during a request whose unit of work is rolled back is removed
again (``put`` registers the undo with ``incubator.transaction``'s list), on both
backends.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, BinaryIO

from flask import Flask, Response, current_app, g, has_request_context, request
from flask import send_file as _send_file
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import ServiceUnavailable

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

logger = logging.getLogger(__name__)

KINDS = ("photos", "evidence", "receipts")
BACKENDS = ("local", "s3")
EXTENSION_KEY = "incubator.storage"
CHUNK = 64 * 1024
_SEGMENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,199}")


class StoredFileMissing(LookupError):
    """No stored file of that kind and name (a view answers 404)."""


class StorageUnavailable(ServiceUnavailable):
    """The store cannot be reached or refused the operation (object store down,
    wrong credentials, bucket missing, disk not writable). A request that meets
    it is answered 503 (and rolled back) by the app's HTTP error handler."""

    def __init__(self, detail: str) -> None:
        super().__init__(
            description=str(
                _l("Uploaded files cannot be reached just now; try again shortly.")
            )
        )
        self.detail = detail

    def __str__(self) -> str:
        return f"storage unavailable: {self.detail}"


class StorageMisconfigured(RuntimeError):
    """The storage settings cannot work (raised by ``init_app`` at start-up)."""


def _checked(kind: str, name: str | None = None) -> None:
    if not _SEGMENT.fullmatch(kind) or ".." in kind:
        raise ValueError(f"not a storage kind: {kind!r}")
    if name is not None and (not _SEGMENT.fullmatch(name) or ".." in name):
        raise ValueError(f"not a stored file name: {name!r}")


def valid_name(kind: str, name: str) -> bool:
    """Whether ``kind`` and ``name`` are plain segments every store accepts
    (letters, digits, ``.``, ``_``, ``-``; no ``..``)."""
    try:
        _checked(kind, name)
    except ValueError:
        return False
    return True


def _as_bytes(data: bytes | IO[bytes]) -> bytes:
    return data if isinstance(data, bytes | bytearray) else data.read()


# ---- backends ----


class LocalStore:
    """``root/<kind>/<name>`` on the local disk (today's layout)."""

    backend = "local"

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def describe(self) -> str:
        return f"local folder {self.root}"

    def _path(self, kind: str, name: str) -> Path:
        return self.root / kind / name

    def put(self, kind: str, name: str, data: bytes, content_type: str) -> None:
        folder = self.root / kind
        try:
            folder.mkdir(parents=True, exist_ok=True)
            # Written aside, then renamed: a reader never sees half a file.
            fd, temporary = tempfile.mkstemp(dir=folder, prefix=".put-")
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
                os.replace(temporary, folder / name)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        except OSError as exc:
            raise StorageUnavailable(f"{self.describe()}: {exc}") from exc

    def open(self, kind: str, name: str) -> BinaryIO:
        try:
            return self._path(kind, name).open("rb")
        except FileNotFoundError:
            raise StoredFileMissing(f"{kind}/{name}") from None

    def delete(self, kind: str, name: str) -> None:
        self._path(kind, name).unlink(missing_ok=True)

    def exists(self, kind: str, name: str) -> bool:
        return self._path(kind, name).is_file()

    def size(self, kind: str, name: str) -> int | None:
        try:
            return self._path(kind, name).stat().st_size
        except FileNotFoundError:
            return None

    def send(
        self, kind: str, name: str, mimetype: str, download_name, as_attachment
    ) -> Response:
        path = self._path(kind, name)
        if not path.is_file():
            raise StoredFileMissing(f"{kind}/{name}")
        return _send_file(
            path,
            mimetype=mimetype,
            max_age=0,
            download_name=download_name,
            as_attachment=as_attachment,
        )

    def names(self, kind: str | None) -> Iterator[tuple[str, str]]:
        if not self.root.is_dir():
            return
        folders = [self.root / kind] if kind else sorted(self.root.iterdir())
        for folder in folders:
            if not folder.is_dir() or not _SEGMENT.fullmatch(folder.name):
                continue
            for path in sorted(folder.iterdir()):
                if path.is_file() and _SEGMENT.fullmatch(path.name):
                    yield folder.name, path.name

    def check(self) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageUnavailable(f"{self.describe()}: {exc}") from exc
        if not os.access(self.root, os.W_OK | os.X_OK):
            raise StorageUnavailable(f"{self.describe()} is not writable")

    def aside(self, stamp: str) -> Path | None:
        """Rename the whole folder to ``<root>.before-restore-<stamp>`` (restore
        --force keeps what it replaces); None when it held nothing."""
        if not self.root.exists():
            return None
        if not any(self.names(None)):
            shutil.rmtree(self.root)
            return None
        kept = self.root.with_name(f"{self.root.name}.before-restore-{stamp}")
        self.root.rename(kept)
        return kept


@dataclass(frozen=True)
class S3Settings:
    bucket: str
    endpoint_url: str | None = None
    region: str | None = None
    prefix: str = ""
    addressing_style: str = "auto"
    connect_timeout: float = 3.0
    read_timeout: float = 20.0


class S3Store:
    """Objects ``<prefix><kind>/<name>`` in one bucket. The boto3 client is made
    on first use in each process (so a gunicorn worker forked from a preloaded
    master makes its own) and then shared by the process's threads (boto3
    clients are thread-safe; sessions are not, so the client is made under a
    lock)."""

    backend = "s3"

    def __init__(self, settings: S3Settings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._client: Any = None
        self._pid: int | None = None

    def describe(self) -> str:
        where = self.settings.endpoint_url or "AWS"
        return f"bucket {self.settings.bucket} at {where}"

    @property
    def client(self) -> S3Client:
        if self._client is None or self._pid != os.getpid():
            with self._lock:
                if self._client is None or self._pid != os.getpid():
                    self._client = self._make_client()
                    self._pid = os.getpid()
        return self._client

    def warm_up(self) -> None:
        """Make this process's client in the background (importing boto3 and
        loading S3's model takes 1-3 s on a small machine), so the first
        request or /readyz of a fresh worker does not pay for it."""

        def make() -> None:
            try:
                self.client  # noqa: B018 - the property makes the client
            except Exception:  # noqa: BLE001 - the first real call reports it
                logger.warning("could not prepare the S3 client", exc_info=True)

        threading.Thread(target=make, name="s3-client", daemon=True).start()

    def _make_client(self) -> Any:
        import boto3
        from botocore.config import Config

        s = self.settings
        config = Config(
            connect_timeout=s.connect_timeout,
            read_timeout=s.read_timeout,
            retries={"max_attempts": 3, "mode": "standard"},
            s3={"addressing_style": s.addressing_style},  # type: ignore[arg-type]
            signature_version="s3v4",
            # boto3 >= 1.36 adds CRC checksums that OSS, COS and older MinIO
            # refuse; send them only where S3 requires one.
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
            max_pool_connections=32,
        )
        session = boto3.session.Session()
        return session.client(
            "s3", endpoint_url=s.endpoint_url, region_name=s.region, config=config
        )

    def _key(self, kind: str, name: str) -> str:
        return f"{self.settings.prefix}{kind}/{name}"

    def _fail(self, exc: Exception) -> StorageUnavailable:
        return StorageUnavailable(f"{self.describe()}: {exc}")

    @staticmethod
    def _is_missing(exc: Exception) -> bool:
        from botocore.exceptions import ClientError

        if not isinstance(exc, ClientError):
            return False
        code = str(exc.response.get("Error", {}).get("Code", ""))
        return code in ("404", "NoSuchKey", "NotFound")

    def put(self, kind: str, name: str, data: bytes, content_type: str) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.client.put_object(
                Bucket=self.settings.bucket,
                Key=self._key(kind, name),
                Body=data,
                ContentType=content_type,
            )
        except (BotoCoreError, ClientError) as exc:
            raise self._fail(exc) from exc

    def _get(self, kind: str, name: str) -> Any:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return self.client.get_object(
                Bucket=self.settings.bucket, Key=self._key(kind, name)
            )
        except (BotoCoreError, ClientError) as exc:
            if self._is_missing(exc):
                raise StoredFileMissing(f"{kind}/{name}") from None
            raise self._fail(exc) from exc

    def open(self, kind: str, name: str) -> BinaryIO:
        return self._get(kind, name)["Body"]

    def delete(self, kind: str, name: str) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.client.delete_object(
                Bucket=self.settings.bucket, Key=self._key(kind, name)
            )
        except (BotoCoreError, ClientError) as exc:
            raise self._fail(exc) from exc

    def size(self, kind: str, name: str) -> int | None:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            head = self.client.head_object(
                Bucket=self.settings.bucket, Key=self._key(kind, name)
            )
        except (BotoCoreError, ClientError) as exc:
            if self._is_missing(exc):
                return None
            raise self._fail(exc) from exc
        return int(head["ContentLength"])

    def exists(self, kind: str, name: str) -> bool:
        return self.size(kind, name) is not None

    def send(
        self, kind: str, name: str, mimetype: str, download_name, as_attachment
    ) -> Response:
        obj = self._get(kind, name)
        body = obj["Body"]

        def chunks() -> Iterator[bytes]:
            try:
                yield from body.iter_chunks(CHUNK)
            finally:
                body.close()

        response = Response(chunks(), mimetype=mimetype, direct_passthrough=True)
        response.content_length = int(obj["ContentLength"])
        response.cache_control.no_cache = True  # as send_file(max_age=0)
        if obj.get("ETag"):
            response.set_etag(str(obj["ETag"]).strip('"'))
        if obj.get("LastModified"):
            response.last_modified = obj["LastModified"]
        if download_name or as_attachment:
            from werkzeug.http import dump_options_header

            disposition = "attachment" if as_attachment else "inline"
            options = {"filename": download_name} if download_name else {}
            response.headers["Content-Disposition"] = dump_options_header(
                disposition, options
            )
        response.make_conditional(request)  # 304 for a matching If-None-Match
        return response

    def names(self, kind: str | None) -> Iterator[tuple[str, str]]:
        from botocore.exceptions import BotoCoreError, ClientError

        prefix = self.settings.prefix + (f"{kind}/" if kind else "")
        paginator = self.client.get_paginator("list_objects_v2")
        try:
            for page in paginator.paginate(Bucket=self.settings.bucket, Prefix=prefix):
                for item in page.get("Contents", []):
                    rest = item["Key"][len(self.settings.prefix) :]
                    parts = rest.split("/")
                    if len(parts) == 2 and all(_SEGMENT.fullmatch(p) for p in parts):
                        yield parts[0], parts[1]
        except (BotoCoreError, ClientError) as exc:
            raise self._fail(exc) from exc

    def check(self) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.client.head_bucket(Bucket=self.settings.bucket)
        except (BotoCoreError, ClientError) as exc:
            raise self._fail(exc) from exc


Store = LocalStore | S3Store


# ---- configuration ----


def s3_settings(config: Any) -> S3Settings:
    """The S3 settings of a Flask config; raises ``StorageMisconfigured`` when no
    bucket is named or the addressing style is unknown."""
    bucket = (config.get("S3_BUCKET") or "").strip()
    if not bucket:
        raise StorageMisconfigured(
            "STORAGE=s3 needs S3_BUCKET (the bucket uploaded files are kept in), "
            "and for MinIO, OSS or COS also S3_ENDPOINT_URL; see the README's "
            '"Object storage (S3-compatible)". Set them, or unset STORAGE to keep '
            "files in UPLOAD_FOLDER."
        )
    style = config.get("S3_ADDRESSING_STYLE") or "auto"
    if style not in ("auto", "path", "virtual"):
        raise StorageMisconfigured(
            f"S3_ADDRESSING_STYLE={style!r} is unknown; use path, virtual or auto."
        )
    prefix = (config.get("S3_PREFIX") or "").strip("/")
    return S3Settings(
        bucket=bucket,
        endpoint_url=config.get("S3_ENDPOINT_URL") or None,
        region=config.get("S3_REGION") or None,
        prefix=f"{prefix}/" if prefix else "",
        addressing_style=style,
        connect_timeout=float(config.get("S3_CONNECT_TIMEOUT") or 3),
        read_timeout=float(config.get("S3_READ_TIMEOUT") or 20),
    )


def make_store(config: Any, backend: str | None = None) -> Store:
    """A store built from a Flask config: ``backend`` (default the config's
    ``STORAGE``) ``"local"`` or ``"s3"``. Raises ``StorageMisconfigured``."""
    backend = (backend or config.get("STORAGE") or "local").strip().lower()
    if backend == "local":
        return LocalStore(config["UPLOAD_FOLDER"])
    if backend == "s3":
        return S3Store(s3_settings(config))
    raise StorageMisconfigured(
        f"STORAGE={backend!r} is unknown; use local (files in UPLOAD_FOLDER) or s3."
    )


def init_app(app: Flask) -> None:
    """Check the settings and keep this app's store; an S3 client is prepared
    in the background (no request is sent). Raises ``StorageMisconfigured`` so a
    wrong setting stops the app at start-up with a message, not at the first
    upload."""
    current = app.extensions[EXTENSION_KEY] = make_store(app.config)
    if isinstance(current, S3Store):
        # create_app runs in each gunicorn worker (no --preload): after the fork
        current.warm_up()


def store() -> Store:
    """The current app's store."""
    found = current_app.extensions.get(EXTENSION_KEY)
    if found is None:  # an app built without init_app (never in create_app)
        found = current_app.extensions[EXTENSION_KEY] = make_store(current_app.config)
    return found


# ---- the API the features use ----


def put(
    kind: str,
    name: str,
    data: bytes | IO[bytes],
    content_type: str,
    *,
    undo_on_rollback: bool = True,
) -> None:
    """Store ``data`` (bytes or a binary file object, read whole: uploads are
    capped at 10 MB) as ``kind/name``, replacing a file of that name. Within a
    request, the file is removed again if the request's unit of work is rolled
    back (unless ``undo_on_rollback`` is false). Raises ``ValueError`` for a kind
    or name that is not a plain segment, ``StorageUnavailable`` when the store
    refuses."""
    _checked(kind, name)
    current = store()
    current.put(kind, name, _as_bytes(data), content_type)
    if undo_on_rollback and has_request_context():
        g.setdefault("undo_on_rollback", []).append(lambda: _undo(current, kind, name))


def _undo(current: Store, kind: str, name: str) -> None:
    try:
        current.delete(kind, name)
    except StorageUnavailable:
        logger.warning("could not remove %s/%s after a rollback", kind, name)


def open(kind: str, name: str) -> BinaryIO:  # noqa: A001 - storage.open reads
    """The stored file as a binary stream (close it; ``with`` works). Raises
    ``StoredFileMissing``, ``StorageUnavailable``."""
    _checked(kind, name)
    return store().open(kind, name)


def read(kind: str, name: str) -> bytes:
    """The stored file's bytes. Raises ``StoredFileMissing``,
    ``StorageUnavailable``."""
    with open(kind, name) as handle:
        return handle.read()


def delete(kind: str, name: str) -> None:
    """Remove ``kind/name``; nothing happens when it does not exist. Raises
    ``StorageUnavailable``."""
    _checked(kind, name)
    store().delete(kind, name)


def exists(kind: str, name: str) -> bool:
    """Whether ``kind/name`` is stored. Raises ``StorageUnavailable``."""
    _checked(kind, name)
    return store().exists(kind, name)


def send(
    kind: str,
    name: str,
    *,
    mimetype: str,
    download_name: str | None = None,
    as_attachment: bool = False,
) -> Response:
    """The answer that serves ``kind/name`` to the browser, not cached
    (``max_age=0``; conditional requests answered 304). Check permissions
    before calling. Raises ``StoredFileMissing`` (answer 404),
    ``StorageUnavailable``."""
    _checked(kind, name)
    return store().send(kind, name, mimetype, download_name, as_attachment)


def names(kind: str | None = None) -> Iterator[tuple[str, str]]:
    """Every stored file as ``(kind, name)``, of one kind or all, kind by kind
    (sorted on the local disk, in key order on S3). Raises
    ``StorageUnavailable``."""
    if kind is not None:
        _checked(kind)
    return store().names(kind)


def check() -> None:
    """Return when the store can be reached (S3: the bucket answers HEAD; local:
    the folder exists or can be made, and is writable); raise
    ``StorageUnavailable`` otherwise. For /readyz and ``flask storage check``."""
    store().check()


def content_type_of(name: str) -> str:
    """The MIME type of a stored name by its extension (the app writes only
    JPEG and PDF)."""
    if name.endswith(".pdf"):
        return "application/pdf"
    if name.endswith((".jpg", ".jpeg")):
        return "image/jpeg"
    return "application/octet-stream"
