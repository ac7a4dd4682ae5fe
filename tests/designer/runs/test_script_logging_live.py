"""A script's ``tessera.log_metric`` on real workers: the values reach a browser's WebSocket while the script
still runs (not at its end), and the finished runs show them in the runs list and in run comparison."""

from __future__ import annotations

import time
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from designer.asgi import application
from designer.pipelines.services import create_pipeline
from designer.runs import services
from designer.runs.models import Run
from tests.support.pipelines import document

pytestmark = [pytest.mark.workers, pytest.mark.django_db(transaction=True)]

SCRIPT = """\
import time

def azureml_main(dataframe1=None, dataframe2=None):
    for step in range(5):
        tessera.log_metric("loss", {scale} / (step + 1), step=step)
        if step == 2:
            time.sleep({pause})  # the first three points must reach the socket before the last two exist
    tessera.log_metric("accuracy", {scale} / 2)
    return None
"""


def _pipeline(user: Any, workspace: Any, name: str, scale: float, pause: float) -> Any:
    params = {"python_script": SCRIPT.format(scale=scale, pause=pause), "timeout_seconds": 60}
    doc = document([("script", "execute_python_script", params)], [])
    return create_pipeline(user, workspace, name, document=doc)


def _wait(run_id: int, timeout: float = 90) -> Run:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = Run.objects.get(pk=run_id)
        if run.is_terminal:
            return run
        time.sleep(0.2)
    raise TimeoutError(f"run {run_id} did not finish")


async def test_logged_metrics_stream_live_over_the_socket_and_reach_run_comparison(workers, ada, lab):
    token = await database_sync_to_async(lambda: Token.objects.create(user=ada).key)()
    slow = await database_sync_to_async(_pipeline)(ada, lab, "Slow", 4.0, 2.0)
    quick = await database_sync_to_async(_pipeline)(ada, lab, "Quick", 2.0, 0)
    run = await database_sync_to_async(services.submit_run)(user=ada, pipeline=slow)
    other_id = (await database_sync_to_async(services.submit_run)(user=ada, pipeline=quick)).pk  # on the other worker
    headers = [(b"origin", b"http://127.0.0.1"), (b"authorization", f"Token {token}".encode())]
    ws = WebsocketCommunicator(application, f"/ws/runs/{run.pk}/?after=0", headers=headers)
    connected, _ = await ws.connect()
    assert connected
    assert (await ws.receive_json_from(timeout=10))["type"] == "snapshot"

    seen: list[tuple[str, Any]] = []  # (event type, the loss points it carried)
    while True:
        message = await ws.receive_json_from(timeout=90)
        event = message["event"]
        if event.get("node") != "script":
            continue
        points = (event.get("detail") or {}).get("log:metric:loss:0", {}).get("points")
        seen.append((event["type"], points))
        if event["type"] in ("node_finished", "node_failed"):
            break
    await ws.disconnect()

    assert seen[-1][0] == "node_finished", seen
    carried = [points for kind, points in seen if kind == "node_progress" and points]
    # while the script slept after step 2, the socket got the points so far and no more: sent as they came
    assert [[0, 4.0], [1, 2.0], [2, pytest.approx(4 / 3)]] in carried, seen
    assert carried[-1] == [[0, 4.0], [1, 2.0], [2, pytest.approx(4 / 3)], [3, 1.0], [4, 0.8]]

    def compare() -> tuple[dict[str, Any], dict[str, Any]]:
        other = _wait(other_id)
        first = _wait(run.pk)
        assert (first.status, other.status) == ("completed", "completed")
        client = APIClient()
        client.force_authenticate(ada)
        listed = client.get("/api/runs/", {"workspace": lab.pk}).json()
        compared = client.get("/api/runs/compare/", {"a": first.pk, "b": other.pk})
        assert compared.status_code == 200, compared.content
        return listed, compared.json()

    listed, compared = await database_sync_to_async(compare)()

    rows = listed["results"] if isinstance(listed, dict) else listed
    assert {r["id"]: r["metrics"] for r in rows}[run.pk] == {"loss": 0.8, "accuracy": 2.0}
    loss = next(m for m in compared["metrics"] if m["metric"] == "loss")
    assert (loss["node"], loss["port"], loss["learner"]) == ("script", "logged_values", "Logged by the script")
    assert (loss["a"], loss["b"], loss["delta"]) == (0.8, 0.4, pytest.approx(-0.4))
    series = {s["metric"]: s for s in compared["series"]}
    assert set(series) == {"loss"}  # accuracy was logged once: a value, not a curve
    assert series["loss"]["a"][-1] == [4, 0.8] and series["loss"]["b"][-1] == [4, 0.4]
