"""Create inference pipeline -> deploy -> score with each body format -> records and metrics, on PostgreSQL."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd
import pytest
from drf_spectacular.validation import validate_schema
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from designer.datasets.models import Dataset
from designer.endpoints.models import Endpoint, EndpointCall
from designer.registry.models import RegisteredModel
from designer.runs.models import Run
from modules.library._features import prepare_features

from .conftest import LABEL, derive, trained_model

pytestmark = pytest.mark.django_db


def rows_of(dataset: Dataset, start: int, stop: int) -> pd.DataFrame:
    from designer.artifacts import artifact_store
    from modules.sdk import Table

    table = Table.deserialize(artifact_store().get(dataset.versions.order_by("-version").first().digest))
    return table.df.drop(columns=[LABEL]).iloc[start:stop].reset_index(drop=True)


def as_json_rows(df: pd.DataFrame) -> list[dict[str, Any]]:
    return json.loads(df.to_json(orient="records"))


def caller(key: str | None = None) -> APIClient:
    client = APIClient()
    if key is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def post_json(client: APIClient, url: str, body: Any) -> Any:
    return client.generic("POST", url, json.dumps(body), content_type="application/json")


# -- deriving ----------------------------------------------------------------------------------


def test_create_inference_pipeline_opens_a_new_pipeline_with_web_service_ports(as_editor, trained_run):
    derived = derive(as_editor, trained_run)

    document = derived["pipeline"]["head"]["document"]
    modules = sorted(n["module"] for n in document["nodes"])
    assert modules == ["saved_trained_model", "score_model", "web_service_input", "web_service_output"]
    source = next(n for n in document["nodes"] if n["module"] == "web_service_input")
    assert LABEL not in [c["name"] for c in source["params"]["columns"]]
    assert len(source["params"]["columns"]) == 30
    assert derived["notes"] == [
        "Train Model replaced by a Saved Trained Model pinned to this run's model (label 'diagnosis').",
        "Split Data removed: scoring uses every row it is sent.",
        "Breast cancer (Wisconsin diagnostic) replaced by Web Service Input 'WebServiceInput0' (30 columns: the "
        "training columns minus the label 'diagnosis').",
        "Web Service Output added after Score Model.",
        "Dropped (training and evaluation only): Two-Class Logistic Regression, Evaluate Model.",
    ]  # each node by its title on the canvas (the dataset's name for a dataset), never its internal id
    assert derived["pipeline"]["name"] == "Cancer - real-time inference"
    # laid out top to bottom: every edge points down, no two cards on one spot
    at = document["layout"]
    assert all(at[e["target"]["node"]]["y"] > at[e["source"]["node"]]["y"] for e in document["edges"])
    assert len({(p["x"], p["y"]) for p in at.values()}) == len(document["nodes"])


def test_asking_twice_for_the_same_run_opens_the_first_inference_pipeline_not_a_copy(as_editor, trained_run):
    first = derive(as_editor, trained_run)
    count = trained_run.workspace.pipelines.count()

    again = as_editor.post(f"/api/runs/{trained_run.pk}/inference-pipeline/", {}, format="json")

    assert again.status_code == 200, again.content
    assert again.json()["pipeline"]["id"] == first["pipeline"]["id"]
    assert again.json()["notes"] == [
        f"Opened the pipeline made from run {trained_run.pk} earlier, as it is now: a run gives one, and nothing was "
        "created. Delete it to derive a fresh one.",
        *first["notes"],
    ]
    assert trained_run.workspace.pipelines.count() == count


def test_once_the_derived_pipeline_is_deleted_asking_again_derives_a_fresh_one(as_editor, trained_run):
    first = derive(as_editor, trained_run)
    assert as_editor.delete(f"/api/pipelines/{first['pipeline']['id']}/").status_code == 204

    again = derive(as_editor, trained_run)

    assert again["pipeline"]["id"] != first["pipeline"]["id"]
    assert again["notes"] == first["notes"]


def test_deriving_needs_an_editor_a_member_and_a_completed_run(as_viewer, as_outsider, as_editor, trained_run):
    before = trained_run.workspace.pipelines.count()

    assert as_viewer.post(f"/api/runs/{trained_run.pk}/inference-pipeline/", {}, format="json").status_code == 403
    assert as_outsider.post(f"/api/runs/{trained_run.pk}/inference-pipeline/", {}, format="json").status_code == 404
    Run.objects.filter(pk=trained_run.pk).update(status=Run.Status.FAILED)
    refused = as_editor.post(f"/api/runs/{trained_run.pk}/inference-pipeline/", {}, format="json")
    assert refused.status_code == 409
    assert "completed" in refused.json()["detail"]
    assert trained_run.workspace.pipelines.count() == before


# -- deploying ---------------------------------------------------------------------------------


def test_deploying_gives_two_keys_urls_and_an_example_from_the_training_data(live, as_viewer):
    assert live["status"] == "live"
    assert live["scoring_url"].endswith("/endpoints/cancer/score")
    assert live["inputs"][0]["name"] == "WebServiceInput0"
    assert live["outputs"] == ["WebServiceOutput0"]
    assert len(live["example"]["Inputs"]["WebServiceInput0"]) == 3
    columns = [c["name"] for c in live["inputs"][0]["columns"]]
    assert list(live["example"]["Inputs"]["WebServiceInput0"][0]) == columns  # in table order, not jsonb's
    assert live["keys"]["primary"] != live["keys"]["secondary"]
    seen_by_viewer = as_viewer.get(f"/api/endpoints/{live['id']}/").json()
    assert seen_by_viewer["keys"] is None


def test_a_training_pipeline_cannot_be_deployed_and_a_taken_name_is_refused(as_editor, workspace, trained_run, live):
    training = {"workspace": workspace.pk, "name": "raw", "pipeline": trained_run.pipeline_id}
    refused = as_editor.post("/api/endpoints/", training, format="json")
    assert refused.status_code == 422, refused.content
    assert "Web Service Input" in refused.json()["detail"]

    taken = as_editor.post("/api/endpoints/", {**training, "name": "cancer"}, format="json")
    assert taken.status_code == 400
    assert "cancer" in taken.json()["fields"]["name"][0]
    bad_name = as_editor.post("/api/endpoints/", {**training, "name": "Bad Name!"}, format="json")
    assert bad_name.status_code == 400 and "name" in bad_name.json()["fields"]
    assert Endpoint.objects.count() == 1


def test_viewers_and_outsiders_cannot_manage_endpoints(as_viewer, as_outsider, live, workspace):
    assert as_viewer.post(f"/api/endpoints/{live['id']}/regenerate-key/", {"key": "primary"}).status_code == 403
    assert as_viewer.delete(f"/api/endpoints/{live['id']}/").status_code == 403
    assert as_outsider.get(f"/api/endpoints/{live['id']}/").status_code == 404
    assert as_outsider.get("/api/endpoints/").json()["count"] == 0
    assert APIClient().get("/api/endpoints/").status_code in (401, 403)
    assert Endpoint.objects.get().primary_key == live["keys"]["primary"]


# -- scoring -----------------------------------------------------------------------------------


def test_scores_match_the_model_applied_directly_in_every_body_format(live, trained_run):
    rows = rows_of(trained_run.dataset, 0, 25)
    model = trained_model(trained_run)
    expected = model.estimator.predict_proba(prepare_features(rows, model.feature_types))[:, 1]
    client = caller(live["keys"]["primary"])
    base = "/endpoints/cancer"

    azure = post_json(
        client, f"{base}/score", {"Inputs": {"WebServiceInput0": as_json_rows(rows)}, "GlobalParameters": {}}
    )
    split = post_json(
        client, f"{base}/invocations", {"dataframe_split": json.loads(rows.to_json(orient="split", index=False))}
    )
    records = post_json(client, f"{base}/invocations", {"dataframe_records": as_json_rows(rows)})
    csv = client.generic("POST", f"{base}/invocations", rows.to_csv(index=False), content_type="text/csv")

    assert azure.status_code == 200, azure.content
    answers = {
        "azure": azure.json()["Results"]["WebServiceOutput0"],
        "split": split.json()["predictions"],
        "records": records.json()["predictions"],
        "csv": csv.json()["predictions"],
    }
    for name, answer in answers.items():
        assert len(answer) == 25, name
        np.testing.assert_allclose(
            [r["Scored Probabilities"] for r in answer], expected, rtol=0, atol=1e-9, err_msg=name
        )
        negative, positive = model.classes
        assert [r["Scored Labels"] for r in answer] == [positive if p > 0.5 else negative for p in expected], name
        assert set(rows.columns) <= set(answer[0]), name
        assert answer[3][rows.columns[0]] == pytest.approx(rows.iloc[3, 0]), name


@pytest.mark.parametrize(
    ("body", "status", "fragment"),
    [
        ("not json", 400, "not valid JSON"),
        ({"Inputs": {"input1": [{}]}, "GlobalParameters": {}}, 400, "this endpoint's inputs are: WebServiceInput0"),
        ({"Inputs": {}}, 400, "Input 'WebServiceInput0' is missing"),
        ({"Inputs": {"WebServiceInput0": "rows"}}, 400, "must be a list of rows"),
        ({"Data": []}, 400, "Unknown field 'Data'"),
    ],
)
def test_malformed_bodies_are_refused_with_a_message_naming_the_fault(live, body, status, fragment):
    client = caller(live["keys"]["secondary"])

    if isinstance(body, str):
        response = client.generic("POST", "/endpoints/cancer/score", body, content_type="application/json")
    else:
        response = post_json(client, "/endpoints/cancer/score", body)

    assert response.status_code == status
    assert fragment in response.json()["error"]["message"]


def test_bad_rows_name_the_input_row_and_column(live, trained_run, settings):
    rows = as_json_rows(rows_of(trained_run.dataset, 0, 3))
    client = caller(live["keys"]["primary"])
    column = next(iter(rows[0]))

    def score(rows: list[dict[str, Any]]) -> Any:
        return post_json(client, "/endpoints/cancer/score", {"Inputs": {"WebServiceInput0": rows}})

    missing = score([rows[0], {k: v for k, v in rows[1].items() if k != column}])
    extra = score([{**rows[0], "colour": "red"}])
    wrong = score([rows[0], rows[1], {**rows[2], column: "large"}])
    settings.TESSERA_SCORING_MAX_ROWS = 2
    many = score(rows)
    settings.TESSERA_SCORING_MAX_BODY_BYTES = 100
    huge = score(rows[:1])

    assert missing.status_code == 400
    assert missing.json()["error"]["details"] == [
        {"input": "WebServiceInput0", "row": 1, "column": column, "problem": "missing"}
    ]
    assert extra.status_code == 400 and extra.json()["error"]["details"][0]["column"] == "colour"
    assert wrong.status_code == 400
    assert wrong.json()["error"]["message"] == (
        f"Input 'WebServiceInput0', row 2, column '{column}': expected a number, got 'large'."
    )
    assert many.status_code == 413 and "limit is 2" in many.json()["error"]["message"]
    assert huge.status_code == 413


def test_a_missing_or_wrong_key_is_401_and_a_regenerated_key_replaces_the_old_one(live, as_editor):
    body = {"Inputs": {"WebServiceInput0": live["example"]["Inputs"]["WebServiceInput0"]}}
    old = live["keys"]["primary"]

    assert post_json(caller(), "/endpoints/cancer/score", body).status_code == 401
    assert post_json(caller("wrong-key"), "/endpoints/cancer/score", body).status_code == 401
    assert post_json(caller(old), "/endpoints/cancer/score", body).status_code == 200
    keys = as_editor.post(f"/api/endpoints/{live['id']}/regenerate-key/", {"key": "primary"}, format="json").json()

    assert keys["primary"] != old and keys["secondary"] == live["keys"]["secondary"]
    assert post_json(caller(old), "/endpoints/cancer/score", body).status_code == 401
    assert post_json(caller(keys["primary"]), "/endpoints/cancer/score", body).status_code == 200
    assert post_json(caller(old), "/endpoints/nobody/score", body).status_code == 404


def test_every_call_is_recorded_and_the_monitoring_figures_match(live, as_viewer, owner):
    example = live["example"]["Inputs"]["WebServiceInput0"]
    good = caller(live["keys"]["primary"])
    for _ in range(4):
        assert post_json(good, "/endpoints/cancer/score", {"Inputs": {"WebServiceInput0": example}}).status_code == 200
    post_json(good, "/endpoints/cancer/invocations", {"dataframe_records": example[:1]})
    post_json(caller("nope"), "/endpoints/cancer/score", {})
    post_json(good, "/endpoints/cancer/score", {"Inputs": {"WebServiceInput0": [{"x": 1}]}})

    calls = list(EndpointCall.objects.order_by("at", "id").values_list("status", "rows", "format", "error_kind"))
    monitoring = as_viewer.get(f"/api/endpoints/{live['id']}/monitoring/?minutes=60").json()
    owner.is_staff = True
    owner.save()
    token = Token.objects.create(user=owner)
    metrics = APIClient().get("/metrics", HTTP_AUTHORIZATION=f"Token {token.key}")

    assert calls == [(200, 3, "azure", "")] * 4 + [
        (200, 1, "mlflow", ""),
        (401, 0, "azure", "unauthorized"),
        (400, 0, "azure", "bad_columns"),
    ]
    assert monitoring["totals"]["requests"] == 7
    assert monitoring["totals"]["errors"] == 2
    assert monitoring["totals"]["rows"] == 13
    assert sum(p["requests"] for p in monitoring["series"]) == 7
    assert monitoring["totals"]["p50_ms"] > 0
    assert {"traffic", "latency"} <= set(monitoring["figures"])
    assert len(monitoring["recent"]) == 7
    text = metrics.content.decode()
    assert metrics.status_code == 200
    assert 'tessera_endpoint_requests_total{endpoint="cancer",status="200"} 5.0' in text
    assert 'tessera_endpoint_requests_total{endpoint="cancer",status="401"} 1.0' in text
    assert 'tessera_endpoint_rows_total{endpoint="cancer"} 13.0' in text
    assert 'tessera_endpoint_latency_seconds_count{endpoint="cancer"} 7.0' in text
    assert APIClient().get("/metrics").status_code == 401


def test_the_endpoint_openapi_document_is_valid_and_carries_the_schema_and_example(live, as_viewer):
    from_key = caller(live["keys"]["primary"]).get("/endpoints/cancer/swagger.json")
    from_api = as_viewer.get(f"/api/endpoints/{live['id']}/openapi/")

    assert from_key.status_code == 200 and from_api.status_code == 200
    document = from_key.json()
    validate_schema(document)
    service_input = document["components"]["schemas"]["ServiceInput"]
    rows = service_input["properties"]["Inputs"]["properties"]["WebServiceInput0"]["items"]
    assert len(rows["required"]) == 30 and rows["additionalProperties"] is False
    assert service_input["example"] == live["example"]
    output = document["components"]["schemas"]["ServiceOutput"]["example"]["Results"]["WebServiceOutput0"]
    assert {"Scored Labels", "Scored Probabilities"} <= set(output[0])
    assert caller().get("/endpoints/cancer/swagger.json").status_code == 401


def test_redeploying_another_version_bumps_the_revision(as_editor, live):
    pipeline_id = live["pipeline"]
    head = as_editor.get(f"/api/pipelines/{pipeline_id}/").json()["head"]["document"]
    saved = as_editor.post(
        f"/api/pipelines/{pipeline_id}/versions/",
        {"document": head, "message": "again", "base_version": 1},
        format="json",
    )
    assert saved.status_code == 201, saved.content

    patched = as_editor.patch(f"/api/endpoints/{live['id']}/", {"pipeline_version": 2}, format="json")

    assert patched.status_code == 200
    assert patched.json()["pipeline_version"] == 2 and patched.json()["revision"] == 2
    body = {"Inputs": {"WebServiceInput0": live["example"]["Inputs"]["WebServiceInput0"]}}
    assert post_json(caller(live["keys"]["primary"]), "/endpoints/cancer/score", body).status_code == 200


# -- registry ----------------------------------------------------------------------------------


def test_registering_a_name_twice_makes_versions_and_a_served_model_cannot_be_deleted(
    as_editor, workspace, trained_run, live
):
    body = {
        "workspace": workspace.pk,
        "name": "cancer-lr",
        "run": trained_run.pk,
        "node": "train",
        "tags": {"stage": "prod"},
    }

    first = as_editor.post("/api/models/", body, format="json")
    second = as_editor.post("/api/models/", body, format="json")
    no_model = as_editor.post("/api/models/", {**body, "node": "evaluate"}, format="json")

    assert (first.status_code, second.status_code) == (201, 201)
    assert (first.json()["version"], second.json()["version"]) == (1, 2)
    assert first.json()["run"] == trained_run.pk and first.json()["tags"] == {"stage": "prod"}
    assert first.json()["in_use_by"] == ["cancer"]
    assert no_model.status_code == 400 and "no trained-model output" in no_model.json()["detail"]
    refused = as_editor.delete(f"/api/models/{first.json()['id']}/")
    assert refused.status_code == 409 and "cancer" in refused.json()["detail"]
    assert RegisteredModel.objects.count() == 2
    assert as_editor.delete(f"/api/endpoints/{live['id']}/").status_code == 204
    assert as_editor.delete(f"/api/models/{first.json()['id']}/").status_code == 204
