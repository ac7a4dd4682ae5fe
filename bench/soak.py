"""Load and faults, end to end, on this machine: what a production-like deployment must survive.

Real processes throughout: PostgreSQL (the benchmark database), a Redis server of its own on a free port
(so it can be restarted without touching anyone else's), Daphne serving the web app, a scoring server as
``scripts/score`` starts it, and two Celery workers. Three phases, each printing what it saw:

1. **Scoring under load**: ``--clients`` concurrent clients (200) for ``--seconds`` (60) on the web app's
   scoring route and then on the scoring server, one row per call. Counted: answers by status (a 5xx
   fails the phase), the most PostgreSQL connections the benchmark database held (sampled every 0.25 s
   from ``pg_stat_activity``), and whether the call records equal the answers the clients received.
2. **A live socket through restarts**: a run of sleeping nodes lasting ``--socket-minutes`` (10), followed
   over its WebSocket as the browser does (reconnect with ``?after=<last seq>``), while short runs are
   submitted and followed too; Redis is restarted at a third of the time and Daphne at two thirds.
   Every run must end, and every client must have received each of its run's events exactly once.
3. **Worker kills**: ``--kills`` (5) runs whose node's worker is SIGKILLed mid-node; every run must end
   completed, on the replacement worker.

Prints the figures, a PASS/FAIL line per phase, and the load average. Needs PostgreSQL on 127.0.0.1 and
``redis-server`` on the PATH (``scripts/services`` installs both). Usage:
    .venv/bin/python bench/soak.py [--clients 200] [--seconds 60] [--socket-minutes 10] [--kills 5]
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
WORK = Path(tempfile.mkdtemp(prefix="tessera-soak-"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_port(port: int, proc: subprocess.Popen[bytes], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"{what} exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"{what} did not listen on {port} within {timeout} s")


class Redis:
    """A redis-server of the soak's own, without persistence: a restart empties it, as the issue's did."""

    def __init__(self) -> None:
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        log = open(WORK / "redis.log", "ab")  # noqa: SIM115 - the process keeps it
        self.proc = subprocess.Popen(
            [binary, "--port", str(self.port), "--save", "", "--appendonly", "no", "--bind", "127.0.0.1"],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_port(self.port, self.proc, "redis-server")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)


REDIS = Redis()
REDIS.start()
os.environ["BENCH_REDIS_URL"] = f"redis://127.0.0.1:{REDIS.port}/0"
os.environ.setdefault("TESSERA_EXTRA_MODULES", "tests.support.test_modules")  # the sleeping node

from bench.common import bench_workspace  # noqa: E402  (sets the environment first)


class Daphne:
    """The web app on a fixed port, so that a restarted one answers the same URL."""

    def __init__(self) -> None:
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        from tests.support.processes import BIN, service_env

        log = open(WORK / "daphne.log", "ab")  # noqa: SIM115 - the process keeps it
        self.proc = subprocess.Popen(
            [str(BIN / "daphne"), "-b", "127.0.0.1", "-p", str(self.port), "designer.asgi:application"],
            cwd=ROOT,
            env=service_env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_port(self.port, self.proc, "daphne")

    def stop(self) -> float:
        """SIGTERM; the seconds until it exited (SIGKILL after 30 s: then the figure says 30+)."""
        if not self.proc or self.proc.poll() is not None:
            return 0.0
        t0 = time.monotonic()
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(5)
        return time.monotonic() - t0


# -- phase 1: scoring under load ------------------------------------------------------------------


def database_connections(name: str) -> int:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        row = conn.execute("select count(*) from pg_stat_activity where datname = %s", (name,)).fetchone()
        return int(row[0]) if row else 0


class Sampler(threading.Thread):
    """The most connections ``database`` holds, sampled every 0.25 s until ``finish()``."""

    def __init__(self, database: str) -> None:
        super().__init__(daemon=True)
        self.database = database
        self.peak = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            self.peak = max(self.peak, database_connections(self.database))
            time.sleep(0.25)

    def finish(self) -> int:
        self.done.set()
        self.join()
        return self.peak


def hammer(port: int, path: str, headers: dict[str, str], body: bytes, clients: int, seconds: float) -> dict[str, Any]:
    """``clients`` threads, one call in flight each, for ``seconds``; answers by status and latencies."""
    statuses: Counter[int] = Counter()
    latencies: list[float] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client() -> None:
        mine: Counter[int] = Counter()
        waited: list[float] = []
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while time.monotonic() < deadline:
            t0 = time.perf_counter()
            try:
                conn.request("POST", path, body=body, headers=headers)
                answer = conn.getresponse()
                answer.read()
                mine[answer.status] += 1
                waited.append((time.perf_counter() - t0) * 1000)
                if answer.getheader("Connection", "").lower() == "close":
                    conn.close()
            except (OSError, http.client.HTTPException):
                mine[0] += 1  # no answer at all: refused, reset or timed out
                conn.close()
                time.sleep(0.05)
        conn.close()
        with lock:
            statuses.update(mine)
            latencies.extend(waited)

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 90)
    return {"statuses": statuses, "latencies": latencies}


def scoring_phase(args: argparse.Namespace, endpoint: Any, row: dict[str, Any], daphne: Daphne, db_name: str) -> bool:
    from designer.endpoints.models import EndpointCall
    from tests.support.processes import ScoringServer

    scoring = ScoringServer(workers=2)
    body = json.dumps({"Inputs": {"WebServiceInput0": [row]}, "GlobalParameters": {}}).encode()
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {endpoint.primary_key}"}
    ok = True
    try:
        for label, port in (("web app (daphne)", daphne.port), ("scoring server (scripts/score)", scoring.port)):
            before = EndpointCall.objects.filter(endpoint=endpoint).count()
            sampler = Sampler(db_name)
            sampler.start()
            seen = hammer(port, f"/endpoints/{endpoint.name}/score", headers, body, args.clients, args.seconds)
            peak = sampler.finish()
            answered = sum(n for status, n in seen["statuses"].items() if status)
            recorded = wait_recorded(EndpointCall, endpoint, before + answered) - before
            fives = sum(n for status, n in seen["statuses"].items() if status >= 500)
            lat = sorted(seen["latencies"])
            p50 = lat[len(lat) // 2] if lat else float("nan")
            p99 = lat[int(len(lat) * 0.99)] if lat else float("nan")
            statuses = ", ".join(f"{s or 'no answer'}: {n:,}" for s, n in sorted(seen["statuses"].items()))
            passed = fives == 0 and seen["statuses"][0] == 0 and recorded == answered
            ok &= passed
            calls = EndpointCall.objects.filter(endpoint=endpoint).order_by("-id")[:recorded]
            in_app = statistics.median(c.latency_ms for c in calls) if recorded else float("nan")
            totals = [c.total_ms for c in calls if c.total_ms is not None]
            accept = f"{statistics.median(totals):,.0f} ms" if totals else "not measured"
            print(f"  {label}: {args.clients} clients × {args.seconds:.0f} s — answers {statuses}")
            print(f"    recorded p50: in the app {in_app:,.1f} ms, from accept {accept}")
            print(f"    client-side latency p50 {p50:,.0f} ms, p99 {p99:,.0f} ms; most database connections "
                  f"held {peak}; call records {recorded:,} of {answered:,} answers  "
                  f"{'PASS' if passed else 'FAIL'}")  # fmt: skip
    finally:
        t0 = time.monotonic()
        scoring.stop()
        print(f"  scoring server: SIGTERM to exit {time.monotonic() - t0:.1f} s")
    return ok


def plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


def wait_recorded(model: Any, endpoint: Any, want: int, timeout: float = 30) -> int:
    deadline = time.monotonic() + timeout
    count = model.objects.filter(endpoint=endpoint).count()
    while count < want and time.monotonic() < deadline:
        time.sleep(0.5)
        count = model.objects.filter(endpoint=endpoint).count()
    return int(count)


# -- phase 2: a socket through restarts ------------------------------------------------------------


async def follow(url: str, run_id: int, token: str, until: float) -> dict[str, Any]:
    """Follow a run as the browser does: snapshot, events, and on a drop reconnect with ?after=<last seq>."""
    import websockets

    seqs: list[int] = []
    reconnects = 0
    last = 0
    covered: int | None = None  # what the first snapshot covered: the events after it must all arrive
    finished = False
    headers = {"Authorization": f"Token {token}"}
    origin = url.replace("ws://", "http://")
    while not finished and time.monotonic() < until:
        query = f"?after={last}" if last else ""
        try:
            async with websockets.connect(
                f"{url}/ws/runs/{run_id}/{query}", additional_headers=headers, origin=origin, open_timeout=10
            ) as ws:
                async for raw in ws:
                    message = json.loads(raw)
                    if message["type"] == "snapshot":
                        if covered is None:  # a resumed connection's snapshot: the replay follows it
                            covered = last = int(message.get("last_seq") or 0)
                        if message["run"]["status"] in ("completed", "failed", "cancelled"):
                            finished = True
                            break
                    elif message["type"] == "event":
                        seq = int(message["event"]["seq"])
                        seqs.append(seq)
                        last = max(last, seq)
                        if message["event"]["type"] == "run_finished":
                            finished = True
                            break
        except (OSError, websockets.ConnectionClosed, websockets.InvalidStatus, TimeoutError):
            pass
        if not finished:
            reconnects += 1
            await asyncio.sleep(1)
    return {"run": run_id, "seqs": seqs, "reconnects": reconnects, "finished": finished, "covered": covered or 0}


def socket_phase(args: argparse.Namespace, user: Any, workspace: Any, daphne: Daphne) -> bool:
    from rest_framework.authtoken.models import Token

    from designer.pipelines.services import create_pipeline
    from designer.runs.models import Run, RunEvent
    from designer.runs.services import submit_run
    from tests.support.pipelines import document

    token = Token.objects.get_or_create(user=user)[0].key
    minutes = args.socket_minutes
    nodes = max(2, int(minutes * 60 // 20))
    chain = [(f"s{i}", "test_sleep", {"seconds": minutes * 60 / nodes, "tag": f"s{i}"}) for i in range(nodes)]
    edges = [f"s{i}.result -> s{i + 1}.dataset" for i in range(nodes - 1)]
    long_pipeline = create_pipeline(user, workspace, f"soak long {time.time():.0f}", document=document(chain, edges))
    short_doc = document([("a", "test_sleep", {"seconds": 2}), ("b", "test_sleep", {"seconds": 1})],
                         ["a.result -> b.dataset"])  # fmt: skip
    short_pipeline = create_pipeline(user, workspace, f"soak short {time.time():.0f}", document=short_doc)
    url = f"ws://127.0.0.1:{daphne.port}"
    started = time.monotonic()
    until = started + minutes * 60 + 180
    runs = [submit_run(user=user, pipeline=long_pipeline).pk]
    restarts: list[str] = []

    async def main() -> list[dict[str, Any]]:
        tasks = [asyncio.create_task(follow(url, runs[0], token, until))]
        next_short, redis_done, daphne_done = started, False, False
        while time.monotonic() < started + minutes * 60:
            now = time.monotonic()
            if now >= next_short:
                run_id = await asyncio.to_thread(lambda: submit_run(user=user, pipeline=short_pipeline).pk)
                runs.append(run_id)
                tasks.append(asyncio.create_task(follow(url, run_id, token, until)))
                next_short = now + 30
            if not redis_done and now >= started + minutes * 20:
                await asyncio.to_thread(REDIS.stop)
                await asyncio.sleep(2)
                await asyncio.to_thread(REDIS.start)
                restarts.append(f"redis restarted at {now - started:.0f} s")
                redis_done = True
            if not daphne_done and now >= started + minutes * 40:
                took = await asyncio.to_thread(daphne.stop)
                await asyncio.to_thread(daphne.start)
                restarts.append(f"daphne restarted at {now - started:.0f} s, SIGTERM to exit {took:.1f} s")
                daphne_done = True
            await asyncio.sleep(1)
        return list(await asyncio.gather(*tasks))

    followed = asyncio.run(main())
    ok = True
    exact = 0
    for seen in followed:
        run = Run.objects.get(pk=seen["run"])
        stored = list(RunEvent.objects.filter(run=run).order_by("id").values_list("id", flat=True))
        terminal = run.is_terminal
        once = seen["seqs"] == sorted(set(seen["seqs"]))
        # everything after what the first snapshot covered arrived, once, in order
        complete = seen["seqs"] == [s for s in stored if s > seen["covered"]]
        exact += once and complete
        ok &= terminal and once and complete and seen["finished"]
        if not (terminal and once and complete and seen["finished"]):
            print(f"    run {run.pk}: {run.status}; received {len(seen['seqs'])} events, stored {len(stored)}; "
                  f"reconnects {seen['reconnects']}; once {once}; complete {complete}")  # fmt: skip
    reconnects = sum(s["reconnects"] for s in followed)
    print(f"  {len(followed)} runs followed over {minutes:g} min ({'; '.join(restarts)}); {reconnects} reconnects; "
          f"{exact} of {len(followed)} clients got every event of their run exactly once  "
          f"{'PASS' if ok else 'FAIL'}")  # fmt: skip
    return ok


# -- phase 3: worker kills -------------------------------------------------------------------------


def kill_phase(args: argparse.Namespace, user: Any, workspace: Any, pool: Any) -> bool:
    from designer.pipelines.services import create_pipeline
    from designer.runs.models import NodeRun, Run
    from designer.runs.services import submit_run
    from tests.support.pipelines import document

    pipeline = create_pipeline(user, workspace, f"soak kill {time.time():.0f}",
                               document=document([("slow", "test_sleep", {"seconds": 4})], []))  # fmt: skip
    took: list[float] = []
    outcomes: Counter[str] = Counter()
    for _ in range(args.kills):
        pool.ensure()
        run = submit_run(user=user, pipeline=pipeline, regenerate=["slow"])
        t0 = time.monotonic()
        node = None
        while time.monotonic() < t0 + 60:
            node = NodeRun.objects.filter(run=run, node_id="slow", status=NodeRun.Status.RUNNING).first()
            if node is not None and node.worker:
                break
            time.sleep(0.05)
        if node is None:
            outcomes["never started"] += 1
            continue
        time.sleep(1)  # mid-node
        pool.by_hostname(node.worker).kill()
        pool.ensure()
        while time.monotonic() < t0 + 300:
            run.refresh_from_db()
            if run.is_terminal:
                break
            time.sleep(0.2)
        outcomes[run.status] += 1
        took.append(time.monotonic() - t0)
    ok = outcomes.get(Run.Status.COMPLETED, 0) == args.kills
    spread = f"{min(took):.0f}-{max(took):.0f} s" if took else "-"
    print(
        f"  {args.kills} SIGKILLs mid-node: {dict(outcomes)}; submit to end {spread} "
        f"(median {statistics.median(took) if took else float('nan'):.0f} s)  {'PASS' if ok else 'FAIL'}"
    )
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--socket-minutes", type=float, default=10)
    parser.add_argument("--kills", type=int, default=5)
    args = parser.parse_args()
    load_before = os.getloadavg()

    user, workspace = bench_workspace()
    from django.db import connection

    from bench.scoring_vs_mlflow import deploy, train
    from designer.endpoints.models import Endpoint
    from tests.support.processes import WorkerPool

    db_name = connection.settings_dict["NAME"]
    trained = train()
    name, _key = deploy(trained)
    endpoint = Endpoint.objects.get(name=name)
    daphne = Daphne()
    pool = WorkerPool(size=2)
    results: dict[str, bool] = {}
    try:
        daphne.start()
        pool.ensure()
        print(f"\nphase 1: scoring under load (database {db_name}, Redis on port {REDIS.port})")
        row = {c: plain(v) for c, v in trained.rows.iloc[0].items()}
        results["scoring"] = scoring_phase(args, endpoint, row, daphne, db_name)
        print("\nphase 2: WebSockets through a Redis and a Daphne restart")
        results["sockets"] = socket_phase(args, endpoint.created_by or endpoint.workspace.created_by,
                                          endpoint.workspace, daphne)  # fmt: skip
        print("\nphase 3: worker SIGKILLs mid-node")
        results["kills"] = kill_phase(args, endpoint.workspace.created_by, endpoint.workspace, pool)
    finally:
        pool.stop()
        daphne.stop()
        REDIS.stop()
    verdicts = " ".join(f"{k}: {'PASS' if v else 'FAIL'}" for k, v in results.items())
    print(f"\n{verdicts}")
    print(f"load average before: {', '.join(f'{x:.2f}' for x in load_before)}   after: "
          f"{', '.join(f'{x:.2f}' for x in os.getloadavg())}   cpus: {os.cpu_count()}   logs: {WORK}")  # fmt: skip
    raise SystemExit(0 if all(results.values()) else 1)


if __name__ == "__main__":
    main()
