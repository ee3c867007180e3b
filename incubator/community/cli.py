"""``flask --app wsgi communities ...``: communities, compounds and rooms from
the shell (the same services as 系统管理 → 社区 and the API)."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from pydantic import ValidationError
from sqlalchemy import select

from incubator.community import services
from incubator.community.models import Community
from incubator.community.schemas import CommunityCreate, CompoundEntry, RoomEntry
from incubator.errors import DomainError
from incubator.extensions import db
from incubator.forms import form_input
from incubator.transaction import unit_of_work

communities_cli = AppGroup("communities", help="Manage communities, compounds, rooms.")


def find_community(name: str) -> Community:
    community = db.session.scalar(
        select(Community).where(Community.name == " ".join(name.split()))
    )
    if community is None:
        raise click.ClickException(f"No community named {name}.")
    return community


def _run(call):
    try:
        with unit_of_work():
            return call()
    except DomainError as exc:
        field = f" ({exc.field})" if exc.field else ""
        raise click.ClickException(f"{exc.message}{field}") from None
    except ValidationError as exc:  # pragma: no cover - form_input raises DomainError
        raise click.ClickException(str(exc)) from None


@communities_cli.command("list")
@click.option("--all", "show_all", is_flag=True, help="Archived ones too.")
def list_command(show_all):
    """The communities with their compounds and rooms."""
    stmt = select(Community).order_by(Community.position, Community.id)
    if not show_all:
        stmt = stmt.where(Community.archived_at.is_(None))
    rows = db.session.scalars(stmt).all()
    if not rows:
        click.echo("No community yet: flask communities create NAME.")
    for c in rows:
        place = " ".join(x for x in (c.city, c.district, c.street) if x)
        mark = " [archived]" if c.archived else ""
        click.echo(f"{c.id}\t{c.name}{mark}\t{place}")
        for x in c.compounds:
            click.echo(
                f"\tcompound {x.id}\t{x.name}" + (" [archived]" if x.archived else "")
            )
        for r in c.rooms:
            cap = f" ({r.capacity})" if r.capacity is not None else ""
            click.echo(
                f"\troom {r.id}\t{r.name}{cap}" + (" [archived]" if r.archived else "")
            )


@communities_cli.command("create")
@click.argument("name")
@click.option("--street", default="", help="街道")
@click.option("--district", default="", help="区")
@click.option("--city", default="")
def create_command(name, street, district, city):
    """Create the community NAME."""
    created = _run(
        lambda: services.create_community(
            form_input(
                CommunityCreate, name=name, street=street, district=district, city=city
            ),
            actor=None,
        )
    )
    click.echo(f"Created community {created.name}, id {created.id}.")


@communities_cli.command("add-compound")
@click.argument("community")
@click.argument("names", nargs=-1, required=True)
def add_compound_command(community, names):
    """Add compounds NAMES to COMMUNITY (a name)."""

    def add():
        place = find_community(community)
        return [
            services.add_compound(place, form_input(CompoundEntry, name=n), actor=None)
            for n in names
        ]

    for compound in _run(add):
        click.echo(f"Added compound {compound.name}, id {compound.id}.")


@communities_cli.command("add-room")
@click.argument("community")
@click.argument("name")
@click.option("--capacity", type=click.IntRange(min=1), default=None)
@click.option("--equipment", default="")
@click.option("--needs-approval", is_flag=True)
@click.option("--opens-at", default=None, help="Opening time, HH:MM (local)")
@click.option("--closes-at", default=None, help="Closing time, HH:MM (local)")
def add_room_command(
    community, name, capacity, equipment, needs_approval, opens_at, closes_at
):
    """Add the room NAME to COMMUNITY (a name)."""

    def add():
        return services.add_room(
            find_community(community),
            form_input(
                RoomEntry,
                name=name,
                capacity=capacity,
                equipment=equipment,
                needs_approval=needs_approval,
                opens_at=opens_at or None,
                closes_at=closes_at or None,
            ),
            actor=None,
        )

    room = _run(add)
    click.echo(f"Added room {room.name}, id {room.id}.")


@communities_cli.command("archive")
@click.argument("community")
@click.option("--restore", is_flag=True, help="Un-archive instead.")
def archive_command(community, restore):
    """Archive COMMUNITY (a name); its records stay."""

    def change():
        place = find_community(community)
        call = services.restore_community if restore else services.archive_community
        return call(place, actor=None)

    place = _run(change)
    click.echo(f"{'Restored' if restore else 'Archived'} community {place.name}.")
