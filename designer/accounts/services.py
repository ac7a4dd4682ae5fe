"""Sign-in: checking credentials, sessions for the browser, tokens for scripts."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate, login, logout
from django.http import HttpRequest
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import Throttled, ValidationError

from .backends import RETRY_AFTER

BAD_CREDENTIALS = "Unable to sign in with that username and password."


def check_credentials(request: HttpRequest | None, *, username: str, password: str) -> Any:
    """The active user with these credentials; a 400 that does not say which part was wrong; or, after
    too many failures for this username or from this address, a 429 with Retry-After."""
    user = authenticate(request, username=username, password=password)
    if user is None:
        wait = getattr(request, RETRY_AFTER, None)
        if wait is not None:
            raise Throttled(wait, "Too many failed sign-ins for this username or from this address.")
        raise ValidationError({"detail": BAD_CREDENTIALS})
    return user


def sign_in(request: HttpRequest, *, username: str, password: str) -> Any:
    user = check_credentials(request, username=username, password=password)
    login(request, user)
    return user


def sign_out(request: HttpRequest) -> None:
    logout(request)


def token_for(user: Any) -> str:
    """The user's API token, created on first use."""
    token, _ = Token.objects.get_or_create(user=user)
    return token.key
