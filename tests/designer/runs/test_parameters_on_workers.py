"""A parameterized pipeline submitted over REST with different values, on real Celery workers."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from designer.datasets.services import create_dataset
from designer.pipelines.services import create_pipeline
from tests.support.pipelines import document

from .conftest import node_status, output_table, submit, wait_for_run

pytestmark = [pytest.mark.workers, pytest.mark.django_db(transaction=True)]

CSV = b"x,group\n" + b"".join(f"{i},{'ab'[i % 2]}\n".encode() for i in range(40))


def _pipeline(ada, lab):
    data = create_dataset(ada, lab, "Numbers", SimpleUploadedFile("numbers.csv", CSV, "text/csv"))
    doc = document(
        [
            ("data", "dataset", {"dataset": {"$param": "training_data"}}),
            ("split", "split_data", {"fraction_of_rows_in_first_output_dataset": {"$param": "fraction"}}),
        ],
        ["data.dataset -> split.dataset"],
    )
    doc["parameters"] = {
        "training_data": {"type": "dataset", "default": {"dataset_id": data.pk, "version": None}},
        "fraction": {"type": "number", "default": 0.5, "description": "Share of rows in the first output."},
    }
    return create_pipeline(ada, lab, "Parameterized", document=doc)


def test_two_values_run_as_two_cache_keys_and_the_same_value_is_reused(workers, server, http, ada, lab):
    pipeline = _pipeline(ada, lab)

    first = wait_for_run(http, submit(http, pipeline.pk, parameters={"fraction": 0.25})["id"])
    second = wait_for_run(http, submit(http, pipeline.pk, parameters={"fraction": 0.75})["id"])
    again = wait_for_run(http, submit(http, pipeline.pk, parameters={"fraction": 0.75})["id"])

    assert [r["status"] for r in (first, second, again)] == ["completed"] * 3
    keys = [{n["node"]: n for n in r["nodes"]} for r in (first, second, again)]
    assert keys[0]["data"]["status"] == "completed" and keys[1]["data"]["status"] == "reused"  # upstream: same key
    assert node_status(second)["split"] == "completed" and node_status(again)["split"] == "reused"
    assert len(output_table(http, first["id"], "split", "results_dataset1")) == 10
    assert len(output_table(http, second["id"], "split", "results_dataset1")) == 30
    dataset_id = first["parameter_values"]["training_data"]["dataset_id"]
    assert second["parameter_values"] == {
        "training_data": {"dataset_id": dataset_id, "version": None},
        "fraction": 0.75,
    }
    assert second["trigger"] == {"kind": "manual"}


def test_a_bad_value_is_refused_naming_the_parameter_and_nothing_runs(workers, server, http, ada, lab):
    pipeline = _pipeline(ada, lab)

    wrong_type = http.post("/api/runs/", json={"pipeline": pipeline.pk, "parameters": {"fraction": "half"}})
    out_of_range = http.post("/api/runs/", json={"pipeline": pipeline.pk, "parameters": {"fraction": 1.5}})
    unknown = http.post("/api/runs/", json={"pipeline": pipeline.pk, "parameters": {"fractoin": 0.5}})
    runs = http.get("/api/runs/", params={"pipeline": pipeline.pk}).json()

    assert wrong_type.status_code == out_of_range.status_code == unknown.status_code == 400
    assert [p["path"] for p in wrong_type.json()["problems"]] == ["values.fraction"]
    [problem] = out_of_range.json()["problems"]
    assert (problem["node"], problem["param"], problem["path"]) == (
        "split",
        "fraction_of_rows_in_first_output_dataset",
        "parameters.fraction",
    )
    assert "Pipeline parameter 'fraction' (= 1.5)" in problem["message"]
    assert "There is no pipeline parameter 'fractoin'" in unknown.json()["problems"][0]["message"]
    assert (runs.get("count") if isinstance(runs, dict) else len(runs)) == 0
