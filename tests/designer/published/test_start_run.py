"""start_run: every way a published pipeline is started records why, with which version and values."""

from __future__ import annotations

from typing import Any

import pytest

from designer.activity.models import ActivityEvent
from designer.api import Unprocessable
from designer.pipelines.services import create_pipeline, save_version
from designer.published.models import PipelineEndpoint, PublishedRun, PublishedVersion
from designer.published.services import start_run
from tests.designer.runs.conftest import drain
from tests.support.pipelines import document

pytestmark = pytest.mark.django_db


@pytest.fixture
def endpoint(owner: Any, workspace: Any) -> PipelineEndpoint:
    doc = document(
        [
            ("data", "enter_data_manually", {"data": "x\n" + "".join(f"{i}\n" for i in range(20))}),
            ("split", "split_data", {"fraction_of_rows_in_first_output_dataset": {"$param": "fraction"}}),
        ],
        ["data.dataset -> split.dataset"],
    )
    doc["parameters"] = {"fraction": {"type": "number", "default": 0.5}}
    pipeline = create_pipeline(owner, workspace, "Published", document=doc)
    save_version(owner, pipeline, doc, "second", base_version=1)
    ep = PipelineEndpoint.objects.create(
        workspace=workspace, name="nightly", pipeline=pipeline, default_version=2, primary_key="a", secondary_key="b"
    )
    for number in (1, 2):
        PublishedVersion.objects.create(endpoint=ep, version=pipeline.versions.get(number=number), number=number)
    return ep


def test_a_started_run_records_the_endpoint_version_trigger_and_values(endpoint: PipelineEndpoint, owner: Any) -> None:
    run = drain(start_run(endpoint, kind="schedule", values={"fraction": 0.25}, detail={"schedule": 7}, user=owner))

    assert run.status == "completed"
    assert run.pipeline_version.number == 2
    assert run.parameter_values == {"fraction": 0.25}
    assert run.trigger == {
        "kind": "schedule",
        "endpoint": endpoint.pk,
        "endpoint_name": "nightly",
        "version": 2,
        "schedule": 7,
    }
    assert PublishedRun.objects.get(run=run).kind == "schedule"
    event = ActivityEvent.objects.get(verb="triggered")
    assert event.detail == {"run": run.pk, "kind": "schedule", "version": 2}


def test_an_explicit_version_and_an_unpublished_one(endpoint: PipelineEndpoint) -> None:
    older = start_run(endpoint, kind="rest", number=1)

    with pytest.raises(Unprocessable, match=r"does not publish version 3 \(published: 1, 2\)"):
        start_run(endpoint, kind="rest", number=3)

    assert older.pipeline_version.number == 1 and older.created_by is None
    assert PublishedRun.objects.count() == 1


def test_a_bad_value_creates_nothing(endpoint: PipelineEndpoint) -> None:
    with pytest.raises(Unprocessable) as refused:
        start_run(endpoint, kind="rest", values={"fraction": "most"})

    assert [p["path"] for p in refused.value.problems] == ["values.fraction"]
    assert PublishedRun.objects.count() == 0 and not ActivityEvent.objects.filter(verb="triggered").exists()
