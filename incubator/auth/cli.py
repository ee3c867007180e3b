"""``flask --app wsgi users ...``: managing accounts from the shell."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from incubator.auth import services
from incubator.auth.roles import Role
from incubator.errors import DomainError
from incubator.transaction import unit_of_work

users_cli = AppGroup("users", help="Manage user accounts.")


@users_cli.command("create")
@click.argument("username")
@click.option(
    "--role",
    required=True,
    help=f"One of: {', '.join(r.value for r in Role)}.",
)
@click.option("--password", required=True, help="At least 8 characters.")
@click.option("--name", default=None, help="Display name (default: the username).")
@click.option(
    "--org",
    "org_ids",
    multiple=True,
    type=int,
    help="Organization id led (repeatable).",
)
@click.option(
    "--community",
    "communities",
    multiple=True,
    help="A community the user serves, by name (repeatable; none: every community).",
)
def create(username, role, password, name, org_ids, communities):
    """Create a user USERNAME with ROLE and PASSWORD."""
    try:
        with unit_of_work():
            user = services.create_user(
                username,
                name=name or username,
                role=role,
                password=password,
                organization_ids=org_ids,
                community_names=communities or None,
                actor=None,
            )
    except DomainError as exc:
        raise click.ClickException(str(exc.message)) from None
    click.echo(f"Created user {user.username} ({user.role}), id {user.id}.")
