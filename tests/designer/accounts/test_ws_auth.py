"""WebSocket authentication: token header, token query string, session cookie, or nobody."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client
from django.urls import path
from rest_framework.authtoken.models import Token

from designer.accounts.ws_auth import TokenOrSessionAuthMiddleware, token_from_scope
from tests.designer.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


class WhoAmI(AsyncWebsocketConsumer):
    async def connect(self) -> None:
        await self.accept()
        user = self.scope["user"]
        await self.send(text_data=user.username if user.is_authenticated else "anonymous")


app = TokenOrSessionAuthMiddleware(URLRouter([path("ws/whoami/", WhoAmI.as_asgi())]))


async def who(path: str = "/ws/whoami/", headers: list[tuple[bytes, bytes]] | None = None) -> str:
    communicator = WebsocketCommunicator(app, path, headers=headers or [])
    connected, _ = await communicator.connect()
    assert connected
    answer = await communicator.receive_from()
    await communicator.disconnect()
    return answer


@database_sync_to_async
def user_with_token(username: str) -> str:
    return Token.objects.create(user=UserFactory(username=username)).key


@database_sync_to_async
def session_cookie(username: str) -> str:
    client = Client()
    client.force_login(UserFactory(username=username))
    return client.cookies[settings.SESSION_COOKIE_NAME].value


async def test_a_token_in_the_authorization_header_authenticates() -> None:
    key = await user_with_token("script")
    assert await who(headers=[(b"authorization", f"Token {key}".encode())]) == "script"


async def test_a_token_in_the_query_string_authenticates() -> None:
    key = await user_with_token("browser_tab")
    assert await who(f"/ws/whoami/?token={key}") == "browser_tab"


async def test_without_a_token_the_session_cookie_is_used() -> None:
    session = await session_cookie("alice")
    cookie = f"{settings.SESSION_COOKIE_NAME}={session}".encode()
    assert await who(headers=[(b"cookie", cookie)]) == "alice"


async def test_a_wrong_token_is_anonymous_even_with_a_session() -> None:
    session = await session_cookie("bob")
    headers = [(b"cookie", f"{settings.SESSION_COOKIE_NAME}={session}".encode())]
    assert await who("/ws/whoami/?token=not-a-real-key", headers=headers) == "anonymous"


async def test_nobody_is_anonymous() -> None:
    assert await who() == "anonymous"


def test_token_from_scope_prefers_the_header_and_ignores_other_schemes() -> None:
    assert token_from_scope({"headers": [(b"Authorization", b"Token abc")], "query_string": b"token=xyz"}) == "abc"
    assert token_from_scope({"headers": [(b"authorization", b"Bearer abc")], "query_string": b""}) is None
    assert token_from_scope({"headers": [], "query_string": b"other=1&token=xyz"}) == "xyz"
    assert token_from_scope({"headers": [], "query_string": b"token="}) is None
