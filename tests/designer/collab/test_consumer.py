"""Live co-editing through the real ASGI stack and the Redis channel layer: presence, ordered ops, roles."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token

from designer.asgi import application
from designer.collab.models import EditLog
from designer.pipelines.models import Pipeline
from designer.pipelines.services import create_pipeline, save_version
from designer.workspaces.models import Membership, Workspace
from tests.support.pipelines import document

pytestmark = pytest.mark.django_db(transaction=True)
ORIGIN = (b"origin", b"http://127.0.0.1")


def _world() -> dict[str, Any]:
    users = get_user_model().objects
    people = {name: users.create_user(name, password=f"pw-{name}-12345678") for name in ("ann", "ben", "val", "out")}
    ws = Workspace.objects.create(name="Team", created_by=people["ann"])
    for name, role in (("ann", "owner"), ("ben", "editor"), ("val", "viewer")):
        Membership.objects.create(workspace=ws, user=people[name], role=role)
    Workspace.objects.create(name="Elsewhere", created_by=people["out"])
    doc = document(
        [("a", "test_sleep", {"seconds": 0}), ("b", "test_sleep", {"seconds": 0})], ["a.result -> b.dataset"]
    )
    pipeline = create_pipeline(people["ann"], ws, "shared", document=doc)
    tokens = {name: Token.objects.create(user=u).key for name, u in people.items()}
    return {"pipeline": pipeline.pk, "tokens": tokens}


def _connect(pipeline_id: int, token: str | None) -> WebsocketCommunicator:
    headers = [ORIGIN] + ([(b"authorization", f"Token {token}".encode())] if token else [])
    return WebsocketCommunicator(application, f"/ws/pipelines/{pipeline_id}/", headers=headers)


async def _join(world: dict[str, Any], name: str) -> tuple[WebsocketCommunicator, dict[str, Any]]:
    ws = _connect(world["pipeline"], world["tokens"][name])
    connected, _ = await ws.connect()
    assert connected, name
    snapshot = await ws.receive_json_from(timeout=5)
    assert snapshot["type"] == "snapshot"
    return ws, snapshot


async def _next(ws: WebsocketCommunicator, kind: str) -> dict[str, Any]:
    while True:
        message = await ws.receive_json_from(timeout=5)
        if message["type"] == kind:
            return message


def _draft(pipeline_id: int) -> dict[str, Any]:
    return Pipeline.objects.get(pk=pipeline_id).draft


async def test_teammates_see_each_other_join_select_and_leave():
    world = await database_sync_to_async(_world)()
    ann, snap = await _join(world, "ann")
    ben, _ = await _join(world, "ben")

    joined = await _next(ann, "presence")
    await ben.send_json_to({"type": "select", "nodes": ["b"]})
    selected = await _next(ann, "presence")
    await ben.disconnect()
    left = await _next(ann, "presence")

    assert snap["you"]["username"] == "ann" and snap["can_edit"] is True and snap["seq"] == 0
    assert (joined["event"], joined["who"]["username"]) == ("join", "ben")
    assert (selected["event"], selected["nodes"]) == ("select", ["b"])
    assert left["event"] == "leave"
    await ann.disconnect()


async def test_concurrent_edits_to_different_nodes_both_survive_in_the_same_order_everywhere():
    world = await database_sync_to_async(_world)()
    ann, _ = await _join(world, "ann")
    ben, _ = await _join(world, "ben")
    a_op = {"kind": "set_param", "node": "a", "param": "seconds", "value": 1}
    b_op = {"kind": "move_node", "node": "b", "x": 300, "y": 40}

    await asyncio.gather(
        ann.send_json_to({"type": "op", "op": a_op, "client_id": "ann-1"}),
        ben.send_json_to({"type": "op", "op": b_op, "client_id": "ben-1"}),
    )
    seen_by_ann = [await _next(ann, "op"), await _next(ann, "op")]
    seen_by_ben = [await _next(ben, "op"), await _next(ben, "op")]

    assert sorted(m["seq"] for m in seen_by_ann) == [1, 2]
    assert {m["seq"]: m["op"] for m in seen_by_ann} == {m["seq"]: m["op"] for m in seen_by_ben}
    draft = await database_sync_to_async(_draft)(world["pipeline"])
    assert next(n for n in draft["nodes"] if n["id"] == "a")["params"]["seconds"] == 1
    assert draft["layout"]["b"]["x"] == 300
    await ann.disconnect()
    await ben.disconnect()


async def test_two_edits_of_the_same_parameter_resolve_to_the_later_sequence_number_for_everyone():
    world = await database_sync_to_async(_world)()
    ann, _ = await _join(world, "ann")
    ben, _ = await _join(world, "ben")

    await ann.send_json_to({"type": "op", "op": {"kind": "set_param", "node": "b", "param": "seconds", "value": 2}})
    await ben.send_json_to({"type": "op", "op": {"kind": "set_param", "node": "b", "param": "seconds", "value": 3}})
    ops = [await _next(ann, "op"), await _next(ann, "op")]

    last = max(ops, key=lambda m: m["seq"])
    draft = await database_sync_to_async(_draft)(world["pipeline"])
    assert next(n for n in draft["nodes"] if n["id"] == "b")["params"]["seconds"] == last["op"]["value"]
    assert last["touches"] == ["param", "b", "seconds"]
    assert {m["author"]["username"] for m in ops} == {"ann", "ben"}
    await ann.disconnect()
    await ben.disconnect()


async def test_a_viewer_watches_but_cannot_edit_and_a_stale_op_is_refused_to_its_sender_only():
    world = await database_sync_to_async(_world)()
    val, snap = await _join(world, "val")
    ann, _ = await _join(world, "ann")

    await val.send_json_to({"type": "op", "op": {"kind": "remove_node", "node": "a"}, "client_id": "v1"})
    refused = await _next(val, "op_refused")
    await ann.send_json_to({"type": "op", "op": {"kind": "remove_node", "node": "a"}})
    removed = await _next(val, "op")
    await ann.send_json_to({"type": "op", "op": {"kind": "set_param", "node": "a", "param": "seconds", "value": 5}})
    stale = await _next(ann, "op_refused")

    assert snap["can_edit"] is False
    assert refused["client_id"] == "v1" and "editors" in refused["detail"]
    assert removed["op"]["kind"] == "remove_node"
    assert "'a' is not in the pipeline" in stale["detail"]
    assert await database_sync_to_async(EditLog.objects.count)() == 1
    await val.disconnect()
    await ann.disconnect()


async def test_outsiders_and_anonymous_callers_cannot_subscribe():
    world = await database_sync_to_async(_world)()

    outsider = _connect(world["pipeline"], world["tokens"]["out"])
    anonymous = _connect(world["pipeline"], None)
    forged = _connect(world["pipeline"] + 999, world["tokens"]["ann"])

    assert (await outsider.connect())[1] == 4404
    assert (await anonymous.connect())[1] == 4401
    assert (await forged.connect())[1] == 4404


async def test_a_client_that_missed_ops_catches_up_and_the_saved_version_holds_everyones_changes():
    world = await database_sync_to_async(_world)()
    ann, _ = await _join(world, "ann")
    await ann.send_json_to({"type": "op", "op": {"kind": "set_param", "node": "a", "param": "seconds", "value": 1}})
    await _next(ann, "op")
    ben, snap = await _join(world, "ben")
    await ben.send_json_to({"type": "op", "op": {"kind": "set_comment", "node": "b", "comment": "ben was here"}})
    await _next(ben, "op")
    await ben.send_json_to({"type": "resync", "after": 0})
    replay = [await _next(ben, "op"), await _next(ben, "op")]

    def save() -> dict[str, Any]:
        pipeline = Pipeline.objects.get(pk=world["pipeline"])
        saved = save_version(pipeline.created_by, pipeline, pipeline.draft, base_version=1)
        return saved.version.document

    document = await database_sync_to_async(save)()

    assert snap["seq"] == 1
    assert [m["seq"] for m in replay] == [1, 2]
    assert next(n for n in document["nodes"] if n["id"] == "a")["params"]["seconds"] == 1
    assert document["layout"]["b"]["comment"] == "ben was here"
    await ann.disconnect()
    await ben.disconnect()


async def test_a_parameter_promoted_by_one_editor_and_removed_by_another_leaves_no_dangling_binding():
    world = await database_sync_to_async(_world)()
    ann, _ = await _join(world, "ann")
    ben, _ = await _join(world, "ben")
    add = {"kind": "add_parameter", "name": "pause", "parameter": {"type": "number", "default": 0.5}}
    bind_a = {"kind": "set_param", "node": "a", "param": "seconds", "value": {"$param": "pause"}}
    bind_b = {"kind": "set_param", "node": "b", "param": "seconds", "value": {"$param": "pause"}}

    # ann promotes a's field; ben removes the parameter; ann, not having seen it yet, binds b's field too
    await ann.send_json_to({"type": "op", "op": add, "client_id": "ann-1"})
    await ann.send_json_to({"type": "op", "op": bind_a, "client_id": "ann-2"})
    seen_by_ben = [await _next(ben, "op"), await _next(ben, "op")]
    await ben.send_json_to({"type": "op", "op": {"kind": "remove_parameter", "name": "pause"}, "client_id": "ben-1"})
    removed = await _next(ann, "op")
    while removed["op"]["kind"] != "remove_parameter":
        removed = await _next(ann, "op")
    await ann.send_json_to({"type": "op", "op": bind_b, "client_id": "ann-3"})
    refused = await _next(ann, "op_refused")

    assert [m["op"]["kind"] for m in seen_by_ben] == ["add_parameter", "set_param"]
    assert seen_by_ben[0]["touches"] == ["pipeline_parameter", "pause"]
    assert refused["client_id"] == "ann-3"
    assert "no pipeline parameter 'pause' to bind to" in refused["detail"]
    draft = await database_sync_to_async(_draft)(world["pipeline"])
    assert draft["parameters"] == {}
    assert [n["params"]["seconds"] for n in draft["nodes"]] == [0.5, 0]  # a keeps the value it had
    assert await database_sync_to_async(EditLog.objects.count)() == 3
    await ann.disconnect()
    await ben.disconnect()
