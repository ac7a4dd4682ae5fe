"""Hostile messages on both WebSockets (a run's events, a pipeline's co-editing), through the real ASGI
stack: each is answered with an error naming the fault, the socket stays usable, and a message over the
size limit closes it with 1009. Nothing crashes a consumer."""

from __future__ import annotations

import json
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth import get_user_model
from django.test import override_settings
from rest_framework.authtoken.models import Token

from designer.asgi import application
from designer.collab.models import EditLog
from designer.pipelines.services import create_pipeline
from designer.runs.models import Run
from designer.workspaces.services import create_workspace
from tests.support.pipelines import document

pytestmark = pytest.mark.django_db(transaction=True)
ORIGIN = (b"origin", b"http://127.0.0.1")
LIMIT = 100


def _world() -> dict[str, Any]:
    owner = get_user_model().objects.create_user("wsl_owner", password="pw-owner-12345678")
    team = create_workspace(user=owner, name="ws limits")
    doc = document([("a", "test_sleep", {"seconds": 0})], [])
    pipeline = create_pipeline(owner, team, "p", document=doc)
    # A run row as a finished run leaves it: submitting would send a real message that a worker left by
    # an earlier test could take, writing to the database while this test's teardown truncates it.
    run = Run.objects.create(
        workspace=team, pipeline=pipeline, pipeline_version=pipeline.versions.get(), status=Run.Status.COMPLETED
    )
    return {"run": run.pk, "pipeline": pipeline.pk, "token": Token.objects.create(user=owner).key}


def _nested(depth: int) -> str:
    return '{"type": "x", "v": ' + "[" * (depth - 1) + "]" * (depth - 1) + "}"


#: (id, frame: text or bytes, the error code the consumer must answer, or None for a well-formed message)
CORPUS: list[tuple[str, str | bytes, str | None]] = [
    ("depth-100", _nested(LIMIT), None),
    ("depth-101", _nested(LIMIT + 1), "too_deep"),
    ("depth-1000", _nested(1000), "too_deep"),
    ("depth-100000", "[" * 100_000 + "]" * 100_000, "too_deep"),
    ("unclosed-100000", "{" * 100_000, "too_deep"),
    ("duplicate-keys", '{"type": "resume", "type": "resync", "after": 0}', "duplicate_key"),
    ("nan", '{"type": "resume", "after": NaN}', "invalid"),
    ("truncated", '{"type": "resume", "after": ', "invalid"),
    ("blank", " ", "invalid"),
    ("non-utf8-binary", b'{"type": "\xff"}', "not_utf8"),
    ("binary-json", b'{"type": "resume", "after": 0}', None),
    ("huge-after", '{"type": "resume", "after": 100000000000000000000000000000, "nodes": []}', None),
    ("huge-resync", '{"type": "resync", "after": 100000000000000000000000000000}', None),
    ("negative-after", '{"type": "resume", "after": -1}', None),
    ("bool-after", '{"type": "resync", "after": true}', None),
    ("op-deep", '{"type": "op", "op": ' + "[" * 98 + "]" * 98 + "}", None),
    ("op-garbage", '{"type": "op", "op": {"kind": "set_param", "node": [], "param": {}, "value": 1}}', None),
    ("select-not-list", '{"type": "select", "nodes": {"a": 1}}', None),
    ("a-list", "[1, 2, 3]", None),
    ("a-number", "7", None),
]


def _connect(path: str, token: str) -> WebsocketCommunicator:
    return WebsocketCommunicator(application, path, headers=[ORIGIN, (b"authorization", f"Token {token}".encode())])


async def _open(path: str, token: str) -> WebsocketCommunicator:
    ws = _connect(path, token)
    connected, _ = await ws.connect()
    assert connected
    assert (await ws.receive_json_from(timeout=5))["type"] == "snapshot"
    return ws


async def _answers_until_probe(ws: WebsocketCommunicator, n: int) -> list[dict[str, Any]]:
    """Every message the socket sends before it answers a probe (a message whose answer names it), which
    also proves the consumer is still alive."""
    await ws.send_to(text_data=f'{{"probe-{n}": 1, "probe-{n}": 2}}')
    seen = []
    while True:
        message = await ws.receive_json_from(timeout=10)
        if f"probe-{n}" in message.get("detail", ""):
            return seen
        seen.append(message)


@pytest.mark.parametrize("route", ["runs", "pipelines"])
async def test_every_hostile_message_is_answered_and_the_socket_keeps_working(route: str) -> None:
    world = await database_sync_to_async(_world)()
    target = world["run"] if route == "runs" else world["pipeline"]
    ws = await _open(f"/ws/{route}/{target}/", world["token"])

    wrong = []
    for n, (name, frame, code) in enumerate(CORPUS):
        if isinstance(frame, bytes):
            await ws.send_to(bytes_data=frame)
        else:
            await ws.send_to(text_data=frame)
        answers = await _answers_until_probe(ws, n)
        errors = [a for a in answers if a["type"] == "error" and a.get("code")]
        if code is not None and [e["code"] for e in errors] != [code]:
            wrong.append(f"{name}: expected one {code} error, got {answers}")
        if code is None and errors:
            wrong.append(f"{name}: refused a well-formed message: {errors}")
    await ws.disconnect()

    assert wrong == []
    assert await database_sync_to_async(EditLog.objects.count)() == 0


@pytest.mark.parametrize("route", ["runs", "pipelines"])
async def test_a_message_over_the_size_limit_gets_an_error_then_closes_with_1009(route: str) -> None:
    world = await database_sync_to_async(_world)()
    target = world["run"] if route == "runs" else world["pipeline"]
    with override_settings(TESSERA_WS_MAX_MESSAGE_BYTES=1000):
        ws = await _open(f"/ws/{route}/{target}/", world["token"])
        await ws.send_to(text_data=json.dumps({"type": "select", "nodes": ["x" * 1000]}))
        error = await ws.receive_json_from(timeout=5)
        closed = await ws.receive_output(timeout=5)

    assert error["type"] == "error" and error["code"] == "too_large"
    assert "the limit is 1000 bytes" in error["detail"]
    assert closed == {"type": "websocket.close", "code": 1009}
