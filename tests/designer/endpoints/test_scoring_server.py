"""A real scoring server process (gunicorn, two workers) on the test database: score, reload, record."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from designer.endpoints import services
from designer.endpoints.models import EndpointCall
from designer.pipelines.services import save_version

from .conftest import ScriptScoringServer, trained_model


@pytest.fixture
def scoring_server(transactional_db: Any) -> Iterator[ScriptScoringServer]:
    server = ScriptScoringServer(
        workers=2, TESSERA_CALL_FLUSH_SECONDS="0.2", TESSERA_ROOT_URLCONF="designer.endpoints.scoring_urls"
    )
    try:
        yield server
    finally:
        server.stop()


def wait_for_calls(count: int, timeout: float = 15) -> list[tuple[int, int]]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        calls = list(EndpointCall.objects.order_by("at", "id").values_list("status", "rows"))
        if len(calls) >= count:
            return calls
        time.sleep(0.1)
    raise TimeoutError(f"{count} call records expected, {EndpointCall.objects.count()} written")


def test_a_scoring_server_scores_concurrently_records_every_call_and_picks_up_a_redeploy(
    scoring_server: ScriptScoringServer, owner: Any, workspace: Any, trained_run: Any
) -> None:
    from designer.endpoints.services import create_inference_pipeline

    pipeline, _ = create_inference_pipeline(owner, trained_run)
    endpoint = services.create_endpoint(workspace=workspace, user=owner, name="served", pipeline=pipeline)
    rows = endpoint.example["Inputs"]["WebServiceInput0"]
    body = {"Inputs": {"WebServiceInput0": rows}, "GlobalParameters": {}}
    headers = {"Authorization": f"Bearer {endpoint.primary_key}"}
    url = f"{scoring_server.url}/endpoints/served/score"

    with httpx.Client(timeout=30) as client:
        with ThreadPoolExecutor(4) as pool:
            answers = list(pool.map(lambda _: client.post(url, json=body, headers=headers), range(20)))
        refused = client.post(url, content=b"{", headers=headers)
        health = client.get(f"{scoring_server.url}/healthz")
        no_designer_api = client.get(f"{scoring_server.url}/api/endpoints/")
        calls = wait_for_calls(21)

        assert {a.status_code for a in answers} == {200}
        first = answers[0].json()["Results"]["WebServiceOutput0"]
        assert len(first) == len(rows) and all(a.json()["Results"]["WebServiceOutput0"] == first for a in answers)
        model = trained_model(trained_run)
        assert {r["Scored Labels"] for r in first} <= set(model.classes)
        assert refused.status_code == 400 and "not valid JSON" in refused.json()["error"]["message"]
        assert health.json() == {"status": "Healthy"}
        assert no_designer_api.status_code == 404
        assert sorted(calls) == sorted([(200, len(rows))] * 20 + [(400, 0)])

        # a redeploy to a version whose Score Model returns only the scores is served on the next call
        document = pipeline.versions.get(number=1).document
        for node in document["nodes"]:
            if node["module"] == "score_model":
                node["params"] = {"append_score_columns_to_output": False}
        save_version(owner, pipeline, document, base_version=1)
        services.redeploy(endpoint, 2)
        after = client.post(url, json=body, headers=headers).json()["Results"]["WebServiceOutput0"]

        assert set(after[0]) == {"Scored Labels", "Scored Probabilities"}


def test_a_new_key_a_redeploy_and_a_deletion_reach_running_scoring_servers(
    scoring_server: ScriptScoringServer, owner: Any, workspace: Any, trained_run: Any, tmp_path: Any
) -> None:
    """Scoring servers keep endpoint rows in memory: on the web app's host a change reaches them on the next
    call; a server on another host (its own data directory) within TESSERA_ENDPOINT_CACHE_SECONDS."""
    from designer.endpoints.services import create_inference_pipeline

    elsewhere = ScriptScoringServer(
        workers=1,
        TESSERA_DATA_DIR=str(tmp_path),
        TESSERA_ENDPOINT_CACHE_SECONDS="1",
        TESSERA_ROOT_URLCONF="designer.endpoints.scoring_urls",
    )
    try:
        pipeline, _ = create_inference_pipeline(owner, trained_run)
        endpoint = services.create_endpoint(workspace=workspace, user=owner, name="keyed", pipeline=pipeline)
        body = {"Inputs": {"WebServiceInput0": endpoint.example["Inputs"]["WebServiceInput0"]}, "GlobalParameters": {}}
        old = endpoint.primary_key
        with httpx.Client(timeout=30) as client:

            def status(server: ScriptScoringServer, key: str) -> int:
                url = f"{server.url}/endpoints/keyed/score"
                return client.post(url, json=body, headers={"Authorization": f"Bearer {key}"}).status_code

            assert [status(scoring_server, old), status(elsewhere, old)] == [200, 200]  # both keep the row now
            services.regenerate_key(endpoint, "primary")
            endpoint.refresh_from_db()
            assert [status(scoring_server, old), status(scoring_server, endpoint.primary_key)] == [401, 200]
            time.sleep(1.2)
            assert [status(elsewhere, old), status(elsewhere, endpoint.primary_key)] == [401, 200]

            services.delete_endpoint(endpoint)
            assert status(scoring_server, endpoint.primary_key) == 404
    finally:
        elsewhere.stop()
