"""An endpoint whose pipeline runs Execute Python Script: derived, deployed and scored over HTTP with a key."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from designer.pipelines.services import create_pipeline
from designer.runs import services as runs
from designer.runs.models import Run
from designer.workspaces.models import Workspace
from tests.designer.runs.conftest import drain, upload_sample
from tests.support.pipelines import train_score_evaluate

from .conftest import LABEL, deploy, derive
from .test_api import caller, post_json
from .test_images import output

pytestmark = pytest.mark.django_db

SCRIPT = """\
def azureml_main(dataframe1=None, dataframe2=None):
    df = dataframe1.copy()
    if (df["mean_radius"] < 0).any():
        raise ValueError("a radius cannot be negative")
    df["radius_x_texture"] = df["mean_radius"] * df["mean_texture"]
    return df,
"""


@pytest.fixture
def script_run(owner: Any, workspace: Workspace) -> Run:
    """Dataset → Execute Python Script (a feature column) → Split → Train → Score → Evaluate, run in-process."""
    dataset = upload_sample(owner, workspace)
    document = train_score_evaluate(dataset.pk, LABEL)
    params = {"python_script": SCRIPT, "timeout_seconds": 30, "memory_limit_mb": 1024}
    document["nodes"].append({"id": "script", "module": "execute_python_script", "version": 1, "params": params})
    for edge in document["edges"]:
        if edge["source"]["node"] == "data":
            edge["source"] = {"node": "script", "port": "result_dataset"}
    document["edges"].append(
        {"source": {"node": "data", "port": "dataset"}, "target": {"node": "script", "port": "dataset1"}}
    )
    pipeline = create_pipeline(owner, workspace, "Cancer with a script", document=document)
    run = drain(runs.submit_run(user=owner, pipeline=pipeline))
    assert run.status == Run.Status.COMPLETED
    return run


def test_an_endpoint_runs_the_script_on_each_request_and_scores_as_training_did(as_editor, workspace, script_run):
    derived = derive(as_editor, script_run)
    live = deploy(as_editor, workspace, derived["pipeline"]["id"], name="scripted")
    scored = output(script_run, "score", "scored_dataset").df.head(4)
    columns = [c for c in scored.columns if c not in (LABEL, "radius_x_texture") and not c.startswith("Scored")]
    rows = scored[columns].to_dict("records")
    key = caller(live["keys"]["primary"])

    answer = post_json(key, "/endpoints/scripted/score", {"Inputs": {"WebServiceInput0": rows}})
    failed = post_json(
        key, "/endpoints/scripted/score", {"Inputs": {"WebServiceInput0": [rows[0] | {"mean_radius": -1.0}]}}
    )
    anonymous = post_json(caller(), "/endpoints/scripted/score", {"Inputs": {"WebServiceInput0": rows}})

    assert any(note.startswith("Execute Python Script kept") for note in derived["notes"]), derived["notes"]
    assert answer.status_code == 200, answer.content
    results = answer.json()["Results"]["WebServiceOutput0"]
    np.testing.assert_allclose([r["radius_x_texture"] for r in results], scored["radius_x_texture"], rtol=1e-12)
    assert [r["Scored Labels"] for r in results] == list(scored["Scored Labels"])
    np.testing.assert_allclose(
        [r["Scored Probabilities"] for r in results], scored["Scored Probabilities"], rtol=0, atol=1e-9
    )
    assert failed.status_code == 400
    error = failed.json()["error"]
    assert error["message"] == "Module Executing Error"
    assert (error["details"][0]["node"], error["details"][0]["param"]) == ("script", "python_script")
    assert "line 4: ValueError: a radius cannot be negative" in error["details"][0]["message"]
    assert "Traceback" not in str(error)
    assert anonymous.status_code == 401
