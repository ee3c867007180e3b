"""The migrations build the schema the models describe, on the suite's backend."""

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect

from config import TestingConfig
from incubator import create_app
from incubator.extensions import db

MIGRATIONS = str(Path(__file__).resolve().parent.parent / "migrations")


def test_upgrade_empty_database_to_head_matches_models(temporary_database):
    with temporary_database() as url:
        app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url)
        with app.app_context():
            upgrade(directory=MIGRATIONS)
            with db.engine.connect() as conn:
                context = MigrationContext.configure(
                    conn, opts={"compare_type": True, "render_as_batch": True}
                )
                diff = compare_metadata(context, db.metadata)
            db.engine.dispose()
        assert diff == [], f"models and migrations disagree: {diff}"


def test_downgrade_to_base_and_up_again(temporary_database):
    with temporary_database() as url:
        app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url)
        with app.app_context():
            upgrade(directory=MIGRATIONS)
            downgrade(directory=MIGRATIONS, revision="base")
            engine = create_engine(url)
            tables = set(inspect(engine).get_table_names()) - {"alembic_version"}
            engine.dispose()
            assert tables == set()
            upgrade(directory=MIGRATIONS)
            db.engine.dispose()


def test_constraints_are_named(app):
    for table in db.metadata.sorted_tables:
        for constraint in table.constraints:
            assert constraint.name, f"unnamed constraint on {table.name}"


POPULATE_0001 = [
    'INSERT INTO "user" (id, username, name, role, password_hash, active, created_at,'
    " password_changed_at, version) VALUES (1, 'lin', '林社工', 'social_worker', 'x',"
    " true, '2026-01-01 00:00:00', '2026-01-01 00:00:00', 1)",
    "INSERT INTO user_session (id, user_id, key_hash, created_at, last_seen_at,"
    " expires_at, remember, user_agent, ip) VALUES (1, 1, 'k', '2026-01-01 00:00:00',"
    " '2026-01-01 00:00:00', '2026-01-02 00:00:00', false, '', '')",
    "INSERT INTO community (id, name, district, city) VALUES (1, '禾山社区', '湖里区', '厦门市')",
    "INSERT INTO compound (id, community_id, name, position) VALUES (1, 1, '新景龙郡', 0)",
    "INSERT INTO organization (id, name, kind, compound_id, filing_status, member_count,"
    " description, stage, social_worker_id, created_at, version) VALUES (1, '舞蹈队',"
    " 'culture_sports', 1, 'filed', 20, '', 'intake', 1, '2026-01-01 00:00:00', 1)",
    "INSERT INTO organization (id, name, kind, filing_status, member_count,"
    " description, stage, created_at, version) VALUES (2, '巡逻队', 'volunteer', 'none',"
    " 5, '', 'intake', '2026-01-02 00:00:00', 1)",
]


def test_upgrade_of_a_populated_database_keeps_every_row(temporary_database):
    """Batch migrations recreate tables; no row may be lost or cascade-deleted."""
    with temporary_database() as url:
        app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url)
        with app.app_context():
            upgrade(directory=MIGRATIONS, revision="0001")
            with db.engine.begin() as conn:
                for statement in POPULATE_0001:
                    conn.exec_driver_sql(statement)
            upgrade(directory=MIGRATIONS)
            with db.engine.connect() as conn:
                counts = {
                    table: conn.exec_driver_sql(
                        f'SELECT count(*) FROM "{table}"'
                    ).scalar()
                    for table in ("user", "user_session", "community", "organization")
                }
                orgs = conn.exec_driver_sql(
                    "SELECT name, community_id, stage_since IS NOT NULL FROM organization"
                    " ORDER BY id"
                ).all()
            db.engine.dispose()
    assert counts == {"user": 1, "user_session": 1, "community": 1, "organization": 2}
    assert [tuple(r) for r in orgs] == [("舞蹈队", 1, True), ("巡逻队", 1, True)]
