"""A certificate names the agency (承接机构) of the project serving the
volunteer's community, set up with ``flask setup --agency`` or on the project;
``AGENCY_NAME`` only when no project names one."""

from __future__ import annotations

from datetime import date

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
