"""A social worker's own logs (issue 16): a colleague reviews them, so her review
queue lists them apart as 待同事审核 without buttons, her home does not count
them, and the review still refuses her."""

from incubator.activities.models import Activity
from tests.conftest import DEFAULT_PASSWORD, login


def _queue_parts(page: str) -> tuple[str, str]:
    """(the list to review, the section awaiting a colleague) of the queue page."""
    start = page.index('data-testid="to-review"')
    if 'data-testid="awaiting-colleague"' not in page:
        return page[start:], ""
    split = page.index('data-testid="awaiting-colleague"')
    return page[start:split], page[split:]


def test_her_own_logs_wait_for_a_colleague_without_buttons(team, log, client, db):
    log(team["org"], team["leader"], title="吴阿姨记的排练")
    mine = log(team["org"], team["sw"], title="林社工代记的义诊")
    login(client, "team_sw")
    page = client.get("/activities/review").get_data(as_text=True)
    to_review, awaiting = _queue_parts(page)
    assert "吴阿姨记的排练" in to_review and "林社工代记的义诊" not in to_review
    assert "林社工代记的义诊" in awaiting and "待同事审核" in awaiting
    assert "<button" not in awaiting and "<form" not in awaiting
    # everyone's logs (?all=1) keeps hers apart too
    to_review, awaiting = _queue_parts(
        client.get("/activities/review?all=1").get_data(as_text=True)
    )
    assert "林社工代记的义诊" not in to_review and "林社工代记的义诊" in awaiting
    # her log's page offers no review buttons
    detail = client.get(f"/activities/{mine.id}").get_data(as_text=True)
    assert 'value="approve"' not in detail
    # and the rule still holds when asked anyway
    response = client.post(
        f"/activities/{mine.id}/review",
        data={"decision": "approve"},
        follow_redirects=True,
    )
    assert "由其他社工或项目主管审核" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Activity, mine.id).review_state == "pending"


def test_the_api_still_refuses_to_review_your_own_log(team, log, client):
    mine = log(team["org"], team["sw"], title="林社工代记的义诊")
    token = client.post(
        "/api/v1/tokens", json={"username": "team_sw", "password": DEFAULT_PASSWORD}
    ).get_json()["token"]
    response = client.post(
        f"/api/v1/activities/{mine.id}/review",
        json={"decision": "approve"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code in (403, 409)
    # the API's list is unchanged: her own pending log is still listed there
    listed = client.get(
        "/api/v1/activities?review_state=pending",
        headers={"Authorization": f"Bearer {token}"},
    ).get_json()
    assert mine.id in [item["id"] for item in listed["items"]]


def test_a_colleague_sees_her_log_to_review(team, log, client, make_user):
    log(team["org"], team["sw"], title="林社工代记的义诊")
    make_user("admin", username="team_boss")
    login(client, "team_boss")
    to_review, awaiting = _queue_parts(
        client.get("/activities/review").get_data(as_text=True)
    )
    assert "林社工代记的义诊" in to_review and awaiting == ""


def test_her_home_counts_only_the_logs_she_may_review(team, log, client):
    log(team["org"], team["leader"], title="吴阿姨记的排练")
    log(team["org"], team["sw"], title="林社工代记的义诊")
    login(client, "team_sw")
    page = client.get("/").get_data(as_text=True)
    block = page[page.index('id="day-reviews"') : page.index('id="day-plan-actions"')]
    assert 'data-testid="reviews">1<' in block
    assert "吴阿姨记的排练" in block and "林社工代记的义诊" not in block
    assert "你写的记录待同事审核：1 条" in block
