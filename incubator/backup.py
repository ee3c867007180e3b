"""``flask --app wsgi backup PATH``: a consistent copy of the SQLite database.

Uses SQLite's online backup API, which copies committed rows even while the app is
writing in WAL mode (a plain ``cp`` of a live WAL database can lose them). For
PostgreSQL, use ``pg_dump`` (see README).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import click
from flask.cli import with_appcontext

from incubator.extensions import db


def backup_sqlite(target: Path) -> int:
    """Copy the app's SQLite database to ``target``; returns the page count copied.

    Raises ``click.ClickException`` when the database is not SQLite or the target
    exists.
    """
    url = db.engine.url
    if url.get_backend_name() != "sqlite" or not url.database:
        raise click.ClickException(
            "This database is not a SQLite file; back up PostgreSQL with pg_dump."
        )
    if target.exists():
        raise click.ClickException(f"{target} exists; choose a new file name.")
    target.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(url.database)
    dest = sqlite3.connect(target)
    try:
        with dest:
            source.backup(dest)
        pages = dest.execute("PRAGMA page_count").fetchone()[0]
    finally:
        dest.close()
        source.close()
    return pages


@click.command("backup")
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(target: Path) -> None:
    """Write a consistent copy of the SQLite database to TARGET."""
    pages = backup_sqlite(target)
    click.echo(f"Backed up {db.engine.url.database} to {target} ({pages} pages).")
