"""``flask backup`` writes one archive (database + every uploaded file) and
``flask restore`` brings both back into an empty instance; ``flask db downgrade``
refuses a database holding rows unless --force."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import select

from config import TestingConfig
from incubator import create_app
from incubator.backup import archive, postgres
from incubator.demo.seed import seed_demo
from incubator.extensions import db

MIGRATIONS = str(Path(__file__).resolve().parents[1] / "migrations")

UPLOADS = {
    "photos/3f2a.jpg": b"\xff\xd8 a photo of the dance group",
    "photos/thumb-3f2a.jpg": b"\xff\xd8 its thumbnail",
    "evidence/9b1c.pdf": b"%PDF-1.4 an invoice",
    "receipts/77aa.jpg": b"\xff\xd8 a receipt " * 1000,
}


@contextmanager
def instance(url: str, uploads: Path, **settings):
    """An app on ``url`` with its own upload folder (and ``settings``, e.g. an
    object store), as a separate deployment."""
    app = create_app(
        TestingConfig,
        SQLALCHEMY_DATABASE_URI=url,
        UPLOAD_FOLDER=str(uploads),
        **settings,
    )
    with app.app_context():
        try:
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()


def cli(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def populate(app) -> None:
    db.create_all()
    seed_demo()
    db.session.commit()
    root = Path(app.config["UPLOAD_FOLDER"])
    for rel, data in UPLOADS.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)


def counts() -> dict[str, int]:
    with db.engine.connect() as conn:
        found = archive.row_counts(conn)
        conn.rollback()
    return found


def hashes(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_an_archive_restores_into_a_fresh_instance(temporary_database, tmp_path):
    """On the suite's backend (SQLite, or PostgreSQL with pg_dump/pg_restore
    when TEST_DATABASE_URL is set)."""
    target = tmp_path / "backups" / "b.tar.gz"
    with temporary_database() as source_url, temporary_database() as fresh_url:
        with instance(source_url, tmp_path / "up-a") as app:
            populate(app)
            before = counts()
            result = cli(app, "backup", str(target))
            assert result.exit_code == 0, result.output
            assert "4 uploaded files" in result.output
        assert target.stat().st_mode & 0o077 == 0  # personal data: owner only
        with instance(fresh_url, tmp_path / "up-b") as app:
            db.create_all()  # `flask db upgrade` on a new instance: empty tables
            db.session.commit()
            result = cli(app, "restore", str(target))
            assert result.exit_code == 0, result.output
            after = counts()
            from incubator.auth.models import User

            assert db.session.scalar(select(User).where(User.username == "admin"))
    # The demo's logins: 禾山社区's seven, 西岭社区's two and the street viewer.
    assert before["volunteer"] > 100 and before["user"] == 10
    assert after == before
    assert hashes(tmp_path / "up-b") == hashes(tmp_path / "up-a")
    assert len(hashes(tmp_path / "up-b")) == len(UPLOADS)


def test_a_sqlite_archive_of_a_live_database(tmp_path):
    """SQLite whatever the suite's backend: a connection held open as a running
    app would (WAL not checkpointed); restore into a file that does not exist
    yet."""
    target = tmp_path / "live.tar.gz"
    with instance(f"sqlite:///{tmp_path}/live.db", tmp_path / "up-a") as app:
        populate(app)
        before = counts()
        with db.engine.connect():
            result = cli(app, "backup", str(target))
        assert result.exit_code == 0, result.output
    manifest = archive.read_manifest(target)
    assert manifest.backend == "sqlite" and manifest.tables == before
    assert set(manifest.files) == set(UPLOADS)
    with instance(f"sqlite:///{tmp_path}/new/restored.db", tmp_path / "up-b") as app:
        result = cli(app, "restore", str(target))
        assert result.exit_code == 0, result.output
        assert counts() == before
    assert hashes(tmp_path / "up-b") == hashes(tmp_path / "up-a")
    restored = tmp_path / "new" / "restored.db"
    assert restored.stat().st_mode & 0o077 == 0  # personal data: owner only


def test_restore_refuses_an_instance_that_is_not_empty_unless_forced(tmp_path):
    target = tmp_path / "b.tar.gz"
    with instance(f"sqlite:///{tmp_path}/a.db", tmp_path / "up") as app:
        populate(app)
        assert cli(app, "backup", str(target)).exit_code == 0
        # work goes on after the backup
        (tmp_path / "up" / "photos" / "new.jpg").write_bytes(b"later photo")
        from incubator.auth.services import create_user

        create_user("later", name="后来", role="viewer", password="x" * 12, actor=None)
        db.session.commit()
        grown = counts()
        refused = cli(app, "restore", str(target))
        assert refused.exit_code != 0
        assert "not empty" in refused.output and "--force" in refused.output
        assert counts() == grown
        assert (tmp_path / "up" / "photos" / "new.jpg").exists()
        forced = cli(app, "restore", "--force", str(target))
        assert forced.exit_code == 0, forced.output
        assert counts()["user"] == grown["user"] - 1
    assert hashes(tmp_path / "up") == {
        rel: hashlib.sha256(data).hexdigest() for rel, data in UPLOADS.items()
    }
    kept = [p for p in tmp_path.iterdir() if p.name.startswith("up.before-restore-")]
    assert len(kept) == 1 and (kept[0] / "photos" / "new.jpg").exists()


def _rewrite(source: Path, target: Path, change) -> None:
    with tarfile.open(source, "r:gz") as old, tarfile.open(target, "w:gz") as new:
        for member in old:
            data = old.extractfile(member).read()
            member, data = change(member, data)
            member.size = len(data)
            new.addfile(member, io.BytesIO(data))


def test_a_damaged_or_hostile_archive_changes_nothing(tmp_path):
    good = tmp_path / "good.tar.gz"
    with instance(f"sqlite:///{tmp_path}/a.db", tmp_path / "up-a") as app:
        populate(app)
        assert cli(app, "backup", str(good)).exit_code == 0

    def flip(member, data):
        if member.name == "uploads/evidence/9b1c.pdf":
            data = data.replace(b"invoice", b"forgery")
        return member, data

    def escape(member, data):
        if member.name == "manifest.json":
            manifest = json.loads(data)
            manifest["files"]["../../outside.txt"] = manifest["files"].pop(
                "evidence/9b1c.pdf"
            )
            data = json.dumps(manifest).encode()
        if member.name == "uploads/evidence/9b1c.pdf":
            member.name = "uploads/../../outside.txt"
        return member, data

    for name, change, message in (
        ("damaged", flip, "does not match its hash"),
        ("hostile", escape, "unsafe path"),
    ):
        bad = tmp_path / f"{name}.tar.gz"
        _rewrite(good, bad, change)
        with instance(f"sqlite:///{tmp_path}/{name}.db", tmp_path / name) as app:
            result = cli(app, "restore", str(bad))
            assert result.exit_code != 0 and message in result.output
            assert (
                sum(n for t, n in counts().items() if t not in archive.SKIP_TABLES) == 0
            )
        assert not (tmp_path / name).exists() or hashes(tmp_path / name) == {}
    assert not (tmp_path.parent / "outside.txt").exists()


def test_backup_refuses_to_overwrite(tmp_path):
    (tmp_path / "b.tar.gz").write_text("keep me")
    with instance(f"sqlite:///{tmp_path}/live.db", tmp_path / "up") as app:
        result = cli(app, "backup", str(tmp_path / "b.tar.gz"))
    assert result.exit_code != 0 and "exists" in result.output
    assert (tmp_path / "b.tar.gz").read_text() == "keep me"


def test_pg_dump_older_than_the_server_is_refused_with_what_to_install(
    app, monkeypatch
):
    monkeypatch.setattr(postgres, "tool", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(postgres, "tool_major", lambda path: 15)
    monkeypatch.setattr(postgres, "server_major", lambda: 16)
    with pytest.raises(postgres.ToolError, match="postgresql-client-16"):
        postgres.checked_tool("pg_dump")
    monkeypatch.setattr(postgres, "tool_major", lambda path: 17)
    assert postgres.checked_tool("pg_dump") == "/usr/bin/pg_dump"


def test_a_missing_pg_dump_says_what_to_install(app, monkeypatch):
    app.config["PG_BIN_DIR"] = "/nonexistent"
    with pytest.raises(postgres.ToolError, match="postgresql-client"):
        postgres.tool("pg_dump")


def _revision() -> str:
    from sqlalchemy import text

    with db.engine.connect() as conn:
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def test_downgrade_refuses_a_database_holding_rows_unless_forced(temporary_database):
    with temporary_database() as url:
        with instance(url, Path("/nonexistent-uploads")) as app:
            upgrade(directory=MIGRATIONS)
            head = _revision()
            # an empty database downgrades without a word
            assert cli(app, "db", "-d", MIGRATIONS, "downgrade").exit_code == 0
            assert _revision() != head
            upgrade(directory=MIGRATIONS)
            from incubator.auth.services import create_user

            create_user("keep", name="留", role="viewer", password="x" * 12, actor=None)
            db.session.commit()
            refused = cli(app, "db", "-d", MIGRATIONS, "downgrade")
            assert refused.exit_code != 0
            assert "holds 2 rows (" in refused.output  # the user, its audit entry
            assert "user 1" in refused.output
            assert "Back up first (flask backup)" in refused.output
            assert _revision() == head
            printed = cli(app, "db", "-d", MIGRATIONS, "downgrade", "--sql", "head:-1")
            assert printed.exit_code == 0 and "DROP" in printed.output.upper()
            assert _revision() == head
            forced = cli(app, "db", "-d", MIGRATIONS, "downgrade", "--force")
            assert forced.exit_code == 0, forced.output
            assert _revision() != head


def test_the_resident_key_travels_with_the_archive(tmp_path):
    """A restored instance recognizes the residents of the one backed up: it
    takes the archive's resident key, unless its own is set in the environment,
    which must then be the same key."""
    from incubator.signins import identity

    target = tmp_path / "k.tar.gz"
    own = {"RESIDENT_KEY": None, "RESIDENT_KEY_FILE": str(tmp_path / "a" / "rk")}
    app = create_app(
        TestingConfig,
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/a.db",
        UPLOAD_FOLDER=str(tmp_path / "up-a"),
        **own,
    )
    with app.app_context():
        db.create_all()
        seed_demo()
        db.session.commit()
        known = identity.resident_key("13800138000")
        assert cli(app, "backup", str(target)).exit_code == 0
        db.engine.dispose()
    assert archive.read_manifest(target).resident_key

    elsewhere = {"RESIDENT_KEY": None, "RESIDENT_KEY_FILE": str(tmp_path / "b" / "rk")}
    app = create_app(
        TestingConfig,
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/b.db",
        UPLOAD_FOLDER=str(tmp_path / "up-b"),
        **elsewhere,
    )
    with app.app_context():
        assert identity.resident_key("13800138000") != known  # a key of its own
        result = cli(app, "restore", str(target))
        assert result.exit_code == 0, result.output
        assert identity.resident_key("13800138000") == known
        db.engine.dispose()
    assert (tmp_path / "b" / "rk").read_text().strip() == (
        (tmp_path / "a" / "rk").read_text().strip()
    )

    configured = create_app(
        TestingConfig,
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/c.db",
        UPLOAD_FOLDER=str(tmp_path / "up-c"),
        RESIDENT_KEY="another key set in the environment, 32+ chars",
    )
    with configured.app_context():
        result = cli(configured, "restore", str(target))
        assert result.exit_code != 0
        assert "another resident key" in result.output
        assert archive.instance_rows() == 0  # nothing restored
        db.engine.dispose()
