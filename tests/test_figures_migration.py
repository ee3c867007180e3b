"""Issue 15's migration keeps every figure: the demo seeded at head, its monthly
reports, projects' progress and annual figures computed; the database taken
down to before the communities (0010) and up again (every record joins its one
community); every figure computed again is the same, to the person-time and
the fen. On PostgreSQL too when TEST_DATABASE_URL is set."""

import dataclasses
from datetime import UTC, datetime
from pathlib import Path

import time_machine
from flask_migrate import downgrade, upgrade
from sqlalchemy import select

from config import TestingConfig
from incubator import create_app
from incubator.community.models import Community
from incubator.demo.seed import seed_demo
from incubator.extensions import db
from incubator.periods import month_range
from incubator.projects import services as project_services
from incubator.projects.models import Project
from incubator.reports import annual
from incubator.reports.monthly import monthly_report

MIGRATIONS = str(Path(__file__).resolve().parent.parent / "migrations")
MONTHS = ("2026-06", "2026-08", "2026-09", "2026-10", "2026-11")
# Issue 17's figures come from bookings and sign-ins, tables that 0014 makes and
# the downgrade drops with their rows: they are not the figures this keeps.
FROM_0014 = frozenset({"people_served", "space_uses", "space_people"})


def _without_0014(report: dict) -> dict:
    """The monthly report without issue 17's figures (``people_served``,
    ``space``), here and in each community's row."""
    kept = {k: v for k, v in report.items() if k not in ("people_served", "space")}
    if "by_community" in kept:
        kept["by_community"] = [_without_0014(row) for row in kept["by_community"]]
    return kept


def _figures() -> dict:
    communities = db.session.scalars(select(Community)).all()
    found: dict = {}
    for month in MONTHS:
        period = month_range(month)
        assert period is not None
        found[month] = _without_0014(
            monthly_report(period, month, None, breakdown=communities)
        )
        for community in communities:
            found[(month, community.id)] = _without_0014(
                monthly_report(period, month, frozenset({community.id}))
            )
    for project in db.session.scalars(select(Project).order_by(Project.id)):
        found[project.id] = (
            [
                p
                for p in project_services.progress(project)
                if p.metric not in FROM_0014
            ],
            dataclasses.replace(
                annual.annual_figures(project),
                people_served=0,
                space_uses=0,
                space_people=0,
            ),
        )
    db.session.remove()
    return found


def test_figures_are_the_same_after_downgrade_and_upgrade(temporary_database):
    with temporary_database() as url:
        app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url)
        with (
            app.app_context(),
            time_machine.travel(datetime(2026, 11, 16, 2, 0, tzinfo=UTC), tick=False),
        ):
            upgrade(directory=MIGRATIONS)
            seed_demo()
            db.session.commit()
            before = _figures()
            assert before["2026-10"]["activities"]["total"] > 0
            assert before["2026-10"]["by_community"]
            downgrade(directory=MIGRATIONS, revision="0010_normalize")
            upgrade(directory=MIGRATIONS)
            after = _figures()
            db.engine.dispose()
    assert after == before
