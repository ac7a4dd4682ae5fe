"""Export as code over the API: who may download it, what the zip holds, and bad input named."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from designer.artifacts import artifact_store
from designer.datasets import services as dataset_services
from designer.datasets.models import Dataset, DatasetVersion
from designer.pipelines import services as pipeline_services
from designer.pipelines.models import Pipeline
from designer.runs.models import Run
from designer.workspaces.models import Workspace

pytestmark = pytest.mark.django_db

FILES = ["README.md", "data/data.parquet", "pipeline.ipynb", "pipeline.py", "requirements.txt"]


def _document(dataset: Dataset, parameter: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "schema_version": 1,
        "nodes": [
            {"id": "data", "module": "dataset", "version": 1, "params": {"dataset": {"dataset_id": dataset.pk}}},
            {
                "id": "split",
                "module": "split_data",
                "version": 2,
                "params": {"fraction_of_rows_in_first_output_dataset": {"$param": "fraction"}, "random_seed": 7},
            },
        ],
        "edges": [{"source": {"node": "data", "port": "dataset"}, "target": {"node": "split", "port": "dataset"}}],
        "parameters": {"fraction": parameter or {"type": "number", "default": 0.5, "description": "Rows to train on."}},
        "layout": {"split": {"x": 0, "y": 120, "comment": "Half and half"}},
    }


@pytest.fixture
def pipeline(workspace: Workspace, owner: Any, dataset: Dataset) -> Pipeline:
    return pipeline_services.create_pipeline(owner, workspace, "Iris split (test)", "", _document(dataset))


def _zip(response: Any) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(response.content))


def _version_bytes(dataset: Dataset, number: int) -> bytes:
    return artifact_store().get(DatasetVersion.objects.get(dataset=dataset, version=number).digest)


def _add_version(owner: Any, dataset: Dataset) -> None:
    csv = "sepal_length,species\n1.0,a\n2.0,b\n3.0,a\n"
    dataset_services.add_version(owner, dataset, SimpleUploadedFile("v2.csv", csv.encode(), "text/csv"))


def test_an_owner_downloads_the_head_version_as_a_zip_with_the_script_notebook_and_data(as_owner, pipeline, dataset):
    # when the owner exports the pipeline
    response = as_owner.get(f"/api/pipelines/{pipeline.pk}/export-script/")

    # then a zip named after the pipeline and version holds the script, the notebook and the dataset's bytes
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == 'attachment; filename="iris-split-test-v1.zip"'
    archive = _zip(response)
    assert sorted(archive.namelist()) == FILES
    assert archive.read("data/data.parquet") == _version_bytes(dataset, 1)
    script = archive.read("pipeline.py").decode()
    assert script.startswith('"""Iris split (test): a Tessera pipeline as a script.\n\nVersion 1 of pipeline ')
    assert 'PARAMETERS = {"fraction": 0.5}' in script
    assert "# Half and half" in script
    notebook = json.loads(archive.read("pipeline.ipynb"))
    assert notebook["nbformat"] == 4
    assert archive.read("README.md").decode().count("\n") == 4  # a title, a blank line, two lines of how to run
    requirements = archive.read("requirements.txt").decode().splitlines()
    assert [line.split("==")[0] for line in requirements[:4]] == ["pandas", "pyarrow", "scikit-learn", "lightgbm"]


def test_a_viewer_may_export_and_an_outsider_gets_404(as_viewer, as_outsider, pipeline):
    assert as_viewer.get(f"/api/pipelines/{pipeline.pk}/export-script/").status_code == 200
    refused = as_outsider.get(f"/api/pipelines/{pipeline.pk}/export-script/")
    assert refused.status_code == 404
    assert refused.json()["detail"] == f"pipeline {pipeline.pk} does not exist"


def test_an_unknown_version_is_refused_naming_version(as_owner, pipeline):
    missing = as_owner.get(f"/api/pipelines/{pipeline.pk}/export-script/?version=9")
    assert missing.status_code == 400
    assert missing.json()["fields"] == {"version": [f"Pipeline {pipeline.pk} has no version 9."]}
    malformed = as_owner.get(f"/api/pipelines/{pipeline.pk}/export-script/?version=first")
    assert malformed.status_code == 400
    assert list(malformed.json()["fields"]) == ["version"]


