"""``flask --app wsgi organizations ...``: importing organizations from the shell."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from incubator.auth.models import User
from incubator.auth.roles import Role
from incubator.errors import DomainError
from incubator.extensions import db
from incubator.import_batches import echo_report
from incubator.organizations import importer
from incubator.transaction import unit_of_work

organizations_cli = AppGroup("organizations", help="Community organizations.")


def cli_actor(username: str | None) -> User:
    """The account a shell import acts as: ``username``, else the first active
    all-communities admin."""
    query = select(User).where(User.active.is_(True))
    if username:
        query = query.where(User.username == username)
    else:
        query = query.where(
            User.role == Role.ADMIN.value, User.community_scope == ""
        ).order_by(User.id)
    actor = db.session.scalar(query.limit(1))
    if actor is None:
        raise click.ClickException(
            f"No active account {username}." if username else "No active admin."
        )
    return actor


@organizations_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the rows; save nothing.")
@click.option("--as", "username", default=None, help="Acting account (an admin).")
def import_command(file: Path, dry_run: bool, username: str | None):
    """Import organizations from FILE (the 组织 → 导入 template): every valid row,
    or none if one is refused when saving."""
    try:
        with unit_of_work():
            actor = cli_actor(username)
            batch, created = importer.import_file(
                file.read_bytes(), file.name, actor=actor, dry_run=dry_run
            )
            echo_report(batch, click.echo)
            if dry_run:
                db.session.rollback()
    except DomainError as exc:
        raise click.ClickException(str(exc.message)) from None
    if dry_run:
        click.echo(f"Dry run: {batch.valid_rows} rows would be imported.")
    else:
        click.echo(f"Imported {len(created)} organizations.")
