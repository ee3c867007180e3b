"""Schemathesis against the API's own OpenAPI document, in process (WSGI), on the
demo data, as an admin and as an org leader: no answer may be a 5xx, and every
answer must match the schema the document gives for its status.

Bounded and deterministic: a few derandomized examples per operation, no example
database, no network. It runs in ``make test`` on both databases.
"""

from __future__ import annotations

import contextvars
import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from incubator.demo.seed import DEMO_PASSWORD, seed_demo

pytestmark = pytest.mark.schemathesis

# Kept small for the suite; SCHEMATHESIS_EXAMPLES=100 runs a longer hunt by hand.
MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "6"))
# SCHEMATHESIS_NEGATIVE=1 also sends data the document forbids (by hand; any
# answer but a 5xx passes).
NEGATIVE = bool(os.environ.get("SCHEMATHESIS_NEGATIVE"))
# SCHEMATHESIS_ONLY="PATCH /api/v1/volunteers" narrows a hunt to some operations.
ONLY = os.environ.get("SCHEMATHESIS_ONLY", "")
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    response_schema_conformance,
    content_type_conformance,
]


def _token(client, username: str) -> str:
    response = client.post(
        "/api/v1/tokens", json={"username": username, "password": DEMO_PASSWORD}
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()["token"]


# Path parameters, and the list that shows one such record to the caller.
LISTS = {
    "org_id": "/api/v1/organizations",
    "activity_id": "/api/v1/activities",
    "volunteer_id": "/api/v1/volunteers",
    "venture_id": "/api/v1/ventures",
    "round_id": "/api/v1/rounds",
    "session_id": "/api/v1/sessions",
    "project_id": "/api/v1/projects",
    "followup_id": "/api/v1/followups",
    "record_id": "/api/v1/hours",
    "notification_id": "/api/v1/notifications",
}


def _known_ids(client, headers) -> dict[str, int]:
    """An id the caller can see for each kind of path parameter."""
    known = {}
    for name, url in LISTS.items():
        response = client.get(url, headers=headers)
        items = response.get_json().get("items") if response.status_code == 200 else 0
        if items:
            known[name] = items[0]["id"]
    if "venture_id" in known:
        actions = client.get(
            f"/api/v1/ventures/{known['venture_id']}/actions", headers=headers
        ).get_json()["items"]
        if actions:
            known["action_id"] = actions[0]["id"]
    return known


def _runner(strategy, headers: dict, codes: set[int], seen: list[str]):
    """A bounded, deterministic Hypothesis test of one operation; the first
    failure's text goes to ``seen`` (a replay on changed data may differ)."""

    @settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate],
        print_blob=False,
    )
    @given(case=strategy)
    def run(case):
        checks = [not_a_server_error] if NEGATIVE else CHECKS
        try:
            # A fresh context per request, as in production: the request must not
            # share the test's database session.
            response = contextvars.Context().run(case.call, headers=headers)
            codes.add(response.status_code)
            case.validate_response(response, checks=checks, headers=headers)
        except Exception as exc:
            if not seen:
                seen.append(f"{exc}\n{case.as_curl_command(headers)}")
            raise

    return run


@pytest.mark.parametrize("username", ["admin", "leader_wu"])
def test_every_operation_answers_what_the_document_says(app, db, client, username):
    seed_demo()
    db.session.commit()
    headers = {"Authorization": f"Bearer {_token(client, username)}"}
    known = _known_ids(client, headers)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    failures: list[str] = []
    answered: dict[str, set[int]] = {}
    operations = [result.ok() for result in schema.get_all_operations()]
    # Logging out revokes the token every other call uses: that one goes last.
    operations.sort(key=lambda op: op.path == "/api/v1/tokens/current")
    for operation in operations:
        names = [p.name for p in operation.path_parameters]
        strategy = operation.as_strategy()
        if NEGATIVE:
            strategy = operation.as_strategy(GenerationMode.NEGATIVE)
        if names and all(name in known for name in names):
            # Half the examples on records that exist, so they get past the 404.
            strategy = strategy | operation.as_strategy(
                path_parameters={name: known[name] for name in names}
            )

        if ONLY and ONLY not in operation.label:
            continue
        seen: list[str] = []
        codes = answered.setdefault(operation.label, set())
        try:
            _runner(strategy, headers, codes, seen)()
        except Exception as exc:  # noqa: BLE001 - collected, reported together
            failures.append(f"{operation.label}: {seen[0] if seen else exc}")
    if os.environ.get("SCHEMATHESIS_VERBOSE"):
        for label, codes in sorted(answered.items()):
            print(label, sorted(codes))
    assert not failures, "\n\n".join(failures)
