from __future__ import annotations

import contextlib
import io
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pandas as pd
import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.authtoken.models import Token

from designer.datasets.samples import SAMPLES
from designer.datasets.services import create_dataset
from designer.workspaces.models import Membership, Workspace
from tests.support.processes import Server, WorkerPool


@pytest.fixture(scope="session")
def worker_pool(django_db_setup: Any, django_db_blocker: Any) -> Iterator[WorkerPool]:
    pool = WorkerPool(size=2)
    try:
        yield pool
    finally:
        pool.stop()


@pytest.fixture
def workers(worker_pool: WorkerPool, transactional_db: Any) -> WorkerPool:
    """Two live Celery workers (solo pool each) on the test database and Redis."""
    _purge_queues()
    worker_pool.ensure()
    return worker_pool


def _purge_queues() -> None:
    from designer.celery import app

    with app.connection_for_write() as conn:
        for queue in ("cpu", "gpu"):
            with contextlib.suppress(Exception):  # the queue may not exist yet
                conn.default_channel.queue_purge(queue)


@pytest.fixture(scope="session")
def server(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Server]:
    s = Server()
    try:
        yield s
    finally:
        s.stop()


@pytest.fixture
def ada(transactional_db: Any) -> Any:
    """A user committed to the database, so worker and server processes see her."""
    return get_user_model().objects.create_user("ada", "ada@example.com", "pw-ada-123456")


@pytest.fixture
def lab(ada: Any) -> Workspace:
    ws = Workspace.objects.create(name="Lab", created_by=ada)
    Membership.objects.create(workspace=ws, user=ada, role="owner")
    return ws


@pytest.fixture
def http(server: Server, ada: Any) -> Iterator[httpx.Client]:
    """An HTTP client of the live server, authenticated with ada's API token."""
    token = Token.objects.create(user=ada)
    with httpx.Client(base_url=server.url, headers={"Authorization": f"Token {token.key}"}, timeout=30) as c:
        c.token = token.key  # type: ignore[attr-defined]
        yield c


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


def drain(run: Any) -> Any:
    """Execute queued nodes in this process until nothing is queued, as workers would (no broker involved)."""
    from designer.runs import services
    from designer.runs.models import NodeRun

    for _ in range(100):
        queued = list(run.nodes.filter(status=NodeRun.Status.QUEUED))
        if not queued:
            break
        for n in queued:
            services.execute_node_run(n.pk, n.attempt, worker="inline", heartbeat=False)
    run.refresh_from_db()
    return run


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