def test_an_older_version_exports_with_its_number(as_owner, owner, pipeline, dataset):
    # given a version 2 whose split says something else on the canvas
    document = _document(dataset)
    document["layout"]["split"]["comment"] = "Second thoughts"
    pipeline_services.save_version(owner, pipeline, document, base_version=1)

    # then version 1 exports as version 1, the head as version 2
    first = as_owner.get(f"/api/pipelines/{pipeline.pk}/export-script/?version=1")
    assert first["Content-Disposition"] == 'attachment; filename="iris-split-test-v1.zip"'
    assert "# Half and half" in _zip(first).read("pipeline.py").decode()
    head = as_owner.get(f"/api/pipelines/{pipeline.pk}/export-script/")
    assert head["Content-Disposition"] == 'attachment; filename="iris-split-test-v2.zip"'
    assert "# Second thoughts" in _zip(head).read("pipeline.py").decode()


def test_a_pipeline_whose_parameter_has_no_value_is_refused_naming_it(as_owner, owner, workspace, dataset):
    document = _document(dataset, {"type": "number"})
    pipeline = pipeline_services.create_pipeline(owner, workspace, "No default", "", document)
    response = as_owner.get(f"/api/pipelines/{pipeline.pk}/export-script/")
    assert response.status_code == 400
    (problem,) = response.json()["problems"]
    assert (problem["code"], problem["path"]) == ("missing_parameter_value", "values.fraction")
    assert "'fraction'" in response.json()["detail"]


def test_a_pipeline_version_reads_the_latest_dataset_version(as_owner, owner, pipeline, dataset):
    _add_version(owner, dataset)
    archive = _zip(as_owner.get(f"/api/pipelines/{pipeline.pk}/export-script/"))
    assert archive.read("data/data.parquet") == _version_bytes(dataset, 2)


def test_a_run_exports_its_parameter_values_and_the_dataset_version_it_read(as_owner, owner, pipeline, dataset):
    # given a run with its own parameter value, pinned to version 1, and a newer version since
    run = Run.objects.create(
        workspace=pipeline.workspace,
        pipeline=pipeline,
        pipeline_version=pipeline.versions.get(number=1),
        created_by=owner,
        status=Run.Status.COMPLETED,
        dataset_pins={str(dataset.pk): 1},
        parameter_values={"fraction": 0.8},
    )
    _add_version(owner, dataset)

    # when it is exported
    response = as_owner.get(f"/api/runs/{run.pk}/export-script/")

    # then the zip is named after the run and pins what the run used
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == f'attachment; filename="iris-split-test-run{run.pk}.zip"'
    archive = _zip(response)
    assert sorted(archive.namelist()) == FILES
    assert archive.read("data/data.parquet") == _version_bytes(dataset, 1)
    script = archive.read("pipeline.py").decode()
    assert 'PARAMETERS = {"fraction": 0.8}' in script
    assert f"Run {run.pk} (version 1 of pipeline {pipeline.pk}), exported" in script


def test_a_run_of_another_workspace_is_404(as_outsider, as_viewer, owner, pipeline):
    run = Run.objects.create(
        workspace=pipeline.workspace, pipeline=pipeline, pipeline_version=pipeline.versions.get(number=1)
    )
    assert as_viewer.get(f"/api/runs/{run.pk}/export-script/").status_code == 200
    refused = as_outsider.get(f"/api/runs/{run.pk}/export-script/")
    assert refused.status_code == 404
    assert refused.json()["detail"] == f"run {run.pk} does not exist"


def test_the_endpoints_are_in_the_openapi_schema(as_owner):
    paths = as_owner.get("/api/schema/?format=json").json()["paths"]
    for path in ("/api/pipelines/{id}/export-script/", "/api/runs/{id}/export-script/"):
        assert list(paths[path]["get"]["responses"]["200"]["content"]) == ["application/zip"]
