"""Scoring bundles: downloaded through the API, unpacked, and served by their runner in a process of their own
without the server, its database or its settings: the answers are the endpoint's, byte for byte."""

from __future__ import annotations

import csv
import io
import json
import os
import site
import subprocess
import tarfile
import time
import zipfile
from importlib import metadata
from pathlib import Path
from typing import Any

import httpx
import pytest
from rest_framework.test import APIClient

from designer.artifacts import artifact_store
from designer.endpoints.models import Endpoint
from designer.engine.bundle.probe import bare_environment, command
from designer.pipelines.samples import open_sample
from designer.runs import services as runs
from tests.designer.runs.conftest import drain
from tests.support.pipelines import document
from tests.support.processes import LOG_DIR, free_port

from .conftest import deploy, derive
from .test_api import caller

pytestmark = pytest.mark.django_db

KEY = "a-key-of-the-bundles-own"
#: What the runner's process may not see: the server's settings, database, broker and Tessera's settings.
HIDDEN = ("DJANGO", "DATABASE", "REDIS", "CELERY", "TESSERA_ENV", "TESSERA_DATA", "TESSERA_ARTIFACT")


def download(client: APIClient, endpoint_id: int) -> Any:
    return client.get(f"/api/endpoints/{endpoint_id}/bundle/")


def unpack(response: Any, into: Path) -> Path:
    data = b"".join(response.streaming_content)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        tops = {member.name.split("/")[0] for member in tar.getmembers()}
        tar.extractall(into, filter="data")
    assert len(tops) == 1, tops
    return into / tops.pop()


def bare_env(folder: Path, **extra: str) -> dict[str, str]:
    """The runner's environment: a PATH, a HOME, the bundle's src/ and the installed packages, nothing else."""
    env = bare_environment(folder) | extra
    assert env["PYTHONPATH"].split(os.pathsep) == [str(folder / "src"), *site.getsitepackages()]
    assert not [k for k in env if k.startswith(HIDDEN)]
    return env


