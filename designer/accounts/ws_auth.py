"""WebSocket authentication: a DRF token (header or ``?token=``) for scripts, else the browser's session.

Consumers read ``scope["user"]`` (``AnonymousUser`` when nobody signed in) and check the caller's
workspace role themselves. A token that is present but wrong gives ``AnonymousUser``; it never
falls back to the session, so a script's bad key cannot borrow a browser's identity.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from django.contrib.auth.models import AnonymousUser


def token_from_scope(scope: dict[str, Any]) -> str | None:
    """The token key from ``Authorization: Token <key>`` or the ``token`` query parameter, if any."""
    for name, value in scope.get("headers", []):
        if name.lower() == b"authorization":
            kind, _, key = value.decode("latin-1").strip().partition(" ")
            if kind.lower() == "token" and key.strip():
                return key.strip()
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    keys = [k for k in query.get("token", []) if k.strip()]
    return keys[0].strip() if keys else None


def _user_for_token(key: str) -> Any:
    from rest_framework.authtoken.models import Token

    token = Token.objects.select_related("user").filter(key=key).first()
    if token is None or not token.user.is_active:
        return AnonymousUser()
    return token.user


user_for_token = database_sync_to_async(_user_for_token)


class TokenOrSessionAuthMiddleware:
    """Channels middleware: token auth when a token is offered, else Channels' session auth stack."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.session_stack = AuthMiddlewareStack(inner)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        key = token_from_scope(scope)
        if key is None:
            return await self.session_stack(scope, receive, send)
        return await self.inner({**scope, "user": await user_for_token(key)}, receive, send)
