"""``flask --app wsgi reminders run --month YYYY-MM [--dry-run]``."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from incubator.auth.models import User
from incubator.extensions import db
from incubator.periods import month_range
from incubator.reminders import jobs
from incubator.transaction import unit_of_work

reminders_cli = AppGroup("reminders", help="Monthly reminders.")


@reminders_cli.command("run")
@click.option("--month", help="YYYY-MM (default: this month)")
@click.option("--dry-run", is_flag=True, help="List who would get what; record nothing")
def run_reminders(month: str | None, dry_run: bool) -> None:
    """Record (unless --dry-run) and deliver a month's reminders. Running it again
    sends nothing twice."""
    if month is not None and month_range(month) is None:
        raise click.BadParameter("YYYY-MM", param_hint="--month")
    if month is not None and jobs.is_future(month):
        raise click.BadParameter(
            "a month that has not begun: its reminders would speak of the future",
            param_hint="--month",
        )
    with unit_of_work():
        result = jobs.run_monthly(month, dry_run=dry_run)
    names = {u.id: u.username for u in db.session.query(User)}
    for draft in result.drafts:
        who = names.get(draft.recipient_id)
        click.echo(f"{result.period}\t{draft.kind}\t{who}\t{draft.title}")
    if dry_run:
        click.echo(f"dry run: {len(result.drafts)} due; nothing recorded")
    else:
        click.echo(
            f"{result.recorded} new of {len(result.drafts)} due; delivered: "
            f"{result.delivered}"
        )
