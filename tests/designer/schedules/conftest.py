"""A published pipeline to schedule and trigger: a dataset parameter drives the Dataset node, a number the
split, and ``seconds`` how long a Sleep node holds the run (0 by default), so a test can keep runs running.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_celery_beat.models import PeriodicTask

from designer.activity.models import ActivityEvent
from designer.datasets.models import Dataset
from designer.datasets.services import create_dataset
from designer.pipelines.services import create_pipeline
from designer.published import services as published
from designer.published.models import PipelineEndpoint, PublishedRun
from designer.runs.models import Run
from designer.schedules.models import DataTrigger, Schedule, ScheduleTick, TriggerFiring
from designer.workspaces.models import Workspace
from tests.support.pipelines import document


def numbers_csv(rows: int) -> bytes:
    return pd.DataFrame({"x": range(rows), "group": ["ab"[i % 2] for i in range(rows)]}).to_csv(index=False).encode()


def csv_file(rows: int, name: str = "numbers.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, numbers_csv(rows), "text/csv")


def scheduled_document(dataset_id: int) -> dict[str, Any]:
    doc = document(
        [
            ("data", "dataset", {"dataset": {"$param": "training_data"}}),
            ("split", "split_data", {"fraction_of_rows_in_first_output_dataset": {"$param": "fraction"}}),
            ("wait", "test_sleep", {"seconds": {"$param": "seconds"}}),
        ],
        ["data.dataset -> split.dataset", "split.results_dataset1 -> wait.dataset"],
    )
    doc["parameters"] = {
        "training_data": {"type": "dataset", "default": {"dataset_id": dataset_id, "version": None}},
        "fraction": {"type": "number", "default": 0.5},
        "seconds": {"type": "number", "default": 0},
    }
    return doc


def publish(user: Any, workspace: Workspace, name: str = "nightly") -> PipelineEndpoint:
    data = create_dataset(user, workspace, f"Numbers {name}", csv_file(40))
    pipeline = create_pipeline(user, workspace, f"Pipeline {name}", document=scheduled_document(data.pk))
    return published.create_endpoint(workspace=workspace, user=user, name=name, pipeline=pipeline)


def counts() -> dict[str, int]:
    """Everything a refused schedule or trigger must not have created."""
    return {
        "schedules": Schedule.objects.count(),
        "periodic_tasks": PeriodicTask.objects.count(),
        "triggers": DataTrigger.objects.count(),
        "ticks": ScheduleTick.objects.count(),
        "firings": TriggerFiring.objects.count(),
        "runs": Run.objects.count(),
        "published_runs": PublishedRun.objects.count(),
        "events": ActivityEvent.objects.count(),
    }


@pytest.fixture
def endpoint(owner: Any, workspace: Workspace) -> PipelineEndpoint:
    return publish(owner, workspace)


@pytest.fixture
def numbers(endpoint: PipelineEndpoint) -> Dataset:
    """The dataset the endpoint's pipeline reads by default."""
    return Dataset.objects.get(workspace=endpoint.workspace, name="Numbers nightly")
