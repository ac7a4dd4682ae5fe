"""Following a run over the run WebSocket with a pipeline endpoint's key, through the real ASGI stack:
only runs that endpoint started, wrong keys counted and throttled as on its REST routes."""

from __future__ import annotations

import secrets
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth import get_user_model

from designer.asgi import application
from designer.published import services
from designer.runs import services as runs
from designer.workspaces.models import Workspace
from designer.workspaces.services import create_workspace

from .conftest import make_pipeline

pytestmark = pytest.mark.django_db(transaction=True)
ORIGIN = (b"origin", b"http://127.0.0.1")


@pytest.fixture(autouse=True)
def own_counts(settings: Any) -> Any:
    settings.CACHES = {
        **settings.CACHES,
        "throttle": {**settings.CACHES["throttle"], "KEY_PREFIX": f"test-{secrets.token_hex(6)}"},
    }
    return settings


def _world() -> dict[str, Any]:
    user = get_user_model().objects.create_user("kim", password="pw-kim-12345678")
    lab: Workspace = create_workspace(user=user, name="Lab")
    mine = services.create_endpoint(workspace=lab, user=user, name="mine", pipeline=make_pipeline(user, lab, "Mine"))
    other = services.create_endpoint(workspace=lab, user=user, name="other", pipeline=make_pipeline(user, lab, "Other"))
    started = services.start_run(mine, kind="rest")
    by_member = runs.submit_run(user=user, pipeline=mine.pipeline)
    return {
        "run": started.pk,
        "member_run": by_member.pk,
        "key": mine.primary_key,
        "secondary": mine.secondary_key,
        "other_key": other.primary_key,
    }


def _socket(run_id: int, key: str | None = None, query: str = "") -> WebsocketCommunicator:
    headers = [ORIGIN] + ([(b"authorization", f"Bearer {key}".encode())] if key else [])
    return WebsocketCommunicator(application, f"/ws/runs/{run_id}/{query}", headers=headers)


async def test_the_endpoints_key_follows_the_run_it_started() -> None:
    world = await database_sync_to_async(_world)()

    for ws in (_socket(world["run"], world["key"]), _socket(world["run"], query=f"?key={world['secondary']}")):
        connected, _ = await ws.connect()
        snapshot = await ws.receive_json_from(timeout=5)
        assert connected and snapshot["type"] == "snapshot" and snapshot["run"]["id"] == world["run"]
        await ws.disconnect()


async def test_another_endpoints_key_a_wrong_key_and_a_run_no_endpoint_started_are_refused() -> None:
    world = await database_sync_to_async(_world)()

    cases = {
        "another endpoint's key": _socket(world["run"], world["other_key"]),
        "a wrong key": _socket(world["run"], "guess"),
        "a member's run": _socket(world["member_run"], world["key"]),
        "no key, no session": _socket(world["run"]),
    }
    answers = {name: await ws.connect() for name, ws in cases.items()}

    assert answers == {
        "another endpoint's key": (False, 4401),
        "a wrong key": (False, 4401),
        "a member's run": (False, 4404),
        "no key, no session": (False, 4401),
    }


async def test_wrong_keys_on_the_socket_are_throttled(own_counts: Any) -> None:
    own_counts.TESSERA_KEY_FAILURES_PER_CLIENT = 3
    world = await database_sync_to_async(_world)()

    codes = [(await _socket(world["run"], f"guess-{i}").connect())[1] for i in range(4)]
    right, _ = await _socket(world["run"], world["key"]).connect()

    assert codes == [4401, 4401, 4429, 4429]
    assert right  # a right key is never refused, even from a locked address
