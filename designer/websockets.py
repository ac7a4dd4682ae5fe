"""JSON WebSocket consumers whose incoming messages are read with the shared limits (size, nesting
depth, strict JSON), so no message can crash a consumer by its shape.

A refused message is answered ``{"type": "error", "code": ..., "detail": ...}``, naming the limit; one
larger than TESSERA_WS_MAX_MESSAGE_BYTES also closes the socket with 1009 ("message too big").
Binary frames are read as UTF-8 JSON too.
"""

from __future__ import annotations

from typing import Any

from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings

from designer.engine import safejson

CLOSE_TOO_BIG = 1009


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
