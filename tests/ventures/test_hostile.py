"""Tampered venture forms and far-away dates: a message, never a 500."""

from tests.conftest import login


def test_venture_forms_survive_tampering(fund, reviewed, client, db):
    """Hidden fields edited by hand, odd digits and over-long keys: a message,
    never a 500."""
    venture = reviewed(fund["dance"])
    login(client, "lead")
    url = f"/ventures/{venture.id}"
    for version in ("abc", "1.5", "²", "9" * 40):
        response = client.post(
            f"{url}/transition", data={"to": "approved", "version": version}
        )
        assert response.status_code == 302
    response = client.post(f"{url}/reviewers", data={"reviewer_ids": ["9" * 25]})
    assert response.status_code == 302
    response = client.post(
        f"/ventures/rounds/{fund['round'].id}/apply?org={fund['dance'].id}",
        data={
            "title": "x",
            "target_group": "elders",
            "need": "y",
            "requested_amount": "10",
            "submission_key": "k" * 100,
        },
    )
    assert response.status_code == 200
    response = client.post(
        f"/ventures/rounds/{fund['round'].id}/edit",
        data={"version": "zz", "name": "n", "budget": "1", "criteria": "a 100"},
    )
    assert response.status_code == 200


def test_score_strings_that_look_like_digits(fund, apply, client, db):
    from incubator.ventures import services

    venture = apply(fund["dance"])
    services.set_reviewers(venture, [fund["sw2"].id], actor=fund["admin"])
    services.transition(venture, "reviewing", actor=fund["admin"])
    db.session.commit()
    login(client, "fund_sw2")
    data = {f"score-{c.id}": "²" for c in fund["round"].criteria}
    assert client.post(f"/ventures/{venture.id}/review", data=data).status_code == 302
    data = {f"score-{c.id}": "9" * 5000 for c in fund["round"].criteria}
    assert client.post(f"/ventures/{venture.id}/review", data=data).status_code == 302


def test_api_round_dates_far_away_are_422(client, api_token):
    response = client.post(
        "/api/v1/rounds",
        headers=api_token("admin"),
        json={
            "name": "远",
            "budget": "1.00",
            "opens_on": "9999-06-01",
            "closes_on": "9999-07-01",
        },
    )
    assert response.status_code == 422
