"""Follow a run live over its WebSocket (``/ws/runs/<id>/``), resuming after a dropped connection.

The server sends a snapshot (the run and every node, with ``last_seq``), then events in sequence order
until ``run_finished``. When the connection drops, the follower reconnects with ``?after=<last seq>``
and gets exactly what it missed. When no WebSocket can be opened at all (a proxy that does not pass
them), it polls ``/api/runs/<id>/`` and ``/api/runs/<id>/events/?after=`` instead: slower, same story.
Close codes 44xx are the server's final word (not signed in, no such run) and are not retried.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus
from websockets.sync.client import connect

from ._http import Session
from .errors import AuthError, NotFound, TesseraError

FINISHED = ("completed", "failed", "cancelled")
RECONNECTS = 5
Handler = Callable[[dict[str, Any]], None]


def ws_url(http_url: str, run_id: int, after: int | None = None) -> str:
    parts = urlsplit(http_url)
    scheme = "wss" if parts.scheme == "https" else "ws"
    query = f"after={after}" if after is not None else ""
    return urlunsplit((scheme, parts.netloc, f"{parts.path.rstrip('/')}/ws/runs/{run_id}/", query, ""))


#: How long one wait for a message lasts at most (then the loop looks at the deadline and at signals).
WAKE_SECONDS = 1.0


def follow(session: Session, run_id: int, handle: Handler, timeout: float | None = None) -> None:
    """Call ``handle`` with the snapshot and every event (``{"type": "snapshot"|"event", ...}``) until
    the run has finished; raises on a final refusal or when ``timeout`` seconds pass."""
    deadline = None if timeout is None else time.monotonic() + timeout
    last_seq: int | None = None
    failures = 0
    while True:
        try:
            with connect(
                ws_url(session.url, run_id, last_seq),
                additional_headers={"Authorization": f"Token {session.token}"} if session.token else None,
                origin=_origin(session.url),  # the server accepts sockets from its own origin
                open_timeout=10,
                max_size=None,
            ) as socket:
                failures = 0
                while True:
                    left = None if deadline is None else max(deadline - time.monotonic(), 0)
                    if left == 0:
                        raise TesseraError(f"Run {run_id} did not finish within {timeout:g} s; it goes on.")
                    try:
                        # Never block for long: a wait that returns every second lets Ctrl-C (SIGINT) be
                        # handled at once, whatever the socket library's blocking call does with signals.
                        message = json.loads(
                            socket.recv(timeout=WAKE_SECONDS if left is None else min(left, WAKE_SECONDS))
                        )
                    except TimeoutError:
                        continue  # the deadline check above ends the wait
                    finished, last_seq = _apply(message, handle, last_seq)
                    if finished:
                        return
        except ConnectionClosed as exc:
            code = exc.rcvd.code if exc.rcvd is not None else None
            _refuse(code, run_id)
            failures += 1
        except InvalidStatus as exc:
            status = exc.response.status_code
            if status in (401, 403):
                raise AuthError(f"The server refused to stream run {run_id} (HTTP {status}).") from None
            return _poll(session, run_id, handle, last_seq, deadline)
        except (InvalidHandshake, OSError):
            failures += 1
        if failures > RECONNECTS:
            return _poll(session, run_id, handle, last_seq, deadline)
        time.sleep(min(0.5 * 2**failures, 5))


def _apply(message: dict[str, Any], handle: Handler, last_seq: int | None) -> tuple[bool, int | None]:
    kind = message.get("type")
    if kind == "snapshot":
        handle(message)
        seq = message.get("last_seq", 0)
        return message["run"]["status"] in FINISHED, max(last_seq or 0, seq)
    if kind == "event":
        event = message["event"]
        if last_seq is not None and event["seq"] <= last_seq:
            return False, last_seq  # already applied before a reconnect
        handle(message)
        return event["type"] == "run_finished", event["seq"]
    if kind == "error":
        raise TesseraError(f"The run's socket refused a message: {message.get('detail')}")
    return False, last_seq


def _refuse(code: int | None, run_id: int) -> None:
    if code == 4401:
        raise AuthError(f"Not signed in to follow run {run_id}: sign in with `tessera login`.")
    if code in (4403, 4404):
        raise NotFound(f"Run {run_id} does not exist in your workspaces.")
    if code is not None and 4400 <= code < 4500:
        raise TesseraError(f"The server closed run {run_id}'s socket (code {code}).")


def _poll(session: Session, run_id: int, handle: Handler, last_seq: int | None, deadline: float | None) -> None:
    """The same story over plain HTTP, for networks that do not carry WebSockets."""
    run = session.get(f"/api/runs/{run_id}/")
    snapshot = {"type": "snapshot", "run": run, "nodes": run.get("nodes", []), "last_seq": last_seq or 0}
    handle(snapshot)
    if run["status"] in FINISHED:
        return
    after = last_seq or 0
    while deadline is None or time.monotonic() < deadline:
        for event in session.get(f"/api/runs/{run_id}/events/", after=after)["events"]:
            after = event["seq"]
            handle({"type": "event", "event": event})
            if event["type"] == "run_finished":
                return
        time.sleep(0.5)
    raise TesseraError(f"Run {run_id} did not finish in time; it goes on.")


def _origin(http_url: str) -> str:
    parts = urlsplit(http_url)
    return f"{parts.scheme}://{parts.netloc}"
