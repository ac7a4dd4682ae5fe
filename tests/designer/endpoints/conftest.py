from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from designer.artifacts import artifact_store
from designer.engine.execute import load_output
from designer.pipelines.services import create_pipeline
from designer.runs import services as runs
from designer.runs.models import Run
from designer.workspaces.models import Workspace
from tests.designer.runs.conftest import drain, upload_sample
from tests.support.pipelines import train_score_evaluate
from tests.support.processes import ScoringServer

LABEL = "diagnosis"


@pytest.fixture
def trained_run(owner: Any, workspace: Workspace) -> Run:
    """A completed train/score/evaluate run on the breast cancer sample, executed in-process."""
    dataset = upload_sample(owner, workspace)
    pipeline = create_pipeline(owner, workspace, "Cancer", document=train_score_evaluate(dataset.pk, LABEL))
    run = drain(runs.submit_run(user=owner, pipeline=pipeline))
    assert run.status == Run.Status.COMPLETED
    run.dataset = dataset  # type: ignore[attr-defined]
    return run


def trained_model(run: Run) -> Any:
    record = run.nodes.get(node_id="train").outputs["trained_model"]
    return load_output(artifact_store(), record["type"], record["digest"])


def derive(client: APIClient, run: Run) -> dict[str, Any]:
    response = client.post(f"/api/runs/{run.pk}/inference-pipeline/", {}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def deploy(client: APIClient, workspace: Workspace, pipeline_id: int, name: str = "cancer") -> dict[str, Any]:
    body = {"workspace": workspace.pk, "name": name, "pipeline": pipeline_id}
    response = client.post("/api/endpoints/", body, format="json")
    assert response.status_code == 201, response.content
    return response.json()


@pytest.fixture
def live(as_editor: APIClient, workspace: Workspace, trained_run: Run) -> dict[str, Any]:
    derived = derive(as_editor, trained_run)
    return deploy(as_editor, workspace, derived["pipeline"]["id"])


# The shared helper starts scoring servers exactly as scripts/score does (the timed worker class).
ScriptScoringServer = ScoringServer
