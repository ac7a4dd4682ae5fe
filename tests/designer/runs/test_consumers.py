"""The run WebSocket, through the real ASGI stack (auth middleware, origin check) and the Redis channel layer."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth import get_user_model
from django.db import transaction
from rest_framework.authtoken.models import Token

from designer.asgi import application
from designer.pipelines.services import create_pipeline
from designer.runs import services
from designer.runs.events import emit
from designer.runs.models import RunEvent
from designer.workspaces.models import Membership, Workspace
from tests.support.pipelines import document

pytestmark = pytest.mark.django_db(transaction=True)
ORIGIN = (b"origin", b"http://127.0.0.1")


def _setup() -> tuple[int, str, str]:
    users = get_user_model().objects
    member = users.create_user("mia", password="pw-mia-12345678")
    stranger = users.create_user("sam", password="pw-sam-12345678")
    ws = Workspace.objects.create(name="WS", created_by=member)
    Membership.objects.create(workspace=ws, user=member, role="viewer")
    Workspace.objects.create(name="Other", created_by=stranger)
    doc = document([("a", "test_sleep", {"seconds": 0}), ("b", "test_sleep", {})], ["a.result -> b.dataset"])
    pipeline = create_pipeline(member, ws, "p", document=doc)
    Membership.objects.filter(workspace=ws, user=member).update(role="editor")
    run = services.submit_run(user=member, pipeline=pipeline)
    return run.pk, Token.objects.create(user=member).key, Token.objects.create(user=stranger).key


def _connect(run_id: int, token: str | None = None, query: str = "") -> WebsocketCommunicator:
    headers = [ORIGIN] + ([(b"authorization", f"Token {token}".encode())] if token else [])
    return WebsocketCommunicator(application, f"/ws/runs/{run_id}/{query}", headers=headers)


async def test_a_member_gets_a_snapshot_then_live_events_in_order():
    run_id, token, _ = await database_sync_to_async(_setup)()
    ws = _connect(run_id, token)

    connected, _ = await ws.connect()
    snapshot = await ws.receive_json_from(timeout=5)

    assert connected
    assert snapshot["type"] == "snapshot"
    assert [(n["node"], n["status"]) for n in snapshot["nodes"]] == [("a", "queued"), ("b", "pending")]

    def progress() -> None:
        with transaction.atomic():
            emit(run_id, "node_progress", node="a", progress=0.5, message="half")

    await database_sync_to_async(progress)()
    event = await ws.receive_json_from(timeout=5)

    assert event["type"] == "event"
    assert event["event"]["seq"] == snapshot["last_seq"] + 1
    assert (event["event"]["type"], event["event"]["node"], event["event"]["progress"]) == ("node_progress", "a", 0.5)
    await ws.disconnect()


async def test_a_reconnecting_client_resumes_from_its_last_sequence_number():
    run_id, token, _ = await database_sync_to_async(_setup)()
    ws = _connect(run_id, None, f"?token={token}")
    await ws.connect()
    snapshot = await ws.receive_json_from(timeout=5)

    await ws.send_json_to({"type": "resume", "after": 0})
    replayed = [await ws.receive_json_from(timeout=5) for _ in range(snapshot["last_seq"] and 2)]

    assert [m["event"]["type"] for m in replayed] == ["run_started", "node_queued"]
    await ws.send_json_to({"type": "resume", "after": "x"})
    assert (await ws.receive_json_from(timeout=5))["type"] == "error"
    await ws.disconnect()


async def test_an_anonymous_client_is_closed_with_4401():
    run_id, _, _ = await database_sync_to_async(_setup)()
    ws = _connect(run_id)

    connected, code = await ws.connect()

    assert (connected, code) == (False, 4401)


async def test_a_forged_subscription_to_another_workspaces_run_is_closed_with_4404():
    run_id, _, stranger_token = await database_sync_to_async(_setup)()
    ws = _connect(run_id, stranger_token)

    connected, code = await ws.connect()

    assert (connected, code) == (False, 4404)


async def test_a_bad_token_is_treated_as_anonymous():
    run_id, _, _ = await database_sync_to_async(_setup)()
    ws = _connect(run_id, "not-a-token")

    connected, code = await ws.connect()

    assert (connected, code) == (False, 4401)


async def test_a_resume_on_an_open_socket_sends_only_events_it_has_not_sent_yet():
    run_id, token, _ = await database_sync_to_async(_setup)()
    ws = _connect(run_id, token)
    await ws.connect()
    snapshot = await ws.receive_json_from(timeout=5)
    started, queued = await database_sync_to_async(_seqs)(run_id)

    def progress() -> int:
        with transaction.atomic():
            return emit(run_id, "node_progress", node="a", progress=0.5, message="half").pk

    live = await database_sync_to_async(progress)()
    got = [(await ws.receive_json_from(timeout=5))["event"]["seq"]]
    await ws.send_json_to({"type": "resume", "after": started})
    got.append((await ws.receive_json_from(timeout=5))["event"]["seq"])
    await ws.send_json_to({"type": "resume", "after": started})  # everything after it was sent: nothing again
    await ws.send_json_to({"type": "resume", "after": -1})
    after_all = await ws.receive_json_from(timeout=5)
    await ws.disconnect()

    assert snapshot["last_seq"] == queued
    assert got == [live, queued]
    assert after_all["type"] == "error"


async def test_connecting_with_a_bad_after_is_answered_with_an_error_and_4400():
    run_id, token, _ = await database_sync_to_async(_setup)()
    ws = _connect(run_id, token, "?after=soon")

    connected, _ = await ws.connect()
    error = await ws.receive_json_from(timeout=5)
    closed = await ws.receive_output(timeout=5)

    assert connected
    assert error == {"type": "error", "detail": "'after' must be a non-negative integer"}
    assert closed == {"type": "websocket.close", "code": 4400}


def _seqs(run_id: int) -> list[int]:
    return list(RunEvent.objects.filter(run_id=run_id).order_by("id").values_list("id", flat=True))
