"""One archive holds a whole instance: the database and every uploaded file.

Layout of the ``.tar.gz``::

    database.sqlite3 | database.pgdump   SQLite online backup | pg_dump -Fc
    uploads/<kind>/<name>                 every uploaded file, from the
                                          configured store (UPLOAD_FOLDER or
                                          the S3 bucket: ``incubator.storage``)
    resident_key                          the key residents are known by
                                          (unless set in the environment)
    manifest.json                         format, backend, migration revision,
                                          rows per table, sha256 and size per file

The row counts are taken from the same snapshot as the dump (the SQLite copy
itself; PostgreSQL's exported snapshot shared with ``pg_dump --snapshot``), so a
restore can check it got back exactly what was saved. Restoring refuses an
instance that holds rows or files unless forced, checks every file's hash before
touching anything, then puts the database and the uploads in place and compares
the row counts again.

The uploads are read from and restored into whichever store is configured
(``STORAGE``), in the same ``<kind>/<name>`` layout: an archive of a local
instance restores into a bucket and back. That is how an agency moves to a
district deployment (README, "Object storage").

The resident key (``incubator.signins.identity``) travels with the database: a
restored instance with another key would count every returning resident as a new
person. When it is set in the environment (``RESIDENT_KEY``) it stays out of the
archive, like ``SECRET_KEY``, and a restore checks nothing about it: the operator
keeps it with the deployment's settings.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import sqlite3
import tarfile
import tempfile
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from flask import current_app
from sqlalchemy import func, inspect, select, table, text

from incubator import storage
from incubator.backup import postgres
from incubator.extensions import db
from incubator.signins import identity

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite3"
PGDUMP_MEMBER = "database.pgdump"
UPLOADS = "uploads"
RESIDENT_KEY_MEMBER = "resident_key"
SKIP_TABLES = frozenset({"alembic_version", "sqlite_sequence"})


class BackupError(RuntimeError):
    """The archive cannot be written or restored; the message says why and what
    to do. Nothing was changed when it is raised."""


@dataclass
class Manifest:
    backend: str
    tables: dict[str, int]
    files: dict[str, dict] = field(default_factory=dict)
    revision: str | None = None
    created_at: str = ""
    # sha256 of the resident key kept in the archive; None: not kept (set in
    # the environment, or an archive from before residents were known).
    resident_key: str | None = None
    # Where the uploads were read from: "local" or "s3" (for the operator; a
    # restore puts them into whichever store it has).
    storage: str = "local"
    format: int = FORMAT

    @property
    def rows(self) -> int:
        return sum(n for name, n in self.tables.items() if name not in SKIP_TABLES)

    def to_json(self) -> bytes:
        return json.dumps(self.__dict__, ensure_ascii=False, indent=2).encode()

    @classmethod
    def from_json(cls, data: bytes) -> Manifest:
        raw = json.loads(data)
        if not isinstance(raw, dict) or raw.get("format") != FORMAT:
            raise BackupError(
                "This is not an incubator backup archive of a known format."
            )
        return cls(**{k: raw[k] for k in cls.__dataclass_fields__ if k in raw})


def _backend() -> str:
    name = db.engine.url.get_backend_name()
    if name not in ("sqlite", "postgresql"):
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {name}.")
    return name


def row_counts(connection) -> dict[str, int]:
    """{table: rows} of every table in the database (``connection``: a
    SQLAlchemy connection, or a path to a SQLite file)."""
    if isinstance(connection, Path):
        with closing(sqlite3.connect(connection)) as conn:
            names = [
                r[0]
                for r in conn.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table'"
                )
            ]
            return {
                name: conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]  # noqa: S608
                for name in sorted(names)
            }
    names = inspect(connection).get_table_names()
    return {
        name: connection.execute(select(func.count()).select_from(table(name))).scalar()
        for name in sorted(names)
    }


def tables_with_rows() -> dict[str, int]:
    """{table: rows} of the app's tables that hold rows, outside Alembic's
    bookkeeping (empty when no table exists yet)."""
    with db.engine.connect() as conn:
        counts = row_counts(conn)
        conn.rollback()
    return {name: n for name, n in counts.items() if n and name not in SKIP_TABLES}


def instance_rows() -> int:
    """Rows in the app's database outside Alembic's bookkeeping."""
    return sum(tables_with_rows().values())


def _upload_folder() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"])


def _has_uploads() -> bool:
    return next(storage.names(), None) is not None


def _revision(counts: dict[str, int], read) -> str | None:
    if not counts.get("alembic_version"):
        return None
    return read("SELECT version_num FROM alembic_version")


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o600
    info.mtime = int(datetime.now(UTC).timestamp())
    tar.addfile(info, io.BytesIO(data))


def _dump_sqlite(work: Path) -> tuple[Path, dict[str, int], str | None]:
    url = db.engine.url
    if not url.database or url.database == ":memory:":
        raise BackupError("This SQLite database is not a file; nothing to back up.")
    copy = work / SQLITE_MEMBER
    with closing(sqlite3.connect(url.database)) as source:
        with closing(sqlite3.connect(copy)) as dest:
            source.backup(dest)  # consistent even while the app writes (WAL)
    counts = row_counts(copy)
    with closing(sqlite3.connect(copy)) as conn:
        revision = _revision(counts, lambda q: conn.execute(q).fetchone()[0])
    return copy, counts, revision


def _dump_postgres(work: Path) -> tuple[Path, dict[str, int], str | None]:
    pg_dump = postgres.checked_tool("pg_dump")
    target = work / PGDUMP_MEMBER
    uri, env = postgres.connection(db.engine.url)
    with db.engine.connect().execution_options(
        isolation_level="REPEATABLE READ"
    ) as conn:
        with conn.begin():
            snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar()
            counts = row_counts(conn)
            revision = _revision(counts, lambda q: conn.execute(text(q)).scalar())
            postgres.run(
                [
                    pg_dump,
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    f"--snapshot={snapshot}",
                    f"--file={target}",
                    f"--dbname={uri}",
                ],
                env,
            )
    return target, counts, revision


def write_archive(target: Path) -> Manifest:
    """Write the instance's database and uploads to ``target`` (a new
    ``.tar.gz``, mode 0600: it holds residents' personal data). Safe while the
    app runs. Raises ``BackupError`` when ``target`` exists or the database
    cannot be dumped (``pg_dump`` missing or older than the server)."""
    if target.exists():
        raise BackupError(f"{target} exists; choose a new file name.")
    backend = _backend()
    try:
        storage.check()
    except storage.StorageUnavailable as exc:
        raise BackupError(f"The uploaded files cannot be read: {exc}") from None
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".backup-") as tmp:
        work = Path(tmp)
        try:
            dump = _dump_postgres if backend == "postgresql" else _dump_sqlite
            database, counts, revision = dump(work)
        except postgres.ToolError as exc:
            raise BackupError(str(exc)) from None
        manifest = Manifest(
            backend=backend,
            tables=counts,
            revision=revision,
            created_at=datetime.now(UTC).isoformat(timespec="seconds"),
            storage=storage.store().backend,
        )
        partial = work / "archive.tar.gz"
        with tarfile.open(partial, "w:gz") as tar:
            tar.add(database, arcname=database.name)
            for kind, name in storage.names():
                try:
                    # one read: the hash is of what is stored
                    data = storage.read(kind, name)
                except storage.StoredFileMissing:
                    continue  # deleted since it was listed
                except storage.StorageUnavailable as exc:
                    raise BackupError(
                        f"The uploaded files cannot be read: {exc}"
                    ) from None
                rel = f"{kind}/{name}"
                manifest.files[rel] = {
                    "sha256": hashlib.sha256(data).hexdigest(),
                    "size": len(data),
                }
                _add_bytes(tar, f"{UPLOADS}/{rel}", data)
            if not identity.key_from_environment():
                key = identity.instance_key().encode()
                manifest.resident_key = hashlib.sha256(key).hexdigest()
                _add_bytes(tar, RESIDENT_KEY_MEMBER, key)
            _add_bytes(tar, MANIFEST, manifest.to_json())
        os.chmod(partial, 0o600)
        os.replace(partial, target)
    return manifest


def read_manifest(source: Path) -> Manifest:
    try:
        with tarfile.open(source, "r:gz") as tar:
            data = tar.extractfile(tar.getmember(MANIFEST))
            if data is None:
                raise ValueError(f"{MANIFEST} is not a file")
            return Manifest.from_json(data.read())
    except (OSError, KeyError, tarfile.TarError, ValueError, TypeError) as exc:
        raise BackupError(f"{source} is not a readable backup archive: {exc}") from None


def _safe_relative(rel: str) -> PurePosixPath:
    path = PurePosixPath(rel)
    if path.is_absolute() or not path.parts or ".." in path.parts:
        raise BackupError(f"The archive names an unsafe path: {rel!r}; not restored.")
    return path


def _unpack(source: Path, manifest: Manifest, staging: Path) -> Path:
    """Every member into ``staging`` after checking its name, type and hash;
    returns the database file. Extracts nothing the manifest does not list."""
    member_name = SQLITE_MEMBER if manifest.backend == "sqlite" else PGDUMP_MEMBER
    expected = {f"{UPLOADS}/{rel}": rel for rel in manifest.files}
    if manifest.resident_key:
        expected[RESIDENT_KEY_MEMBER] = RESIDENT_KEY_MEMBER
    seen = set()
    with tarfile.open(source, "r:gz") as tar:
        for member in tar:
            if member.name == MANIFEST:
                continue
            if not member.isfile() or (
                member.name != member_name and member.name not in expected
            ):
                raise BackupError(
                    f"The archive holds an unexpected entry {member.name!r}; "
                    "not restored."
                )
            if member.name in (member_name, RESIDENT_KEY_MEMBER):
                out = staging / member.name
            else:
                out = staging / UPLOADS / _safe_relative(expected[member.name])
            out.parent.mkdir(parents=True, exist_ok=True)
            digest = hashlib.sha256()
            source_file = tar.extractfile(member)
            assert source_file is not None  # a regular file, checked above
            with source_file as data, out.open("wb") as handle:
                for chunk in iter(lambda: data.read(1 << 20), b""):
                    digest.update(chunk)
                    handle.write(chunk)
            if member.name == RESIDENT_KEY_MEMBER:
                wanted = manifest.resident_key
            elif member.name in expected:
                wanted = manifest.files[expected[member.name]]["sha256"]
            else:
                wanted = None
            if wanted is not None:
                if digest.hexdigest() != wanted:
                    raise BackupError(
                        f"{member.name} does not match its hash in the manifest: the "
                        "archive is damaged; not restored."
                    )
            seen.add(member.name)
    missing = ({member_name} | set(expected)) - seen
    if missing:
        raise BackupError(
            f"The archive lacks {len(missing)} entries (e.g. {sorted(missing)[0]}); "
            "not restored."
        )
    return staging / member_name


def _restore_sqlite(dump: Path) -> dict[str, int]:
    path = db.engine.url.database
    if not path:
        raise BackupError("An in-memory SQLite database cannot be restored.")
    db.session.remove()
    db.engine.dispose()
    with closing(sqlite3.connect(dump)) as source:
        with closing(sqlite3.connect(path)) as dest:
            source.backup(dest)
    return row_counts(Path(path))


def _restore_postgres(dump: Path) -> dict[str, int]:
    try:
        pg_restore = postgres.checked_tool("pg_restore")
    except postgres.ToolError as exc:
        raise BackupError(str(exc)) from None
    uri, env = postgres.connection(db.engine.url)
    db.session.remove()
    db.engine.dispose()
    postgres.run(
        [
            pg_restore,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={uri}",
            str(dump),
        ],
        env,
    )
    with db.engine.connect() as conn:
        counts = row_counts(conn)
        conn.rollback()
    return counts


def _archived_resident_key(manifest: Manifest, staging: Path) -> str | None:
    """The resident key the archive keeps (None when it keeps none). Raises
    ``BackupError`` before anything is replaced when this instance takes its key
    from the environment and that key is another one."""
    if not manifest.resident_key:
        return None
    key = (staging / RESIDENT_KEY_MEMBER).read_text()
    if identity.key_from_environment() and identity.instance_key() != key:
        raise BackupError(
            "The archive was made with another resident key than this instance's "
            "RESIDENT_KEY: residents would no longer be recognized. Unset "
            "RESIDENT_KEY to take the archive's key, or restore into the instance "
            "that made it; nothing was restored."
        )
    return key


def _check_object_names(manifest: Manifest) -> None:
    for rel in manifest.files:
        kind, _, name = rel.partition("/")
        if not storage.valid_name(kind, name):
            raise BackupError(
                f"The archive holds {rel!r}, which is not a <kind>/<name> of an "
                "uploaded file; it cannot go into an object store. Not restored."
            )


def _put_objects(manifest: Manifest, folder: Path) -> None:
    """Every file of the archive (already checked against its hash) into the
    object store, replacing an object of the same name."""
    for rel in sorted(manifest.files):
        kind, _, name = rel.partition("/")
        try:
            storage.put(
                kind,
                name,
                (folder / rel).read_bytes(),
                storage.content_type_of(name),
                undo_on_rollback=False,
            )
        except storage.StorageUnavailable as exc:
            raise BackupError(
                f"Putting the files into the object store failed ({exc}); the "
                "database was not touched. Run the restore again with --force."
            ) from None


def _local_into_place(uploads: Path, restored: Path) -> Path | None:
    """Replace the uploads folder by the restored one; the files that were there
    are kept aside (returned) rather than deleted."""
    kept = None
    if uploads.exists():
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        kept = storage.LocalStore(uploads).aside(stamp)
    if restored.exists():
        restored.rename(uploads)
    else:
        uploads.mkdir()
    return kept


def restore_archive(
    source: Path, *, force: bool = False
) -> tuple[Manifest, Path | None]:
    """Bring back the database and the uploads of ``source`` into this instance.

    Refuses (``BackupError``, nothing changed) when the archive is damaged, was
    made from another kind of database, or when this instance already holds
    rows or uploaded files and ``force`` is false, or the store of uploads
    cannot be reached. With ``force``, a local uploads folder is kept aside
    (renamed ``<folder>.before-restore-<time>``, returned) rather than deleted;
    in an object store the archive's objects replace those of the same name and
    the others stay (None is returned). Afterwards the row counts are compared with
    the manifest; a difference raises ``BackupError``. Stop the app and the
    scheduler first: they must not write while the database is replaced.
    """
    manifest = read_manifest(source)
    backend = _backend()
    if manifest.backend != backend:
        raise BackupError(
            f"The archive holds a {manifest.backend} database but this instance uses "
            f"{backend}; restore it into a {manifest.backend} instance."
        )
    store = storage.store()
    try:
        store.check()
        has_files = _has_uploads()
    except storage.StorageUnavailable as exc:
        raise BackupError(
            f"The store for uploaded files cannot be reached: {exc}; nothing was "
            "restored."
        ) from None
    if isinstance(store, storage.S3Store):
        _check_object_names(manifest)
    rows = instance_rows()
    if (rows or has_files) and not force:
        raise BackupError(
            f"This instance is not empty ({rows} rows in the database, "
            f"{'some' if has_files else 'no'} uploaded files). Restoring replaces "
            "them: back them up first (flask backup), then run again with --force."
        )
    # Staged beside the uploads folder, so the local store takes it by a rename.
    uploads = _upload_folder()
    uploads.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=uploads.parent, prefix=".restore-") as tmp:
        staging = Path(tmp)
        dump = _unpack(source, manifest, staging)
        key = _archived_resident_key(manifest, staging)
        kept: Path | None = None
        if isinstance(store, storage.S3Store):
            # Objects first: uploading is the step most likely to fail (network),
            # and objects under new names harm nothing if the database is not
            # replaced after all.
            _put_objects(manifest, staging / UPLOADS)
        try:
            restore = _restore_postgres if backend == "postgresql" else _restore_sqlite
            counts = restore(dump)
        except postgres.ToolError as exc:
            raise BackupError(str(exc)) from None
        if isinstance(store, storage.LocalStore):
            kept = _local_into_place(uploads, staging / UPLOADS)
        if key is not None:
            identity.replace_instance_key(key)
    if counts != manifest.tables:
        differ = sorted(
            k for k in manifest.tables if counts.get(k) != manifest.tables[k]
        )
        raise BackupError(
            f"The restored database does not match the archive's row counts "
            f"(tables {', '.join(differ) or 'listed differently'}); check the instance."
        )
    return manifest, kept
