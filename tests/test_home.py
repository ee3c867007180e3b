def test_home_for_an_org_leader_lists_only_their_organizations(
    client, login_as, make_org, make_user
):
    other = make_user("org_leader")
    leader = login_as("org_leader", name="吴阿姨")
    make_org("我的舞蹈队", leader=leader)
    make_org("别人的巡逻队", leader=other)
    page = client.get("/").get_data(as_text=True)
    assert "我的舞蹈队" in page and "别人的巡逻队" not in page
    assert "组织负责人" in page
    assert 'href="/activities/new"' in page  # one tap to log an activity


def test_home_shows_todays_date_the_chinese_way(client, login_as, frozen_time):
    login_as("social_worker")
    assert "2026年3月1日" in client.get("/").get_data(as_text=True)


def test_every_navigation_entry_is_a_working_page(client, login_as, app):
    """All features are built: no 建设中 (coming soon) entry is left, and each
    link of the menu opens for a social worker."""
    from incubator.main.navigation import MAIN_NAV

    login_as("social_worker")
    page = client.get("/").get_data(as_text=True)
    assert "建设中" not in page
    with app.test_request_context():
        urls = [item.url for item in MAIN_NAV if item.ready]
    assert len(urls) == len(MAIN_NAV)
    for url in urls:
        assert client.get(url).status_code == 200, url


def test_home_query_budget(client, login_as, make_org, assert_constant_queries):
    sw = login_as("social_worker")
    make_org(social_worker=sw)  # her day asks about her caseload once it has one

    def grow():
        for _ in range(10):
            make_org(social_worker=sw)

    assert_constant_queries("/", grow, budget=14)
    client.post("/logout")
    admin = login_as("admin")
    make_org(social_worker=admin)
    assert_constant_queries("/", grow, budget=6)
