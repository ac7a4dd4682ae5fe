"""WebSocket: follow one run. Snapshot on connect, then every event after it, in order, without gaps.

With a cross-process channel layer (Redis) events arrive by group message; in the embedded default
(no Redis) the consumer tails the RunEvent table. A reconnecting client resumes by connecting with
``?after=<seq>`` (the last sequence number it applied): after the snapshot it is sent every event with
a larger sequence number, in order, then the live ones. ``{"type": "resume", "after": <seq>}`` on an
open socket replays from there too. One connection never sends the same event twice.

The socket stays open as long as the client does: daphne pings it (20 s), quiet periods are fine, and
when the channel layer fails the socket closes with 4503 so the client reconnects and resumes (see
designer/websockets.py). Close codes 44xx are final: don't reconnect.

Members of the run's workspace follow it signed in (session or token). A run a pipeline endpoint
started may also be followed with that endpoint's key (``Authorization: Bearer <key>`` or ``?key=``),
and only such a run: wrong keys are counted and throttled as on the endpoint's REST routes.
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from django.conf import settings

from designer.published.keys import may_follow, scope_key
from designer.websockets import GroupFollowingConsumer

from .events import group_name, serialize_event
from .models import Run, RunEvent
from .selectors import run_for_user, run_snapshot

POLL_SECONDS = 0.25
REPLAY_PAGE = 1000
CLOSE_BAD_REQUEST = 4400
CLOSE_FORBIDDEN = 4403
CLOSE_NOT_FOUND = 4404
CLOSE_UNAUTHENTICATED = 4401
CLOSE_THROTTLED = 4429
KEY_REFUSALS = {"not_found": CLOSE_NOT_FOUND, "unauthorized": CLOSE_UNAUTHENTICATED, "throttled": CLOSE_THROTTLED}


def _after(scope: dict[str, Any]) -> int | None | str:
    """The ``after`` query parameter: None when absent, the number, or "bad"."""
    values = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("after")
    if not values:
        return None
    raw = values[-1]
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 18 else "bad"


class RunConsumer(GroupFollowingConsumer):
    async def connect(self) -> None:
        self.run_id = int(self.scope["url_route"]["kwargs"]["run_id"])
        # Events with seq in (sent_from, last_seq] have been sent on this connection; the snapshot
        # covers the rest up to its last_seq.
        self.last_seq = 0
        self.sent_from = 0
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
        after = _after(self.scope)
        if after == "bad":
            await self.send_json({"type": "error", "detail": "'after' must be a non-negative integer"})
            await self.close(code=CLOSE_BAD_REQUEST)
            return
        if settings.TESSERA_EVENTS_VIA_LAYER:
            await self.follow(group_name(self.run_id))  # before the snapshot: nothing falls in between
        async with self.lock:
            snapshot = await database_sync_to_async(run_snapshot)(run)
            self.last_seq = self.sent_from = snapshot["last_seq"]
            await self.send_json({"type": "snapshot", **snapshot})
            if isinstance(after, int):  # resuming: everything after what the client has, in order
                self.last_seq = self.sent_from = after
                await self._catch_up_locked()
                self.last_seq = max(self.last_seq, snapshot["last_seq"])
        if not settings.TESSERA_EVENTS_VIA_LAYER:
            self.poller = asyncio.ensure_future(self._poll())

    async def disconnect(self, code: int) -> None:
        if self.poller is not None:
            self.poller.cancel()
        await self.leave()

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if isinstance(content, dict) and content.get("type") == "resume":
            after = content.get("after")
            if not isinstance(after, int) or isinstance(after, bool) or after < 0:
                await self.send_json({"type": "error", "detail": "resume needs a non-negative integer 'after'"})
                return
            async with self.lock:
                if after < self.sent_from:  # what this connection has not sent yet, up to where it started
                    await self._send_range(after, self.sent_from)
                    self.sent_from = after
                await self._catch_up_locked()
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
                await self._catch_up_locked()
                if event["seq"] <= self.last_seq:
                    return
            self.last_seq = event["seq"]
            await self.send_json({"type": "event", "event": event})

    async def catch_up(self) -> None:
        async with self.lock:
            await self._catch_up_locked()

    async def _poll(self) -> None:
        while True:
            await asyncio.sleep(POLL_SECONDS)
            await self.catch_up()

    async def _catch_up_locked(self) -> None:
        self.last_seq = await self._send_range(self.last_seq, None)

    async def _send_range(self, after: int, upto: int | None) -> int:
        """Send the run's events with after < seq (<= upto), in order, a page at a time; the last seq sent."""
        while True:
            events = await database_sync_to_async(_events_after)(self.run_id, after, upto)
            for event in events:
                await self.send_json({"type": "event", "event": event})
                after = event["seq"]
            if len(events) < REPLAY_PAGE:
                return after


def _events_after(run_id: int, after: int, upto: int | None) -> list[dict[str, Any]]:
    rows = RunEvent.objects.filter(run_id=run_id, id__gt=after)
    if upto is not None:
        rows = rows.filter(id__lte=upto)
    return [serialize_event(e) for e in rows.order_by("id")[:REPLAY_PAGE]]


__all__ = ["RunConsumer", "Run"]
