"""Alembic environment for Flask-Migrate: runs against the app's own engine and
metadata (with its naming convention), in batch mode so SQLite can alter tables."""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

config = context.config
# Keep the application's loggers alive (the default would disable them).
fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

target_db = current_app.extensions["migrate"].db
config.set_main_option(
    "sqlalchemy.url",
    target_db.engine.url.render_as_string(hide_password=False).replace("%", "%%"),
)


def run_migrations_offline():
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_db.metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _raw_pragma(connection, statement):
    """Run a PRAGMA outside any transaction (inside one, SQLite ignores it)."""
    cursor = connection.connection.dbapi_connection.cursor()
    try:
        cursor.execute(statement)
    finally:
        cursor.close()


def run_migrations_online():
    def process_revision_directives(context, revision, directives):
        # Never write an empty migration.
        if getattr(config.cmd_opts, "autogenerate", False):
            if directives[0].upgrade_ops.is_empty():
                directives[:] = []
                logger.info("No changes in schema detected.")

    conf_args = dict(current_app.extensions["migrate"].configure_args)
    conf_args.setdefault("process_revision_directives", process_revision_directives)

    with target_db.engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # A batch migration recreates tables; with foreign keys enforced, that
            # fails (or cascades deletes). Switch them off outside the transaction
            # and check the whole database afterwards.
            _raw_pragma(connection, "PRAGMA foreign_keys=OFF")
        context.configure(
            connection=connection, target_metadata=target_db.metadata, **conf_args
        )
        with context.begin_transaction():
            context.run_migrations()
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                if broken:
                    raise RuntimeError(f"foreign keys broken by migration: {broken}")
        if sqlite:
            _raw_pragma(connection, "PRAGMA foreign_keys=ON")
            # Give the planner the tables' sizes and the new indexes' shape (issue
            # 18): never analyzed, SQLite guessed, e.g. filtering 300,000 logs
            # through an index matching 97% of them. A sampled ANALYZE takes
            # under a second at district scale.
            _raw_pragma(connection, "PRAGMA analysis_limit=1000")
            _raw_pragma(connection, "ANALYZE")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
