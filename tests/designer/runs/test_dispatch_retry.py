"""A node message the broker could not take is sent again as soon as the broker answers, not only by the
lost-message re-dispatch (TESSERA_REDISPATCH_AFTER_SECONDS later).

The broker is a Redis server of this test's own on a free port, stopped and started again on that port
(the shared Redis other tests use is never touched); the web server and the worker both use it.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
import redis
from rest_framework.authtoken.models import Token

from designer.pipelines.services import create_pipeline
from designer.runs import services
from designer.runs.models import NodeRun
from tests.designer.conftest import _purge_queues
from tests.support.pipelines import document
from tests.support.processes import LOG_DIR, Server, Worker, free_port

from .conftest import node_status, wait_for_run

S = NodeRun.Status


class RedisServer:
    """A throwaway redis-server on one port, without persistence: stopping it loses what it held."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        cmd = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        log = open(LOG_DIR / f"redis-{self.port}.log", "ab")  # noqa: SIM115 - the process holds it
        self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
        _until(lambda: self._answers(), f"redis-server on {self.port} did not start")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
        assert not self._answers()

    def _answers(self) -> bool:
        try:
            return bool(redis.Redis(port=self.port, socket_connect_timeout=0.5).ping())
        except redis.ConnectionError:
            return False


def _until(check: Callable[[], Any], message: str, timeout: float = 60) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := check():
            return value
        time.sleep(0.1)
    raise TimeoutError(message)


@pytest.fixture
def own_redis() -> Iterator[RedisServer]:
    server = RedisServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.mark.workers
@pytest.mark.django_db(transaction=True)
def test_a_node_whose_message_could_not_be_sent_runs_once_the_broker_is_back(own_redis, ada, lab):
    # given a web server and a worker on our own Redis, the worker sending a lost message again only
    # after 10 minutes, and a run whose first node is running
    web = Server(REDIS_URL=own_redis.url)
    worker = Worker("broker-down", REDIS_URL=own_redis.url, TESSERA_REDISPATCH_AFTER_SECONDS="600")
    token = Token.objects.create(user=ada)
    try:
        worker.wait_ready()
        # two children: the worker runs one itself when "first" ends, and must send the other's message
        doc = document(
            [
                ("first", "test_sleep", {"seconds": 3}),
                ("second", "test_sleep", {"seconds": 0}),
                ("third", "test_sleep", {"seconds": 0}),
            ],
            ["first.result -> second.dataset", "first.result -> third.dataset"],
        )
        pipeline = create_pipeline(ada, lab, "Broker down", document=doc)
        with httpx.Client(base_url=web.url, headers={"Authorization": f"Token {token.key}"}, timeout=30) as http:
            created = http.post("/api/runs/", json={"pipeline": pipeline.pk})
            assert created.status_code == 201, created.text
            run_id = created.json()["id"]
            nodes = NodeRun.objects.filter(run_id=run_id)
            _until(lambda: nodes.filter(node_id="first", status=S.RUNNING).exists(), "first never ran")

            # when the broker goes away while it runs, so the message of the child it does not take cannot be sent
            own_redis.stop()
            unsent = _until(
                lambda: next(
                    (n for n in nodes.filter(node_id__in=["second", "third"]) if "could not be sent" in n.log), None
                ),
                f"the worker never failed to send a child's message: {worker.log_path}",
            )
            assert nodes.get(node_id="first").status == S.COMPLETED
            assert nodes.get(pk=unsent.pk).status == S.QUEUED
            # and comes back, empty
            own_redis.start()

            # then the message is sent at once and the run completes (the lost-message path would
            # have waited 10 minutes)
            done = wait_for_run(http, run_id, timeout=120)
        assert done["status"] == "completed", done
        assert node_status(done) == {"first": "completed", "second": "completed", "third": "completed"}
        unsent.refresh_from_db()
        assert unsent.attempt == 1 and unsent.redispatches == 0
        assert "its message was sent now that the broker answers again" in unsent.log
    finally:
        worker.stop()
        web.stop()


@pytest.mark.django_db(transaction=True)
def test_an_unsent_message_is_sent_by_one_reaper_pass_only(ada, lab):
    # given a queued node whose message the broker did not take (as the failed send records it)
    doc = document([("only", "test_sleep", {"seconds": 0})], [])
    run = services.submit_run(user=ada, pipeline=create_pipeline(ada, lab, "Unsent", document=doc))
    _purge_queues()
    node = run.nodes.get()
    services._mark_unsent([(node.pk, node.attempt, node.queue)], "OperationalError: connection refused")
    node.refresh_from_db()
    assert node.status == S.QUEUED and node.dispatched_at is None

    # when two reaper passes follow each other (two workers, or one twice)
    first = services.redispatch_lost()
    second = services.redispatch_lost()

    # then the first sends it, once, and the second finds nothing to send
    assert (first, second) == ([node.pk], [])
    node.refresh_from_db()
    assert node.dispatched_at is not None and node.redispatches == 0
    assert node.log.count("sent now that the broker answers again") == 1
    assert _queued_messages("cpu") == 1


def _queued_messages(queue: str) -> int:
    from designer.celery import app

    with app.connection_for_write() as conn:
        return int(conn.default_channel.queue_declare(queue, passive=True).message_count)
