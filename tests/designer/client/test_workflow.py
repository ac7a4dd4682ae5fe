"""The client's whole path on real processes: upload, push a YAML file, submit and follow a run on Celery
workers, read its outputs, deploy and score, publish, schedule: the CLI as a subprocess, the SDK in-process."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

import pandas as pd
import pytest
from rich.console import Console
from tessera_client import Metrics, Workspace, documents

from designer.pipelines.models import PipelineVersion
from tests.support.pipelines import train_score_evaluate

from .conftest import sample_csv

pytestmark = [pytest.mark.workers, pytest.mark.django_db(transaction=True)]

NODES = ["data", "split", "learner", "train", "score", "evaluate"]


def test_upload_push_run_outputs_deploy_and_score_from_the_command_line_and_a_notebook(
    workers, server, http, tessera, tmp_path, ada_signs_in, lab
):
    # given the breast-cancer sample as a CSV file, uploaded with the command
    uploaded = tessera("dataset", "upload", str(sample_csv(tmp_path / "cancer.csv")), "--name", "cancer",
                       "--output", "json")  # fmt: skip
    assert uploaded.code == 0, uploaded.stderr
    dataset = json.loads(uploaded.stdout)
    assert (dataset["name"], dataset["version"], dataset["rows"]) == ("cancer", 1, 569)

    # and a train/score/evaluate pipeline written as YAML, pushed: created, then unchanged
    path = tmp_path / "pipeline.yaml"
    documents.write(train_score_evaluate(dataset["id"], "diagnosis"), path)
    created = tessera("pipeline", "push", str(path), "--name", "Cancer", "--message", "first")
    again = tessera("pipeline", "push", str(path), "--name", "Cancer")
    assert created.code == 0, created.stderr
    assert created.stdout.startswith("created pipeline 'Cancer' (id ")
    assert (again.code, again.stdout) == (0, "unchanged (version 1)\n")
    assert PipelineVersion.objects.filter(pipeline__name="Cancer").count() == 1

    # and the pulled file is the server's normal form of the pushed one, reads back to the same text, and
    # pushing it changes nothing
    pulled = tessera("pipeline", "pull", "Cancer", "--out", str(tmp_path / "pulled.yaml"))
    assert pulled.code == 0, pulled.stderr
    text = (tmp_path / "pulled.yaml").read_text()
    assert documents.loads_yaml(text).content == documents.normalized(documents.read(path).content)
    assert text == documents.dumps_yaml(documents.canonical(documents.read(path).content))
    assert documents.dumps_yaml(documents.loads_yaml(text).content) == text
    assert text.startswith("schema_version: 1\nnodes:\n  - id: data\n    module: dataset\n    version: 1\n")
    assert (
        tessera("pipeline", "push", str(tmp_path / "pulled.yaml"), "--name", "Cancer").stdout
        == "unchanged (version 1)\n"
    )

    # when a run is submitted and followed to the end
    ran = tessera("run", "submit", "Cancer", "--wait")

    # then each node's line and the progress bar were printed as the run went, and it completed
    assert ran.code == 0, ran.stderr
    for node, module in [("data", "Dataset"), ("split", "Split Data"), ("train", "Train Model")]:
        assert any(f"✓ {node}" in line and module in line and "completed" in line for line in ran.lines), ran.stderr
    assert "6/6 nodes" in ran.stderr
    assert "Run " in ran.stdout and ": completed" in ran.stdout and "AUC=" in ran.stdout
    run_id = int(ran.stderr.split("Submitted run ")[1].split()[0])

    # and the notebook reads the same run: metrics as a dict, tables as DataFrames equal to the CSV download
    ws = Workspace(url=server.url, token=http.token, workspace="Lab")
    run = ws.runs.get(run_id)
    metrics = run.node("evaluate").output("evaluation_results")
    served = http.get(f"/api/runs/{run_id}/nodes/evaluate/outputs/evaluation_results/").json()["metrics"]
    assert isinstance(metrics, Metrics) and dict(metrics) == served["values"]
    assert metrics.task == served["task"] and "AUC" in metrics._repr_html_()
    test_rows = run.node("split").output("results_dataset2")
    csv = pd.read_csv(
        io.BytesIO(http.get(f"/api/runs/{run_id}/nodes/split/outputs/results_dataset2/download/").content)
    )
    assert test_rows.shape == (171, 31)
    pd.testing.assert_frame_equal(test_rows, csv, check_dtype=False)
    assert "<td><code>evaluate</code></td>" in run._repr_html_()
    outputs = tessera("run", "outputs", str(run_id), "evaluate", "--output", "json")
    assert json.loads(outputs.stdout)[0]["metrics"] == served["values"]
    assert tessera("run", "logs", str(run_id), "train").code == 0

    # and the run, exported as code from the command line, runs without the server and gives its metrics
    exported = tessera("pipeline", "export-script", "--run", str(run_id), "-o", str(tmp_path / "code"))
    assert exported.code == 0, exported.stderr
    assert "pipeline.py" in exported.stdout and "pipeline.ipynb" in exported.stdout
    ran_script = subprocess.run(
        [sys.executable, "pipeline.py"], cwd=tmp_path / "code", capture_output=True, text=True, timeout=300,
        env={"PATH": os.environ["PATH"], "HOME": str(tmp_path)},
    )  # fmt: skip
    assert ran_script.returncode == 0, ran_script.stderr
    script_metrics = json.loads((tmp_path / "code/outputs/evaluate__evaluation_results.json").read_text())
    assert script_metrics == served["values"]
    pd.testing.assert_frame_equal(
        pd.read_parquet(tmp_path / "code/outputs/split__results_dataset2.parquet"), test_rows, check_dtype=False
    )
    # the SDK exports the pipeline's newest version the same way
    assert "pipeline.py" in ws.pipelines.get("Cancer").export_script(tmp_path / "from-sdk")
    assert (tmp_path / "from-sdk/pipeline.py").read_text().startswith('"""')

    # when the run's model is deployed from the command line and scored from the notebook and the command
    deployed = tessera("endpoint", "deploy", "cancer", "--run", str(run_id), "--output", "json")
    assert deployed.code == 0, deployed.stderr
    assert json.loads(deployed.stdout)["name"] == "cancer" and "keys" not in json.loads(deployed.stdout)
    scored_in_run = run.node("score").output("scored_dataset").head(20)
    rows = scored_in_run.drop(columns=["diagnosis", "Scored Labels", "Scored Probabilities"])
    answer = ws.endpoints.get("cancer").score(rows)
    rows.to_csv(tmp_path / "rows.csv", index=False)
    from_cli = tessera("endpoint", "score", "cancer", str(tmp_path / "rows.csv"), "--output", "json")

    # then the endpoint's answer is the run's Score Model output for the same rows
    assert answer["Scored Labels"].tolist() == scored_in_run["Scored Labels"].tolist()
    assert answer["Scored Probabilities"].tolist() == pytest.approx(scored_in_run["Scored Probabilities"].tolist())
    assert from_cli.code == 0, from_cli.stderr
    assert [r["Scored Labels"] for r in json.loads(from_cli.stdout)] == scored_in_run["Scored Labels"].tolist()

    # and the model registers, the pipeline publishes, triggers and schedules from the command line
    registered = tessera("model", "register", "cancer-lr", "--run", str(run_id), "--node", "train", "--tag",
                         "stage=prod", "--output", "json")  # fmt: skip
    assert registered.code == 0, registered.stderr
    assert json.loads(registered.stdout)["tags"] == {"stage": "prod"}
    assert [m["name"] for m in json.loads(tessera("model", "list", "--output", "json").stdout)] == ["cancer-lr"]
    pipeline_id = ws.pipelines.get("Cancer").id
    published = http.post(
        "/api/pipeline-endpoints/", json={"workspace": lab.pk, "name": "nightly", "pipeline": pipeline_id}
    )
    assert published.status_code == 201, published.content
    assert [p["name"] for p in json.loads(tessera("published", "list", "--output", "json").stdout)] == ["nightly"]
    triggered = tessera("published", "trigger", "nightly", "--wait", "--output", "json")
    assert triggered.code == 0, triggered.stderr
    assert json.loads(triggered.stdout)["status"] == "completed"
    assert {n["status"] for n in json.loads(triggered.stdout)["nodes"]} == {"reused"}
    made = tessera("schedule", "create", "nightly", "--cron", "0 6 * * 1-5", "--output", "json")
    assert made.code == 0, made.stderr
    schedule = json.loads(made.stdout)
    paused = tessera("schedule", "pause", str(schedule["id"]), "--output", "json")
    assert json.loads(paused.stdout)["paused"] is True
    resumed = tessera("schedule", "resume", str(schedule["id"]), "--output", "json")
    assert json.loads(resumed.stdout)["paused"] is False
    assert [s["id"] for s in json.loads(tessera("schedule", "list", "--output", "json").stdout)] == [schedule["id"]]

    # and a notebook submits the pipeline again with a progress bar: every node is reused
    drawn = io.StringIO()
    again_run = ws.pipelines.get("Cancer").submit().wait(console=Console(file=drawn, width=120))
    assert again_run.status == "completed"
    assert {n.status for n in again_run.nodes} == {"reused"}
    assert all(f"↺ {node}" in drawn.getvalue() for node in NODES), drawn.getvalue()
    assert "6/6 nodes" in drawn.getvalue()
