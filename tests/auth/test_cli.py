from sqlalchemy import select

from incubator.auth.models import User


def test_users_create(app, db):
    result = app.test_cli_runner().invoke(
        args=[
            "users",
            "create",
            "lin",
            "--role",
            "social_worker",
            "--password",
            "lin-pass-2026",
            "--name",
            "林社工",
        ]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.username == "lin"))
    assert (user.name, user.role) == ("林社工", "social_worker")


def test_users_create_refuses_unknown_role(app, db):
    result = app.test_cli_runner().invoke(
        args=["users", "create", "bob", "--role", "boss", "--password", "bob-pass-2026"]
    )
    assert result.exit_code != 0
    assert "boss" in result.output and "social_worker" in result.output
    assert db.session.scalar(select(User).where(User.username == "bob")) is None


def test_users_create_refuses_existing_username(app, make_user):
    make_user(username="lin")
    result = app.test_cli_runner().invoke(
        args=[
            "users",
            "create",
            "lin",
            "--role",
            "viewer",
            "--password",
            "lin-pass-2026",
        ]
    )
    assert result.exit_code != 0
    assert "lin" in result.output and "已被占用" in result.output


def test_users_create_with_org(app, db, make_org):
    org = make_org()
    result = app.test_cli_runner().invoke(
        args=[
            "users",
            "create",
            "wuayi",
            "--role",
            "org_leader",
            "--password",
            "wu-pass-2026",
            "--org",
            str(org.id),
        ]
    )
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    user = db.session.scalar(select(User).where(User.username == "wuayi"))
    assert [o.id for o in user.led_organizations] == [org.id]
