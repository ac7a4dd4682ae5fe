"""JSON WebSocket consumers whose incoming messages are read with the shared limits (size, nesting
depth, strict JSON), so no message can crash a consumer by its shape.

A refused message is answered ``{"type": "error", "code": ..., "detail": ...}``, naming the limit; one
larger than TESSERA_WS_MAX_MESSAGE_BYTES also closes the socket with 1009 ("message too big").
Binary frames are read as UTF-8 JSON too.

``GroupFollowingConsumer`` adds what a socket that follows a channel-layer group for hours needs: a
failing layer (Redis down or restarting) closes the socket with 4503 ("try again") rather than
leaving it open and deaf, so the client reconnects and resumes; and every TESSERA_WS_REFRESH_SECONDS
the consumer rejoins its group (a restarted Redis may have forgotten it, and membership expires after
a day) and catches up from the database on what was broadcast while it was away.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from redis.exceptions import RedisError

from designer.engine import safejson

log = logging.getLogger(__name__)

CLOSE_TOO_BIG = 1009
# "Try again": the server side had trouble (the channel layer); reconnect and resume. WebSocket servers
# let applications close only with 1000 or 3000-4999, so not the standard 1013. The other 44xx codes
# (4400, 4401, 4403, 4404, 4429) mean "do not reconnect".
CLOSE_TRY_AGAIN = 4503
# What a channel layer raises when its server is unreachable, restarting or silent.
LAYER_ERRORS: tuple[type[BaseException], ...] = (RedisError, ConnectionError, TimeoutError)


class LimitedJsonWebsocketConsumer(AsyncJsonWebsocketConsumer):
    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any) -> None:
        raw = text_data if text_data is not None else (bytes_data or b"")
        try:
            content = safejson.loads(
                raw,
                what="The message",
                max_bytes=int(settings.TESSERA_WS_MAX_MESSAGE_BYTES),
                max_depth=int(settings.TESSERA_MAX_JSON_DEPTH),
            )
        except safejson.JSONRefused as exc:
            await self.send_json({"type": "error", "code": exc.code, "detail": exc.message})
            if exc.status == 413:
                await self.close(code=CLOSE_TOO_BIG)
            return
        await self.receive_json(content, **kwargs)


class GroupFollowingConsumer(LimitedJsonWebsocketConsumer):
    """A JSON consumer that follows one channel-layer group while its socket is open (see the module doc).

    Subclasses call ``follow(group)`` once accepted, ``leave()`` on disconnect, and implement
    ``catch_up()`` to send what the database holds that this socket has not been sent yet.
    """

    followed: str | None = None
    refresher: asyncio.Task[None] | None = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        try:
            await super().__call__(scope, receive, send)
        except LAYER_ERRORS:
            log.warning(
                "%s: the channel layer failed; closing with %s so that the client reconnects",
                scope.get("path"),
                CLOSE_TRY_AGAIN,
                exc_info=True,
            )
            # Should this send fail too, its error reaches daphne, which closes the socket with 1011.
            await send({"type": "websocket.close", "code": CLOSE_TRY_AGAIN})
        finally:
            self._stop_refreshing()

    async def follow(self, group: str) -> None:
        self.followed = group
        await self.channel_layer.group_add(group, self.channel_name)
        self.refresher = asyncio.ensure_future(self._refresh_forever())

    async def leave(self) -> None:
        self._stop_refreshing()
        if self.followed is not None and self.channel_layer is not None:
            with contextlib.suppress(*LAYER_ERRORS):  # a layer that is down forgets us anyway
                await self.channel_layer.group_discard(self.followed, self.channel_name)

    async def catch_up(self) -> None:
        """Send what was missed while the group was not reaching this socket."""

    async def _refresh_forever(self) -> None:
        while True:
            await asyncio.sleep(float(settings.TESSERA_WS_REFRESH_SECONDS))
            try:
                await self.channel_layer.group_add(self.followed, self.channel_name)
                await self.catch_up()
            except LAYER_ERRORS:
                log.warning("%s: rejoining its group failed; closing", self.scope.get("path"), exc_info=True)
                self.refresher = None  # this task ends here; closing must not cancel it midway
                await self.close(code=CLOSE_TRY_AGAIN)
                return
            except Exception:  # e.g. the database blinked: the next round tries again
                log.warning("%s: catching up failed", self.scope.get("path"), exc_info=True)

    def _stop_refreshing(self) -> None:
        if self.refresher is not None:
            self.refresher.cancel()
            self.refresher = None
