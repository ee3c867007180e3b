"""Organization names are unique in a community by a normalized key (NFKC +
casefold), the same on SQLite and PostgreSQL, and a taken name is a 409 / a
field error, never a 500 (issue 13)."""

from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select

from config import TestingConfig
from incubator import create_app
from incubator.extensions import db as database
from incubator.organizations import services
from incubator.organizations.models import Organization

TAKEN = "名称已被占用"


def _count(db):
    return db.session.scalar(select(func.count()).select_from(Organization))


@pytest.mark.parametrize(
    "first, second",
    [
        ("ＡＢＣ合唱团", "abc合唱团"),
        ("abc合唱团", "ABC合唱团"),
        ("ABC 合唱团", "ａｂｃ\u3000合唱团"),
    ],
)
def test_api_refuses_a_name_equal_under_the_key_with_409(
    client, api_token, community, db, first, second
):
    headers = api_token("social_worker")
    body = {"name": first, "kind": "culture_sports"}
    created = client.post("/api/v1/organizations", json=body, headers=headers)
    assert created.status_code == 201, created.get_json()
    again = client.post(
        "/api/v1/organizations",
        json={"name": second, "kind": "culture_sports"},
        headers={**headers, "Accept-Language": "zh-CN"},
    )
    assert again.status_code == 409, again.get_json()
    assert TAKEN in again.get_json()["error"]["fields"]["name"][0]
    assert _count(db) == 1


def test_full_width_letters_are_stored_in_ascii(client, api_token, community, db):
    headers = api_token("social_worker")
    response = client.post(
        "/api/v1/organizations",
        json={"name": "  ＡＢＣ合唱团（一）　", "kind": "culture_sports"},
        headers=headers,
    )
    assert response.status_code == 201
    assert response.get_json()["name"] == "ABC合唱团（一）"


def test_page_shows_name_taken_on_the_field(sw_client, make_org, db):
    client, _sw = sw_client
    make_org("ＡＢＣ合唱团")
    response = client.post(
        "/organizations/new",
        data={"name": "abc合唱团", "kind": "other", "filing_status": "none"},
    )
    assert response.status_code == 200
    assert TAKEN in response.get_data(as_text=True)
    assert _count(db) == 1


def test_renaming_onto_a_taken_key_is_409_and_a_case_change_of_ones_own_is_not(
    client, api_token, make_org, db
):
    headers = api_token("admin")
    make_org("ABC合唱团")
    other = make_org("舞蹈队")
    clash = client.patch(
        f"/api/v1/organizations/{other.id}",
        json={"version": other.version, "name": "ａｂｃ合唱团"},
        headers=headers,
    )
    assert clash.status_code == 409
    assert list(clash.get_json()["error"]["fields"]) == ["name"]
    own = db.session.scalar(
        select(Organization).where(Organization.name == "ABC合唱团")
    )
    renamed = client.patch(
        f"/api/v1/organizations/{own.id}",
        json={"version": own.version, "name": "Abc合唱团"},
        headers=headers,
    )
    assert renamed.status_code == 200
    assert renamed.get_json()["name"] == "Abc合唱团"


def test_a_concurrent_insert_of_the_same_key_is_409_not_500(
    client, api_token, make_org, db, monkeypatch
):
    """The unique constraint catches what the check before the flush missed (two
    requests at the same moment): it is answered like the check's refusal."""
    headers = api_token("social_worker")
    make_org("ＡＢＣ合唱团")
    monkeypatch.setattr(services, "_check_unique_name", lambda *a, **k: None)
    response = client.post(
        "/api/v1/organizations",
        json={"name": "abc合唱团", "kind": "culture_sports"},
        headers=headers,
    )
    assert response.status_code == 409, response.get_json()
    assert "name" in response.get_json()["error"]["fields"]
    assert _count(db) == 1


def test_name_key_is_kept_with_the_name(make_org, db):
    org = make_org("Ｈｅｌｌｏ 合唱团")
    assert org.name == "Hello 合唱团" and org.name_key == "hello 合唱团"


def test_migration_fills_the_key_and_survives_existing_collisions(temporary_database):
    """Upgrading a populated database whose names already collide under the key
    keeps every row and name; the later row's key is suffixed with its id."""
    migrations = str(Path(__file__).resolve().parents[2] / "migrations")
    rows = [(1, "ＡＢＣ合唱团"), (2, "abc合唱团"), (3, "舞蹈队")]
    with temporary_database() as url:
        app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url)
        with app.app_context():
            upgrade(directory=migrations, revision="0008")
            with database.engine.begin() as conn:
                conn.exec_driver_sql(
                    "INSERT INTO community (id, name, district, city)"
                    " VALUES (1, '禾山社区', '湖里区', '厦门市')"
                )
                for org_id, name in rows:
                    conn.exec_driver_sql(
                        "INSERT INTO organization (id, community_id, name, kind,"
                        " filing_status, member_count, description, stage,"
                        " stage_since, created_at, version) VALUES"
                        f" ({org_id}, 1, '{name}', 'other', 'none', 0, '', 'intake',"
                        " '2026-01-01 00:00:00', '2026-01-01 00:00:00', 1)"
                    )
            upgrade(directory=migrations)
            with database.engine.connect() as conn:
                found = conn.exec_driver_sql(
                    "SELECT id, name, name_key FROM organization ORDER BY id"
                ).all()
            database.engine.dispose()
    assert [tuple(r) for r in found] == [
        (1, "ＡＢＣ合唱团", "abc合唱团"),
        (2, "abc合唱团", "abc合唱团#2"),
        (3, "舞蹈队", "舞蹈队"),
    ]