class Runner:
    """The bundle's runner as its README starts it: gunicorn, from the unpacked folder; without the site
    module, so that the editable install of Tessera in this environment cannot lend it a file it lacks."""

    def __init__(self, folder: Path, **env: str) -> None:
        self.port = free_port()
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        self.log_path = LOG_DIR / f"bundle-{self.port}.log"
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        serve = ["runner:app", "-b", f"127.0.0.1:{self.port}", "-w", "1", "--threads", "2", "--no-control-socket"]
        self.proc = subprocess.Popen(
            command("-m", "gunicorn", *serve),  # python -S: no .pth runs, so only src/ has Tessera's code
            cwd=folder,
            env=bare_env(folder, **env),
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the runner exited: {self.log_path.read_text()[-3000:]}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise TimeoutError(f"the runner did not start: {self.log_path.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
        self._log.close()


def as_csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def test_the_bundle_answers_the_endpoints_requests_exactly_as_the_endpoint_does(as_viewer, live, tmp_path):
    # given the deployed endpoint's bundle, downloaded by a viewer and unpacked
    response = download(as_viewer, live["id"])
    assert response.status_code == 200
    assert response["Content-Type"] == "application/gzip"
    assert 'filename="cancer-scoring-bundle.tar.gz"' in response["Content-Disposition"]
    folder = unpack(response, tmp_path)
    manifest = json.loads((folder / "bundle.json").read_text())
    examples = {p.name: json.loads(p.read_text()) for p in (folder / "examples").iterdir()}
    rows = examples["score.json"]["Inputs"]["WebServiceInput0"]
    high = [rows[0] | {"mean_radius": 1e6}] + rows[1:]  # outside the training range: the answer warns
    requests = [
        ("score", "application/json", examples["score.json"]),
        ("invocations", "application/json", examples["invocations-split.json"]),
        ("invocations", "application/json", examples["invocations-records.json"]),
        ("invocations", "text/csv", as_csv(rows)),
        ("score", "application/json", {"Inputs": {"WebServiceInput0": high}, "GlobalParameters": {}}),
        ("invocations", "application/json", {"dataframe_records": [rows[0] | {"mean_radius": "big"}]}),
        ("score", "application/json", {"Inputs": {"WebServiceInput0": [{"mean_radius": 1.0}]}}),
        ("score", "application/json", {"Inputs": {"WebServiceInput0": [rows[0] | {"colour": "red"}]}}),
        ("score", "application/json", {"Inputs": {"Elsewhere": rows}}),
        ("invocations", "application/json", {"dataframe_split": {"columns": ["mean_radius"], "data": [[1, 2]]}}),
    ]
    key = caller(live["keys"]["primary"])

    # when the runner serves it in a process of its own, without the server's environment
    runner = Runner(folder, TESSERA_SCORING_KEY=KEY)
    try:
        with httpx.Client(base_url=runner.url, headers={"Authorization": f"Bearer {KEY}"}, timeout=30) as bundle:
            answers = []
            for route, media, body in requests:
                text = body if isinstance(body, str) else json.dumps(body)
                theirs = bundle.post(f"/{route}", content=text, headers={"Content-Type": media})
                ours = key.generic("POST", f"/endpoints/cancer/{route}", text, content_type=media)
                answers.append((route, theirs, ours))
            same_path = bundle.post("/endpoints/cancer/score", json=examples["score.json"])
            keyless = httpx.post(f"{runner.url}/score", json=examples["score.json"], timeout=30)
            wrong = httpx.post(
                f"{runner.url}/score", json=examples["score.json"], headers={"Authorization": "Bearer x"}
            )
            got = httpx.get(f"{runner.url}/score", headers={"Authorization": f"Bearer {KEY}"})
    finally:
        runner.stop()

    # then every answer, refusals included, is the endpoint's: status, body bytes, and the counts' headers
    for (route, theirs, ours), (_, _, body) in zip(answers, requests, strict=True):
        assert theirs.status_code == ours.status_code, (route, body, theirs.text, ours.content)
        assert theirs.content == ours.content, (route, body)
        assert theirs.json() == json.loads(ours.content)
        assert theirs.headers.get("Tessera-Warnings") == ours.get("Tessera-Warnings")
    statuses = [ours.status_code for _, _, ours in answers]
    assert statuses == [200] * 5 + [400] * 5
    assert (
        answers[0][1].json() == examples["score-response.json"] == Endpoint.objects.get(pk=live["id"]).example_response
    )
    assert answers[4][1].json()["Warnings"][0]["column"] == "mean_radius"  # the profile came along, the rows did not
    refusals = [theirs.json()["error"] for _, theirs, _ in answers[5:9]]
    assert [r["details"][0].get("column") for r in refusals] == ["mean_radius", "mean_texture", "colour", None]
    assert "column 'mean_radius': expected a number, got 'big'" in refusals[0]["message"]
    assert refusals[3]["details"] == [{"input": "Elsewhere"}]
    assert same_path.content == answers[0][1].content
    assert (keyless.status_code, wrong.status_code, got.status_code) == (401, 401, 405)
    assert got.headers["Allow"] == "POST"

    # and the bundle holds no key of the endpoint, no training rows, and only the artifacts it reads
    everything = b"".join(p.read_bytes() for p in folder.rglob("*") if p.is_file())
    assert live["keys"]["primary"].encode() not in everything
    assert live["keys"]["secondary"].encode() not in everything
    endpoint = Endpoint.objects.get(pk=live["id"])
    carried = {a["digest"] for a in manifest["artifacts"]}
    assert set(endpoint.artifacts) < carried and len(carried) == len(endpoint.artifacts) + 1  # + the row-less baseline
    assert sorted(p.name for p in (folder / "artifacts").iterdir()) == sorted(carried)
    baseline = next(n for n in json.loads((folder / "pipeline.json").read_text())["nodes"] if "baseline" in n["params"])
    import pyarrow.parquet as pq

    assert pq.read_metadata(folder / "artifacts" / baseline["params"]["baseline"]).num_rows == 0

    # and requirements.txt pins what the runner imported when the bundle was tried, and nothing of the server
    pins = dict(line.split("==") for line in (folder / "requirements.txt").read_text().split())
    assert {"gunicorn", "numpy", "pandas", "pyarrow", "pydantic", "scikit-learn", "skops"} <= set(pins), pins
    assert not {"Django", "celery", "torch", "lightgbm", "dask", "psycopg", "redis"} & set(pins), pins
    assert pins["pandas"] == metadata.version("pandas")
    assert "RUN pip install --no-cache-dir -r requirements.txt" in (folder / "Dockerfile").read_text()


def python_model() -> str:
    """A stored trained model whose skops file holds Create Python Model's estimator (only its schema matters)."""
    inner, outer = io.BytesIO(), io.BytesIO()
    with zipfile.ZipFile(inner, "w") as skops:
        skops.writestr("schema.json", json.dumps({"__module__": "modules.estimators.python_model", "content": {}}))
    with zipfile.ZipFile(outer, "w") as model:
        model.writestr("meta.json", "{}")
        model.writestr("estimator.skops", inner.getvalue())
    return artifact_store().put(outer.getvalue())


SCRIPT = "def azureml_main(dataframe1=None, dataframe2=None):\n    return dataframe1,\n"


@pytest.mark.parametrize(
    ("module", "params", "message"),
    [
        (
            "execute_python_script",
            lambda: {"python_script": SCRIPT},
            "Node 'mid' (Execute Python Script) runs user code",
        ),
        ("saved_trained_model", python_model, "made by Create Python Model and runs the user's script"),
        ("saved_trained_model", lambda: {"artifact": "0" * 64}, "is gone from the store"),
    ],
    ids=["script", "python-model", "gone"],
)
def test_an_endpoint_that_cannot_leave_tessera_is_refused_naming_why(as_viewer, workspace, module, params, message):
    made = params()
    node_params = {"artifact": made} if isinstance(made, str) else made
    columns = [{"name": "x", "type": "number"}]
    nodes = [
        ("in", "web_service_input", {"name": "WebServiceInput0", "columns": columns}),
        ("mid", module, node_params),
    ]
    edges = ["in.request -> mid.dataset1"] if module == "execute_python_script" else []
    doc = document([*nodes, ("out", "web_service_output", {"name": "WebServiceOutput0"})], edges)
    endpoint = Endpoint.objects.create(
        workspace=workspace, name="odd", version_number=1, document=doc, primary_key="p", secondary_key="s"
    )

    response = download(as_viewer, endpoint.pk)

    assert response.status_code == 422, response.content
    assert message in response.json()["detail"]
    assert response.json()["detail"].startswith("This endpoint cannot be exported as a scoring bundle: ")
    if module == "execute_python_script" or isinstance(made, str):
        assert response.json()["problems"][0]["node"] == "mid"


def test_a_sample_pipeline_with_text_columns_and_a_cleaning_step_is_bundled_and_answers_as_its_endpoint(
    owner, workspace, as_editor, as_viewer, tmp_path
):
    # given the multiclass penguins sample (island and sex as text, Clean Missing Data before the forest)
    opened = open_sample(owner, workspace, "multiclass-penguins")
    run = drain(runs.submit_run(user=owner, pipeline=opened.pipeline))
    live = deploy(as_editor, workspace, derive(as_editor, run)["pipeline"]["id"], name="penguins")

    # when its bundle is downloaded (the server starts it once, without its environment, before answering)
    response = download(as_viewer, live["id"])

    # then it came: the bundle's runner answered the example exactly as the endpoint does
    assert response.status_code == 200, response.content
    folder = unpack(response, tmp_path)
    endpoint = Endpoint.objects.get(pk=live["id"])
    types = {c["name"]: c["type"] for c in json.loads((folder / "schema" / "inputs.json").read_text())[0]["columns"]}
    assert (types["island"], types["sex"]) == ("string", "string")
    answer = json.loads((folder / "examples" / "score-response.json").read_text())
    assert answer == endpoint.example_response and answer["Results"]["WebServiceOutput0"]
    modules = {n["module"] for n in json.loads((folder / "pipeline.json").read_text())["nodes"]}
    assert "apply_transformation" in modules or "clean_missing_data" in modules, modules
