"""``flask backup [PATH]``, ``flask restore ARCHIVE [--force]`` and the guarded
``flask db downgrade``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext

from incubator import storage
from incubator.backup import archive


@contextmanager
def _refusal_as_click_error() -> Iterator[None]:
    """An archive refused (``BackupError``) becomes the command's error message."""
    try:
        yield
    except archive.BackupError as exc:
        raise click.ClickException(str(exc)) from None


@click.command("backup")
@click.argument(
    "target", required=False, type=click.Path(dir_okay=False, path_type=Path)
)
@with_appcontext
def backup_command(target: Path | None) -> None:
    """Write the database and every uploaded file to one archive, TARGET
    (default backups/incubator-YYYYMMDD-HHMMSSZ.tar.gz, UTC). Safe while the app
    runs."""
    target = target or Path("backups") / (
        f"incubator-{datetime.now(UTC).strftime('%Y%m%d-%H%M%SZ')}.tar.gz"
    )
    with _refusal_as_click_error():
        manifest = archive.write_archive(target)
    click.echo(
        f"Backed up {manifest.backend} ({manifest.rows} rows in "
        f"{len(manifest.tables)} tables) and {len(manifest.files)} uploaded files "
        f"to {target}."
    )


@click.command("restore")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--force",
    is_flag=True,
    help="Replace an instance that already holds rows or uploaded files.",
)
@with_appcontext
def restore_command(source: Path, force: bool) -> None:
    """Bring back the database and uploaded files of the archive SOURCE into this
    instance (stop the app and the scheduler first). Refuses an instance that is
    not empty unless --force."""
    with _refusal_as_click_error():
        manifest, kept = archive.restore_archive(source, force=force)
    click.echo(
        f"Restored {manifest.rows} rows in {len(manifest.tables)} tables and "
        f"{len(manifest.files)} uploaded files from {source} (made "
        f"{manifest.created_at}, migration {manifest.revision or 'unknown'})."
    )
    if kept:
        click.echo(f"The uploads that were here are kept in {kept}.")
    elif manifest.files and force and storage.store().backend == "s3":
        click.echo(
            "Objects already in the bucket that the archive does not hold were "
            "left in place."
        )
    click.echo("Run `flask db upgrade` if this code is newer than the archive.")


def _guarded_downgrade(original: click.Command) -> click.Command:
    """Flask-Migrate's ``downgrade`` with ``--force``: without it, a database
    holding rows is refused, since a downgrade drops tables and columns with
    their data. ``--sql`` (print the SQL, touch nothing) is always allowed."""

    @click.pass_context
    def callback(ctx: click.Context, force: bool, **kwargs) -> None:
        if not force and not kwargs.get("sql"):
            tables = archive.tables_with_rows()
            if tables:
                named = ", ".join(
                    f"{name} {n}"
                    for name, n in sorted(tables.items(), key=lambda t: -t[1])[:5]
                )
                raise click.ClickException(
                    f"The database holds {sum(tables.values())} rows ({named}"
                    f"{', ...' if len(tables) > 5 else ''}). A downgrade drops "
                    "tables and columns together with their data, and nothing "
                    "brings them back. Back up first (flask backup), then run "
                    "again with --force."
                )
        assert original.callback is not None  # Flask-Migrate's command has one
        ctx.invoke(original.callback, **kwargs)

    return click.Command(
        "downgrade",
        callback=callback,
        params=[
            *original.params,
            click.Option(
                ["--force"],
                is_flag=True,
                help="Downgrade a database that holds rows (back it up first).",
            ),
        ],
        help=(original.help or "").rstrip(".")
        + ". Refuses a database holding rows unless --force.",
    )


def guard_downgrade(app: Flask) -> None:
    """Replace this app's ``db`` command group by a copy whose ``downgrade`` is
    guarded (Flask-Migrate's own group is left as it is)."""
    original = app.cli.commands["db"]
    assert isinstance(original, click.Group)  # Flask-Migrate's group
    group = click.Group(
        original.name,
        commands={
            **original.commands,
            "downgrade": _guarded_downgrade(original.commands["downgrade"]),
        },
        params=original.params,
        callback=original.callback,
        help=original.help,
    )
    app.cli.add_command(group)
