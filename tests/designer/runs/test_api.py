"""Runs REST API: who may submit, read and cancel; outputs, logs and events; bad input answered with 4xx."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from designer.artifacts import artifact_store
from designer.pipelines.services import create_pipeline
from designer.runs import services
from designer.runs.models import Run
from tests.support.pipelines import document, train_score_evaluate

from .conftest import drain

pytestmark = pytest.mark.django_db


@pytest.fixture
def pipeline(workspace, owner, sample_dataset):
    return create_pipeline(owner, workspace, "Iris", document=_doc(sample_dataset.pk))


def _doc(dataset_id: int) -> dict:
    return document(
        [
            ("data", "dataset", {"dataset": {"dataset_id": dataset_id}}),
            ("pick", "select_columns", {"columns": ["sepal_length_cm", "petal_length_cm", "species"]}),
        ],
        ["data.dataset -> pick.dataset"],
    )


@pytest.fixture
def finished_run(pipeline, owner):
    return drain(services.submit_run(user=owner, pipeline=pipeline))


def test_an_editor_submits_a_run_and_gets_its_nodes(as_editor, pipeline):
    response = as_editor.post("/api/runs/", {"pipeline": pipeline.pk}, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "running" and body["version"] == 1
    assert [(n["node"], n["status"]) for n in body["nodes"]] == [("data", "queued"), ("pick", "pending")]


def test_a_submit_body_with_an_unknown_field_is_refused_naming_it(as_editor, pipeline):
    response = as_editor.post("/api/runs/", {"pipeline_id": pipeline.pk}, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "detail": "Some fields are invalid.",
        "fields": {
            "pipeline_id": [
                "Unknown field 'pipeline_id' (did you mean 'pipeline'?); "
                "allowed fields: pipeline, version, regenerate, parameters, git."
            ]
        },
    }
    assert Run.objects.count() == 0


def test_a_viewer_cannot_submit(as_viewer, pipeline):
    response = as_viewer.post("/api/runs/", {"pipeline": pipeline.pk}, format="json")

    assert response.status_code == 403
    assert "viewer" in response.json()["detail"]
    assert Run.objects.count() == 0


def test_an_outsider_cannot_see_or_submit_the_pipeline(as_outsider, pipeline, finished_run):
    submit = as_outsider.post("/api/runs/", {"pipeline": pipeline.pk}, format="json")
    read = as_outsider.get(f"/api/runs/{finished_run.pk}/")
    listed = as_outsider.get("/api/runs/")

    assert submit.status_code == 404
    assert read.status_code == 404
    assert listed.json()["results"] == []
    assert Run.objects.count() == 1


def test_anonymous_callers_are_refused(api, finished_run):
    response = api(None).get(f"/api/runs/{finished_run.pk}/")

    assert response.status_code in (401, 403)
    assert "detail" in response.json()


def test_submitting_an_invalid_pipeline_lists_every_problem(as_editor, workspace, owner):
    doc = document([("train", "train_model", {"label_column": "y"}), ("x", "nope", {})], [])
    broken = create_pipeline(owner, workspace, "Broken", document=doc)

    response = as_editor.post("/api/runs/", {"pipeline": broken.pk}, format="json")

    assert response.status_code == 400
    problems = response.json()["problems"]
    assert {(p["code"], p["node"]) for p in problems} >= {("missing_input", "train"), ("unknown_module", "x")}
    assert Run.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [({"pipeline": "abc"}, "pipeline"), ({"pipeline": 1, "version": 0}, "version"), ({}, "pipeline")],
)
def test_malformed_submissions_name_the_field(as_editor, pipeline, body, field):
    response = as_editor.post("/api/runs/", body, format="json")

    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_an_unknown_version_is_named(as_editor, pipeline):
    response = as_editor.post("/api/runs/", {"pipeline": pipeline.pk, "version": 9}, format="json")

    assert response.status_code == 400
    assert "no version 9" in str(response.json())


def test_a_viewer_reads_a_run_but_cannot_cancel_it(as_viewer, pipeline, owner):
    run = services.submit_run(user=owner, pipeline=pipeline)

    read = as_viewer.get(f"/api/runs/{run.pk}/")
    cancel = as_viewer.post(f"/api/runs/{run.pk}/cancel/")

    assert read.status_code == 200 and read.json()["status"] == "running"
    assert cancel.status_code == 403
    run.refresh_from_db()
    assert run.status == "running"


def test_an_editor_cancels_a_run(as_editor, pipeline, owner):
    run = services.submit_run(user=owner, pipeline=pipeline)

    response = as_editor.post(f"/api/runs/{run.pk}/cancel/")

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert {n["status"] for n in response.json()["nodes"]} == {"cancelled"}


def test_runs_list_filters_by_pipeline_and_rejects_bad_ids(as_viewer, finished_run, pipeline):
    ok = as_viewer.get("/api/runs/", {"pipeline": pipeline.pk})
    bad = as_viewer.get("/api/runs/", {"pipeline": "x"})

    assert [r["id"] for r in ok.json()["results"]] == [finished_run.pk]
    assert ok.json()["results"][0]["status"] == "completed"
    assert bad.status_code == 400 and "pipeline" in bad.json()["fields"]


def test_a_table_output_is_paged_profiled_and_downloadable(as_viewer, finished_run):
    base = f"/api/runs/{finished_run.pk}/nodes/pick/outputs/results_dataset"

    page = as_viewer.get(f"{base}/", {"offset": 10, "limit": 5}).json()
    profile = as_viewer.get(f"{base}/profile/").json()
    csv = as_viewer.get(f"{base}/download/")

    assert page["table"]["total"] == 150 and page["table"]["offset"] == 10 and len(page["table"]["rows"]) == 5
    assert [c["name"] for c in page["table"]["columns"]] == ["sepal_length_cm", "petal_length_cm", "species"]
    assert profile["rows"] == 150
    frame = pd.read_csv(io.BytesIO(b"".join(csv.streaming_content)))
    assert frame.shape == (150, 3)
    assert csv["Content-Disposition"].endswith('.csv"')


def test_a_table_output_downloads_as_its_stored_parquet_file(as_viewer, finished_run):
    # given a finished run whose node wrote a table
    base = f"/api/runs/{finished_run.pk}/nodes/pick/outputs/results_dataset/download/"
    digest = finished_run.nodes.get(node_id="pick").outputs["results_dataset"]["digest"]

    # when it is downloaded as Parquet, and as CSV (still the default)
    parquet = as_viewer.get(base, {"format": "parquet"})
    csv = as_viewer.get(base)

    # then the Parquet answer is the stored artifact byte for byte, streamed, with the CSV's rows
    body = b"".join(parquet.streaming_content)
    assert parquet.status_code == 200
    assert parquet["Content-Type"] == "application/vnd.apache.parquet"
    assert parquet["Content-Disposition"] == f'attachment; filename="run{finished_run.pk}-pick-results_dataset.parquet"'
    assert body == artifact_store().get(digest)
    from_parquet = pd.read_parquet(io.BytesIO(body))
    from_csv = pd.read_csv(io.BytesIO(b"".join(csv.streaming_content)))
    assert csv["Content-Type"] == "text/csv; charset=utf-8"
    pd.testing.assert_frame_equal(from_parquet, from_csv, check_dtype=False)


def test_parquet_is_refused_for_outputs_that_are_not_tables_and_unknown_formats(
    as_viewer, workspace, owner, sample_dataset
):
    # given a run with a trained model and a metrics output
    doc = train_score_evaluate(sample_dataset.pk, "species")
    doc["nodes"][2]["module"], doc["nodes"][2]["params"] = "multiclass_logistic_regression", {}
    pipeline = create_pipeline(owner, workspace, "Iris LR", document=doc)
    run = drain(services.submit_run(user=owner, pipeline=pipeline))
    assert run.status == "completed", run.error
    base = f"/api/runs/{run.pk}/nodes"

    # when a model, a metrics output and a table are asked for in formats that do not fit
    model = as_viewer.get(f"{base}/train/outputs/trained_model/download/", {"format": "parquet"})
    metrics = as_viewer.get(f"{base}/evaluate/outputs/evaluation_results/download/", {"format": "parquet"})
    excel = as_viewer.get(f"{base}/split/outputs/results_dataset1/download/", {"format": "xlsx"})
    missing = as_viewer.get(f"{base}/split/outputs/nope/download/", {"format": "parquet"})

    # then each is a 4xx naming the output or the format
    assert model.status_code == 400
    assert model.json()["fields"]["format"] == "output 'trained_model' of node 'train' is not a table (trained_model)"
    assert metrics.status_code == 400 and "'evaluation_results' of node 'evaluate' is not a table" in str(
        metrics.json()
    )
    assert excel.status_code == 400
    assert excel.json()["fields"]["format"] == "'xlsx' is not a download format; use csv or parquet"
    assert missing.status_code == 404 and "results_dataset1" in missing.json()["detail"]


def test_bad_paging_and_unknown_outputs_are_4xx_with_the_reason(as_viewer, finished_run):
    base = f"/api/runs/{finished_run.pk}/nodes"

    too_big = as_viewer.get(f"{base}/pick/outputs/results_dataset/", {"limit": 5000})
    not_int = as_viewer.get(f"{base}/pick/outputs/results_dataset/", {"offset": "x"})
    no_port = as_viewer.get(f"{base}/pick/outputs/nope/")
    no_node = as_viewer.get(f"{base}/ghost/log/")

    assert too_big.status_code == 400
    assert not_int.status_code == 400
    assert no_port.status_code == 404 and "results_dataset" in no_port.json()["detail"]
    assert no_node.status_code == 404 and "ghost" in no_node.json()["detail"]


def test_metrics_outputs_and_node_logs_are_readable(as_viewer, workspace, owner, sample_dataset):
    doc = train_score_evaluate(sample_dataset.pk, "species")
    doc["nodes"][2]["module"] = "linear_regression"  # a regression learner on a numeric label
    doc["nodes"][2]["params"] = {}
    doc["nodes"][3]["params"] = {"label_column": "petal_length_cm"}
    pipeline = create_pipeline(owner, workspace, "Regression", document=doc)
    run = drain(services.submit_run(user=owner, pipeline=pipeline))
    assert run.status == "completed", run.error

    metrics = as_viewer.get(f"/api/runs/{run.pk}/nodes/evaluate/outputs/evaluation_results/").json()
    log = as_viewer.get(f"/api/runs/{run.pk}/nodes/train/log/")

    assert metrics["type"] == "metrics"
    assert set(metrics["metrics"]["values"]) >= {"Mean Absolute Error", "Coefficient of Determination"}
    assert as_viewer.get(f"/api/runs/{run.pk}/").json()["metrics"]["Mean Absolute Error"] > 0
    assert log.status_code == 200 and "attempt 1 on inline" in log.content.decode()


def test_events_can_be_read_after_a_sequence_number(as_viewer, finished_run):
    all_events = as_viewer.get(f"/api/runs/{finished_run.pk}/events/").json()["events"]
    later = as_viewer.get(f"/api/runs/{finished_run.pk}/events/", {"after": all_events[2]["seq"]}).json()["events"]
    bad = as_viewer.get(f"/api/runs/{finished_run.pk}/events/", {"after": "-1"})

    assert all_events[0]["type"] == "run_started" and all_events[-1]["type"] == "run_finished"
    assert later == all_events[3:]
    assert bad.status_code == 400
