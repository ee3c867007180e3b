"""Two approvals at the same moment never push a round past its budget (on the
suite's database: SQLite or PostgreSQL), and the API's venture endpoints."""

import threading

from sqlalchemy import select

from incubator.errors import RuleViolation
from incubator.extensions import db as _db
from incubator.ventures import rounds, services
from incubator.ventures.models import Venture
from tests.conftest import DEFAULT_PASSWORD


def test_concurrent_approvals_never_exceed_the_budget(app, fund, reviewed, db):
    first = reviewed(fund["dance"], requested_amount="12000", budget_lines=[])
    second = reviewed(fund["patrol"], requested_amount="12000", budget_lines=[])
    ids = {"lead": first.id, "lead2": second.id}
    round_id = fund["round"].id
    db.session.commit()
    db.session.remove()
    barrier = threading.Barrier(2)
    results: dict[str, str] = {}

    def approve(username):
        with app.app_context():
            from incubator.auth.models import User

            barrier.wait()  # both begin their transaction at the same moment
            actor = _db.session.scalar(select(User).where(User.username == username))
            venture = _db.session.get(Venture, ids[username])
            try:
                services.transition(venture, "approved", actor=actor)
                _db.session.commit()
                results[username] = "approved"
            except RuleViolation as exc:
                _db.session.rollback()
                results[username] = str(exc.message)
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=approve, args=(u,)) for u in ("lead", "lead2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(results.values())[0] == "approved"
    assert list(results.values()).count("approved") == 1, results
    refused = next(v for v in results.values() if v != "approved")
    assert "8,000.00" in refused  # what is left is named
    assert rounds.committed_amount(round_id) == 12000


def _token(client, username):
    response = client.post(
        "/api/v1/tokens", json={"username": username, "password": DEFAULT_PASSWORD}
    )
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def test_the_api_walks_a_venture_through_its_life(fund, client, db):
    admin, sw = _token(client, "lead"), _token(client, "fund_sw")
    leader, reviewer = _token(client, "fund_leader"), _token(client, "fund_sw2")
    created = client.post(
        "/api/v1/rounds",
        headers=admin,
        json={
            "name": "API 批次",
            "budget": "20000.00",
            "opens_on": "2026-02-01",
            "closes_on": "2026-03-31",
        },
    )
    assert created.status_code == 201, created.get_json()
    round_ = created.get_json()
    assert [c["weight"] for c in round_["criteria"]] == [25, 25, 20, 15, 15]
    assert round_["remaining"] == "20000.00"
    body = {
        "round_id": round_["id"],
        "organization_id": fund["dance"].id,
        "title": "邻里互助厨房",
        "need": "独居长者吃饭难",
        "target_group": "elders",
        "requested_amount": "15000.00",
        "budget_lines": [
            {"item": "厨具", "amount": "9000"},
            {"item": "食材", "amount": "6000.00"},
        ],
    }
    response = client.post("/api/v1/ventures", headers=leader, json=body)
    assert response.status_code == 201, response.get_json()
    venture = response.get_json()
    assert (venture["state"], venture["state_label"]) == ("applied", "申报")
    vid = venture["id"]
    bad = client.post(
        f"/api/v1/ventures/{vid}/transition", headers=admin, json={"to": "closed"}
    )
    assert bad.status_code == 409
    assert bad.get_json()["error"]["details"]["allowed"] == ["reviewing", "terminated"]
    assert (
        client.post(
            f"/api/v1/ventures/{vid}/reviewers",
            headers=admin,
            json={"reviewer_ids": [fund["sw2"].id]},
        ).status_code
        == 200
    )
    assert (
        client.post(
            f"/api/v1/ventures/{vid}/transition",
            headers=admin,
            json={"to": "reviewing"},
        ).status_code
        == 200
    )
    assert (
        client.post(
            f"/api/v1/ventures/{vid}/reviews", headers=leader, json={"score": 80}
        ).status_code
        == 403
    )
    scored = client.post(
        f"/api/v1/ventures/{vid}/reviews",
        headers=reviewer,
        json={"score": 88, "comment": "可行"},
    )
    assert scored.status_code == 201, scored.get_json()
    assert (scored.get_json()["score"], scored.get_json()["grade"]) == ("88.00", "A")
    # the leader sees no score before the decision
    assert (
        client.get(f"/api/v1/ventures/{vid}", headers=leader).get_json()["score"]
        is None
    )
    too_much = client.post(
        f"/api/v1/ventures/{vid}/transition",
        headers=admin,
        json={"to": "approved", "approved_amount": "15000.01"},
    )
    assert too_much.status_code == 422
    approved = client.post(
        f"/api/v1/ventures/{vid}/transition",
        headers=admin,
        json={"to": "approved", "approved_amount": "12000.00"},
    )
    assert approved.status_code == 200
    assert approved.get_json()["approved_amount"] == "12000.00"
    mine = client.get(f"/api/v1/ventures/{vid}", headers=leader).get_json()
    assert (mine["score"], mine["grade"]) == ("88.00", "A")
    assert (
        client.get(f"/api/v1/ventures/{vid}/reviews", headers=leader).get_json()[
            "items"
        ]
        == []
    )
    actions = client.get(f"/api/v1/ventures/{vid}/actions", headers=leader).get_json()
    assert [a["dimension"] for a in actions["items"]] == [
        "finance",
        "volunteer_management",
    ]
    action = actions["items"][0]
    done = client.patch(
        f"/api/v1/ventures/{vid}/actions/{action['id']}",
        headers=sw,
        json={
            "done": True,
            "done_note": "讲解了票据要求",
            "version": action["version"],
        },
    )
    assert done.status_code == 200 and done.get_json()["done"] is True
    stale = client.patch(
        f"/api/v1/ventures/{vid}/actions/{action['id']}",
        headers=sw,
        json={"owner": "吴阿姨", "version": action["version"]},
    )
    assert stale.status_code == 409
    client.post(
        f"/api/v1/ventures/{vid}/transition", headers=sw, json={"to": "running"}
    )
    spent = client.post(
        f"/api/v1/ventures/{vid}/expenditures",
        headers=leader,
        json={"spent_on": "2026-03-01", "amount": "11999.99", "purpose": "厨具"},
    )
    assert spent.status_code == 201
    over = client.post(
        f"/api/v1/ventures/{vid}/expenditures",
        headers=leader,
        json={"spent_on": "2026-03-01", "amount": "0.02", "purpose": "食材"},
    )
    assert over.status_code == 409
    assert over.get_json()["error"]["details"] == {"remaining": "0.01"}
    ledger = client.get(
        f"/api/v1/ventures/{vid}/expenditures", headers=leader
    ).get_json()
    assert (ledger["spent"], ledger["balance"]) == ("11999.99", "0.01")
    listing = client.get(
        f"/api/v1/ventures?round_id={round_['id']}", headers=admin
    ).get_json()
    assert listing["total"] == 1 and listing["items"][0]["spent"] == "11999.99"
    other = _token(client, "other_leader")
    assert client.get(f"/api/v1/ventures/{vid}", headers=other).status_code == 404
    assert client.get("/api/v1/ventures", headers=other).get_json()["total"] == 0
    assert (
        client.get(f"/api/v1/rounds/{round_['id']}", headers=other).get_json()[
            "remaining"
        ]
        is None
    )
    assert db.session.get(Venture, vid).closed_on is None
