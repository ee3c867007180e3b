"""``flask --app wsgi setup``: a first run on real data, without the demo.

Each option is one step, done through the services (validated and audited like
a change in the pages): the first community (社区) with its street, district and
city, its compounds (小区) and the service centre's rooms (活动室), the project
with its agency (承接机构) and indicators (``--indicators default`` offers the
usual twelve as a starting template), and the first admin account. Running it
again adds only what is missing, so nothing is made twice; everything can be
changed later in 系统管理 → 社区 and the project pages.
"""

from __future__ import annotations

import click
from sqlalchemy import select

from incubator.auth import services as user_services
from incubator.auth.models import User
from incubator.auth.roles import Role
from incubator.community import services as community_services
from incubator.community.models import Community
from incubator.community.schemas import (
    CommunityChange,
    CommunityCreate,
    CompoundEntry,
    RoomEntry,
)
from incubator.errors import DomainError
from incubator.extensions import db
from incubator.forms import form_input
from incubator.normalize import name_key
from incubator.projects import services as project_services
from incubator.projects.models import Project
from incubator.transaction import unit_of_work

DAY = click.DateTime(formats=["%Y-%m-%d"])


def parse_room(text: str) -> tuple[str, int | None]:
    """``"name:capacity"`` (a full-width colon too), or just a name."""
    name, sep, capacity = text.replace("：", ":").rpartition(":")
    if not sep:
        return text.strip(), None
    capacity = capacity.strip()
    if not capacity.isascii() or not capacity.isdigit():
        raise click.BadParameter(
            f"{text!r}: write a room as NAME:CAPACITY.", param_hint="--room"
        )
    return name.strip(), int(capacity)


def _find(rows, name: str):
    key = name_key(" ".join(name.split()))
    return next((r for r in rows if name_key(r.name) == key), None)


@click.command("setup")
@click.option("--agency", default="", help="承接机构: the agency holding the project.")
@click.option("--community", "community_name", default=None, help="社区 name.")
@click.option("--street", default=None, help="街道")
@click.option("--district", default=None, help="区")
@click.option("--city", default=None, help="市")
@click.option("--compound", "compounds", multiple=True, help="小区 (repeatable).")
@click.option(
    "--room", "rooms", multiple=True, help='活动室 as "name:capacity" (repeatable).'
)
@click.option("--project-name", default=None)
@click.option("--project-start", type=DAY, default=None, help="YYYY-MM-DD")
@click.option("--project-end", type=DAY, default=None, help="YYYY-MM-DD")
@click.option(
    "--project-kind", type=click.Choice(project_services.KINDS), default="single"
)
@click.option("--project-year", type=click.IntRange(1, 50), default=1)
@click.option("--budget", default=None, help='Yuan, e.g. "200000.00".')
@click.option(
    "--indicators",
    type=click.Choice(["default", "none"]),
    default="none",
    help="default: the usual twelve indicators with the template's targets.",
)
@click.option(
    "--admin", "admin_username", default=None, help="The first admin's username."
)
@click.option("--admin-name", default=None)
@click.option("--admin-password", default=None, help="Asked for when not given.")
def setup_command(
    agency,
    community_name,
    street,
    district,
    city,
    compounds,
    rooms,
    project_name,
    project_start,
    project_end,
    project_kind,
    project_year,
    budget,
    indicators,
    admin_username,
    admin_name,
    admin_password,
):
    """Set up an instance on real data: community, compounds, rooms, project,
    indicators and the first admin. Re-running adds only what is missing."""
    room_specs = [parse_room(r) for r in rooms]
    if (compounds or rooms or project_name) and not community_name:
        raise click.UsageError("Name the community (--community).")
    if project_name and not (project_start and project_end and budget):
        raise click.UsageError(
            "A project needs --project-start, --project-end and --budget."
        )
    if admin_username and admin_password is None:
        admin_password = click.prompt(
            f"Password for {admin_username}", hide_input=True, confirmation_prompt=True
        )
    done: list[str] = []
    try:
        with unit_of_work():
            if admin_username:
                _admin(admin_username, admin_name, admin_password, done)
            if community_name:
                place = _community(community_name, street, district, city, done)
                _compounds(place, compounds, done)
                _rooms(place, room_specs, done)
                if project_name:
                    _project(
                        place,
                        name=project_name,
                        agency=agency,
                        starts_on=project_start.date(),
                        ends_on=project_end.date(),
                        kind=project_kind,
                        year=project_year,
                        budget=budget,
                        indicators=indicators,
                        done=done,
                    )
    except DomainError as exc:
        field = f" ({exc.field})" if exc.field else ""
        raise click.ClickException(
            f"{exc.message}{field}; nothing was saved."
        ) from None
    for line in done or ["Nothing to do: give --community, --admin, ... (see --help)."]:
        click.echo(line)
    if community_name:
        click.echo("Change any of it later in 系统管理 → 社区 and 报表 → 项目.")


