"""Retraining in tests: a training pipeline parameterized on its training dataset, published as a pipeline
endpoint; a drifted copy of the breast-cancer sample (every feature moved by three standard deviations,
labels kept), uploaded as the dataset's next version so a retrained model differs from the served one."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
from django.core.files.uploadedfile import SimpleUploadedFile

from designer.artifacts import artifact_store
from designer.datasets.services import add_version
from designer.pipelines.models import Pipeline
from designer.pipelines.services import create_pipeline
from designer.published.models import PipelineEndpoint, PublishedVersion
from modules.sdk import Table
from tests.support.pipelines import train_score_evaluate

LABEL = "diagnosis"
PARAMETER = "training_data"


def retraining_document(dataset_id: int, label: str = LABEL) -> dict[str, Any]:
    """Dataset (the ``training_data`` parameter, latest version by default) → Split → Train → Score → Evaluate."""
    doc = train_score_evaluate(dataset_id, label)
    for node in doc["nodes"]:
        if node["module"] == "dataset":
            node["params"] = {"dataset": {"$param": PARAMETER}}
    doc["parameters"] = {
        PARAMETER: {
            "type": "dataset",
            "default": {"dataset_id": dataset_id, "version": None},
            "description": "The training data.",
        }
    }
    return doc


def publish(user: Any, pipeline: Pipeline, name: str) -> PipelineEndpoint:
    """``pipeline``'s latest version published as pipeline endpoint ``name`` (its version 1, the default)."""
    version = pipeline.versions.order_by("-number").first()
    assert version is not None
    endpoint = PipelineEndpoint.objects.create(
        workspace=pipeline.workspace,
        name=name,
        pipeline=pipeline,
        default_version=1,
        primary_key=f"{name}-primary",
        secondary_key=f"{name}-secondary",
        created_by=user,
    )
    PublishedVersion.objects.create(endpoint=endpoint, version=version, number=1, published_by=user)
    return endpoint


def published_retrainer(user: Any, workspace: Any, dataset: Any, name: str) -> PipelineEndpoint:
    pipeline = create_pipeline(user, workspace, f"Retrain {name}", document=retraining_document(dataset.pk))
    return publish(user, pipeline, name)


def table_of(dataset: Any, version: int | None = None) -> pd.DataFrame:
    versions = dataset.versions.order_by("-version")
    row = versions.first() if version is None else versions.get(version=version)
    return Table.deserialize(artifact_store().get(row.digest)).df


def drifted(df: pd.DataFrame, shift: float = 3.0) -> pd.DataFrame:
    """Every numeric feature moved by ``shift`` of its standard deviations; the label as it was."""
    out = df.copy()
    for column in out.columns:
        if column != LABEL and pd.api.types.is_numeric_dtype(out[column]):
            out[column] = out[column] + shift * float(df[column].std())
    return out


def upload_drifted_version(user: Any, dataset: Any) -> Any:
    """The dataset's next version: its first version's rows, drifted."""
    csv = drifted(table_of(dataset, 1)).to_csv(index=False).encode()
    return add_version(user, dataset, SimpleUploadedFile("drifted.csv", csv, "text/csv"))


def request_rows(df: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as a scoring request sends them (no label)."""
    rows: list[dict[str, Any]] = json.loads(df.drop(columns=[LABEL]).to_json(orient="records"))
    return rows


def pending_challenger(user: Any, endpoint: Any, retrainer: PipelineEndpoint, run: Any) -> Any:
    """A retraining policy on ``endpoint`` (``retrainer``, AUC) and a pending challenger from ``run`` (a
    completed train/score/evaluate run), as if its evaluation had finished: for tests of the routes."""
    from designer.retraining.models import Challenger
    from designer.retraining.services import save_policy

    policy, _ = save_policy(endpoint, user, {"pipeline_endpoint": retrainer.pk, "metric": "AUC"})
    model = run.nodes.get(node_id="train").outputs["trained_model"]["digest"]
    return Challenger.objects.create(
        workspace_id=endpoint.workspace_id,
        endpoint=endpoint,
        policy=policy,
        run=run,
        status=Challenger.Status.PENDING,
        model_node="train",
        model_port="trained_model",
        challenger_artifact=model,
        champion_artifact=endpoint.artifacts[0] if endpoint.artifacts else "",
        champion_revision=endpoint.revision,
        metric="AUC",
        champion_metrics={"AUC": 0.9},
        challenger_metrics={"AUC": 0.95},
        champion_value=0.9,
        challenger_value=0.95,
        improvement=0.05,
        wins=True,
    )
