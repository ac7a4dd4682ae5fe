"""The run WebSocket through a real daphne and a real Redis channel layer: it stays open through quiet
periods, and a client that comes back after missing events, after a Redis restart or after a daphne
restart gets every event exactly once, in order.

The client here follows a run as the browser's hook does (frontend/src/features/runs/useRunSocket.ts):
on any close but a final 44xx it opens a new socket with ``?after=<the last seq it got>``.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from channels.layers import channel_layers
from django.db import transaction
from rest_framework.authtoken.models import Token
from websockets.exceptions import ConnectionClosed, InvalidHandshake
from websockets.sync.client import ClientConnection, connect

from designer.pipelines.services import create_pipeline
from designer.runs import services
from designer.runs.events import emit
from designer.runs.models import Run
from tests.support.pipelines import document
from tests.support.processes import LOG_DIR, Server, free_port

pytestmark = pytest.mark.django_db(transaction=True)
FINAL = {4400, 4401, 4403, 4404, 4429}


def _queued_run(user: Any, workspace: Any) -> Run:
    doc = document([("a", "test_sleep", {"seconds": 0}), ("b", "test_sleep", {})], ["a.result -> b.dataset"])
    return services.submit_run(user=user, pipeline=create_pipeline(user, workspace, "p", document=doc))


def _progress(run_id: int, progress: float) -> int:
    """Record and broadcast one event, as a worker does; its sequence number."""
    with transaction.atomic():
        event = emit(run_id, "node_progress", node="a", progress=progress, message=f"{progress:.0%}")
    return event.pk


class Follower:
    """Follows one run over the WebSocket, reconnecting and resuming like the browser."""

    def __init__(self, ws_url: Callable[[], str], run_id: int, token: str) -> None:
        self.ws_url = ws_url
        self.run_id = run_id
        self.token = token
        self.last_seq = 0
        self.events: list[dict[str, Any]] = []
        self.closes: list[int | None] = []
        self.snapshots: list[dict[str, Any]] = []
        self.ws: ClientConnection | None = None

    def open(self, deadline: float) -> None:
        query = f"?after={self.last_seq}" if self.last_seq else ""
        while True:
            try:
                self.ws = connect(
                    f"{self.ws_url()}/ws/runs/{self.run_id}/{query}",
                    additional_headers={"Authorization": f"Token {self.token}", "Origin": "http://127.0.0.1"},
                    open_timeout=5,
                    legacy=True,
                )
                snapshot = json.loads(self.ws.recv(timeout=10))
                break
            except (OSError, InvalidHandshake, ConnectionClosed, TimeoutError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)  # the server or its Redis is not back yet
        assert snapshot["type"] == "snapshot", snapshot
        self.snapshots.append(snapshot)
        if not self.last_seq:
            self.last_seq = snapshot["last_seq"]

    def next_event(self, timeout: float = 60) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            if self.ws is None:
                self.open(deadline)
            assert self.ws is not None
            try:
                message = json.loads(self.ws.recv(timeout=max(deadline - time.monotonic(), 0.1)))
            except ConnectionClosed as closed:
                code = closed.rcvd.code if closed.rcvd else None
                self.closes.append(code)
                assert code not in FINAL, code
                self.ws = None
                continue
            assert message["type"] == "event", message
            event = message["event"]
            self.events.append(event)
            self.last_seq = event["seq"]
            return event

    def close(self) -> None:
        if self.ws is not None:
            self.ws.close()


@pytest.fixture
def token(ada: Any) -> str:
    return Token.objects.create(user=ada).key


def test_a_run_socket_stays_open_through_16_quiet_seconds_and_then_gets_the_next_event(server, ada, lab, token):
    run = _queued_run(ada, lab)
    follower = Follower(lambda: server.ws_url, run.pk, token)
    follower.open(time.monotonic() + 30)

    time.sleep(16)  # longer than any Redis read timeout or blocking pop: nothing may close the socket
    seq = _progress(run.pk, 0.5)
    event = follower.next_event()
    follower.close()

    assert follower.closes == []
    assert (event["seq"], event["type"], event["node"], event["progress"]) == (seq, "node_progress", "a", 0.5)


def test_resuming_from_a_nonzero_sequence_number_gets_exactly_the_later_events_once_in_order(server, ada, lab, token):
    run = _queued_run(ada, lab)
    first = Follower(lambda: server.ws_url, run.pk, token)
    first.open(time.monotonic() + 30)
    seen = first.snapshots[0]["last_seq"]
    first.close()
    missed = [_progress(run.pk, p) for p in (0.1, 0.2, 0.3)]

    again = Follower(lambda: server.ws_url, run.pk, token)
    again.last_seq = seen
    replayed = [again.next_event()["seq"] for _ in missed]
    live = _progress(run.pk, 0.4)
    after_live = again.next_event()["seq"]
    marker = _progress(run.pk, 0.5)  # nothing may come between the live event and this one
    after_marker = again.next_event()["seq"]
    again.close()

    assert seen > 0  # run_started and node_queued
    assert again.snapshots[0]["last_seq"] == missed[-1]
    assert replayed == missed
    assert [after_live, after_marker] == [live, marker]
    assert [e["seq"] for e in again.events] == [*missed, live, marker]
    assert again.closes == []


class RedisServer:
    """A Redis of this test's own on a free port (the shared one must not be restarted), without persistence:
    a restart forgets every group, as a Redis that crashed would."""

    def __init__(self) -> None:
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="tessera-redis-"))
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        self.log_path = LOG_DIR / f"redis-{self.port}.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.proc = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
            + ["--dir", str(self.dir), "--logfile", str(self.log_path)],
            start_new_session=True,
        )
        deadline = time.monotonic() + 20
        while (
            subprocess.run(["redis-cli", "-p", str(self.port), "ping"], capture_output=True, text=True).stdout.strip()
            != "PONG"
        ):
            if time.monotonic() > deadline:
                raise TimeoutError("redis-server did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(10)
        self.proc = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def own_redis(settings: Any) -> Iterator[RedisServer]:
    """A private Redis, used by this test process's broadcasts too."""
    redis = RedisServer()
    layers = {
        "default": {**settings.CHANNEL_LAYERS["default"], "CONFIG": {"hosts": [{"address": redis.url}]}},
    }
    settings.CHANNEL_LAYERS = layers
    channel_layers.backends.clear()
    try:
        yield redis
    finally:
        channel_layers.backends.clear()
        redis.close()