def _admin(username, name, password, done):
    found = db.session.scalar(
        select(User).where(User.username == username.strip().lower())
    )
    if found is not None:
        done.append(f"Admin {found.username}: exists, kept.")
        return
    user = user_services.create_user(
        username,
        name=name or username,
        role=Role.ADMIN.value,
        password=password,
        actor=None,
    )
    done.append(f"Admin {user.username}: created.")


def _community(name, street, district, city, done) -> Community:
    place = _find(db.session.scalars(select(Community)).all(), name)
    places = {"street": street, "district": district, "city": city}
    given = {k: v for k, v in places.items() if v is not None}
    if place is None:
        place = community_services.create_community(
            form_input(CommunityCreate, name=name, **given), actor=None
        )
        done.append(f"Community {place.name}: created.")
        return place
    changed = {
        k: v for k, v in given.items() if getattr(place, k) != " ".join(v.split())
    }
    if changed:
        community_services.change_community(
            place, form_input(CommunityChange, **changed), actor=None
        )
        done.append(f"Community {place.name}: {', '.join(changed)} changed.")
    else:
        done.append(f"Community {place.name}: exists, kept.")
    return place


def _compounds(place, names, done):
    for name in names:
        found = _find(place.compounds, name)
        if found is not None:
            done.append(f"Compound {found.name}: exists, kept.")
            continue
        made = community_services.add_compound(
            place, form_input(CompoundEntry, name=name), actor=None
        )
        db.session.refresh(place)
        done.append(f"Compound {made.name}: added.")


def _rooms(place, specs, done):
    for name, capacity in specs:
        found = _find(place.rooms, name)
        if found is not None:
            done.append(f"Room {found.name}: exists, kept.")
            continue
        made = community_services.add_room(
            place, form_input(RoomEntry, name=name, capacity=capacity), actor=None
        )
        db.session.refresh(place)
        done.append(
            f"Room {made.name}"
            + (f" ({made.capacity} people)" if made.capacity else "")
            + ": added."
        )


def _project(
    place, *, name, agency, starts_on, ends_on, kind, year, budget, indicators, done
):
    project = _find(
        db.session.scalars(
            select(Project).where(Project.community_id == place.id)
        ).all(),
        name,
    )
    if project is None:
        project = project_services.create_project(
            actor=None,
            name=name,
            community_id=place.id,
            agency=agency,
            year=year,
            kind=kind,
            renewal=year > 1,
            budget=budget,
            starts_on=starts_on,
            ends_on=ends_on,
        )
        done.append(f"Project {project.name} ({starts_on} to {ends_on}): created.")
    else:
        done.append(f"Project {project.name}: exists, kept.")
    if indicators != "default":
        return
    have = {i.metric for i in project.indicators}
    added = []
    for metric, target in project_services.TEMPLATE_INDICATORS:
        if metric not in have:
            project_services.add_indicator(
                project, actor=None, metric=metric, target=target
            )
            added.append(metric)
    done.append(
        f"Indicators: {len(added)} added from the template"
        + (f", {len(have)} kept." if have else ".")
    )
