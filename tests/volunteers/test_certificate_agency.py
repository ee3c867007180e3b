"""A certificate names the agency (承接机构) of the project serving the
volunteer's community, set up with ``flask setup --agency`` or on the project;
``AGENCY_NAME`` only when no project names one."""

from __future__ import annotations

from datetime import date

from incubator.volunteers import certificates, hours
from incubator.volunteers.certificates import agency_for


def test_the_communitys_project_names_the_agency(
    app, make_user, make_project, community
):
    admin = make_user("admin")
    assert agency_for(community.id, date(2026, 6, 1)) == app.config["AGENCY_NAME"]
    make_project(admin, agency="厦门市同心社工服务中心")
    assert agency_for(community.id, date(2026, 6, 1)) == "厦门市同心社工服务中心"
    # before the project began, no project served the community yet
    assert agency_for(community.id, date(2025, 6, 1)) == app.config["AGENCY_NAME"]


def test_the_certificate_form_offers_that_agency_first(
    client, login_as, make_project, make_volunteer, community
):
    admin = login_as("admin")
    make_project(
        admin,
        agency="厦门市同心社工服务中心",
        starts_on=date(2020, 1, 1),
        ends_on=date(2099, 12, 31),
    )
    volunteer = make_volunteer()
    page = client.get(f"/volunteers/{volunteer.id}").get_data(as_text=True)
    assert "厦门市同心社工服务中心" in page


def test_the_certificate_names_the_agency_and_the_social_worker_as_handler(
    client, login_as, make_project, make_org, make_volunteer, db
):
    admin = login_as("admin", name="林社工")
    make_project(
        admin,
        agency="厦门市同心社工服务中心",
        starts_on=date(2020, 1, 1),
        ends_on=date(2099, 12, 31),
    )
    org = make_org()
    volunteer = make_volunteer(org, actor=admin)
    hours.record_service(
        volunteer, org, actor=admin, served_on=date(2026, 1, 5), hours="2", service="x"
    )
    issuer = certificates.agency_for(volunteer.community_id, date(2026, 6, 1))
    cert = certificates.issue_certificate(volunteer, actor=admin, issuer_name=issuer)
    db.session.commit()
    page = client.get(f"/volunteers/certificates/{cert.id}").get_data(as_text=True)
    assert "出具单位：厦门市同心社工服务中心" in page
    assert "经办人：林社工" in page
    assert "出具单位 林社工" not in page and "社会工作服务机构" not in page
