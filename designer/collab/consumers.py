"""WebSocket ``/ws/pipelines/<id>/``: who is here, what they have selected, and every edit in order.

On connect: a snapshot (the shared draft and the last sequence number) and a "join" to the others.
Clients send ``{"type": "op", "op": {...}, "client_id": "..."}`` (editors only), ``{"type": "select",
"nodes": [...]}``, ``{"type": "here", "nodes": [...]}`` (answering someone's join) and ``{"type":
"resync", "after": seq}``. Everyone, the sender included, receives ``{"type": "op", "seq", "op",
"author", "client_id"}`` and applies ops in ``seq`` order; a refused op goes back to its sender only.

The socket stays open as long as the client does (quiet periods included); when the channel layer
fails it closes with 4503 and the client reconnects, gets a fresh snapshot and sends again what had not
arrived. Every TESSERA_WS_REFRESH_SECONDS the consumer rejoins the group and sends ops it has not
relayed yet from the edit log (designer/websockets.py), so an op broadcast while Redis was away arrives.
"""

from __future__ import annotations

import contextlib
from typing import Any

from channels.db import database_sync_to_async

from designer.pipelines.models import Pipeline
from designer.websockets import LAYER_ERRORS, GroupFollowingConsumer
from designer.workspaces.permissions import Role, role_of

from . import services

CLOSE_UNAUTHENTICATED = 4401
CLOSE_NOT_FOUND = 4404
MAX_SELECTION = 500
CATCH_UP_PAGE = 1000


def group_name(pipeline_id: int) -> str:
    return f"pipeline-edit-{pipeline_id}"


def _open(user: Any, pipeline_id: int) -> tuple[dict[str, Any], bool] | None:
    pipeline = Pipeline.objects.filter(pk=pipeline_id).first()
    role = role_of(user, pipeline.workspace_id) if pipeline is not None else None
    if pipeline is None or role is None:
        return None
    return services.snapshot(pipeline), role >= Role.EDITOR


class PipelineConsumer(GroupFollowingConsumer):
    async def connect(self) -> None:
        self.pipeline_id = int(self.scope["url_route"]["kwargs"]["pipeline_id"])
        self.user = self.scope.get("user")
        self.joined = False
        # Ops this socket has been sent: every seq up to `contiguous` (the snapshot's included), and `ahead`.
        self.contiguous = 0
        self.ahead: set[int] = set()
        if self.user is None or not self.user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        opened = await database_sync_to_async(_open)(self.user, self.pipeline_id)
        if opened is None:  # no such pipeline, or not a member of its workspace: the same answer
            await self.close(code=CLOSE_NOT_FOUND)
            return
        snapshot, can_edit = opened
        self.me = services.person(self.user)
        await self.accept()
        await self.follow(group_name(self.pipeline_id))
        self.joined = True
        self.contiguous = snapshot["seq"]
        await self.send_json({"type": "snapshot", **snapshot, "you": self.me, "can_edit": can_edit})
        await self._presence("join", [])
        await self.catch_up()  # ops made between the snapshot and joining the group

    async def disconnect(self, code: int) -> None:
        if self.joined:
            with contextlib.suppress(*LAYER_ERRORS):  # the layer is down: the others reconnect and see
                await self._presence("leave", [])
        await self.leave()

    async def catch_up(self) -> None:
        while True:
            after = self.contiguous
            edits = await database_sync_to_async(services.edits_after)(self.pipeline_id, after, CATCH_UP_PAGE)
            for edit in edits:
                await self._send_op({**edit, "client_id": None})
            if len(edits) < CATCH_UP_PAGE or self.contiguous == after:
                return

    async def _presence(self, event: str, nodes: list[str]) -> None:
        message = {"type": "collab.presence", "event": event, "who": self.me, "channel": self.channel_name}
        await self.channel_layer.group_send(group_name(self.pipeline_id), {**message, "nodes": nodes})

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        kind = content.get("type") if isinstance(content, dict) else None
        if kind == "op":
            await self._op(content)
        elif kind in ("select", "here"):
            nodes = content.get("nodes", [])
            if not isinstance(nodes, list) or len(nodes) > MAX_SELECTION or not all(isinstance(n, str) for n in nodes):
                await self.send_json({"type": "error", "detail": "'nodes' must be a list of node ids"})
                return
            await self._presence(kind, nodes)
        elif kind == "resync":
            after = content.get("after")
            if not isinstance(after, int) or after < 0:
                await self.send_json({"type": "error", "detail": "resync needs a non-negative integer 'after'"})
                return
            for edit in await database_sync_to_async(services.edits_after)(self.pipeline_id, after):
                await self.send_json({"type": "op", **edit, "client_id": None})
        else:
            await self.send_json({"type": "error", "detail": "send 'op', 'select', 'here' or 'resync' messages"})

    async def _op(self, content: dict[str, Any]) -> None:
        client_id = content.get("client_id")
        client_id = client_id if isinstance(client_id, str) and len(client_id) <= 100 else None
        try:
            edit = await database_sync_to_async(services.apply_edit)(self.user, self.pipeline_id, content.get("op"))
        except services.EditRefused as exc:
            await self.send_json({"type": "op_refused", "client_id": client_id, "detail": str(exc)})
            return
        await self.channel_layer.group_send(
            group_name(self.pipeline_id), {"type": "collab.op", "edit": {**edit, "client_id": client_id}}
        )

    async def collab_op(self, message: dict[str, Any]) -> None:
        await self._send_op(message["edit"])

    async def _send_op(self, edit: dict[str, Any]) -> None:
        """Send an op unless this socket has had it (the group and a catch-up may both bring it)."""
        seq = edit["seq"]
        if seq <= self.contiguous or seq in self.ahead:
            return
        self.ahead.add(seq)
        while self.contiguous + 1 in self.ahead:
            self.contiguous += 1
            self.ahead.discard(self.contiguous)
        await self.send_json({"type": "op", **edit})

    async def collab_presence(self, message: dict[str, Any]) -> None:
        if message["channel"] == self.channel_name:
            return  # your own presence is in your snapshot
        await self.send_json(
            {"type": "presence", "event": message["event"], "who": message["who"], "nodes": message["nodes"]}
        )
