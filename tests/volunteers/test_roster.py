"""The roster: adding, validating, searching, editing and anonymizing volunteers."""

import pytest
from sqlalchemy import select

from incubator.volunteers.models import Volunteer

# Every volunteer belongs to a community (migration 0011): the deployment has one.
pytestmark = pytest.mark.usefixtures("community")


def _form(**overrides):
    data = {
        "name": "王秀英",
        "gender": "female",
        "birth_year": "1958",
        "phone": "13912345678",
        "skills": "舞蹈、摄影",
        "availability": ["weekend"],
        "status": "active",
        "role": "member",
    }
    data.update(overrides)
    return data


def test_social_worker_adds_a_volunteer_to_an_organization(sw_client, make_org, db):
    client, _sw = sw_client
    org = make_org("舞蹈队")
    response = client.post(
        "/volunteers/new", data=_form(organization_id=org.id, role="backbone")
    )
    assert response.status_code == 302
    volunteer = db.session.scalar(select(Volunteer).where(Volunteer.name == "王秀英"))
    assert volunteer.number.startswith("V")
    assert volunteer.skill_names == ["摄影", "舞蹈"]
    assert [(m.organization_id, m.role) for m in volunteer.memberships] == [
        (org.id, "backbone")
    ]
    page = client.get(f"/volunteers/{volunteer.id}").get_data(as_text=True)
    assert "139****5678" in page and "13912345678" not in page
    roster = client.get(f"/volunteers/organization/{org.id}").get_data(as_text=True)
    assert "王秀英" in roster and "骨干" in roster


def test_bad_phone_birth_year_and_id_are_refused(sw_client):
    client, _sw = sw_client
    for data, text in (
        (_form(phone="12345"), "手机"),
        (_form(phone="139123456789"), "手机"),
        (_form(birth_year="1850"), "出生年份"),
        (_form(id_number="350203195801011234"), "身份证"),
    ):
        response = client.post("/volunteers/new", data=data)
        assert response.status_code == 200, data
        assert text in response.get_data(as_text=True), data


def test_under_14_needs_a_guardians_consent(frozen_time, sw_client, db):
    client, _sw = sw_client
    response = client.post(
        "/volunteers/new", data=_form(name="小明", birth_year="2016")
    )
    assert response.status_code == 200
    assert "监护人" in response.get_data(as_text=True)
    response = client.post(
        "/volunteers/new",
        data=_form(
            name="小明",
            birth_year="2016",
            guardian_name="王妈妈",
            guardian_consent_on="2026-02-01",
        ),
    )
    assert response.status_code == 302


def test_duplicate_phone_is_refused_without_repeating_it(sw_client, make_volunteer):
    client, _sw = sw_client
    existing = make_volunteer(phone="13912345678")
    response = client.post("/volunteers/new", data=_form())
    page = response.get_data(as_text=True)
    assert existing.number in page
    assert page.count("13912345678") == 1  # only in the form field the user typed


def test_search_by_name_keeps_it_out_of_the_url(sw_client, make_volunteer, make_org):
    client, _sw = sw_client
    org = make_org()
    make_volunteer(org, name="李桂英", skills=["书法"])
    make_volunteer(name="张建国", phone="13711112222")
    response = client.post("/volunteers/search", data={"q": "桂英"})
    assert response.status_code == 302 and "桂英" not in response.headers["Location"]
    page = client.get("/volunteers").get_data(as_text=True)
    assert "李桂英" in page and "张建国" not in page
    client.post("/volunteers/search", data={"clear": "1"})
    client.post("/volunteers/search", data={"phone_tail": "2222"})
    page = client.get("/volunteers").get_data(as_text=True)
    assert "张建国" in page and "李桂英" not in page
    client.post("/volunteers/search", data={"clear": "1"})
    assert "李桂英" in client.get("/volunteers?skill=书法").get_data(as_text=True)
    page = client.get(f"/volunteers?organization={org.id}").get_data(as_text=True)
    assert "李桂英" in page and "张建国" not in page


@pytest.mark.parametrize("tail", ["\u0660\u0660\u0669\u0668", "22a2", "二二二二"])
def test_a_phone_tail_the_page_cannot_read_is_said_not_dropped(
    sw_client, make_volunteer, tail
):
    # Dropping it listed every volunteer as if the tail had matched them all.
    client, _sw = sw_client
    make_volunteer(name="李桂英", phone="13700001111")
    response = client.post(
        "/volunteers/search", data={"phone_tail": tail}, follow_redirects=True
    )
    page = response.get_data(as_text=True)
    assert "0 到 9" in page
    assert "李桂英" in page  # no search kept: the whole roster, with the message


def test_a_full_width_phone_tail_finds_the_volunteer(sw_client, make_volunteer):
    client, _sw = sw_client
    make_volunteer(name="李桂英", phone="13700001111")
    make_volunteer(name="张建国", phone="13711112222")
    client.post("/volunteers/search", data={"phone_tail": "２２２２"})
    page = client.get("/volunteers").get_data(as_text=True)
    assert "张建国" in page and "李桂英" not in page


