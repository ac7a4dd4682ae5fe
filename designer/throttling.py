"""Failed credentials, counted per client address and per account: past a limit, a lock for one window.

Used for sign-ins (``designer.accounts.backends``: per username and per address, the right password
refused too while locked) and for endpoint keys (``designer.endpoints.serving``: per endpoint and per
address; a right key is never looked up, so successful scoring calls cost nothing here).

Only failures are written. They are counted in window-sized buckets in the "throttle" cache (Redis
when REDIS_URL is set, else a database table, so every process of one deployment shares the counts);
when the failures of the current and the previous bucket reach the limit, the identity is locked for
one window and its count starts again. Attempts while locked are refused without being counted, so a
client that keeps retrying is not locked forever, and a success resets nothing.

Hand-written because no package fits both uses: django-axes counts sign-ins only, with one limit for
every lockout parameter (no separate per-account and per-address limits) and no Retry-After in its
current release; DRF's throttles count every request, not failures.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest

CACHE = "throttle"


@dataclass(frozen=True)
class FailureLimit:
    """``limit_setting`` failures per TESSERA_FAILURE_WINDOW_SECONDS for one identity of ``scope``."""

    scope: str
    limit_setting: str

    def limit(self) -> int:
        return int(getattr(settings, self.limit_setting))

    def _key(self, identity: str, part: str) -> str:
        digest = hashlib.sha256(identity.encode("utf-8", "surrogatepass")).hexdigest()[:40]
        return f"fail:{self.scope}:{digest}:{part}"


LOGIN_ACCOUNT = FailureLimit("login-account", "TESSERA_LOGIN_FAILURES_PER_ACCOUNT")
LOGIN_CLIENT = FailureLimit("login-client", "TESSERA_LOGIN_FAILURES_PER_CLIENT")
KEY_ENDPOINT = FailureLimit("key-endpoint", "TESSERA_KEY_FAILURES_PER_ENDPOINT")
KEY_CLIENT = FailureLimit("key-client", "TESSERA_KEY_FAILURES_PER_CLIENT")

Checks = list[tuple[FailureLimit, str]]


def _window() -> float:
    return float(settings.TESSERA_FAILURE_WINDOW_SECONDS)


def client_address(request: HttpRequest) -> str:
    """Who is asking: the socket's address, or the one TESSERA_PROXY_COUNT trusted proxies forwarded.
    IPv6 addresses count by their /64 network, which one client usually holds whole."""
    address = request.META.get("REMOTE_ADDR") or ""
    proxies = int(settings.TESSERA_PROXY_COUNT)
    if proxies > 0:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if forwarded:
            address = forwarded[-min(proxies, len(forwarded))]
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:100] or "unknown"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


def locked_for(checks: Checks) -> int | None:
    """Seconds until every identity in ``checks`` may try again; None when none is locked."""
    locks = caches[CACHE].get_many([limit._key(identity, "lock") for limit, identity in checks])
    now = time.time()
    waits = [until - now for until in locks.values() if until > now]
    return max(1, math.ceil(max(waits))) if waits else None


def record_failure(checks: Checks) -> int | None:
    """Count one failure against each identity; seconds to wait when one of them is now locked."""
    cache = caches[CACHE]
    window = _window()
    now = time.time()
    bucket = int(now // window)
    for limit, identity in checks:
        current, previous = limit._key(identity, str(bucket)), limit._key(identity, str(bucket - 1))
        cache.add(current, 0, timeout=2 * window)
        count = cache.incr(current) + (cache.get(previous) or 0)
        if count >= limit.limit():
            cache.set(limit._key(identity, "lock"), now + window, timeout=window + 1)
            cache.delete_many([current, previous])
    return locked_for(checks)
