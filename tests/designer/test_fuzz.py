"""Schemathesis over the REST API's OpenAPI schema: no generated request, fitting the schema or not, gets a 5xx.

Every operation is called as the owner of a workspace holding one of everything, with its real ids (or
generated ones), and with bodies, query strings and headers that fit the schema (positive) or break it
(negative). Each request runs in a savepoint that is rolled back, so a DELETE does not empty the world
for the next one. Bounded: TESSERA_FUZZ_EXAMPLES per operation and kind (2 in the suite, about a
minute on two cores; `make fuzz` runs 25 with fresh random inputs).
"""

from __future__ import annotations

import json
import os
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
import schemathesis
from django.db import transaction
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient
from schemathesis.generation.modes import GenerationMode

from tests.support.world import World, build_world

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("TESSERA_FUZZ_EXAMPLES", "2"))
RANDOM = os.environ.get("TESSERA_FUZZ_RANDOM", "") == "1"  # make fuzz: new inputs every run
SKIPPED_HEADERS = {"content-type", "content-length", "cookie", "authorization", "host"}


def _schema() -> Any:
    raw = SchemaGenerator().get_schema(request=None, public=True)
    return schemathesis.openapi.from_dict(json.loads(json.dumps(raw, default=str)))


def _call(client: APIClient, case: Any, authorization: str, base_url: str = "http://testserver") -> Any:
    """Send a generated case through Django's test client (in this thread, inside the test's transaction)."""
    kwargs = case.as_transport_kwargs(base_url=base_url)
    kwargs.pop("cookies", None)
    prepared = requests.Request(**{k: v for k, v in kwargs.items() if k != "timeout"}).prepare()
    url = urlsplit(prepared.url)
    body = prepared.body or b""
    headers = {
        "HTTP_" + name.upper().replace("-", "_"): value
        for name, value in prepared.headers.items()
        if name.lower() not in SKIPPED_HEADERS
    }
    content_type = prepared.headers.get("Content-Type", "application/octet-stream")
    path = url.path + (f"?{url.query}" if url.query else "")
    with transaction.atomic():
        response = client.generic(
            prepared.method, path, body, content_type=content_type, HTTP_AUTHORIZATION=authorization, **headers
        )
        transaction.set_rollback(True)
    return response


def _strategy(operation: Any, world: World) -> Any:
    names = {p.name for p in operation.path_parameters}
    real = {k: v for k, v in world.path_values(operation.path).items() if k in names}
    return st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE, path_parameters=real or None),
        operation.as_strategy(GenerationMode.NEGATIVE, path_parameters=real or None),
        operation.as_strategy(GenerationMode.POSITIVE),
    )


def test_no_generated_request_gets_a_5xx() -> None:
    world = build_world("fz")
    client = APIClient(raise_request_exception=False)  # a 500 is an answer to report, not an exception
    failures: list[str] = []
    operations = [result.ok() for result in _schema().get_all_operations()]

    for operation in operations:

        @given(case=_strategy(operation, world))
        @settings(
            max_examples=EXAMPLES * 3,
            database=None,
            deadline=None,
            derandomize=not RANDOM,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def check(case: Any) -> None:
            response = _call(client, case, f"Token {world.token}")
            if response.status_code >= 500:
                failures.append(
                    f"{case.method} {case.formatted_path} {case.query or ''} body={str(case.body)[:200]}: "
                    f"{response.status_code} {response.content[:200]!r}"
                )

        check()

    assert len(operations) >= 70
    assert failures == [], "\n".join(failures)


def test_no_generated_scoring_request_gets_a_5xx() -> None:
    # given an endpoint's own OpenAPI document (its input columns and types), and its key
    world = build_world("fs")
    key = f"Bearer {world.endpoint_key}"
    client = APIClient(raise_request_exception=False)
    document = client.get(f"/endpoints/{world.endpoint_name}/swagger.json", HTTP_AUTHORIZATION=key).json()
    base = f"http://testserver/endpoints/{world.endpoint_name}"
    operations = [result.ok() for result in schemathesis.openapi.from_dict(document).get_all_operations()]
    failures: list[str] = []

    for operation in operations:

        @given(
            case=st.one_of(
                operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE)
            )
        )
        @settings(
            max_examples=EXAMPLES * 15,
            database=None,
            deadline=None,
            derandomize=not RANDOM,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def check(case: Any) -> None:
            response = _call(client, case, key, base_url=base)
            if response.status_code >= 500:
                failures.append(
                    f"{case.method} {case.formatted_path} body={str(case.body)[:300]}: {response.content[:200]!r}"
                )

        check()

    assert {o.path for o in operations} == {"/score", "/invocations"}
    assert failures == [], "\n".join(failures)


# -- what the fuzzer found, kept as plain regressions ----------------------------------------------


@pytest.mark.parametrize("path", ["/api/datasets/", "/api/pipelines/", "/api/runs/", "/api/workspaces/{ws}/members/"])
def test_a_huge_page_limit_is_capped_not_a_database_overflow(path: str, as_owner: APIClient, workspace: Any) -> None:
    url = path.format(ws=workspace.pk)

    huge = as_owner.get(url, {"limit": 10**30, "offset": -5})
    big = as_owner.get(url, {"limit": 5000})

    assert huge.status_code == 200, huge.content[:300]
    assert big.status_code == 200
    assert big.json()["next"] is None or "limit=1000" in big.json()["next"]
