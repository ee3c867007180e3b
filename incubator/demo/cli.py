"""``flask --app wsgi demo seed``: load the demo community into an empty database."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from incubator.demo.district.cli import run_district
from incubator.demo.seed import login_lines, seed_demo
from incubator.transaction import unit_of_work

demo_cli = AppGroup("demo", help="Demo data.")


@demo_cli.command("seed")
def seed():
    """Load the two demo communities and their accounts, unless the database
    holds data."""
    with unit_of_work():
        loaded = seed_demo()
    if loaded:
        click.echo(
            "Loaded the demo communities 禾山社区 and 西岭社区 (禾山街道, 湖里区) "
            "and their projects 幸福禾立方 and 邻里西岭."
        )
    else:
        click.echo("The database already holds data; nothing loaded.")
    click.echo("Demo logins (change them before real use):")
    for line in login_lines():
        click.echo(line)


@demo_cli.command("district")
@click.option(
    "--scale",
    type=click.FloatRange(min=0.0001, max=10.0),
    default=1.0,
    show_default=True,
    help="Size: 1.0 is a district of 2,000 organizations and 300,000 activities; "
    "0.01 for a quick run.",
)
@click.option("--seed", type=int, default=18, show_default=True)
def district(scale: float, seed: int):
    """Fill an EMPTY migrated database with a district-scale data set (issue 18),
    in bulk; refuses a database that already holds organizations or users."""
    run_district(scale, seed)
