"""A deployed endpoint never changes the answer's shape silently: removed rows named, odd values warned, recorded."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd
import pytest
from drf_spectacular.validation import validate_schema
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from designer.artifacts import artifact_store
from designer.datasets.services import create_dataset_from_frame
from designer.endpoints.models import EndpointCall
from designer.pipelines.services import create_pipeline
from designer.runs import services as runs
from designer.runs.models import Run
from modules.sdk import Table
from tests.designer.runs.conftest import drain
from tests.support.pipelines import document

from .conftest import deploy, derive

pytestmark = pytest.mark.django_db

LABEL = "approved"
INPUT, OUTPUT = "WebServiceInput0", "WebServiceOutput0"
ROWS = 6000  # more than the 5,000-row drift sample


def loans() -> tuple[pd.DataFrame, int]:
    """Training rows with missing ages, and one row whose colour ('violet') the drift sample leaves out."""
    rng = np.random.default_rng(11)
    age = rng.uniform(20, 70, ROWS).round(1)
    income = rng.uniform(10, 90, ROWS).round(2)
    color = rng.choice(np.array(["blue", "green", "red"]), ROWS).astype(object)
    approved = np.where(income + (color == "red") * 15 + rng.normal(0, 8, ROWS) > 55, "yes", "no")
    df = pd.DataFrame({"age": age, "income": income, "color": color, LABEL: approved})
    df.loc[[5, 50, 500], "age"] = np.nan
    sampled = set(df.drop(columns=[LABEL]).sample(n=5000, random_state=0).index)  # as deploying samples it
    rare = next(i for i in range(ROWS) if i not in sampled and not np.isnan(df.loc[i, "age"]))
    df.loc[rare, "color"] = "violet"
    return df, rare


@pytest.fixture
def loan_endpoint(owner: Any, workspace: Any, as_editor: APIClient) -> dict[str, Any]:
    df, _ = loans()
    dataset = create_dataset_from_frame(owner, workspace, "Loans", df)
    training = document(
        [
            ("data", "dataset", {"dataset": {"dataset_id": dataset.pk}}),
            ("clean", "clean_missing_data", {"cleaning_mode": "Remove entire row"}),
            ("split", "split_data", {"fraction_of_rows_in_first_output_dataset": 0.7, "random_seed": 3}),
            ("learner", "two_class_logistic_regression", {}),
            ("train", "train_model", {"label_column": LABEL}),
            ("score", "score_model", {}),
        ],
        [
            "data.dataset -> clean.dataset",
            "clean.cleaned_dataset -> split.dataset",
            "learner.untrained_model -> train.untrained_model",
            "split.results_dataset1 -> train.dataset",
            "train.trained_model -> score.trained_model",
            "split.results_dataset2 -> score.dataset",
        ],
    )
    pipeline = create_pipeline(owner, workspace, "Loans", document=training)
    run = drain(runs.submit_run(user=owner, pipeline=pipeline))
    assert run.status == Run.Status.COMPLETED
    derived = derive(as_editor, run)
    return deploy(as_editor, workspace, derived["pipeline"]["id"], name="loans")


def caller(endpoint: dict[str, Any]) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {endpoint['keys']['primary']}")
    return client


def post(client: APIClient, path: str, body: Any) -> Any:
    return client.generic("POST", f"/endpoints/loans/{path}", json.dumps(body), content_type="application/json")


def five_rows() -> list[dict[str, Any]]:
    return [
        {"age": 31.0, "income": 40.5, "color": "red"},
        {"age": None, "income": 72.0, "color": "blue"},
        {"age": 45.0, "income": 61.25, "color": "green"},
        {"age": None, "income": 22.0, "color": "red"},
        {"age": 58.5, "income": 80.0, "color": "blue"},
    ]


def test_rows_removed_by_clean_missing_data_are_named_and_the_rest_answer_in_order(loan_endpoint: Any) -> None:
    client = caller(loan_endpoint)

    answer = post(client, "score", {"Inputs": {INPUT: five_rows()}, "GlobalParameters": {}})
    kept = post(client, "score", {"Inputs": {INPUT: [five_rows()[i] for i in (0, 2, 4)]}, "GlobalParameters": {}})
    mlflow = post(client, "invocations", {"dataframe_records": five_rows()})
    calls = list(
        EndpointCall.objects.order_by("id").values("status", "rows", "dropped_rows", "warning_count", "warnings")
    )

    assert answer.status_code == 200 and kept.status_code == 200 and mlflow.status_code == 200
    body = answer.json()
    dropped = {
        "input": INPUT,
        "rows": [1, 3],
        "node": "clean_apply",
        "module": "Apply Transformation",
        "columns": ["age"],
        "message": "Node 'clean_apply' (Apply Transformation), applying Clean Missing Data, removed rows with a "
        "missing value in column 'age'.",
    }
    assert body["DroppedRows"] == [dropped]
    assert body["RowIndex"] == {OUTPUT: [0, 2, 4]}
    assert body["Results"][OUTPUT] == kept.json()["Results"][OUTPUT]
    assert [r["income"] for r in body["Results"][OUTPUT]] == [40.5, 61.25, 80.0]
    assert set(body) == {"Results", "DroppedRows", "RowIndex"}
    assert answer["Tessera-Dropped-Rows"] == "2" and not answer.has_header("Tessera-Warnings")
    assert set(kept.json()) == {"Results"} and not kept.has_header("Tessera-Dropped-Rows")
    assert mlflow.json() == {"predictions": body["Results"][OUTPUT], "dropped_rows": [dropped], "row_index": [0, 2, 4]}
    assert [(c["status"], c["rows"], c["dropped_rows"], c["warning_count"]) for c in calls] == [
        (200, 5, 2, 0),
        (200, 3, 0, 0),
        (200, 5, 2, 0),
    ]
    assert calls[0]["warnings"] == [{"kind": "rows_dropped", **dropped}] and calls[1]["warnings"] == []


def test_unseen_categories_and_out_of_range_values_are_warned_in_both_shapes_and_recorded(
    loan_endpoint: Any, as_viewer: APIClient, owner: Any
) -> None:
    df, rare = loans()
    client = caller(loan_endpoint)
    rows = [
        {"age": 31.0, "income": 40.5, "color": "purple"},
        {"age": 45.0, "income": 250.0, "color": "violet"},  # violet: seen in training, not in the drift sample
    ]
    low, high = float(df["income"].min()), float(df["income"].max())
    warnings = [
        {
            "kind": "unseen_category",
            "input": INPUT,
            "row": 0,
            "column": "color",
            "value": "purple",
            "expected": {"categories": ["blue", "green", "red", "violet"], "count": 4},
            "message": f"Input '{INPUT}', row 0, column 'color': 'purple' never occurs in the training data (which "
            "has 'blue', 'green', 'red', 'violet').",
        },
        {
            "kind": "out_of_range",
            "input": INPUT,
            "row": 1,
            "column": "income",
            "value": 250.0,
            "expected": {"min": low, "max": high},
            "message": f"Input '{INPUT}', row 1, column 'income': 250 is outside the training range "
            f"[{low:g}, {high:g}]; the model extrapolates there.",
        },
    ]

    azure = post(client, "score", {"Inputs": {INPUT: rows}, "GlobalParameters": {}})
    split = post(
        client,
        "invocations",
        {
            "dataframe_split": {
                "columns": ["age", "income", "color"],
                "data": [[31.0, 40.5, "purple"], [45.0, 250.0, "violet"]],
            }
        },
    )
    csv = client.generic(
        "POST", "/endpoints/loans/invocations", "age,income,color\n31,40.5,purple\n", content_type="text/csv"
    )
    clean = post(client, "score", {"Inputs": {INPUT: [five_rows()[0]]}, "GlobalParameters": {}})
    calls = list(EndpointCall.objects.order_by("id").values_list("warning_count", "warnings"))
    monitoring = as_viewer.get(f"/api/endpoints/{loan_endpoint['id']}/monitoring/?minutes=60").json()
    owner.is_staff = True
    owner.save()
    metrics = APIClient().get("/metrics", HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=owner).key}")

    baseline = next(n for n in _served_document(loan_endpoint)["nodes"] if n["module"] == "web_service_input")
    sample = Table.deserialize(artifact_store().get(baseline["params"]["baseline"])).df
    assert len(sample) == 5000 and "violet" not in set(sample["color"])  # the sample misses it; the profile does not
    assert df.loc[rare, "color"] == "violet"
    assert azure.status_code == 200 and azure.json()["Warnings"] == warnings
    assert set(azure.json()) == {"Results", "Warnings"} and len(azure.json()["Results"][OUTPUT]) == 2
    assert azure["Tessera-Warnings"] == "2"
    assert split.json()["warnings"] == warnings and len(split.json()["predictions"]) == 2
    assert csv.json()["warnings"] == warnings[:1]
    assert clean.json().keys() == {"Results"} and not clean.has_header("Tessera-Warnings")
    assert calls == [(2, warnings), (2, warnings), (1, warnings[:1]), (0, [])]
    assert monitoring["totals"]["calls_with_warnings"] == 3
    assert monitoring["totals"]["calls_with_dropped_rows"] == 0 and monitoring["totals"]["rows_dropped"] == 0
    assert [c["warning_count"] for c in monitoring["recent"]] == [0, 1, 2, 2]
    text = metrics.content.decode()
    assert 'tessera_endpoint_calls_with_warnings_total{endpoint="loans"} 3.0' in text
    assert 'tessera_endpoint_rows_dropped_total{endpoint="loans"} 0.0' in text


def test_the_endpoint_openapi_document_describes_the_extra_answer_keys(loan_endpoint: Any) -> None:
    document = caller(loan_endpoint).get("/endpoints/loans/swagger.json").json()

    validate_schema(document)
    schemas = document["components"]["schemas"]
    output = schemas["ServiceOutput"]["properties"]
    assert {"Results", "DroppedRows", "RowIndex", "Warnings", "WarningsOmitted"} == set(output)
    assert schemas["ServiceOutput"]["required"] == ["Results"]
    assert output["DroppedRows"]["items"] == {"$ref": "#/components/schemas/DroppedRows"}
    assert schemas["DroppedRows"]["required"] == ["input", "rows", "node", "module", "message"]
    assert schemas["Warning"]["properties"]["kind"]["enum"] == ["unseen_category", "out_of_range", "rows_untraceable"]
    answer = document["paths"]["/invocations"]["post"]["responses"]["200"]
    mlflow = answer["content"]["application/json"]["schema"]["properties"]
    assert {"predictions", "dropped_rows", "row_index", "warnings", "warnings_omitted"} == set(mlflow)
    assert mlflow["row_index"]["type"] == "array"  # one output: a list, as "predictions" is
    assert set(answer["headers"]) == {"Tessera-Dropped-Rows", "Tessera-Warnings"}


def _served_document(endpoint: dict[str, Any]) -> dict[str, Any]:
    from designer.endpoints.models import Endpoint

    return Endpoint.objects.get(pk=endpoint["id"]).document
