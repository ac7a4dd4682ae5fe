"""A published parameterized pipeline called as a client would: over a live server with the endpoint key,
a CSV sent for its dataset parameter, run on real Celery workers, polled and followed over WebSocket."""

from __future__ import annotations

import asyncio
import io
import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pandas as pd
import pytest
import websockets
from websockets.exceptions import InvalidStatus

from designer.published import services
from designer.published.models import OverrideDataset, PipelineEndpoint
from tests.designer.runs.conftest import wait_for_run
from tests.support.processes import WorkerPool

from .conftest import make_pipeline, numbers_csv

pytestmark = [pytest.mark.workers, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def own_workers(workers: WorkerPool) -> Iterator[WorkerPool]:
    """The live workers, stopped afterwards: tests after these (tests/designer/runs/test_consumers.py) expect
    submitted nodes to stay queued, and a live worker would take them."""
    yield workers
    workers.stop()


def poll_until_done(base: str, endpoint: PipelineEndpoint, run_id: int, timeout: float = 120) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {endpoint.primary_key}"}
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = httpx.get(f"{base}/pipeline-endpoints/{endpoint.name}/runs/{run_id}", headers=headers).json()
        if state["status"] in ("completed", "failed", "cancelled"):
            return state
        time.sleep(0.2)
    raise TimeoutError(f"run {run_id} did not finish: {state}")


async def follow(ws_url: str, run_id: int, headers: dict[str, str], query: str = "") -> list[dict[str, Any]]:
    """Snapshot and events until the run finishes."""
    messages: list[dict[str, Any]] = []
    origin = ws_url.replace("ws://", "http://")
    async with websockets.connect(
        f"{ws_url}/ws/runs/{run_id}/{query}", additional_headers=headers, origin=origin
    ) as ws:
        async with asyncio.timeout(120):
            while True:
                message = json.loads(await ws.recv())
                messages.append(message)
                if message["type"] == "snapshot" and message["run"]["status"] in ("completed", "failed"):
                    return messages
                if message["type"] == "event" and message["event"]["type"] == "run_finished":
                    return messages


async def refused(ws_url: str, run_id: int, headers: dict[str, str]) -> int:
    """The close code a refused subscription gets (Channels closes before accepting: HTTP 403 on the upgrade)."""
    origin = ws_url.replace("ws://", "http://")
    try:
        async with websockets.connect(f"{ws_url}/ws/runs/{run_id}/", additional_headers=headers, origin=origin) as ws:
            await ws.recv()
    except InvalidStatus as exc:
        return exc.response.status_code
    except websockets.ConnectionClosed as exc:
        return exc.rcvd.code if exc.rcvd else 0
    return 0


def test_a_file_sent_to_a_published_pipeline_runs_on_workers_and_its_output_reflects_it(own_workers, server, ada, lab):
    endpoint = services.create_endpoint(workspace=lab, user=ada, name="scorer", pipeline=make_pipeline(ada, lab))
    other = services.create_endpoint(workspace=lab, user=ada, name="other", pipeline=make_pipeline(ada, lab, "Other"))
    key = {"Authorization": f"Bearer {endpoint.primary_key}"}

    # when a client sends 120 rows for the dataset parameter and a fraction, with the key
    started = httpx.post(
        f"{server.url}/pipeline-endpoints/scorer/runs",
        headers=key,
        data={"fraction": "0.25"},
        files={"training_data": ("fresh.csv", numbers_csv(120), "text/csv")},
    )
    assert started.status_code == 202, started.text
    run_id = started.json()["id"]
    messages = asyncio.run(follow(server.ws_url, run_id, key))
    done = poll_until_done(server.url, endpoint, run_id)

    # then the run read the uploaded rows, not the 40 of the default dataset
    assert done["status"] == "completed", done
    assert {n["node"]: n["status"] for n in done["nodes"]} == {"data": "completed", "split": "completed"}
    link = OverrideDataset.objects.get(endpoint=endpoint)
    assert done["parameters"]["training_data"] == {"dataset_id": link.dataset_id, "version": 1}
    [first] = [o for o in done["outputs"] if (o["node"], o["port"]) == ("split", "results_dataset1")]
    table = pd.read_csv(io.BytesIO(httpx.get(first["download_url"], headers=key).content))
    assert len(table) == 30 and set(table["x"]) <= set(range(120)) and table["x"].max() >= 40
    # and the key holder followed it over the WebSocket from snapshot to finish
    assert messages[0]["type"] == "snapshot" and messages[0]["run"]["id"] == run_id
    assert messages[-1]["type"] == "snapshot" or messages[-1]["event"]["type"] == "run_finished"

    # and the key of another endpoint (or none) opens neither the poll nor the stream
    other_key = {"Authorization": f"Bearer {other.primary_key}"}
    assert httpx.get(f"{server.url}/pipeline-endpoints/scorer/runs/{run_id}", headers=other_key).status_code == 401
    assert asyncio.run(refused(server.ws_url, run_id, other_key)) == 403
    assert asyncio.run(refused(server.ws_url, run_id, {})) == 403
    # and the same key follows with ?key= too (browsers cannot send headers on a WebSocket)
    again = asyncio.run(follow(server.ws_url, run_id, {}, f"?key={endpoint.secondary_key}"))
    assert again[0]["type"] == "snapshot" and again[0]["run"]["status"] == "completed"


def test_a_run_started_by_a_member_cannot_be_followed_with_an_endpoint_key(own_workers, server, http, ada, lab):
    endpoint = services.create_endpoint(workspace=lab, user=ada, name="scorer", pipeline=make_pipeline(ada, lab))
    member_run = http.post("/api/runs/", json={"pipeline": endpoint.pipeline_id}).json()["id"]
    wait_for_run(http, member_run)

    code = asyncio.run(refused(server.ws_url, member_run, {"Authorization": f"Bearer {endpoint.primary_key}"}))

    assert code == 403  # closed with 4404 before the handshake completes: no such published run
