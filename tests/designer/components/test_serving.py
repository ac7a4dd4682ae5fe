"""Deriving and deploying an inference pipeline through components: a graph component on the data path and a
script component that adds a feature run in training, are inlined in the derived pipeline, and serve."""

from __future__ import annotations

import json

import pytest
from rest_framework.test import APIClient

from designer.components.services import create_component
from designer.pipelines.services import create_pipeline
from designer.runs import services as runs
from designer.runs.models import Run
from tests.designer.runs.conftest import drain, upload_sample
from tests.support.pipelines import document

pytestmark = pytest.mark.django_db

FEATURE = {
    "kind": "script",
    "script": (
        "def run(inputs, params):\n"
        "    df = inputs['dataset'].copy()\n"
        "    df[params['name']] = df['mean_radius'] / df['worst_radius']\n"
        "    return df\n"
    ),
    "spec": {
        "category": "Data Transformation",
        "inputs": [{"name": "dataset", "type": "table"}],
        "outputs": [{"name": "with_ratio", "type": "table"}],
        "parameters": [{"name": "name", "type": "string", "default": "radius_ratio"}],
    },
}
PREP = {
    "kind": "graph",
    "graph": document(
        [
            ("clean", "clean_missing_data", {"cleaning_mode": "Replace with mean", "columns": ["mean_texture"]}),
            ("norm", "normalize_data", {"transformation_method": "MinMax", "columns": ["mean_radius", "mean_texture"]}),
        ],
        ["clean.cleaned_dataset -> norm.dataset"],
    ),
    "inputs": [{"name": "dataset", "targets": [{"node": "clean", "port": "dataset"}]}],
    "outputs": [{"name": "ready", "source": {"node": "norm", "port": "transformed_dataset"}}],
    "parameters": [],
}


def test_a_run_through_components_derives_deploys_and_scores(as_editor, owner, workspace):
    data = upload_sample(owner, workspace)
    feature = create_component(owner, workspace, "Radius ratio", "", "first", FEATURE)
    prep = create_component(owner, workspace, "Prep", "", "first", PREP)
    doc = document(
        [
            ("data", "dataset", {"dataset": {"dataset_id": data.pk}}),
            ("ratio", f"component:{feature.pk}", {}),
            ("prep", f"component:{prep.pk}", {}),
            ("split", "split_data", {"fraction_of_rows_in_first_output_dataset": 0.7, "random_seed": 42}),
            ("learner", "two_class_logistic_regression", {}),
            ("train", "train_model", {"label_column": "diagnosis"}),
            ("score", "score_model", {}),
        ],
        [
            "data.dataset -> ratio.dataset",
            "ratio.with_ratio -> prep.dataset",
            "prep.ready -> split.dataset",
            "learner.untrained_model -> train.untrained_model",
            "split.results_dataset1 -> train.dataset",
            "train.trained_model -> score.trained_model",
            "split.results_dataset2 -> score.dataset",
        ],
    )
    pipeline = create_pipeline(owner, workspace, "Cancer through components", document=doc)

    run = drain(runs.submit_run(user=owner, pipeline=pipeline))
    derived = as_editor.post(f"/api/runs/{run.pk}/inference-pipeline/", {}, format="json")
    served = as_editor.post(
        "/api/endpoints/",
        {"workspace": workspace.pk, "name": "through-components", "pipeline": derived.json()["pipeline"]["id"]},
        format="json",
    )

    assert run.status == Run.Status.COMPLETED, run.error
    assert {"ratio", "prep/clean", "prep/norm"} <= set(run.nodes.values_list("node_id", flat=True))
    assert derived.status_code == 201, derived.content
    derived_doc = derived.json()["pipeline"]["head"]["document"]
    modules = {n["id"]: n["module"] for n in derived_doc["nodes"]}
    assert modules["ratio"] == "script_component"  # kept: each request's rows run through it in the sandbox
    assert all("/" not in node_id and not m.startswith("component:") for node_id, m in modules.items())
    assert served.status_code == 201, served.content
    endpoint = served.json()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {endpoint['keys']['primary']}")
    response = client.generic(
        "POST", f"/endpoints/{endpoint['name']}/score", json.dumps(endpoint["example"]), content_type="application/json"
    )
    assert response.status_code == 200, response.content
    [rows] = response.json()["Results"].values()
    assert len(rows) == len(endpoint["example"]["Inputs"]["WebServiceInput0"])
    assert all({"Scored Labels", "Scored Probabilities", "radius_ratio"} <= set(r) for r in rows), rows[0]
