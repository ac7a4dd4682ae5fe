"""Scoring under load and faults (issue 14): each process holds at most its pool of PostgreSQL connections,
overload answers 503 with Retry-After (never 500), every call is recorded (errors included, with the time
from accept to answer), and a killed scoring worker loses no call.

Real processes on the test database: gunicorn scoring servers as ``scripts/score`` starts them, and
daphne. The test makes the database slow by holding a lock on the endpoints table, so requests hold
their connections (or their thread) exactly as long as the test wants: no timings, only orderings.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import psutil
import psycopg
import pytest
from django.db import connection
from rest_framework.authtoken.models import Token

from designer.endpoints import services
from designer.endpoints.models import Endpoint, EndpointCall
from designer.endpoints.recorder import CallRecorder, CallSpool, _write_calls, call_record
from designer.pipelines.services import create_pipeline
from tests.support.pipelines import document
from tests.support.processes import Server

from .conftest import ScriptScoringServer

pytestmark = pytest.mark.django_db(transaction=True)


# -- helpers ---------------------------------------------------------------------------------------


def database_url(application: str) -> str:
    """The test database, with an application name that tells this server's connections apart."""
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}?application_name={application}"


def backends(application: str, waiting_on_lock: bool = False) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "select count(*) from pg_stat_activity where datname = current_database() and application_name = %s"
            + (" and wait_event_type = 'Lock'" if waiting_on_lock else ""),
            [application],
        )
        return int(cursor.fetchone()[0])


@contextmanager
def endpoints_locked() -> Iterator[None]:
    """A slow database: no one reads the endpoints table until the block ends."""
    db = connection.settings_dict
    with psycopg.connect(
        host=db["HOST"], port=db["PORT"], user=db["USER"], dbname=db["NAME"], autocommit=False
    ) as locker:
        locker.execute("lock table endpoints_endpoint in access exclusive mode")
        try:
            yield
        finally:
            locker.rollback()


