"""Hostile JSON against every JSON-accepting route: no body, whatever its shape, gets a 5xx.

Routes are discovered from the URL configuration (as the permission matrix does) and called as the
owner of a workspace that holds one of everything, with real ids, so each body reaches the view that
reads it. Each request runs in a savepoint that is rolled back, so the world stays as it was.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.db import transaction
from rest_framework.test import APIClient

from designer.endpoints.models import EndpointCall
from designer.pipelines.models import Pipeline, PipelineVersion
from tests.designer.test_permission_matrix import discover
from tests.support.world import World, build_world

pytestmark = pytest.mark.django_db

LIMIT = 100  # settings.TESSERA_MAX_JSON_DEPTH
WRITES = ("POST", "PUT", "PATCH")
#: Routes whose view never reads a body: anything sent is ignored (and must still not be a 5xx).
IGNORES_BODY = {
    ("POST", "/api/auth/logout/"),
    ("POST", "/api/runs/{id}/cancel/"),
    ("DELETE", "/api/pipelines/{id}/draft/"),
}
#: Routes whose view reads only multipart uploads: a JSON body is refused as 415 before it is parsed.
MULTIPART_ONLY = {
    ("POST", "/api/datasets/"),
    ("POST", "/api/datasets/{id}/versions/"),
    ("POST", "/api/datasets/preview/"),
}


def nested(depth: int, open_: bytes = b"[", close: bytes = b"]") -> bytes:
    return open_ * depth + close * depth


def nested_objects(depth: int) -> bytes:
    return b'{"a":' * depth + b"1" + b"}" * depth


def in_fields(depth: int) -> bytes:
    """A plausible body whose fields nest ``depth`` levels in all (the object itself is one)."""
    inner = nested(depth - 1).decode()
    return f'{{"name": "x", "workspace": 1, "document": {inner}, "file": {inner}, "description": {inner}}}'.encode()


#: (id, body, what the parser must answer: a status and a phrase of its detail, or None when it accepts)
CORPUS: list[tuple[str, bytes, tuple[int, str] | None]] = [
    ("depth-100-array", nested(LIMIT), None),
    ("depth-100-fields", in_fields(LIMIT), None),
    ("depth-101-array", nested(LIMIT + 1), (400, "more than 100 levels deep")),
    ("depth-101-fields", in_fields(LIMIT + 1), (400, "more than 100 levels deep")),
    ("depth-1000-objects", nested_objects(1000), (400, "more than 100 levels deep")),
    ("depth-1000-mixed", nested(500, b'{"a":[', b"]}"), (400, "more than 100 levels deep")),
    ("depth-100000", nested(100_000), (400, "more than 100 levels deep")),
    ("unclosed-100000", b"[" * 100_000, (400, "more than 100 levels deep")),
    ("brackets-in-strings", json.dumps({"name": "[" * 5000, "document": "{" * 5000}).encode(), None),
    ("huge", b'{"name": "' + b"x" * (10 * 1024 * 1024) + b'"}', (413, "limit")),
    ("non-utf8", b'{"name": "caf\xe9"}', (400, "not UTF-8")),
    ("utf16", json.dumps({"name": "x"}).encode("utf-16"), (400, "not UTF-8")),
    ("duplicate-keys", b'{"name": "a", "name": "b", "workspace": 1}', (400, "the key 'name' appears twice")),
    ("nan", b'{"name": NaN, "workspace": 1}', (400, "NaN is not a JSON number")),
    ("infinity", b'{"name": "x", "workspace": -Infinity}', (400, "-Infinity is not a JSON number")),
    ("overflow", b'{"name": "x", "workspace": 1e999}', (400, "too large for a JSON number")),
    ("long-integer", b'{"name": "x", "workspace": ' + b"9" * 5000 + b"}", (400, "more than 4300 digits")),
    ("truncated", b'{"name": "x", "document": {"nodes": [', (400, "not valid JSON")),
    ("not-an-object", b'"just a string"', None),
    ("null", b"null", None),
]


@pytest.fixture
def world(db: Any) -> World:
    return build_world("lim")


def json_routes() -> Iterator[tuple[str, str]]:
    for route in discover():
        if route.template.startswith("/api/") and route.name not in ("schema", "api-docs"):
            for method in route.methods:
                if method in WRITES:
                    yield method, route.template


def _send(client: APIClient, method: str, path: str, body: bytes, content_type: str = "application/json") -> Any:
    with transaction.atomic():
        response = client.generic(method, path, body, content_type=content_type)
        transaction.set_rollback(True)
    return response


def _owner(world: World) -> APIClient:
    client = APIClient(raise_request_exception=False)  # a 500 is an answer to report, not an exception
    client.credentials(HTTP_AUTHORIZATION=f"Token {world.token}")
    return client


def test_the_corpus_reaches_every_json_route() -> None:
    routes = set(json_routes())
    assert len(routes) >= 25
    assert {("POST", "/api/auth/token/"), ("POST", "/api/pipelines/"), ("PUT", "/api/pipelines/{id}/draft/")} <= routes


@pytest.mark.parametrize(("name", "body", "refusal"), CORPUS, ids=[c[0] for c in CORPUS])
def test_every_json_route_answers_a_hostile_body_without_a_5xx(
    world: World, name: str, body: bytes, refusal: tuple[int, str] | None
) -> None:
    client = _owner(world)
    versions_before = PipelineVersion.objects.count()
    wrong = []
    for method, template in sorted(json_routes()):
        path = template.format(**world.path_values(template))
        response = _send(client, method, path, body)
        detail = response.json().get("detail", "") if response.get("Content-Type") == "application/json" else ""
        if response.status_code >= 500:
            wrong.append(f"{method} {template}: {response.status_code} {response.content[:200]!r}")
        elif (method, template) in MULTIPART_ONLY:
            if response.status_code != 415:
                wrong.append(f"{method} {template}: expected 415, got {response.status_code} {detail}")
        elif refusal is not None and (method, template) not in IGNORES_BODY:
            status, phrase = refusal
            if response.status_code != status or phrase not in str(detail):
                wrong.append(f"{method} {template}: expected {status} '{phrase}', got {response.status_code} {detail}")
    assert wrong == []
    assert PipelineVersion.objects.count() == versions_before


def test_a_json_body_is_read_as_utf8_whatever_charset_it_names(world: World) -> None:
    client = _owner(world)
    body = json.dumps({"workspace": world.workspace, "name": "café"}).encode()

    response = _send(client, "POST", "/api/pipelines/", body, "application/json; charset=bz2_codec")

    assert response.status_code == 201, response.content
    assert response.json()["name"] == "café"


def test_a_deep_body_on_the_token_route_is_a_400_naming_the_limit_and_signs_nobody_in(world: World) -> None:
    response = APIClient().post("/api/auth/token/", nested_objects(1000), content_type="application/json")

    limit = settings.TESSERA_MAX_JSON_DEPTH
    assert response.status_code == 400
    message = f"The body nests arrays and objects more than {limit} levels deep (the limit is {limit})."
    assert response.json() == {"detail": message}


def test_a_pipeline_document_at_the_depth_limit_is_judged_by_the_document_rules(world: World) -> None:
    # given a parameter value nested as deep as the body may be: the body is read, the document refused
    client = _owner(world)
    deep_value: Any = 1
    for _ in range(LIMIT - 6):
        deep_value = [deep_value]
    node = {"id": "a", "module": "split_data", "version": 1, "params": {"x": deep_value}}
    doc = {"schema_version": 1, "nodes": [node]}
    body = json.dumps({"workspace": world.workspace, "name": "deep", "document": doc}).encode()
    before = Pipeline.objects.count()

    response = _send(client, "POST", "/api/pipelines/", body)

    assert response.status_code == 400, response.content
    assert "levels deep" in json.dumps(response.json())
    assert Pipeline.objects.count() == before


# -- scoring ---------------------------------------------------------------------------------------

SCORING_CORPUS: list[tuple[str, bytes, int, str]] = [
    ("depth-101", nested(LIMIT + 1), 400, "more than 100 levels deep"),
    ("depth-1000-objects", nested_objects(1000), 400, "more than 100 levels deep"),
    ("depth-100000", nested(100_000), 400, "more than 100 levels deep"),
    ("inputs-depth-1000", b'{"Inputs": {"input1": ' + nested(1000) + b"}}", 400, "more than 100 levels deep"),
    ("huge", b'{"Inputs": {"x": "' + b"x" * (5 * 1024 * 1024) + b'"}}', 413, "the limit is 5242880"),
    ("non-utf8", b'{"Inputs": {"caf\xe9": []}}', 400, "not UTF-8"),
    ("duplicate-keys", b'{"Inputs": {}, "Inputs": {}}', 400, "the key 'Inputs' appears twice"),
    ("truncated", b'{"Inputs": {"input1": [', 400, "not valid JSON"),
    ("long-integer", b'{"Inputs": {"input1": [{"x": ' + b"9" * 5000 + b"}]}}", 400, "more than 4300 digits"),
]


def _score(world: World, route: str, body: bytes) -> Any:
    return APIClient(raise_request_exception=False).generic(
        "POST",
        f"/endpoints/{world.endpoint_name}/{route}",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {world.endpoint_key}",
    )


@pytest.mark.parametrize("route", ["score", "invocations"])
def test_scoring_refuses_each_hostile_body_in_its_error_shape_and_records_the_call(world: World, route: str) -> None:
    wrong = []
    for name, body, status, phrase in SCORING_CORPUS:
        response = _score(world, route, body)
        error = response.json().get("error", {}) if response.status_code < 500 else {}
        call = EndpointCall.objects.filter(endpoint_id=world.endpoint).latest("at")
        if (response.status_code, error.get("code"), call.status) != (
            status,
            status,
            status,
        ) or phrase not in error.get("message", ""):
            wrong.append(f"{name}: {response.status_code} {response.content[:200]!r}")
    assert wrong == []


def test_scoring_reads_nan_and_infinity_as_python_clients_write_them(world: World) -> None:
    name, rows = next(iter(world.example["Inputs"].items()))
    row = dict(rows[0])
    column = next(c for c, v in row.items() if isinstance(v, int | float) and not isinstance(v, bool))
    template = json.dumps({"Inputs": {name: [{**row, column: "@"}]}})

    answers = {
        literal: _score(world, "score", template.replace('"@"', literal).encode()).status_code
        for literal in ("NaN", "Infinity", "-Infinity", "1e999")
    }

    assert all(status < 500 for status in answers.values()), answers
