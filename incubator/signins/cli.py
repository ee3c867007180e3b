"""``flask signins anonymize`` (the retention job, by hand) and ``flask signins
erase --phone ... --reason ... --admin USERNAME`` (one resident, on request)."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from incubator.auth.models import User
from incubator.auth.roles import Role
from incubator.errors import DomainError
from incubator.extensions import db
from incubator.signins import jobs, services
from incubator.transaction import unit_of_work

signins_cli = AppGroup("signins", help="Residents' sign-ins (签到): privacy.")


@signins_cli.command("anonymize")
def anonymize_command() -> None:
    """Anonymize the residents past the retention period (SIGN_IN_RETENTION_YEARS)."""
    with unit_of_work():
        count = jobs.anonymize_expired()
    click.echo(f"{count} residents anonymized.")


@signins_cli.command("erase")
@click.option("--phone", required=True, help="The resident's mobile number.")
@click.option("--reason", required=True, help="Why (e.g. the resident asked).")
@click.option(
    "--admin",
    "admin_name",
    default=None,
    help="The admin doing it (default: the first).",
)
def erase_command(phone: str, reason: str, admin_name: str | None) -> None:
    """Erase one resident on request: name and phone go, counts stay."""
    stmt = select(User).where(User.role == Role.ADMIN, User.active.is_(True))
    if admin_name:
        stmt = stmt.where(User.username == admin_name.strip().lower())
    admin = db.session.scalars(stmt.order_by(User.id)).first()
    if admin is None:
        raise click.ClickException("No such active admin.")
    try:
        with unit_of_work():
            resident = services.find_resident(phone)
            if resident is None:
                click.echo("No resident with this number (or already erased).")
                return
            services.erase_resident(resident, actor=admin, reason=reason)
    except DomainError as exc:
        raise click.ClickException(str(exc.message)) from None
    click.echo(f"Resident {resident.id} erased; the counts stay.")
