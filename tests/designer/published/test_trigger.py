"""The key holders' API: start a run with values or files, poll it, download its tables; every refusal a
4xx in the scoring error shape naming the field, with nothing created. Nodes run in-process (``drain``);
tests/designer/published/test_on_workers.py runs the same on real workers over a live server."""

from __future__ import annotations

import io
import json
import secrets
from typing import Any

import jsonschema
import pandas as pd
import pytest
from django.test import Client

from designer.activity.models import ActivityEvent
from designer.datasets.models import Dataset
from designer.datasets.services import create_dataset
from designer.published import services
from designer.published.models import OverrideDataset, PipelineEndpoint, PublishedRun
from designer.runs.models import Run
from tests.designer.runs.conftest import drain

from .conftest import counts, csv_file, numbers_csv, parquet_file, publish

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def own_counts(settings: Any) -> Any:
    """Wrong-key counts in a cache namespace of this test's own (they live in Redis and outlast a test)."""
    settings.CACHES = {
        **settings.CACHES,
        "throttle": {**settings.CACHES["throttle"], "KEY_PREFIX": f"test-{secrets.token_hex(6)}"},
    }
    return settings


def bearer(endpoint: PipelineEndpoint, which: str = "primary") -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {getattr(endpoint, f'{which}_key')}"}


def start(endpoint: PipelineEndpoint, body: Any = None, path: str = "runs", **headers: Any) -> Any:
    headers = headers or bearer(endpoint)
    data = json.dumps(body) if body is not None and not isinstance(body, str) else (body or "")
    return Client().post(
        f"/pipeline-endpoints/{endpoint.name}/{path}", data, content_type="application/json", **headers
    )


def start_form(endpoint: PipelineEndpoint, form: dict[str, Any], path: str = "runs") -> Any:
    return Client().post(f"/pipeline-endpoints/{endpoint.name}/{path}", form, **bearer(endpoint))


def poll(endpoint: PipelineEndpoint, run_id: int, **headers: Any) -> Any:
    return Client().get(f"/pipeline-endpoints/{endpoint.name}/runs/{run_id}", **(headers or bearer(endpoint)))


def first_rows(state: dict[str, Any]) -> int:
    [first] = [o for o in state["outputs"] if (o["node"], o["port"]) == ("split", "results_dataset1")]
    return int(first["rows"])


# -- starting and following a run -------------------------------------------------------------------


def test_a_json_trigger_answers_202_with_the_run_and_where_to_follow_it(endpoint: PipelineEndpoint) -> None:
    response = start(endpoint, {"parameters": {"fraction": 0.25}})

    assert response.status_code == 202, response.content
    body = response.json()
    run = Run.objects.get(pk=body["id"])
    status_url = f"http://testserver/pipeline-endpoints/nightly/runs/{run.pk}"
    assert body["urls"] == {"status": status_url, "websocket": f"ws://testserver/ws/runs/{run.pk}/"}
    assert response["Location"] == status_url
    assert (body["endpoint"], body["version"], body["pipeline_version"]) == ("nightly", 1, 1)
    assert body["parameters"]["fraction"] == 0.25
    assert run.trigger["kind"] == "rest" and run.created_by is None
    assert PublishedRun.objects.get(run=run).kind == "rest"
    event = ActivityEvent.objects.get(verb="triggered")
    assert (event.object_type, event.object_name, event.actor) == ("pipeline_endpoint", "nightly", None)


