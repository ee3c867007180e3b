import sqlite3

from config import TestingConfig
from incubator import create_app
from incubator.demo.seed import seed_demo
from incubator.extensions import db


def test_backup_copies_committed_rows_of_a_live_database(tmp_path):
    app = create_app(
        TestingConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/live.db"
    )
    with app.app_context():
        db.create_all()
        seed_demo()
        db.session.commit()
        # keep a connection open, as a running app would, with the WAL not checkpointed
        with db.engine.connect():
            result = app.test_cli_runner().invoke(
                args=["backup", str(tmp_path / "b.db")]
            )
        db.engine.dispose()
    assert result.exit_code == 0, result.output
    copy = sqlite3.connect(tmp_path / "b.db")
    try:
        assert copy.execute("SELECT count(*) FROM user").fetchone()[0] == 7
        assert copy.execute("SELECT name FROM community").fetchone()[0] == "禾山社区"
    finally:
        copy.close()


def test_backup_refuses_to_overwrite(tmp_path):
    app = create_app(
        TestingConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/live.db"
    )
    (tmp_path / "b.db").write_text("keep me")
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "b.db")])
        db.engine.dispose()
    assert result.exit_code != 0 and "exists" in result.output
    assert (tmp_path / "b.db").read_text() == "keep me"
