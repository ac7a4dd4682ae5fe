"""Password sign-in with failed attempts throttled per username and per client address.

Every password check goes through ``django.contrib.auth.authenticate`` and so through this backend:
the REST session login, the token endpoint and the admin's login form alike. While a username or an
address is locked, even the right password is refused (that is what stops guessing), without being
counted. The REST views answer 429 with Retry-After (``request.sign_in_retry_after`` says how long);
the admin form just refuses the sign-in.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from designer import throttling

RETRY_AFTER = "sign_in_retry_after"


def _checks(request: HttpRequest, username: str) -> throttling.Checks:
    return [
        (throttling.LOGIN_ACCOUNT, username.strip().lower()),
        (throttling.LOGIN_CLIENT, throttling.client_address(request)),
    ]


class ThrottledModelBackend(ModelBackend):
    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> Any:
        if request is None or username is None:  # management commands and internal calls: not a client
            return super().authenticate(request, username=username, password=password, **kwargs)
        checks = _checks(request, username)
        wait = throttling.locked_for(checks)
        if wait is None:
            user = super().authenticate(request, username=username, password=password, **kwargs)
            if user is not None:
                return user
            wait = throttling.record_failure(checks)
        if wait is not None:
            setattr(request, RETRY_AFTER, wait)
            raise PermissionDenied("too many failed sign-ins")  # stops authenticate() trying other backends
        return None