def test_leader_sees_and_manages_only_their_roster(
    client, login_as, make_org, make_user, make_volunteer
):
    other = make_user("org_leader")
    leader = login_as("org_leader")
    mine = make_org("我的组织", leader=leader)
    theirs = make_org("别人的组织", leader=other)
    ours = make_volunteer(mine, name="自己人")
    stranger = make_volunteer(theirs, name="外人")
    page = client.get("/volunteers").get_data(as_text=True)
    assert "自己人" in page and "外人" not in page
    assert client.get(f"/volunteers/{stranger.id}").status_code == 404
    assert client.get(f"/volunteers/organization/{theirs.id}").status_code == 404
    response = client.post("/volunteers/new", data=_form(organization_id=theirs.id))
    assert response.status_code == 200  # not a choice for this leader
    assert client.get(f"/volunteers/{ours.id}").status_code == 200


def test_anonymize_keeps_hours(client, login_as, make_org, make_volunteer, db):
    admin = login_as("admin")
    org = make_org()
    volunteer = make_volunteer(
        org, name="要离开的人", id_number="11010519491231002X", birth_year=1949
    )
    from datetime import date

    from incubator.volunteers import hours, services

    hours.record_service(
        volunteer,
        org,
        actor=admin,
        served_on=date(2026, 1, 5),
        hours="3",
        service="巡逻",
    )
    db.session.commit()
    assert client.post(f"/volunteers/{volunteer.id}/anonymize").status_code == 302
    db.session.expire_all()
    assert db.session.get(Volunteer, volunteer.id).name == "要离开的人"  # still active
    services.update_volunteer(
        volunteer, actor=admin, expected_version=volunteer.version, status="left"
    )
    db.session.commit()
    client.post(f"/volunteers/{volunteer.id}/anonymize")
    db.session.expire_all()
    gone = db.session.get(Volunteer, volunteer.id)
    assert (
        gone.phone is None and gone.id_number is None and "要离开的人" not in gone.name
    )
    page = client.get(f"/volunteers/{volunteer.id}").get_data(as_text=True)
    assert "3.0" in page  # hours kept


def test_stale_api_patch_is_409(client, api_token, make_volunteer):
    headers = api_token("social_worker")
    volunteer = make_volunteer()
    version = volunteer.version
    ok = client.patch(
        f"/api/v1/volunteers/{volunteer.id}",
        json={"version": version, "notes": "一"},
        headers=headers,
    )
    assert ok.status_code == 200
    stale = client.patch(
        f"/api/v1/volunteers/{volunteer.id}",
        json={"version": version, "notes": "二"},
        headers=headers,
    )
    assert stale.status_code == 409


def test_leader_edits_without_retyping_the_phone(
    client, login_as, make_org, make_volunteer, db
):
    leader = login_as("org_leader")
    org = make_org("我的组织", leader=leader)
    volunteer = make_volunteer(org, name="原名", phone="13922223333")
    response = client.post(
        f"/volunteers/{volunteer.id}/edit",
        data={
            "name": "新名",
            "gender": "female",
            "birth_year": "1960",
            "phone": "",
            "status": "active",
            "version": volunteer.version,
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(Volunteer, volunteer.id)
    assert (saved.name, saved.phone) == ("新名", "13922223333")


def test_leader_duplicate_checks_are_limited_and_logged(
    client, login_as, make_org, make_volunteer, db
):
    from incubator.audit.models import AuditEntry
    from incubator.volunteers.services import PROBE_LIMIT

    leader = login_as("org_leader")
    org = make_org("我的组织", leader=leader)
    taken = make_volunteer(name="别人", phone="13944445555")
    for _ in range(PROBE_LIMIT):
        page = client.post(
            "/volunteers/new", data=_form(phone="13944445555", organization_id=org.id)
        ).get_data(as_text=True)
        assert "请联系社工" in page and taken.number not in page
    page = client.post(
        "/volunteers/new", data=_form(phone="13944445555", organization_id=org.id)
    ).get_data(as_text=True)
    assert "今天已多次" in page
    hits = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "duplicate_hit")
    ).all()
    assert len(hits) == PROBE_LIMIT + 1 and {h.actor_id for h in hits} == {leader.id}


def test_anonymizing_scrubs_the_audit_trail_and_certificates(
    client, login_as, make_org, make_volunteer, db
):
    from datetime import date

    from incubator.audit.models import AuditEntry
    from incubator.volunteers import certificates, hours, services
    from incubator.volunteers.models import Certificate

    admin = login_as("admin")
    org = make_org()
    volunteer = make_volunteer(org, name="独特的名字")
    hours.record_service(
        volunteer, org, actor=admin, served_on=date(2026, 1, 5), hours="2", service="x"
    )
    certificates.issue_certificate(volunteer, actor=admin, issuer_name="x")
    services.update_volunteer(
        volunteer, actor=admin, expected_version=volunteer.version, status="left"
    )
    services.anonymize_volunteer(volunteer, actor=admin)
    db.session.commit()
    trail = " ".join(
        str(e.changes) + e.summary for e in db.session.scalars(select(AuditEntry))
    )
    assert "独特的名字" not in trail
    certificate = db.session.scalar(select(Certificate))
    assert "独特的名字" not in str(certificate.content)
    assert "独特的名字" not in client.get("/admin/audit").get_data(as_text=True)
