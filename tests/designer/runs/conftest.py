"""Helpers for tests that run pipelines (the worker pool, live server and users are in ../conftest.py:
session fixtures defined once, so every folder shares one pool of workers on the cpu queue)."""

from __future__ import annotations

import io
import time
from typing import Any

import httpx
import pandas as pd
from django.core.files.uploadedfile import SimpleUploadedFile

from designer.datasets.samples import SAMPLES
from designer.datasets.services import create_dataset
from designer.workspaces.models import Workspace


def upload_sample(user: Any, workspace: Workspace, name: str = "Breast cancer (Wisconsin diagnostic)") -> Any:
    """Upload a bundled sample as a user would: as a CSV file through the dataset service."""
    df = next(s for s in SAMPLES if s.name == name).build()
    data = df.to_csv(index=False).encode()
    return create_dataset(user, workspace, name, SimpleUploadedFile(f"{name}.csv", data, "text/csv"))


def wait_for_run(http: httpx.Client, run_id: int, timeout: float = 120) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = http.get(f"/api/runs/{run_id}/").json()
        if run["status"] in ("completed", "failed", "cancelled"):
            return run
        time.sleep(0.2)
    raise TimeoutError(f"run {run_id} did not finish in {timeout} s: {run}")


def node_status(run: dict[str, Any]) -> dict[str, str]:
    return {n["node"]: n["status"] for n in run["nodes"]}


def drain(run: Any, timeout: float = 120) -> Any:
    """Execute queued nodes in this process, as workers would, until the run ends.

    The submit also sent real messages: a worker left alive by an earlier test may take a node first;
    then this waits for it (the run still ends) rather than returning a run that is still running."""
    from designer.runs import services
    from designer.runs.models import NodeRun

    deadline = time.monotonic() + timeout
    while True:
        queued = list(run.nodes.filter(status=NodeRun.Status.QUEUED))
        for n in queued:
            services.execute_node_run(n.pk, n.attempt, worker="inline", heartbeat=False)
        run.refresh_from_db()
        if run.is_terminal or time.monotonic() > deadline:
            return run
        if not queued:
            time.sleep(0.05)


def submit(http: httpx.Client, pipeline_id: int, **body: Any) -> dict[str, Any]:
    """Submit a pipeline over the live server's API; the created run."""
    response = http.post("/api/runs/", json={"pipeline": pipeline_id, **body})
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def output_table(http: httpx.Client, run_id: int, node: str, port: str) -> pd.DataFrame:
    """A node's table output, downloaded as CSV from the live server."""
    response = http.get(f"/api/runs/{run_id}/nodes/{node}/outputs/{port}/download/")
    assert response.status_code == 200, response.text
    return pd.read_csv(io.BytesIO(response.content))


def wait_node(http: httpx.Client, run_id: int, node: str, status: str, timeout: float = 30) -> dict[str, Any]:
    """The node's state over REST once it has ``status`` (TimeoutError after ``timeout`` seconds)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for n in http.get(f"/api/runs/{run_id}/").json()["nodes"]:
            if n["node"] == node and n["status"] == status:
                return n
        time.sleep(0.1)
    raise TimeoutError(f"node {node} never became {status}")
