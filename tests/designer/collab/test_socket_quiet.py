"""The co-editing WebSocket through a real daphne and the Redis channel layer stays open through a quiet
spell longer than any Redis read timeout, then still relays a teammate's edit."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from rest_framework.authtoken.models import Token
from websockets.sync.client import ClientConnection, connect

from designer.pipelines.services import create_pipeline
from tests.support.pipelines import document

pytestmark = pytest.mark.django_db(transaction=True)


def _open(server: Any, pipeline_id: int, token: str) -> tuple[ClientConnection, dict[str, Any]]:
    ws = connect(
        f"{server.ws_url}/ws/pipelines/{pipeline_id}/",
        additional_headers={"Authorization": f"Token {token}", "Origin": "http://127.0.0.1"},
        open_timeout=10,
        legacy=True,
    )
    return ws, json.loads(ws.recv(timeout=10))


def _next(ws: ClientConnection, kind: str) -> dict[str, Any]:
    while True:
        message = json.loads(ws.recv(timeout=30))
        if message["type"] == kind:
            return message


def test_a_coediting_socket_stays_open_through_16_quiet_seconds_and_then_gets_a_teammates_op(server, ada, lab):
    doc = document([("a", "test_sleep", {"seconds": 0})], [])
    pipeline = create_pipeline(ada, lab, "shared", document=doc)
    token = Token.objects.create(user=ada).key
    idle, snapshot = _open(server, pipeline.pk, token)

    time.sleep(16)  # longer than any Redis read timeout or blocking pop: nothing may close the socket
    other_tab, _ = _open(server, pipeline.pk, token)
    op = {"kind": "set_param", "node": "a", "param": "seconds", "value": 3}
    other_tab.send(json.dumps({"type": "op", "op": op, "client_id": "tab-2"}))
    relayed = _next(idle, "op")
    idle.close()
    other_tab.close()

    assert snapshot["type"] == "snapshot"
    assert (relayed["seq"], relayed["op"], relayed["client_id"]) == (snapshot["seq"] + 1, op, "tab-2")
