"""``flask communities ...`` and ``flask setup``: an instance set up on real data
from the shell, step by step through the services, and re-running it makes
nothing twice."""

from __future__ import annotations

from sqlalchemy import func, select

from incubator.auth.models import User
from incubator.community.models import Community, Compound, Room
from incubator.projects.models import Indicator, Project
from tests.conftest import DEFAULT_PASSWORD

API = "/api/v1"

SETUP = [
    "setup",
    "--agency", "厦门市同心社工服务中心",
    "--community", "海天社区",
    "--street", "莲前街道",
    "--district", "思明区",
    "--city", "厦门市",
    "--compound", "海天一期",
    "--compound", "海天二期",
    "--room", "多功能厅:60",
    "--room", "书画室：12",
    "--project-name", "海天同行",
    "--project-start", "2026-01-01",
    "--project-end", "2026-12-31",
    "--budget", "180000",
    "--indicators", "default",
    "--admin", "lead",
    "--admin-name", "项目主管",
    "--admin-password", DEFAULT_PASSWORD,
]  # fmt: skip


def _count(db, model):
    return db.session.scalar(select(func.count(model.id)))


def test_setup_builds_an_instance_and_running_it_again_adds_nothing(app, db):
    runner = app.test_cli_runner()
    first = runner.invoke(args=SETUP)
    assert first.exit_code == 0, first.output
    assert "Community 海天社区: created." in first.output
    assert "Indicators: 12 added" in first.output
    db.session.expire_all()
    place = db.session.scalar(select(Community))
    assert (place.street, place.district, place.city) == (
        "莲前街道",
        "思明区",
        "厦门市",
    )
    assert [c.name for c in place.compounds] == ["海天一期", "海天二期"]
    assert [(r.name, r.capacity) for r in place.rooms] == [
        ("多功能厅", 60),
        ("书画室", 12),
    ]
    project = db.session.scalar(select(Project))
    assert project.agency == "厦门市同心社工服务中心"
    assert project.community_id == place.id
    targets = {i.metric: i.target for i in project.indicators}
    assert len(targets) == 12 and targets["person_times"] == 3000
    assert (targets["people_served"], targets["space_uses"]) == (8338, 386)
    admin = db.session.scalar(select(User).where(User.username == "lead"))
    assert admin.role == "admin" and admin.name == "项目主管"

    again = runner.invoke(args=SETUP)
    assert again.exit_code == 0, again.output
    assert "exists, kept" in again.output
    counts = [_count(db, m) for m in (Community, Compound, Room, Project, Indicator)]
    assert counts == [1, 2, 2, 1, 12]


def test_after_setup_an_organization_in_a_named_compound_is_accepted(app, db, client):
    runner = app.test_cli_runner()
    assert runner.invoke(args=SETUP).exit_code == 0
    token = client.post(
        f"{API}/tokens", json={"username": "lead", "password": DEFAULT_PASSWORD}
    ).get_json()["token"]
    made = client.post(
        f"{API}/organizations",
        json={"name": "海天合唱团", "kind": "culture_sports", "compound": "海天二期"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert made.status_code == 201, made.get_json()


def test_setup_refuses_bad_input_and_saves_nothing(app, db):
    runner = app.test_cli_runner()
    bad_room = runner.invoke(
        args=["setup", "--community", "海天社区", "--room", "大厅:很多"]
    )
    assert bad_room.exit_code != 0
    no_dates = runner.invoke(
        args=["setup", "--community", "海天社区", "--project-name", "海天同行"]
    )
    assert no_dates.exit_code != 0
    weak = runner.invoke(
        args=[
            "setup",
            "--community",
            "海天社区",
            "--admin",
            "lead",
            "--admin-password",
            "x",
        ]
    )
    assert weak.exit_code != 0 and "nothing was saved" in weak.output
    assert _count(db, Community) == 0


def test_the_communities_commands(app, db):
    runner = app.test_cli_runner()
    made = runner.invoke(
        args=["communities", "create", "海天社区", "--street", "莲前街道"]
    )
    assert made.exit_code == 0, made.output
    assert (
        runner.invoke(
            args=["communities", "add-compound", "海天社区", "海天一期", "海天二期"]
        ).exit_code
        == 0
    )
    room = runner.invoke(
        args=["communities", "add-room", "海天社区", "多功能厅", "--capacity", "60"]
    )
    assert room.exit_code == 0, room.output
    twice = runner.invoke(args=["communities", "add-compound", "海天社区", "海天一期"])
    assert twice.exit_code != 0 and "海天一期" in twice.output
    listed = runner.invoke(args=["communities", "list"])
    assert "海天社区" in listed.output and "海天二期" in listed.output
    assert "多功能厅 (60)" in listed.output
    assert runner.invoke(args=["communities", "archive", "海天社区"]).exit_code == 0
    assert "海天社区" not in runner.invoke(args=["communities", "list"]).output
    assert "[archived]" in runner.invoke(args=["communities", "list", "--all"]).output
    unknown = runner.invoke(args=["communities", "add-room", "无名社区", "大厅"])
    assert unknown.exit_code != 0
