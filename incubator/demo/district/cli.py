"""The body of ``flask --app wsgi demo district``: refuse a database that holds
data, generate, then print the counts and the logins."""

from __future__ import annotations

import click
from sqlalchemy import func, select

from incubator.auth.models import User
from incubator.community.models import Community
from incubator.demo.district import BENCH_USERS, DISTRICT_PASSWORD
from incubator.demo.district.generate import District, scaled
from incubator.extensions import db
from incubator.organizations.models import Organization


def refusal() -> str | None:
    """Why the database cannot take a district (it already holds organizations,
    users or communities), or None when it is empty."""
    for model, what in (
        (Organization, "organizations"),
        (User, "users"),
        (Community, "communities"),
    ):
        count = db.session.scalar(select(func.count()).select_from(model))
        if count:
            return (
                f"The database already holds {count} {what}: `demo district` fills "
                "only an empty migrated database (make one, run `flask db upgrade`, "
                "then this command)."
            )
    return None


def run_district(scale: float, seed: int) -> dict[str, tuple[int, float]]:
    """Generate the district at ``scale`` with ``seed``; raises
    ``click.ClickException`` (exit status 1) when the database holds data.
    Returns ``{table: (rows inserted, seconds)}``."""
    why = refusal()
    db.session.rollback()
    if why:
        raise click.ClickException(why)
    sizes = scaled(scale)
    click.echo(
        f"Generating a district at scale {scale:g} (seed {seed}): "
        f"{sizes['organizations']:,} organizations, {sizes['activities']:,} "
        f"activities, {sizes['volunteers']:,} volunteers ..."
    )
    rows = District(scale, seed, click.echo).run()
    click.echo("Rows inserted (and seconds spent inserting them):")
    for table, (count, seconds) in sorted(rows.items(), key=lambda item: -item[1][0]):
        click.echo(f"  {table:<22} {count:>9,} {seconds:7.1f} s")
    click.echo(f"Logins (password {DISTRICT_PASSWORD} for every account):")
    for role, username in BENCH_USERS.items():
        click.echo(f"  {username:<18} {role}")
    click.echo(
        "  also admin_2, sw_0002.., leader_0002.. (one per organization), "
        "viewer_street_02.., district_viewer"
    )
    return rows
