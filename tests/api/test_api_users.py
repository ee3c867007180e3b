def test_admin_lists_users_with_pagination_and_filters(client, api_token, make_user):
    headers = api_token("admin")
    for i in range(5):
        make_user("viewer", name=f"观察员{i}")
    body = client.get("/api/v1/users?per_page=2&page=2", headers=headers).get_json()
    assert (body["page"], body["per_page"], body["total"]) == (2, 2, 6)
    assert len(body["items"]) == 2
    body = client.get("/api/v1/users?role=viewer&q=观察员3", headers=headers).get_json()
    assert [u["name"] for u in body["items"]] == ["观察员3"]


def test_per_page_is_capped_at_200(client, api_token):
    headers = api_token("admin")
    body = client.get("/api/v1/users?per_page=5000", headers=headers).get_json()
    assert body["per_page"] == 200


def test_bad_query_values_are_422(client, api_token):
    headers = api_token("admin")
    response = client.get("/api/v1/users?page=abc&role=boss", headers=headers)
    assert response.status_code == 422
    assert set(response.get_json()["error"]["fields"]) == {"page", "role"}


def test_other_roles_are_403(client, api_token):
    response = client.get("/api/v1/users", headers=api_token("social_worker"))
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"


def test_users_list_query_budget(
    api_token, make_user, make_org, assert_constant_queries
):
    headers = api_token("admin")

    def grow():
        for _ in range(6):
            leader = make_user("org_leader")
            make_org(leader=leader)

    # One query more than before the scopes: the page's community scopes.
    assert_constant_queries("/api/v1/users", grow, headers=headers, budget=6)
