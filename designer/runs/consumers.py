"""WebSocket: follow one run. Snapshot on connect, then every event after it, in order, without gaps.

With a cross-process channel layer (Redis) events arrive by group message; in the embedded default
(no Redis) the consumer tails the RunEvent table. Either way a client may send
``{"type": "resume", "after": <seq>}`` to replay what it missed.

Members of the run's workspace follow it signed in (session or token). A run a pipeline endpoint
started may also be followed with that endpoint's key (``Authorization: Bearer <key>`` or ``?key=``),
and only such a run: wrong keys are counted and throttled as on the endpoint's REST routes.
"""

from __future__ import annotations

import asyncio
from typing import Any

from channels.db import database_sync_to_async
from django.conf import settings

from designer.published.keys import may_follow, scope_key
from designer.websockets import LimitedJsonWebsocketConsumer

from .events import group_name, serialize_event
from .models import Run, RunEvent
from .selectors import run_for_user, run_snapshot

POLL_SECONDS = 0.25
CLOSE_FORBIDDEN = 4403
CLOSE_NOT_FOUND = 4404
CLOSE_UNAUTHENTICATED = 4401
CLOSE_THROTTLED = 4429
KEY_REFUSALS = {"not_found": CLOSE_NOT_FOUND, "unauthorized": CLOSE_UNAUTHENTICATED, "throttled": CLOSE_THROTTLED}


class RunConsumer(LimitedJsonWebsocketConsumer):
    async def connect(self) -> None:
        self.run_id = int(self.scope["url_route"]["kwargs"]["run_id"])
        self.last_seq = 0
        self.poller: asyncio.Task[None] | None = None
        self.lock = asyncio.Lock()
        user = self.scope.get("user")
        if scope_key(self.scope) is not None:  # a pipeline endpoint's key holder
            verdict = await database_sync_to_async(may_follow)(self.run_id, self.scope)
            if verdict != "ok":
                await self.close(code=KEY_REFUSALS[verdict])
                return
            run = await database_sync_to_async(Run.objects.filter(pk=self.run_id).first)()
        elif user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        else:
            run = await database_sync_to_async(run_for_user)(user, self.run_id)
        if run is None:  # not a member of its workspace, or no such run: the same answer
            await self.close(code=CLOSE_NOT_FOUND)
            return
        await self.accept()
        if settings.TESSERA_EVENTS_VIA_LAYER:
            await self.channel_layer.group_add(group_name(self.run_id), self.channel_name)
        snapshot = await database_sync_to_async(run_snapshot)(run)
        self.last_seq = snapshot["last_seq"]
        await self.send_json({"type": "snapshot", **snapshot})
        if not settings.TESSERA_EVENTS_VIA_LAYER:
            self.poller = asyncio.ensure_future(self._poll())

    async def disconnect(self, code: int) -> None:
        if self.poller is not None:
            self.poller.cancel()
        if settings.TESSERA_EVENTS_VIA_LAYER and self.channel_layer is not None:
            await self.channel_layer.group_discard(group_name(self.run_id), self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if isinstance(content, dict) and content.get("type") == "resume":
            after = content.get("after")
            if not isinstance(after, int) or after < 0:
                await self.send_json({"type": "error", "detail": "resume needs a non-negative integer 'after'"})
                return
            await self._replay(after)
        else:
            await self.send_json({"type": "error", "detail": "unknown message; send {'type': 'resume', 'after': seq}"})

    async def run_event(self, message: dict[str, Any]) -> None:
        """Group message from the channel layer."""
        event = message["event"]
        async with self.lock:
            if event["seq"] <= self.last_seq:
                return
            if event["seq"] > self.last_seq + 1:
                # Something arrived out of order or was dropped: fill the gap from the table.
                await self._replay_locked(self.last_seq)
                if event["seq"] <= self.last_seq:
                    return
            self.last_seq = event["seq"]
            await self.send_json({"type": "event", "event": event})

    async def _poll(self) -> None:
        while True:
            await asyncio.sleep(POLL_SECONDS)
            await self._replay(self.last_seq)

    async def _replay(self, after: int) -> None:
        async with self.lock:
            await self._replay_locked(after)

    async def _replay_locked(self, after: int) -> None:
        events = await database_sync_to_async(_events_after)(self.run_id, after)
        for event in events:
            if event["seq"] > self.last_seq or after < self.last_seq:
                await self.send_json({"type": "event", "event": event})
            self.last_seq = max(self.last_seq, event["seq"])


def _events_after(run_id: int, after: int) -> list[dict[str, Any]]:
    return [serialize_event(e) for e in RunEvent.objects.filter(run_id=run_id, id__gt=after).order_by("id")[:1000]]


__all__ = ["RunConsumer", "Run"]