def test_polling_reports_node_statuses_values_and_table_downloads(endpoint: PipelineEndpoint) -> None:
    run_id = start(endpoint, {"parameters": {"fraction": 0.25}}).json()["id"]
    queued = poll(endpoint, run_id).json()
    drain(Run.objects.get(pk=run_id))

    done = poll(endpoint, run_id).json()

    assert queued["status"] == "running" and {n["status"] for n in queued["nodes"]} <= {"queued", "pending"}
    assert done["status"] == "completed"
    assert {n["node"]: n["status"] for n in done["nodes"]} == {"data": "completed", "split": "completed"}
    assert done["parameters"]["fraction"] == 0.25 and done["trigger"]["kind"] == "rest"
    outputs = {(o["node"], o["port"]): o for o in done["outputs"]}
    assert set(outputs) == {("data", "dataset"), ("split", "results_dataset1"), ("split", "results_dataset2")}
    assert outputs[("split", "results_dataset1")]["final"] and not outputs[("data", "dataset")]["final"]
    assert first_rows(done) == 10
    url = outputs[("split", "results_dataset1")]["download_url"]
    csv = Client().get(url, **bearer(endpoint, "secondary"))
    parquet = Client().get(url + "?format=parquet", **bearer(endpoint))
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    table = pd.read_csv(io.BytesIO(b"".join(csv.streaming_content)))
    assert list(table.columns) == ["x", "group"] and len(table) == 10
    pd.testing.assert_frame_equal(pd.read_parquet(io.BytesIO(parquet.content)), table, check_dtype=False)


def test_an_explicit_version_runs_with_its_stored_defaults_under_the_callers_values(
    owner: Any, endpoint: PipelineEndpoint
) -> None:
    services.publish_version(endpoint, user=owner, defaults={"fraction": 0.75, "note": "stored"})

    stored = start(endpoint, {}, path="versions/2/runs").json()
    overridden = start(endpoint, {"parameters": {"fraction": 0.1}}, path="versions/2/runs").json()
    default = start(endpoint, None).json()

    assert (stored["version"], stored["parameters"]["fraction"], stored["parameters"]["note"]) == (2, 0.75, "stored")
    assert (overridden["parameters"]["fraction"], overridden["parameters"]["note"]) == (0.1, "stored")
    assert (default["version"], default["parameters"]["fraction"]) == (1, 0.5)
    assert first_rows(drain_state(endpoint, stored["id"])) == 30


def drain_state(endpoint: PipelineEndpoint, run_id: int) -> dict[str, Any]:
    drain(Run.objects.get(pk=run_id))
    return poll(endpoint, run_id).json()


def test_an_uploaded_file_becomes_a_version_of_the_endpoints_dataset_and_the_run_reads_it(
    endpoint: PipelineEndpoint,
) -> None:
    first = start_form(endpoint, {"training_data": csv_file(numbers_csv(100)), "fraction": "0.25"})
    second = start_form(endpoint, {"training_data": parquet_file(8)})

    assert first.status_code == second.status_code == 202, first.content
    link = OverrideDataset.objects.get(endpoint=endpoint, parameter="training_data")
    assert link.dataset.name == "nightly · training_data" and link.dataset.workspace_id == endpoint.workspace_id
    assert list(link.dataset.versions.values_list("version", "rows")) == [(1, 100), (2, 8)]
    assert first.json()["parameters"]["training_data"] == {"dataset_id": link.dataset_id, "version": 1}
    assert second.json()["parameters"]["training_data"] == {"dataset_id": link.dataset_id, "version": 2}
    assert first.json()["parameters"]["fraction"] == 0.25
    assert first_rows(drain_state(endpoint, first.json()["id"])) == 25
    assert first_rows(drain_state(endpoint, second.json()["id"])) == 4
    assert Run.objects.get(pk=first.json()["id"]).trigger["uploads"] == ["training_data"]


def test_a_form_reads_each_value_by_its_parameters_type(endpoint: PipelineEndpoint, workspace: Any, owner: Any) -> None:
    other = create_dataset(owner, workspace, "More numbers", csv_file(numbers_csv(12)))

    response = start_form(
        endpoint,
        {"fraction": "0.5", "note": "0.5", "training_data": json.dumps({"dataset_id": other.pk, "version": 1})},
    )

    assert response.status_code == 202, response.content
    values = response.json()["parameters"]
    assert values == {"training_data": {"dataset_id": other.pk, "version": 1}, "fraction": 0.5, "note": "0.5"}


# -- refusals: 4xx naming the field, nothing created -----------------------------------------------