def wait_until(check: Callable[[], bool], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise TimeoutError(f"waited {timeout} s for {what}")


def calls(count: int) -> list[EndpointCall]:
    wait_until(lambda: EndpointCall.objects.count() >= count, f"{count} call records")
    return list(EndpointCall.objects.order_by("at", "id"))


@pytest.fixture
def boom(owner: Any, workspace: Any, tmp_path: Path) -> Endpoint:
    """An endpoint that scores ``x`` and fails inside the engine (an unexpected OSError in a module, not a
    module error) for a row with ``x = 0``: the poison-rows module's counter path is a directory."""
    graph = document(
        [
            ("in", "web_service_input", {"columns": [{"name": "x", "type": "number"}]}),
            ("poison", "test_poison_rows", {"column": "x", "value": 0, "counter": str(tmp_path)}),
            ("out", "web_service_output", {}),
        ],
        ["in.request -> poison.dataset", "poison.result -> out.dataset"],
    )
    pipeline = create_pipeline(owner, workspace, "Boom", document=graph)
    return services.create_endpoint(workspace=workspace, user=owner, name="boom", pipeline=pipeline)


def rows(*xs: float) -> dict[str, Any]:
    return {"Inputs": {"WebServiceInput0": [{"x": x} for x in xs]}, "GlobalParameters": {}}


def score(url: str, endpoint: Endpoint, body: dict[str, Any], key: str | None = None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {key or endpoint.primary_key}"}
    return httpx.post(f"{url}/endpoints/{endpoint.name}/score", json=body, headers=headers, timeout=60)


@contextmanager
def running(server: Server) -> Iterator[Server]:
    try:
        yield server
    finally:
        server.stop()


def worker_pids(server: Server) -> set[int]:
    """The gunicorn master's workers (not its call-record flusher process)."""
    path = Path(f"/proc/{server.proc.pid}/task/{server.proc.pid}/children")
    children = {int(p) for p in path.read_text().split()}
    return {pid for pid in children if b"designer.endpoints.flusher" not in _cmdline(pid)}


def flusher_pids(server: Server) -> set[int]:
    path = Path(f"/proc/{server.proc.pid}/task/{server.proc.pid}/children")
    children = {int(p) for p in path.read_text().split()}
    return {pid for pid in children if b"designer.endpoints.flusher" in _cmdline(pid)}


def database_connections(pid: int) -> list[Any]:
    """The TCP connections process ``pid`` holds to the test database's port."""
    port = int(connection.settings_dict["PORT"] or 5432)
    return [c for c in psutil.Process(pid).net_connections("tcp") if c.raddr and c.raddr.port == port]


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:
        return b""


def accept_backlog(port: int) -> int:
    """Connections waiting in the kernel for the listening socket on ``port`` to accept them."""
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, state, queues = fields[1], fields[3], fields[4]
        if state == "0A" and int(local.split(":")[1], 16) == port:
            return int(queues.split(":")[1], 16)
    raise LookupError(f"nothing listens on port {port}")


def raw_post(sock: socket.socket, endpoint: Endpoint, body: dict[str, Any]) -> None:
    data = json.dumps(body).encode()
    head = (
        f"POST /endpoints/{endpoint.name}/score HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Authorization: Bearer {endpoint.primary_key}\r\nContent-Length: {len(data)}\r\nConnection: close\r\n\r\n"
    )
    sock.sendall(head.encode() + data)


def raw_status(sock: socket.socket) -> int:
    answer = b""
    while chunk := sock.recv(65536):
        answer += chunk
    return int(answer.split(b" ", 2)[1])


# -- every call is recorded, failures included, with the time from accept --------------------------


def test_a_failure_inside_scoring_answers_500_and_is_recorded_counted_and_timed_from_accept(
    boom: Endpoint, as_viewer: Any
) -> None:
    server = ScriptScoringServer(workers=1, TESSERA_CALL_FLUSH_SECONDS="0.2", TESSERA_METRICS_TOKEN="scrape")
    with running(server):
        ok = score(server.url, boom, rows(1, 2))
        failed = score(server.url, boom, rows(1, 0))
        unauthorized = score(server.url, boom, rows(1), key="wrong")
        not_post = httpx.get(f"{server.url}/endpoints/boom/score")
        recorded = calls(4)
        metrics = httpx.get(f"{server.url}/metrics", headers={"Authorization": "Bearer scrape"}).text
    monitoring = as_viewer.get(f"/api/endpoints/{boom.pk}/monitoring/?minutes=60").json()

    assert ok.status_code == 200 and ok.json()["Results"]["WebServiceOutput0"] == [{"x": 1.0}, {"x": 2.0}]
    assert failed.status_code == 500 and failed.json()["error"]["message"] == "Module Executing Error"
    assert (unauthorized.status_code, not_post.status_code) == (401, 405)
    assert sorted((c.status, c.error_kind, c.rows) for c in recorded) == [
        (200, "", 2),
        (401, "unauthorized", 0),
        (405, "method", 0),
        (500, "internal", 0),
    ]
    # the scoring server's worker class stamps every request: the time from accept covers the in-app time
    assert all(c.total_ms is not None and c.total_ms >= c.latency_ms for c in recorded)
    assert monitoring["totals"]["errors"] == 3
    assert monitoring["totals"]["errors_by_kind"] == {"internal": 1, "method": 1, "unauthorized": 1}
    assert monitoring["totals"]["total_p50_ms"] is not None
    assert {c["total_ms"] is not None for c in monitoring["recent"]} == {True}
    assert 'tessera_endpoint_errors_total{endpoint="boom",kind="internal"} 1.0' in metrics
    assert 'tessera_endpoint_requests_total{endpoint="boom",status="500"} 1.0' in metrics
    assert 'tessera_endpoint_total_latency_seconds_count{endpoint="boom"} 4.0' in metrics
    assert 'tessera_endpoint_latency_seconds_count{endpoint="boom"} 4.0' in metrics


def test_waiting_for_a_busy_thread_is_in_the_time_from_accept_and_not_in_the_in_app_latency(boom: Endpoint) -> None:
    application = f"t-{uuid.uuid4().hex[:10]}"
    server = ScriptScoringServer(
        workers=1,
        threads=1,
        DATABASE_URL=database_url(application),
        TESSERA_CALL_FLUSH_SECONDS="0.2",
        TESSERA_ENDPOINT_CACHE_SECONDS="0",  # every call reads the endpoint row: a locked table holds the thread
    )
    with running(server), ThreadPoolExecutor(1) as pool:
        score(server.url, boom, rows(1, 2, 3))  # the pipeline is loaded; the server's only thread is free
        calls(1)  # and its record written: the recorder does not wait on the locked table below as well
        with endpoints_locked():
            first = pool.submit(score, server.url, boom, rows(1))  # takes the thread, waits on the database
            wait_until(lambda: backends(application, waiting_on_lock=True) == 1, "the first call to hold the thread")
            second = socket.create_connection(("127.0.0.1", server.port))
            wait_until(lambda: accept_backlog(server.port) == 0, "the second connection to be accepted")
            raw_post(second, boom, rows(1, 2))
        # the database is free again: the first call is answered, then the second gets the thread
        with second:
            second_status = raw_status(second)
        recorded = {c.rows: c for c in calls(3)}
    one, two = recorded[1], recorded[2]

    assert (first.result().status_code, second_status) == (200, 200)
    # the second call was accepted before the first was answered, and its in-app time began after that
    assert two.at.timestamp() - two.total_ms / 1000 < one.at.timestamp()
    assert one.at.timestamp() <= two.at.timestamp() - two.latency_ms / 1000
    assert two.total_ms > two.latency_ms


# -- bounded connections, 503 on overload ----------------------------------------------------------


def _flood(url: str, endpoint: Endpoint, count: int, application: str) -> tuple[list[httpx.Response], int, int]:
    """``count`` concurrent calls while the database is slow: the answers, the most connections the server
    held at any time, and how many of them waited on the database once the refused calls were answered."""
    most = 0
    with ThreadPoolExecutor(count) as pool:
        with endpoints_locked():
            futures: list[Future[httpx.Response]] = [pool.submit(score, url, endpoint, rows(1)) for _ in range(count)]

            def refused_answered() -> bool:
                nonlocal most
                most = max(most, backends(application))
                return sum(f.done() for f in futures) >= count - 3

            wait_until(refused_answered, "the calls with no connection to be answered")
            waiting = backends(application, waiting_on_lock=True)
            most = max(most, backends(application))
        answers = [f.result() for f in futures]
    return answers, most, waiting


def test_the_master_that_loads_the_app_for_its_workers_holds_no_database_connection(boom: Endpoint) -> None:
    """The master loads the app once (--preload) and forks the workers from it: it starts no call-recorder
    thread of its own, which would write calls with connections outside every worker's pool (the bound
    above) and could hold the recorder's lock across a fork. Calls made at once after start, before the
    flusher process's first pass (3 s after start), are where such a thread would write first."""
    application = f"t-{uuid.uuid4().hex[:10]}"
    server = ScriptScoringServer(
        workers=1, threads=2, DATABASE_URL=database_url(application), TESSERA_CALL_FLUSH_SECONDS="0.1"
    )
    with running(server):
        for x in range(1, 11):
            assert score(server.url, boom, rows(x)).status_code == 200
        assert len(calls(10)) == 10
        (worker,) = worker_pids(server)
        held, in_worker = database_connections(server.proc.pid), database_connections(worker)

    assert held == []
    assert in_worker  # the calls' connections are the worker's (its pool keeps at least one open)


def test_a_scoring_server_holds_at_most_its_pool_and_answers_the_rest_503_with_retry_after(boom: Endpoint) -> None:
    application = f"t-{uuid.uuid4().hex[:10]}"
    server = ScriptScoringServer(
        workers=1,
        threads=8,
        DATABASE_URL=database_url(application),
        TESSERA_DB_POOL_MAX="3",
        TESSERA_DB_POOL_TIMEOUT="2",
        TESSERA_CALL_FLUSH_SECONDS="0.2",
    )
    with running(server):
        answers, most, waiting = _flood(server.url, boom, 8, application)
        recorded = calls(8)

    statuses = sorted(a.status_code for a in answers)
    refused = [a for a in answers if a.status_code == 503]
    assert statuses == [200] * 3 + [503] * 5
    assert most <= 3 and waiting == 3
    assert {a.headers["Retry-After"] for a in refused} == {"1"}
    assert {a.json()["error"]["details"][0]["cause"] for a in refused} == {"database_pool_timeout"}
    assert {a.json()["error"]["code"] for a in refused} == {503}
    # refused before the endpoint could be looked up, and recorded all the same, by name
    assert (
        sorted((c.status, c.error_kind, c.endpoint_id) for c in recorded)
        == [(200, "", boom.pk)] * 3 + [(503, "overloaded", boom.pk)] * 5
    )


def test_without_a_pool_every_call_in_flight_holds_a_connection(boom: Endpoint) -> None:
    """The same flood with the pool off (TESSERA_DB_POOL_MAX=0): what the bound above prevents."""
    application = f"t-{uuid.uuid4().hex[:10]}"
    server = ScriptScoringServer(workers=1, threads=8, DATABASE_URL=database_url(application), TESSERA_DB_POOL_MAX="0")
    with running(server), ThreadPoolExecutor(8) as pool:
        with endpoints_locked():
            futures = [pool.submit(score, server.url, boom, rows(1)) for _ in range(8)]
            wait_until(lambda: backends(application, waiting_on_lock=True) == 8, "8 connections")
        assert [f.result().status_code for f in futures] == [200] * 8


def test_the_web_app_answers_503_with_retry_after_on_api_and_scoring_routes_when_its_pool_is_taken(
    boom: Endpoint, owner: Any
) -> None:
    application = f"t-{uuid.uuid4().hex[:10]}"
    token = Token.objects.create(user=owner).key
    server = Server(DATABASE_URL=database_url(application), TESSERA_DB_POOL_MAX="1", TESSERA_DB_POOL_TIMEOUT="1")
    api = {"Authorization": f"Token {token}"}
    with running(server), ThreadPoolExecutor(1) as pool:
        assert httpx.get(f"{server.url}/api/workspaces/", headers=api).status_code == 200
        with endpoints_locked():
            holder = pool.submit(score, server.url, boom, rows(1))
            wait_until(lambda: backends(application, waiting_on_lock=True) == 1, "a call to hold the connection")
            listing = httpx.get(f"{server.url}/api/workspaces/", headers=api, timeout=60)
            scoring = score(server.url, boom, rows(1))
            assert not holder.done()
        after = httpx.get(f"{server.url}/api/workspaces/", headers=api)

    assert holder.result().status_code == 200
    assert listing.status_code == 503 and listing.headers["Retry-After"] == "1"
    assert listing.json()["code"] == "overloaded" and listing.json()["cause"] == "database_pool_timeout"
    assert "no database connection came free" in listing.json()["detail"]
    assert scoring.status_code == 503 and scoring.headers["Retry-After"] == "1"
    assert scoring.json()["error"]["details"] == [{"cause": "database_pool_timeout", "retry_after": 1}]
    assert after.status_code == 200


def test_the_web_app_records_the_time_from_the_request_reaching_it_beside_the_in_app_latency(boom: Endpoint) -> None:
    # Daphne hands the request to the app at once; what then waits (for a thread of the app's executor,
    # for a database connection) is inside the time from accept, not all of it inside the view's latency
    server = Server(TESSERA_CALL_FLUSH_SECONDS="0.2")
    with running(server):
        answers = [score(server.url, boom, rows(1, 2)).status_code for _ in range(3)]
        wait_until(lambda: EndpointCall.objects.filter(endpoint=boom).count() == 3, "three calls recorded")

    assert answers == [200, 200, 200]
    recorded = list(EndpointCall.objects.filter(endpoint=boom))
    assert all(c.total_ms is not None and c.total_ms >= c.latency_ms for c in recorded), [
        (c.latency_ms, c.total_ms) for c in recorded
    ]


# -- no call lost when a scoring worker is killed --------------------------------------------------


def _traffic(url: str, endpoint: Endpoint) -> list[int]:
    answers = [score(url, endpoint, rows(1, 2)) for _ in range(5)]
    answers += [score(url, endpoint, rows(0)), score(url, endpoint, rows(1), key="wrong")]
    answers.append(httpx.post(f"{url}/endpoints/nobody/score", json=rows(1)))  # no endpoint: not recorded
    return [a.status_code for a in answers]


EXPECTED = [(200, "", 2)] * 5 + [(401, "unauthorized", 0), (500, "internal", 0)]


def test_a_sigkilled_scoring_worker_loses_none_of_the_calls_it_answered(boom: Endpoint) -> None:
    # an hour between flushes: without the spool every call below would die with the worker
    server = ScriptScoringServer(workers=1, TESSERA_CALL_FLUSH_SECONDS="3600")
    with running(server):
        statuses = _traffic(server.url, boom)
        before = EndpointCall.objects.count()
        (killed,) = worker_pids(server)
        os.kill(killed, signal.SIGKILL)
        # gunicorn starts a new worker, whose recorder writes what the killed one spooled
        recorded = calls(7)
        assert killed not in worker_pids(server)

    assert statuses == [200] * 5 + [500, 401, 404]
    assert before == 0
    assert sorted((c.status, c.error_kind, c.rows) for c in recorded) == EXPECTED
    assert len({c.call_id for c in recorded}) == 7 and EndpointCall.objects.count() == 7


def test_a_sigtermed_scoring_server_writes_every_call_before_it_exits(boom: Endpoint) -> None:
    server = ScriptScoringServer(workers=2, TESSERA_CALL_FLUSH_SECONDS="3600")
    with running(server):
        statuses = _traffic(server.url, boom)
        before = EndpointCall.objects.count()
    # running() stopped it with SIGTERM and waited for it to exit: the records are in, none started since
    recorded = list(EndpointCall.objects.all())

    assert statuses == [200] * 5 + [500, 401, 404]
    assert before == 0
    assert sorted((c.status, c.error_kind, c.rows) for c in recorded) == EXPECTED


def test_a_batch_written_by_a_flusher_killed_before_it_cleared_the_spool_is_kept_once(
    boom: Endpoint, tmp_path: Path
) -> None:
    spool = CallSpool(tmp_path / "calls.sqlite3")
    record = call_record(
        endpoint_id=None,
        endpoint_name="boom",
        status=200,
        latency_ms=1.0,
        total_ms=None,
        rows=1,
        error_kind="",
        style="azure",
        noted={},
    )
    spool.append(json.dumps(record))
    # a first flusher leases the batch and writes it, then dies before deleting it from the spool
    leased = spool.lease(10)
    recorder = CallRecorder(tmp_path / "calls.sqlite3")
    _write_calls([json.loads(body) for _, body in leased])
    spool.release([row_id for row_id, _ in leased])  # its lease runs out

    written = recorder.flush()

    assert written == 1 and spool.count() == 0
    assert list(EndpointCall.objects.values_list("endpoint_id", "status")) == [(boom.pk, 200)]


@pytest.mark.parametrize("beside_a_flusher_process", [True, False], ids=["worker", "alone"])
def test_a_process_beside_a_flusher_process_leaves_checkpoints_to_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, beside_a_flusher_process: bool
) -> None:
    # given a process recording calls, with or without a flusher process beside it
    from designer.endpoints.recorder import FLUSHER_ENV

    if beside_a_flusher_process:
        monkeypatch.setenv(FLUSHER_ENV, "process")
    else:
        monkeypatch.delenv(FLUSHER_ENV, raising=False)
    path = tmp_path / "calls.sqlite3"
    spool = CallSpool(path)

    # when it appends ~12 MB of records, three times SQLite's 1,000-page checkpoint mark
    for _ in range(3000):
        spool.append(json.dumps({"body": "x" * 4000}))

    # then beside a flusher process no append checkpointed (the log holds every page); alone, SQLite's own
    # checkpoints kept the log near its mark
    wal = Path(f"{path}-wal")
    pages = wal.stat().st_size / 4096
    assert pages > 2500 if beside_a_flusher_process else pages < 1500, pages
    # and the flusher's checkpoint copies the whole log back into the spool file
    monkeypatch.delenv(FLUSHER_ENV, raising=False)  # the flusher process's own connection
    CallRecorder(path).checkpoint()
    busy, logged, copied = sqlite3.connect(path).execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    assert busy == 0 and logged == copied
    assert spool.count() == 3000


def test_under_concurrent_load_a_flusher_process_records_every_call_and_its_samples_then_exits_with_the_server(
    boom: Endpoint,
) -> None:
    from designer.endpoints.models import EndpointSample

    server = ScriptScoringServer(workers=2, threads=2, TESSERA_CALL_FLUSH_SECONDS="0.2")
    with running(server):
        (flusher,) = flusher_pids(server)
        wait_until(lambda: len(worker_pids(server)) == 2, "both workers forked")  # the first may answer alone
        with httpx.Client(timeout=60) as client, ThreadPoolExecutor(8) as pool:
            url = f"{server.url}/endpoints/boom/score"
            headers = {"Authorization": f"Bearer {boom.primary_key}"}
            answers = list(pool.map(lambda i: client.post(url, json=rows(i + 1), headers=headers), range(300)))
        # written by the flusher process while the server runs (the workers only append to the spool)
        recorded = calls(300)
        wait_until(lambda: EndpointSample.objects.filter(endpoint=boom).exists(), "a drift sample")
    stat = Path(f"/proc/{flusher}/stat")
    assert not stat.exists() or stat.read_bytes().rsplit(b")", 1)[1].split()[0] == b"Z"  # gone with the server

    assert [a.status_code for a in answers] == [200] * 300
    assert len(recorded) == 300 and len({c.call_id for c in recorded}) == 300
    assert sorted(c.rows for c in recorded) == [1] * 300 and {c.status for c in recorded} == {200}
    sample = EndpointSample.objects.filter(endpoint=boom).first()
    assert sample is not None and sample.input == "WebServiceInput0"
    assert len(sample.rows) == 1 and set(sample.rows[0]) == {"x"} and 1 <= sample.rows[0]["x"] <= 300
