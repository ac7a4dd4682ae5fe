"""Wrong endpoint keys are throttled per client address and per endpoint; right keys never are.

Each test counts in a cache namespace of its own (the counts live in Redis and outlast a test).
"""

from __future__ import annotations

import json
import secrets
import time
from typing import Any

import pytest
from django.test import Client

from designer.endpoints.models import EndpointCall

pytestmark = pytest.mark.django_db

A, B = "192.0.2.10", "192.0.2.20"  # documentation addresses: only ever a REMOTE_ADDR in the test client


@pytest.fixture(autouse=True)
def limits(settings: Any) -> Any:
    throttle = {**settings.CACHES["throttle"], "KEY_PREFIX": f"test-{secrets.token_hex(6)}"}
    settings.CACHES = {**settings.CACHES, "throttle": throttle}
    settings.TESSERA_KEY_FAILURES_PER_CLIENT = 20
    settings.TESSERA_KEY_FAILURES_PER_ENDPOINT = 1000
    settings.TESSERA_FAILURE_WINDOW_SECONDS = 300
    return settings


def score(live: dict[str, Any], key: str | None, ip: str, route: str = "score") -> Any:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if key else {}
    body = json.dumps(live["example"])
    return Client(REMOTE_ADDR=ip).post(f"/endpoints/cancer/{route}", body, content_type="application/json", **headers)


def test_wrong_keys_past_the_limit_get_429_while_right_keys_from_another_client_score(live: dict[str, Any]) -> None:
    right = live["keys"]["primary"]
    wrong, served = [], []
    for i in range(25):
        wrong.append(score(live, f"not-the-key-{i}", A))
        served.append(score(live, right, B).status_code)

    assert [r.status_code for r in wrong] == [401] * 19 + [429] * 6
    last = wrong[-1]
    wait = int(last["Retry-After"])
    assert 290 <= wait <= 300
    assert last.json() == {
        "error": {
            "code": 429,
            "message": f"Too many wrong keys for this endpoint or from this address; try again in {wait} seconds.",
            "details": [{"retry_after": wait}],
        }
    }
    assert served == [200] * 25
    kinds = sorted(EndpointCall.objects.filter(endpoint_id=live["id"]).values_list("status", "error_kind"))
    assert kinds == [(200, "")] * 25 + [(401, "unauthorized")] * 19 + [(429, "throttled")] * 6


def test_a_right_key_is_never_refused_even_from_a_locked_address(live: dict[str, Any]) -> None:
    for i in range(20):
        score(live, f"guess-{i}", A)

    locked = score(live, "guess-again", A)
    right = score(live, live["keys"]["secondary"], A)

    assert locked.status_code == 429
    assert right.status_code == 200 and "Results" in right.json()


def test_wrong_keys_from_many_addresses_lock_the_endpoint_for_wrong_keys_only(
    limits: Any, live: dict[str, Any]
) -> None:
    limits.TESSERA_KEY_FAILURES_PER_ENDPOINT = 5
    statuses = [score(live, "guess", f"198.51.100.{i}").status_code for i in range(1, 6)]

    fresh_wrong = score(live, "guess", "198.51.100.99")
    fresh_right = score(live, live["keys"]["primary"], "198.51.100.99")

    assert statuses == [401] * 4 + [429]
    assert fresh_wrong.status_code == 429
    assert fresh_right.status_code == 200


def test_the_swagger_route_and_both_scoring_routes_share_the_count(limits: Any, live: dict[str, Any]) -> None:
    limits.TESSERA_KEY_FAILURES_PER_CLIENT = 3
    headers = {"HTTP_AUTHORIZATION": "Bearer guess"}
    swagger = [Client(REMOTE_ADDR=A).get("/endpoints/cancer/swagger.json", **headers) for _ in range(2)]

    invocations = score(live, "guess", A, route="invocations")
    scored = score(live, "guess", A)

    assert [r.status_code for r in swagger] == [401, 401]
    assert invocations.status_code == 429 and int(invocations["Retry-After"]) > 0
    assert scored.status_code == 429


def test_the_lock_expires_after_one_window(limits: Any, live: dict[str, Any]) -> None:
    limits.TESSERA_FAILURE_WINDOW_SECONDS = 2
    limits.TESSERA_KEY_FAILURES_PER_CLIENT = 3
    statuses = [score(live, "guess", A).status_code for _ in range(4)]

    time.sleep(2.2)
    after = score(live, "guess", A)

    assert statuses == [401, 401, 429, 429]
    assert after.status_code == 401


def test_a_missing_key_is_not_counted_as_a_guess(live: dict[str, Any]) -> None:
    statuses = {score(live, None, A).status_code for _ in range(30)}

    wrong = score(live, "guess", A)

    assert statuses == {401}
    assert wrong.status_code == 401