def refused(response: Any, status: int, field: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["code"] == status
    assert field in [d.get("field") for d in error["details"]], error
    return error


def test_a_value_of_the_wrong_type_names_the_parameter(endpoint: PipelineEndpoint) -> None:
    before = counts()

    as_json = start(endpoint, {"parameters": {"fraction": "half"}})
    as_form = start_form(endpoint, {"fraction": "half"})
    out_of_range = start(endpoint, {"parameters": {"fraction": 1.5}})
    unknown = start(endpoint, {"parameters": {"fractoin": 0.5}})

    [problem] = refused(as_json, 400, "parameters.fraction")["details"]
    assert problem["message"] == "Pipeline parameter 'fraction' must be a number, not 'half'."
    assert refused(as_form, 400, "parameters.fraction")["message"] == (
        "Pipeline parameter 'fraction' must be a number, not 'half'."
    )
    [problem] = refused(out_of_range, 400, "parameters.fraction")["details"]
    assert (problem["node"], problem["param"]) == ("split", "fraction_of_rows_in_first_output_dataset")
    assert (
        "There is no pipeline parameter 'fractoin'"
        in refused(unknown, 400, "parameters.fractoin")["details"][0]["message"]
    )
    assert counts() == before


def test_a_file_whose_columns_do_not_match_names_the_parameter_and_the_columns(endpoint: PipelineEndpoint) -> None:
    before = counts()

    response = start_form(endpoint, {"training_data": csv_file(numbers_csv(10, ("x", "y")), "other.csv")})

    error = refused(response, 400, "parameters.training_data")
    assert error["message"] == (
        "The file 'other.csv' for pipeline parameter 'training_data' does not have the columns of its default "
        "dataset 'Numbers Parameterized': missing 'group'; not in the default dataset 'y'."
    )
    assert (error["details"][0]["missing"], error["details"][0]["unexpected"]) == (["group"], ["y"])
    assert counts() == before
    assert not OverrideDataset.objects.exists()


def test_a_column_of_another_type_is_named(endpoint: PipelineEndpoint) -> None:
    data = b"x,group\none,a\ntwo,b\n"

    error = refused(start_form(endpoint, {"training_data": csv_file(data)}), 400, "parameters.training_data")

    assert error["details"][0]["mistyped"] == [{"column": "x", "expected": "integer", "found": "string"}]


def test_an_empty_file_and_a_header_without_rows_are_refused(endpoint: PipelineEndpoint) -> None:
    before = counts()

    empty = start_form(endpoint, {"training_data": csv_file(b"", "empty.csv")})
    header_only = start_form(endpoint, {"training_data": csv_file(b"x,group\n", "header.csv")})

    assert refused(empty, 400, "parameters.training_data")["message"] == (
        "The file 'empty.csv' for pipeline parameter 'training_data' is empty."
    )
    refused(header_only, 400, "parameters.training_data")
    assert counts() == before


def test_a_dataset_of_another_workspace_is_refused_naming_the_parameter(
    endpoint: PipelineEndpoint, outsider: Any, other_workspace: Any
) -> None:
    theirs = create_dataset(outsider, other_workspace, "Theirs", csv_file(numbers_csv(5)))
    before = counts()

    as_json = start(endpoint, {"parameters": {"training_data": {"dataset_id": theirs.pk, "version": None}}})
    as_form = start_form(endpoint, {"training_data": json.dumps({"dataset_id": theirs.pk})})
    no_version = start(endpoint, {"parameters": {"training_data": {"dataset_id": theirs.pk - 1, "version": 9}}})

    message = refused(as_json, 400, "parameters.training_data")["message"]
    assert message == (
        f"Pipeline parameter 'training_data' names dataset {theirs.pk}, which is not a dataset of this endpoint's "
        "workspace."
    )
    refused(as_form, 400, "parameters.training_data")
    assert "has no such version (latest: 1)" in refused(no_version, 400, "parameters.training_data")["message"]
    assert "Theirs" not in as_json.content.decode()
    assert counts() == before


def test_a_file_for_a_parameter_that_is_not_a_dataset_and_a_value_and_file_for_one(endpoint: PipelineEndpoint) -> None:
    before = counts()

    not_dataset = start_form(endpoint, {"fraction": csv_file(numbers_csv(3))})
    both = Client().post(
        f"/pipeline-endpoints/{endpoint.name}/runs",
        {"training_data": [csv_file(numbers_csv(3)), "x"]},
        **bearer(endpoint),
    )
    unknown_file = start_form(endpoint, {"trainig_data": csv_file(numbers_csv(3))})

    assert "not a dataset: send its value as text" in refused(not_dataset, 400, "parameters.fraction")["message"]
    refused(both, 400, "parameters.training_data")
    refused(unknown_file, 400, "parameters.trainig_data")
    assert counts() == before


def test_a_second_file_refused_after_a_first_was_stored_rolls_both_back(owner: Any, workspace: Any) -> None:
    """Two dataset parameters: the first file fits, the second does not; neither version stays."""
    from designer.pipelines.services import create_pipeline

    from .conftest import parameterized_document

    a = create_dataset(owner, workspace, "A", csv_file(numbers_csv(10)))
    doc = parameterized_document(a.pk)
    doc["parameters"]["other_data"] = {"type": "dataset", "default": {"dataset_id": a.pk, "version": None}}
    doc["nodes"].append(
        {"id": "other", "module": "dataset", "version": 1, "params": {"dataset": {"$param": "other_data"}}}
    )
    endpoint = publish(owner, workspace, "two-files", create_pipeline(owner, workspace, "Two", document=doc))
    before = counts()

    response = start_form(
        endpoint, {"other_data": csv_file(numbers_csv(4)), "training_data": csv_file(b"q\n1\n", "bad.csv")}
    )

    refused(response, 400, "parameters.training_data")
    assert counts() == before and not OverrideDataset.objects.exists()


def test_bodies_the_trigger_does_not_take(endpoint: PipelineEndpoint) -> None:
    before = counts()
    deep = '{"parameters": {"note": ' + "[" * 200 + "]" * 200 + "}}"

    not_object = start(endpoint, "[1, 2]")
    unknown_field = start(endpoint, {"parameters": {}, "version": 2})
    not_values = start(endpoint, {"parameters": [0.5]})
    too_deep = start(endpoint, deep)
    xml = Client().post(f"/pipeline-endpoints/{endpoint.name}/runs", "<a/>", content_type="application/xml",
                        **bearer(endpoint))  # fmt: skip
    unpublished = start(endpoint, {}, path="versions/7/runs")

    assert not_object.status_code == 400 and not_object.json()["error"]["message"].startswith("The body must be")
    refused(unknown_field, 400, "version")
    refused(not_values, 400, "parameters")
    assert too_deep.status_code == 400 and "deep" in too_deep.json()["error"]["message"]
    assert xml.status_code == 415
    assert refused(unpublished, 400, "version")["message"] == (
        "Pipeline endpoint 'nightly' does not publish version 7 (published: 1)."
    )
    assert counts() == before


# -- keys -------------------------------------------------------------------------------------------


def test_keys_govern_every_route_and_a_key_opens_only_its_own_endpoint(
    owner: Any, workspace: Any, endpoint: PipelineEndpoint
) -> None:
    other = publish(owner, workspace, "other-one")
    run_id = start(endpoint, {}).json()["id"]
    before = counts()
    routes = [
        ("post", f"/pipeline-endpoints/{endpoint.name}/runs"),
        ("get", f"/pipeline-endpoints/{endpoint.name}/runs/{run_id}"),
        ("get", f"/pipeline-endpoints/{endpoint.name}/runs/{run_id}/outputs/split/results_dataset1"),
        ("get", f"/pipeline-endpoints/{endpoint.name}/swagger.json"),
    ]
    signed_in = Client()
    signed_in.force_login(owner)  # the workspace owner's session is not a key

    for method, url in routes:
        assert getattr(signed_in, method)(url).status_code == 401, url
        assert getattr(Client(), method)(url, **bearer(other)).status_code == 401, url
    foreign_poll = poll(other, run_id)

    assert foreign_poll.status_code == 404
    assert foreign_poll.json()["error"]["message"] == f"Pipeline endpoint 'other-one' started no run {run_id}."
    assert poll(endpoint, run_id).status_code == 200
    assert Client().get("/pipeline-endpoints/nobody/swagger.json").status_code == 404
    assert counts() == before


def test_wrong_keys_are_throttled_like_scoring_keys_and_a_right_key_still_works(
    own_counts: Any, endpoint: PipelineEndpoint
) -> None:
    own_counts.TESSERA_KEY_FAILURES_PER_CLIENT = 5
    own_counts.TESSERA_FAILURE_WINDOW_SECONDS = 300
    wrong = {"HTTP_AUTHORIZATION": "Bearer guess"}

    statuses = [start(endpoint, {}, **wrong).status_code for _ in range(6)]
    locked = start(endpoint, {}, **wrong)
    right = start(endpoint, {})

    assert statuses == [401] * 4 + [429] * 2
    wait = int(locked["Retry-After"])
    assert 290 <= wait <= 300
    assert locked.json()["error"] == {
        "code": 429,
        "message": f"Too many wrong keys for this pipeline endpoint or from this address; try again in {wait} seconds.",
        "details": [{"retry_after": wait}],
    }
    assert right.status_code == 202
    assert Run.objects.count() == 1


def test_regenerating_a_key_retires_the_old_one(owner: Any, endpoint: PipelineEndpoint) -> None:
    old = bearer(endpoint, "secondary")
    services.regenerate_key(endpoint, "secondary", owner)

    assert start(endpoint, {}, **old).status_code == 401
    assert start(endpoint, {}, **bearer(endpoint, "secondary")).status_code == 202


# -- the OpenAPI document ---------------------------------------------------------------------------


def test_the_openapi_document_describes_each_versions_body_with_an_example_from_its_defaults(
    owner: Any, endpoint: PipelineEndpoint
) -> None:
    services.publish_version(endpoint, user=owner, defaults={"fraction": 0.75})

    doc = Client().get(f"/pipeline-endpoints/{endpoint.name}/swagger.json", **bearer(endpoint)).json()

    assert doc["openapi"] == "3.1.0"
    assert doc["servers"] == [{"url": "http://testserver/pipeline-endpoints/nightly"}]
    assert set(doc["paths"]) == {
        "/runs",
        "/versions/1/runs",
        "/versions/2/runs",
        "/runs/{run_id}",
        "/runs/{run_id}/outputs/{node}/{port}",
    }
    schemas = doc["components"]["schemas"]
    v1, v2 = schemas["TriggerV1"], schemas["TriggerV2"]
    assert v1["example"]["parameters"]["fraction"] == 0.5 and v2["example"]["parameters"]["fraction"] == 0.75
    assert v1["example"]["parameters"]["training_data"]["version"] is None
    for schema in (v1, v2):
        jsonschema.Draft202012Validator.check_schema(schema)
        jsonschema.validate(schema["example"], schema, cls=jsonschema.Draft202012Validator)
    assert not jsonschema.Draft202012Validator(v1).is_valid({"parameters": {"fraction": 1.5}})
    assert not jsonschema.Draft202012Validator(v1).is_valid({"parameters": {"fractoin": 0.5}})
    form = schemas["TriggerV1Form"]["properties"]
    assert form["training_data"]["oneOf"][0] == {
        "type": "string",
        "format": "binary",
        "description": form["training_data"]["oneOf"][0]["description"],
    }
    start_op = doc["paths"]["/runs"]["post"]
    assert set(start_op["requestBody"]["content"]) == {"application/json", "multipart/form-data"}
    assert {"202", "400", "401", "413", "429"} <= set(start_op["responses"])


def test_a_dataset_named_like_the_override_dataset_is_left_alone(
    owner: Any, workspace: Any, endpoint: PipelineEndpoint
) -> None:
    theirs = create_dataset(owner, workspace, "nightly · training_data", csv_file(numbers_csv(3)))

    response = start_form(endpoint, {"training_data": csv_file(numbers_csv(6))})

    assert response.status_code == 202
    link = OverrideDataset.objects.get()
    assert link.dataset.name == "nightly · training_data (2)"
    assert Dataset.objects.get(pk=theirs.pk).versions.count() == 1
