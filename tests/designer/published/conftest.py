"""A parameterized pipeline to publish: a dataset parameter drives the Dataset node, a number the split.

``Numbers`` (columns x, group; 40 rows) is the default dataset; Split Data puts ``fraction`` of the rows
in its first output, so an output's row count says which data and which value a run used.
"""

from __future__ import annotations

import io
from typing import Any

import pandas as pd
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from designer.activity.models import ActivityEvent
from designer.datasets.models import Dataset, DatasetVersion
from designer.datasets.services import create_dataset
from designer.pipelines.models import Pipeline
from designer.pipelines.services import create_pipeline
from designer.published import services
from designer.published.models import PipelineEndpoint, PublishedRun
from designer.runs.models import Run
from designer.workspaces.models import Workspace
from tests.support.pipelines import document


def numbers_csv(rows: int, columns: tuple[str, ...] = ("x", "group")) -> bytes:
    frame = pd.DataFrame({"x": range(rows), "group": ["ab"[i % 2] for i in range(rows)], "y": [0.5] * rows})
    return frame[list(columns)].to_csv(index=False).encode()


def csv_file(data: bytes, name: str = "numbers.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, "text/csv")


def parquet_file(rows: int, name: str = "numbers.parquet") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    pd.read_csv(io.BytesIO(numbers_csv(rows))).to_parquet(buffer, index=False)
    return SimpleUploadedFile(name, buffer.getvalue(), "application/vnd.apache.parquet")


def parameterized_document(dataset_id: int) -> dict[str, Any]:
    doc = document(
        [
            ("data", "dataset", {"dataset": {"$param": "training_data"}}),
            ("split", "split_data", {"fraction_of_rows_in_first_output_dataset": {"$param": "fraction"}}),
        ],
        ["data.dataset -> split.dataset"],
    )
    doc["parameters"] = {
        "training_data": {"type": "dataset", "default": {"dataset_id": dataset_id, "version": None}},
        "fraction": {"type": "number", "default": 0.5, "description": "Share of rows in the first output."},
        "note": {"type": "string", "default": "", "description": "Free text, drives nothing."},
    }
    return doc


def make_pipeline(user: Any, workspace: Workspace, name: str = "Parameterized") -> Pipeline:
    data = create_dataset(user, workspace, f"Numbers {name}", csv_file(numbers_csv(40)))
    return create_pipeline(user, workspace, name, document=parameterized_document(data.pk))


def publish(
    user: Any, workspace: Workspace, name: str = "nightly", pipeline: Pipeline | None = None
) -> PipelineEndpoint:
    pipeline = pipeline or make_pipeline(user, workspace, f"Pipeline of {name}")
    return services.create_endpoint(workspace=workspace, user=user, name=name, pipeline=pipeline)


def counts() -> dict[str, int]:
    """What a refused trigger must not have created."""
    return {
        "runs": Run.objects.count(),
        "published_runs": PublishedRun.objects.count(),
        "datasets": Dataset.objects.count(),
        "dataset_versions": DatasetVersion.objects.count(),
        "events": ActivityEvent.objects.count(),
    }


@pytest.fixture
def pipeline(owner: Any, workspace: Workspace) -> Pipeline:
    return make_pipeline(owner, workspace)


@pytest.fixture
def endpoint(owner: Any, workspace: Workspace, pipeline: Pipeline) -> PipelineEndpoint:
    return publish(owner, workspace, pipeline=pipeline)
