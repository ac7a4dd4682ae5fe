"""The local default of the README's start command: SQLite, no Redis, yet a separate worker and live events."""

from __future__ import annotations

import asyncio
import io
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pandas as pd
import pytest
import websockets

from tests.support.escape import escapes, host_escapes, host_targets
from tests.support.pipelines import document
from tests.support.processes import LOG_DIR, ROOT, free_port

BIN = Path(sys.executable).parent


@pytest.fixture
def local_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TESSERA_", "DATABASE_URL", "REDIS_URL"))}
    env.update(
        TESSERA_ENV="local",
        TESSERA_DATA_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="designer.settings",
        TESSERA_EXTRA_MODULES="tests.support.test_modules",  # a slow node, so the client watches it live
    )
    return env


def _manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@dataclass
class LocalStack:
    base: str
    token: str
    data_dir: Path
    pids: list[int]

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.base, headers={"Authorization": f"Token {self.token}"}, timeout=240)


@pytest.fixture
def local_stack(local_env: dict[str, str], tmp_path: Path) -> Iterator[LocalStack]:
    """A fresh local install (migrated, first user printed, samples loaded), its worker and web server."""
    _manage(local_env, "migrate", "--noinput")
    printed = _manage(local_env, "bootstrap_local")
    match = re.search(r"as (\S+) / (\S+)", printed)
    assert match, printed
    username, password = match.groups()
    assert (tmp_path / "tessera.sqlite3").exists()
    assert "redis" not in json.dumps(dict(local_env)).lower()

    LOG_DIR.mkdir(parents=True, exist_ok=True)
    port = free_port()
    worker_log = open(LOG_DIR / "embedded-worker.log", "wb")  # noqa: SIM115
    web_log = open(LOG_DIR / "embedded-web.log", "wb")  # noqa: SIM115
    worker = subprocess.Popen(
        [
            str(BIN / "celery"),
            "-A",
            "designer",
            "worker",
            "-Q",
            "cpu,gpu",
            "--pool=solo",
            "-n",
            "local@test",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=local_env,
        stdout=worker_log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    web = subprocess.Popen(
        [str(BIN / "daphne"), "-b", "127.0.0.1", "-p", str(port), "designer.asgi:application"],
        cwd=ROOT,
        env=local_env,
        stdout=web_log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        yield LocalStack(base, _token(base, username, password), tmp_path, [worker.pid, web.pid])
    finally:
        for proc in (web, worker):
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
        worker_log.close()
        web_log.close()


def _first(listing: Any) -> list[dict[str, Any]]:
    return listing.get("results") if isinstance(listing, dict) else listing


def test_local_default_runs_pipelines_in_a_worker_process_and_streams_status(local_stack: LocalStack) -> None:
    with local_stack.client() as http:
        workspace = _first(http.get("/api/workspaces/").json())[0]
        datasets = _first(http.get("/api/datasets/", params={"workspace": workspace["id"]}).json())
        iris = next(d for d in datasets if d["name"].lower().startswith("iris"))
        doc = document(
            [
                ("data", "dataset", {"dataset": {"dataset_id": iris["id"]}}),
                ("wait", "test_sleep", {"seconds": 2}),
                ("pick", "select_columns", {"columns": ["sepal_length_cm", "species"]}),
                ("norm", "normalize_data", {}),
            ],
            ["data.dataset -> wait.dataset", "wait.result -> pick.dataset", "pick.results_dataset -> norm.dataset"],
        )
        created = http.post("/api/pipelines/", json={"workspace": workspace["id"], "name": "Iris", "document": doc})
        assert created.status_code == 201, created.text

        # when a run is submitted
        submitted = http.post("/api/runs/", json={"pipeline": created.json()["id"]})
        assert submitted.status_code == 201, submitted.text
        run_id = submitted.json()["id"]

        # then its events reach a WebSocket client live, from the worker process, through SQLite
        events = asyncio.run(_follow(local_stack.base.replace("http://", "ws://"), local_stack.token, run_id))
        types = [(e["type"], e.get("node")) for e in events]
        assert ("node_progress", "wait") in types
        assert ("node_started", "norm") in types and ("node_finished", "norm") in types
        assert types[-1] == ("run_finished", None)
        assert events[-1]["status"] == "completed"
        run = http.get(f"/api/runs/{run_id}/").json()
        assert {n["worker"] for n in run["nodes"]} == {"local@test"}


def test_on_the_local_default_a_worker_registers_an_upload_sent_with_respond_async(local_stack: LocalStack) -> None:
    # SQLite for the registration's row (its name held by a partial unique index) and for the broker's message
    csv = pd.DataFrame({"x": range(5000), "y": [f"v{i % 7}" for i in range(5000)]}).to_csv(index=False).encode()
    with local_stack.client() as http:
        workspace = _first(http.get("/api/workspaces/").json())[0]
        form = {"workspace": workspace["id"], "name": "async"}
        accepted = http.post(
            "/api/datasets/", data=form, files={"file": ("a.csv", csv, "text/csv")}, headers={"Prefer": "respond-async"}
        )
        assert accepted.status_code == 202, accepted.text
        deadline = time.monotonic() + 120
        while (done := http.get(accepted.json()["url"]).json())["status"] not in ("completed", "failed"):
            assert time.monotonic() < deadline, done
            time.sleep(0.2)
        assert done["status"] == "completed", done
        version = http.get(f"/api/datasets/{done['dataset']}/versions/1/").json()
        assert (version["rows"], version["columns"]) == (5000, 2)


def test_on_the_local_default_a_hostile_script_reaches_neither_the_password_nor_the_database(
    local_stack: LocalStack,
) -> None:
    """The escape probes on ``make start``'s layout (SQLite file, first-user password, artifacts under
    var/), as a node on its worker and behind an endpoint served by its web process, all run as root here."""
    artifacts = sorted((local_stack.data_dir / "artifacts").glob("*/*"))
    assert (local_stack.data_dir / "first-user.txt").exists() and artifacts
    targets = host_targets(local_stack.data_dir, artifacts[0], pids=local_stack.pids, canaries=["TESSERA_DATA_DIR="])
    with local_stack.client() as http:
        team = http.post("/api/workspaces/", json={"name": "Another team"})
        assert team.status_code == 201, team.text
        probe = {"python_script": targets.script(), "timeout_seconds": 120}
        node = document([("probe", "execute_python_script", probe)], [])
        served = document(
            [
                ("input", "web_service_input", {"columns": [{"name": "x", "type": "number"}], "example": [{"x": 1}]}),
                ("probe", "execute_python_script", probe),
                ("output", "web_service_output", {}),
            ],
            ["input.request -> probe.dataset1", "probe.result_dataset -> output.dataset"],
        )
        ids = []
        for name, doc in (("Probes", node), ("Served probes", served)):
            created = http.post("/api/pipelines/", json={"workspace": team.json()["id"], "name": name, "document": doc})
            assert created.status_code == 201, created.text
            ids.append(created.json()["id"])

        run_id = http.post("/api/runs/", json={"pipeline": ids[0]}).json()["id"]
        run = _wait(http, run_id)
        table = http.get(f"/api/runs/{run_id}/nodes/probe/outputs/result_dataset/download/")
        endpoint = http.post(
            "/api/endpoints/", json={"workspace": team.json()["id"], "name": "probes", "pipeline": ids[1]}
        )
        assert endpoint.status_code == 201, endpoint.text
        key = http.get(f"/api/endpoints/{endpoint.json()['id']}/").json()["keys"]["primary"]
        scored = httpx.post(
            f"{local_stack.base}/endpoints/probes/score",
            json={"Inputs": {"WebServiceInput0": [{"x": 1}]}, "GlobalParameters": {}},
            headers={"Authorization": f"Bearer {key}"},
            timeout=240,
        )

    assert run["status"] == "completed", run
    assert escapes(pd.read_csv(io.BytesIO(table.content))) == []
    assert scored.status_code == 200, scored.text
    assert escapes(pd.DataFrame(scored.json()["Results"]["WebServiceOutput0"])) == []
    assert host_escapes(targets) == []


def _wait(http: httpx.Client, run_id: int, timeout: float = 240) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = http.get(f"/api/runs/{run_id}/").json()
        if run["status"] in ("completed", "failed", "cancelled"):
            return dict(run)
        time.sleep(0.5)
    raise TimeoutError(f"run {run_id} did not finish")


def _token(base: str, username: str, password: str) -> str:
    deadline = time.monotonic() + 60
    while True:
        try:
            response = httpx.post(f"{base}/api/auth/token/", json={"username": username, "password": password})
            assert response.status_code == 200, response.text
            return str(response.json()["token"])
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


async def _follow(ws_url: str, token: str, run_id: int) -> list[dict]:
    events: list[dict] = []
    async with websockets.connect(
        f"{ws_url}/ws/runs/{run_id}/?token={token}", origin=ws_url.replace("ws://", "http://")
    ) as ws:
        async with asyncio.timeout(90):
            while True:
                msg = json.loads(await ws.recv())
                if msg["type"] == "snapshot":
                    assert msg["run"]["status"] not in ("completed", "failed"), "run finished before we could watch it"
                    continue
                events.append(msg["event"])
                if msg["event"]["type"] == "run_finished":
                    return events
