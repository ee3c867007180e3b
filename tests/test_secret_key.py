"""No fixed secret key anywhere: a development instance makes a random key once,
keeps it in instance/secret_key (0600) and reuses it; calendar-feed addresses
depend on it, so nobody can compute them from a published value."""

from __future__ import annotations

import hashlib
import hmac
import stat
import threading

import pytest

from config import DevelopmentConfig, ProductionConfig
from incubator import create_app, secret_key


def _dev_app(tmp_path, key_file, database_url):
    return create_app(
        DevelopmentConfig,
        SECRET_KEY=None,  # as when SECRET_KEY is not in the environment
        SECRET_KEY_FILE=str(key_file),
        SQLALCHEMY_DATABASE_URI=database_url,
    )


def test_make_run_keeps_a_random_key_in_the_instance_folder(tmp_path):
    key_file = tmp_path / "instance" / "secret_key"
    url = f"sqlite:///{tmp_path}/dev.db"
    first = _dev_app(tmp_path, key_file, url)
    key = first.config["SECRET_KEY"]
    assert len(key) == 64 and int(key, 16) >= 0
    assert key_file.read_text().strip() == key
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    # the next start (and the scheduler process) reuse it
    assert _dev_app(tmp_path, key_file, url).config["SECRET_KEY"] == key
    # another instance gets its own key
    other = _dev_app(tmp_path, tmp_path / "other" / "secret_key", url)
    assert other.config["SECRET_KEY"] != key


def test_the_environment_wins_over_the_file(tmp_path):
    key_file = tmp_path / "secret_key"
    app = create_app(
        DevelopmentConfig,
        SECRET_KEY="e" * 40,
        SECRET_KEY_FILE=str(key_file),
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/dev.db",
    )
    assert app.config["SECRET_KEY"] == "e" * 40
    assert not key_file.exists()


def test_two_processes_starting_together_share_one_key(tmp_path):
    key_file = tmp_path / "instance" / "secret_key"
    keys = []
    threads = [
        threading.Thread(
            target=lambda: keys.append(secret_key.load_or_create(key_file))
        )
        for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(keys) == 8 and len(set(keys)) == 1
    assert [p.name for p in key_file.parent.iterdir()] == ["secret_key"]


def test_an_emptied_key_file_is_refused_with_what_to_do(tmp_path):
    key_file = tmp_path / "secret_key"
    key_file.write_text("\n")
    with pytest.raises(secret_key.SecretKeyFileError, match="Delete the file"):
        secret_key.load_or_create(key_file)


def test_production_does_not_fall_back_to_the_file(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    key_file = tmp_path / "secret_key"
    secret_key.load_or_create(key_file)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(ProductionConfig, SECRET_KEY_FILE=str(key_file))


def test_the_test_suite_key_is_random_and_not_the_old_published_one(app):
    assert len(app.config["SECRET_KEY"]) >= 32
    assert app.config["SECRET_KEY"] not in ("dev-only-not-secret", "testing-secret")


def _published_key_address(user_id: int) -> str:
    """The feed address anyone could compute with the key that used to ship."""
    token = hmac.new(
        b"dev-only-not-secret", f"calendar-feed:{user_id}:1".encode(), hashlib.sha256
    ).hexdigest()[:40]
    return f"/calendar/feed/{user_id}-{token}.ics"


def test_calendar_feed_addresses_depend_on_the_instance_key(
    tmp_path, database_url, make_user, db
):
    from incubator.auth.models import User
    from incubator.schedule.feed import feed_key

    user_id = make_user("social_worker").id
    db.session.commit()  # the other apps' requests must find the write lock free
    addresses = []
    for name in ("a", "b"):
        app = _dev_app(tmp_path, tmp_path / name / "secret_key", database_url)
        with app.app_context():
            address = f"/calendar/feed/{feed_key(db.session.get(User, user_id))}.ics"
            db.session.commit()
            client = app.test_client()
            assert client.get(address).status_code == 200
            assert client.get(_published_key_address(user_id)).status_code == 404
            # an address made under another instance's key opens nothing here
            for other in addresses:
                assert client.get(other).status_code == 404
            addresses.append(address)
            db.session.remove()
            db.engine.dispose()
    assert addresses[0] != addresses[1]


def test_a_filesystem_without_hard_links_still_gets_a_private_key(
    tmp_path, monkeypatch
):
    def no_links(*args):
        raise PermissionError("links not supported")

    monkeypatch.setattr("os.link", no_links)
    key_file = tmp_path / "secret_key"
    key = secret_key.load_or_create(key_file)
    assert len(key) == 64 and secret_key.load_or_create(key_file) == key
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]
