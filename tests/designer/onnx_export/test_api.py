"""ONNX export through the API: a registered model version gets an "onnx" format the registry lists and
serves; an endpoint downloads as one ONNX model that answers its example request as the endpoint does;
a pipeline with a module no converter supports is refused naming it, and nothing is stored."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
from rest_framework.test import APIClient

from designer.artifacts.models import ArtifactOwnership
from designer.engine.onnx_export.check import run, session
from designer.pipelines.services import create_pipeline
from designer.registry.models import ModelFormat
from designer.runs.models import Run
from designer.workspaces.models import Workspace


def _register(client: APIClient, workspace: Workspace, run: Run) -> dict[str, Any]:
    body = {"workspace": workspace.pk, "name": "cancer", "run": run.pk, "node": "train"}
    response = client.post("/api/models/", body, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_a_model_version_exported_as_onnx_lists_the_format_and_serves_a_file_that_scores_as_score_model(
    as_editor: APIClient, as_viewer: APIClient, workspace: Workspace, trained_run: Run
) -> None:
    model = _register(as_editor, workspace, trained_run)
    assert [f["format"] for f in model["formats"]] == ["native"]

    assert as_viewer.post(f"/api/models/{model['id']}/onnx/").status_code == 403  # exporting writes: editors
    response = as_editor.post(f"/api/models/{model['id']}/onnx/")

    assert response.status_code == 201, response.content
    made = response.json()
    assert made["format"] == "onnx" and made["detail"]["check"]["rows"] > 300
    assert made["detail"]["check"]["max_difference"] <= 1e-5
    listed = as_viewer.get(f"/api/models/{model['id']}/").json()["formats"]
    assert [f["format"] for f in listed] == ["native", "onnx"]
    download = as_viewer.get(f"/api/models/{model['id']}/formats/onnx/")
    assert download.status_code == 200 and download["Content-Disposition"].endswith('.onnx"')
    sess = session(download.content)
    assert {i.name for i in sess.get_inputs()} == {c["name"] for c in made["detail"]["inputs"]}
    assert as_viewer.get(f"/api/models/{model['id']}/formats/bundle/").status_code == 404
    assert as_viewer.get(f"/api/models/{model['id']}/formats/native/").status_code == 200


def test_an_endpoint_downloads_as_onnx_answering_its_example_request_as_the_endpoint_does(
    as_viewer: APIClient, live: dict[str, Any]
) -> None:
    response = as_viewer.get(f"/api/endpoints/{live['id']}/onnx/")

    assert response.status_code == 200, response.content
    assert json.loads(response["X-Tessera-Onnx-Check"])["rows"] > 300
    rows = live["example"]["Inputs"]["WebServiceInput0"]
    scorer = APIClient()
    scorer.credentials(HTTP_AUTHORIZATION=f"Bearer {live['keys']['primary']}")
    body = json.dumps(live["example"])
    answer = scorer.generic("POST", "/endpoints/cancer/score", body, content_type="application/json")
    assert answer.status_code == 200, answer.content
    served = answer.json()["Results"]["WebServiceOutput0"]
    sess = session(response.content)
    feeds = {i.name: np.array([[float(r[i.name])] for r in rows]) for i in sess.get_inputs()}
    got = run(sess, feeds)
    assert [str(v) for v in got["Scored Labels"]] == [str(r["Scored Labels"]) for r in served]
    assert np.allclose(got["Scored Probabilities"], [r["Scored Probabilities"] for r in served], rtol=0, atol=1e-5)


def test_a_pipeline_with_a_module_no_converter_supports_is_refused_naming_it_and_nothing_is_stored(
    as_editor: APIClient, as_viewer: APIClient, owner: Any, workspace: Workspace, live: dict[str, Any]
) -> None:
    derived = as_editor.get(f"/api/endpoints/{live['id']}/").json()
    document = json.loads(json.dumps(derived.get("document") or _document_of(live)))
    source = next(n for n in document["nodes"] if n["module"] == "web_service_input")
    script = {"id": "script", "module": "execute_python_script", "version": 1, "params": {}}
    document["nodes"].append(script)
    for edge in document["edges"]:
        if edge["source"]["node"] == source["id"]:
            edge["source"] = {"node": "script", "port": "result_dataset"}
    document["edges"].append(
        {"source": {"node": source["id"], "port": "request"}, "target": {"node": "script", "port": "dataset1"}}
    )
    pipeline = create_pipeline(owner, workspace, "With a script", document=document)
    before = (ArtifactOwnership.objects.count(), ModelFormat.objects.count())

    response = as_viewer.get(f"/api/pipelines/{pipeline.pk}/onnx/")

    assert response.status_code == 422, response.content
    body = response.json()
    assert "Execute Python Script" in json.dumps(body) and "user code" in json.dumps(body)
    assert (ArtifactOwnership.objects.count(), ModelFormat.objects.count()) == before


def _document_of(live: dict[str, Any]) -> dict[str, Any]:
    from designer.endpoints.models import Endpoint

    return Endpoint.objects.get(pk=live["id"]).document


def test_the_module_list_is_open_to_any_signed_in_user(as_viewer: APIClient) -> None:
    listed = as_viewer.get("/api/onnx/modules/").json()

    assert "score_model" in {m["module"] for m in listed["exportable"]}
    assert "Execute Python Script" in {m["name"] for m in listed["not_exportable"]}
    assert APIClient().get("/api/onnx/modules/").status_code in (401, 403)
