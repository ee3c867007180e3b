"""``flask storage check`` and ``flask storage copy --to s3|local``: is the store
of uploaded files reachable, and move existing uploads from one store to the
other (an agency moving to a district deployment's object store, or back)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from incubator import storage

storage_cli = AppGroup("storage", help="The store of uploaded files.")


@storage_cli.command("check")
def check_command() -> None:
    """Exit 0 when the configured store answers, 1 with the reason otherwise."""
    current = storage.store()
    try:
        current.check()
    except storage.StorageUnavailable as exc:
        raise click.ClickException(f"unreachable: {exc}") from None
    click.echo(f"{current.backend}: {current.describe()} is reachable.")


@storage_cli.command("copy")
@click.option(
    "--to",
    "target_backend",
    type=click.Choice(storage.BACKENDS),
    required=True,
    help="The store to copy into; the files are read from the other one.",
)
@click.option("--dry-run", is_flag=True, help="Say what would be copied; copy nothing.")
def copy_command(target_backend: str, dry_run: bool) -> None:
    """Copy every uploaded file from the other store into the --to store
    (UPLOAD_FOLDER for local, S3_BUCKET etc. for s3, whatever STORAGE says).
    Idempotent: a file already there with the same size is skipped, so it can
    run again after an interruption, and once more just before switching
    STORAGE. Nothing is deleted from either store."""
    source_backend = "local" if target_backend == "s3" else "s3"
    try:
        source = storage.make_store(current_app.config, source_backend)
        target = storage.make_store(current_app.config, target_backend)
        source.check()
        target.check()
    except (storage.StorageMisconfigured, storage.StorageUnavailable) as exc:
        raise click.ClickException(str(exc)) from None
    copied = skipped = 0
    try:
        for kind, name in source.names(None):
            size = source.size(kind, name)
            if size is None:
                continue  # removed since it was listed
            if target.size(kind, name) == size:
                skipped += 1
                continue
            if not dry_run:
                with source.open(kind, name) as handle:
                    data = handle.read()
                target.put(kind, name, data, storage.content_type_of(name))
            copied += 1
    except storage.StorageUnavailable as exc:
        raise click.ClickException(
            f"{exc}; {copied} files copied so far. Run the command again: files "
            "already copied are skipped."
        ) from None
    verb = "Would copy" if dry_run else "Copied"
    click.echo(
        f"{verb} {copied} files from {source.describe()} to {target.describe()}; "
        f"{skipped} were there already."
    )
    if not dry_run and current_app.config.get("STORAGE", "local") != target_backend:
        click.echo(
            f"Set STORAGE={target_backend} and restart the app servers to use them."
        )