def test_followers_get_every_event_once_across_a_redis_restart(ada, lab, token, own_redis):
    # Two sockets in one daphne: the consumer whose read fails closes (4503) and its client reconnects;
    # the other may find Redis back and carry on without its group, until it rejoins (every 2 s here,
    # instead of 30, to keep the test short) and catches up. Either way every event arrives once.
    server = Server(REDIS_URL=own_redis.url, TESSERA_WS_REFRESH_SECONDS="2")
    run = _queued_run(ada, lab)
    followers = [Follower(lambda: server.ws_url, run.pk, token) for _ in range(2)]
    try:
        for f in followers:
            f.open(time.monotonic() + 30)
        before = _progress(run.pk, 0.1)
        for f in followers:
            f.next_event()

        own_redis.stop()
        while_down = _progress(run.pk, 0.2)  # recorded; its broadcast fails
        own_redis.start()
        after = _progress(run.pk, 0.3)
        for f in followers:
            f.next_event(), f.next_event()
        marker = _progress(run.pk, 0.4)
        for f in followers:
            f.next_event()
    finally:
        for f in followers:
            f.close()
        server.stop()

    for f in followers:
        assert [e["seq"] for e in f.events] == [before, while_down, after, marker]
        assert all(code not in FINAL for code in f.closes)


def test_a_socket_whose_group_redis_forgot_rejoins_and_catches_up(ada, lab, token, own_redis):
    # No error reaches the consumer here: Redis simply loses the group (as after a restart without its
    # data), so the socket stays open and only rejoining (every 2 s here) brings its events back.
    server = Server(REDIS_URL=own_redis.url, TESSERA_WS_REFRESH_SECONDS="2")
    run = _queued_run(ada, lab)
    follower = Follower(lambda: server.ws_url, run.pk, token)
    try:
        follower.open(time.monotonic() + 30)
        subprocess.run(["redis-cli", "-p", str(own_redis.port), "flushall"], check=True, capture_output=True)
        lost = _progress(run.pk, 0.1)  # broadcast to a group nobody is in any more
        got = [follower.next_event()["seq"]]
        marker = _progress(run.pk, 0.2)
        got.append(follower.next_event()["seq"])
    finally:
        follower.close()
        server.stop()

    assert got == [lost, marker]
    assert follower.closes == []


def test_a_follower_gets_every_event_once_across_a_daphne_restart(ada, lab, token):
    servers = [Server()]
    run = _queued_run(ada, lab)
    follower = Follower(lambda: servers[-1].ws_url, run.pk, token)
    try:
        follower.open(time.monotonic() + 30)
        before = _progress(run.pk, 0.1)
        got = [follower.next_event()["seq"]]

        servers[-1].stop()
        while_down = [_progress(run.pk, 0.2), _progress(run.pk, 0.3)]
        servers.append(Server())  # the new daphne (on a new port; the client follows the URL)
        got.append(follower.next_event()["seq"])
        got.append(follower.next_event()["seq"])
        after = _progress(run.pk, 0.4)
        got.append(follower.next_event()["seq"])
    finally:
        follower.close()
        for s in servers:
            with contextlib.suppress(Exception):
                s.stop()

    assert got == [before, *while_down, after]
    assert [e["seq"] for e in follower.events] == got
    assert len(follower.closes) == 1 and follower.closes[0] not in FINAL
    assert len(follower.snapshots) == 2
