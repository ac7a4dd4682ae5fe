"""Pipelines with component nodes on real Celery workers: inner nodes run, cache and report as normal nodes."""

from __future__ import annotations

import copy
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from designer.components.services import create_component, save_version
from designer.datasets.services import create_dataset
from designer.pipelines.services import create_pipeline
from designer.pipelines.services import save_version as save_pipeline_version
from tests.designer.factories import IRIS_CSV
from tests.designer.runs.conftest import node_status, output_table, submit, wait_for_run

from .helpers import SCRIPT, pipeline_using, prep_document

pytestmark = [pytest.mark.workers, pytest.mark.django_db(transaction=True)]


def _iris(ada, lab):
    return create_dataset(ada, lab, "Iris", SimpleUploadedFile("iris.csv", IRIS_CSV.encode(), "text/csv"))


def test_inner_nodes_run_and_report_then_a_second_run_reuses_everything(workers, server, http, ada, lab):
    data = _iris(ada, lab)
    prep = create_component(ada, lab, "Prep", "", "first", prep_document())
    pipeline = create_pipeline(ada, lab, "With prep", document=pipeline_using(data.pk, prep.pk, method="MinMax"))

    first = wait_for_run(http, submit(http, pipeline.pk)["id"])
    again = wait_for_run(http, submit(http, pipeline.pk)["id"])
    regenerated = wait_for_run(http, submit(http, pipeline.pk, regenerate=["prep"])["id"])

    assert first["status"] == "completed", first
    assert node_status(first) == {
        "data": "completed",
        "prep/clean": "completed",
        "prep/norm": "completed",
        "pick": "completed",
    }
    assert first["components"] == {"prep": {"component": prep.pk, "version": 1, "nodes": ["prep/clean", "prep/norm"]}}
    assert set(node_status(again).values()) == {"reused"}
    assert node_status(regenerated) == {  # regenerating the component node regenerates what is inside
        "data": "reused",
        "prep/clean": "completed",
        "prep/norm": "completed",
        "pick": "reused",
    }
    scaled = output_table(http, first["id"], quote("prep/norm", safe=""), "transformed_dataset")
    assert scaled["sepal_length"].min() == 0.0 and scaled["sepal_length"].max() == 1.0  # MinMax, the exposed value
    log = http.get(f"/api/runs/{first['id']}/nodes/prep/norm/log/")
    assert log.status_code == 200


def test_a_new_component_version_accepted_re_runs_only_what_changed(workers, server, http, ada, lab):
    # Given one component used by two pipelines, both run on version 1
    data = _iris(ada, lab)
    prep = create_component(ada, lab, "Prep", "", "first", prep_document())
    doc = pipeline_using(data.pk, prep.pk)
    pipeline = create_pipeline(ada, lab, "Follows prep", document=doc)
    other = create_pipeline(ada, lab, "Also uses prep", document=copy.deepcopy(doc))
    first = wait_for_run(http, submit(http, pipeline.pk)["id"])
    # When the component changes and only the first pipeline accepts the update, and both run again
    changed = prep_document()
    changed["graph"]["nodes"][1]["params"]["columns"] = ["sepal_length"]  # only Normalize Data changes
    save_version(ada, prep, changed, "scale one column", 1)
    accepted = copy.deepcopy(doc)
    accepted["nodes"][1]["version"] = 2  # the canvas's "accept update" rewrites the version
    save_pipeline_version(ada, pipeline, accepted, base_version=1)

    second = wait_for_run(http, submit(http, pipeline.pk)["id"])
    untouched = wait_for_run(http, submit(http, other.pk)["id"])

    # Then the pipeline that did not accept keeps version 1: everything it computes is the first run's
    assert untouched["status"] == "completed", untouched
    assert set(node_status(untouched).values()) == {"reused"}
    assert untouched["components"]["prep"]["version"] == 1
    assert output_table(http, untouched["id"], "pick", "results_dataset").equals(
        output_table(http, first["id"], "pick", "results_dataset")
    )
    # And the one that accepted re-runs only what the change reaches

    assert first["status"] == second["status"] == "completed"
    assert node_status(second) == {
        "data": "reused",
        "prep/clean": "reused",
        "prep/norm": "completed",
        "pick": "completed",
    }
    assert second["components"]["prep"]["version"] == 2


def test_a_nested_component_runs_with_ids_a_b_c(workers, server, http, ada, lab):
    data = _iris(ada, lab)
    prep = create_component(ada, lab, "Prep", "", "first", prep_document())
    wrapper = {
        "kind": "graph",
        "graph": {
            "schema_version": 1,
            "nodes": [{"id": "inner", "module": f"component:{prep.pk}", "version": 1, "params": {"method": "MinMax"}}],
            "edges": [],
        },
        "inputs": [{"name": "raw", "targets": [{"node": "inner", "port": "dataset"}]}],
        "outputs": [{"name": "ready", "source": {"node": "inner", "port": "cleaned"}}],
        "parameters": [],
    }
    outer = create_component(ada, lab, "Wrapper", "", "first", wrapper)
    doc = pipeline_using(data.pk, outer.pk)
    doc["edges"] = [
        {"source": {"node": "data", "port": "dataset"}, "target": {"node": "prep", "port": "raw"}},
        {"source": {"node": "prep", "port": "ready"}, "target": {"node": "pick", "port": "dataset"}},
    ]
    pipeline = create_pipeline(ada, lab, "Nested", document=doc)

    run = wait_for_run(http, submit(http, pipeline.pk)["id"])

    assert run["status"] == "completed", run
    assert set(node_status(run)) == {"data", "prep/inner/clean", "prep/inner/norm", "pick"}
    assert set(run["components"]) == {"prep", "prep/inner"}
    assert run["components"]["prep"]["nodes"] == ["prep/inner/clean", "prep/inner/norm"]


def test_a_script_component_runs_in_the_sandbox(workers, server, http, ada, lab):
    data = _iris(ada, lab)
    rows = create_component(ada, lab, "Rows above", "", "first", SCRIPT)
    doc = pipeline_using(data.pk, rows.pk, threshold=5.5)
    doc["edges"] = [
        {"source": {"node": "data", "port": "dataset"}, "target": {"node": "prep", "port": "dataset"}},
        {"source": {"node": "prep", "port": "result"}, "target": {"node": "pick", "port": "dataset"}},
    ]
    doc["nodes"][2]["params"] = {"columns": ["sepal_length", "flag"]}
    pipeline = create_pipeline(ada, lab, "Scripted", document=doc)

    run = wait_for_run(http, submit(http, pipeline.pk)["id"])

    assert run["status"] == "completed", run
    assert node_status(run) == {"data": "completed", "prep": "completed", "pick": "completed"}
    assert run["components"]["prep"]["ports"] == {"inputs": {"dataset": "input_1"}, "outputs": {"result": "output_1"}}
    picked = output_table(http, run["id"], "pick", "results_dataset")
    assert list(picked.columns) == ["sepal_length", "flag"]
    assert (picked["sepal_length"] > 5.5).all() and len(picked) > 0 and set(picked["flag"]) == {1}
    log = http.get(f"/api/runs/{run['id']}/nodes/prep/log/").text
    assert "sandbox:" in str(log)
