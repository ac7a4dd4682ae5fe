"""Pipeline endpoint keys: which caller holds one, and wrong keys throttled exactly as scoring keys are.

The same failure limits as scoring endpoints (``designer.throttling``: per endpoint and per client
address); an endpoint is counted under its own identity (``pipeline:<id>``) so a pipeline endpoint and a
scoring endpoint that share an id never share a count, while one address trying wrong keys on both kinds
is counted once. A right key is never looked up in the counters.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs

from designer import throttling
from designer.engine.scoring import ScoringError

from .models import PipelineEndpoint


class KeyRefused(ScoringError):
    """A missing or wrong key: 401, or 429 with ``retry_after`` seconds once too many wrong keys came from
    this address or for this endpoint."""

    def __init__(
        self, retry_after: int | None, message: str = "The key is not valid for this pipeline endpoint."
    ) -> None:
        if retry_after is None:
            super().__init__(401, message, kind="unauthorized")
        else:
            message = (
                "Too many wrong keys for this pipeline endpoint or from this address; "
                f"try again in {retry_after} seconds."
            )
            super().__init__(429, message, [{"retry_after": retry_after}], kind="throttled")
        self.retry_after = retry_after


def bearer(header: str) -> str | None:
    """The key in an ``Authorization: Bearer <key>`` header value, if that is what it holds."""
    scheme, _, key = header.partition(" ")
    return key.strip() if scheme.lower() == "bearer" and key.strip() else None


def matches(endpoint: PipelineEndpoint, key: str) -> bool:
    ok_primary = hmac.compare_digest(key.encode(), endpoint.primary_key.encode())
    ok_secondary = hmac.compare_digest(key.encode(), endpoint.secondary_key.encode())
    return ok_primary or ok_secondary


def check(endpoint: PipelineEndpoint, key: str | None, meta: Mapping[str, Any]) -> None:
    """Raise ``KeyRefused`` unless ``key`` is one of ``endpoint``'s; a wrong key is counted against the
    endpoint and the client address in ``meta`` (a request's META, or one built from a WebSocket scope)."""
    if key is None:
        raise KeyRefused(None, "Send the pipeline endpoint's key as 'Authorization: Bearer <key>'.")
    if matches(endpoint, key):
        return
    checks = [
        (throttling.KEY_ENDPOINT, f"pipeline:{endpoint.pk}"),
        (throttling.KEY_CLIENT, throttling.client_address(_Meta(meta))),  # type: ignore[arg-type]
    ]
    wait = throttling.locked_for(checks)  # while locked, attempts are refused without being counted
    raise KeyRefused(wait if wait is not None else throttling.record_failure(checks))


class _Meta:
    """What ``throttling.client_address`` reads of a request: its META."""

    def __init__(self, meta: Mapping[str, Any]) -> None:
        self.META = meta


def scope_key(scope: Mapping[str, Any]) -> str | None:
    """A key offered to a WebSocket: ``Authorization: Bearer <key>`` (scripts), or ``?key=`` (browsers,
    which cannot set headers on a WebSocket)."""
    for name, value in scope.get("headers", []):
        if name.lower() == b"authorization":
            found = bearer(value.decode("latin-1").strip())
            if found:
                return found
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    keys = [k.strip() for k in query.get("key", []) if k.strip()]
    return keys[0] if keys else None


def scope_meta(scope: Mapping[str, Any]) -> dict[str, str]:
    """The META ``throttling.client_address`` needs, from a WebSocket scope."""
    client = scope.get("client") or ("", 0)
    meta = {"REMOTE_ADDR": str(client[0] or "")}
    for name, value in scope.get("headers", []):
        if name.lower() == b"x-forwarded-for":
            meta["HTTP_X_FORWARDED_FOR"] = value.decode("latin-1")
    return meta


def may_follow(run_id: int, scope: Mapping[str, Any]) -> str:
    """Whether the key offered to the run WebSocket opens run ``run_id``: ``"ok"`` when one of the keys of
    the endpoint that started it; ``"not_found"`` when no endpoint started it; ``"unauthorized"`` or
    ``"throttled"`` for a wrong key (a key of another endpoint is a wrong key here, and counted)."""
    from .selectors import endpoint_of_run

    endpoint = endpoint_of_run(run_id)
    if endpoint is None:
        return "not_found"
    try:
        check(endpoint, scope_key(scope), scope_meta(scope))
    except KeyRefused as refused:
        return "throttled" if refused.retry_after is not None else "unauthorized"
    return "ok"
