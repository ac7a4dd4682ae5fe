"""Pipeline parameters over the pipelines API: declared parameters with the fields they drive and a JSON
Schema of their values, validation with values as a run takes them, and versions, diffs, exports,
imports and clones that carry them."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest

from designer.datasets.models import Dataset
from designer.pipelines.models import Pipeline, PipelineVersion
from designer.pipelines.selectors import head_of, parameter_schema
from designer.workspaces.models import Workspace
from tests.designer.factories import PipelineFactory, WorkspaceFactory
from tests.support.pipelines import document

pytestmark = pytest.mark.django_db

FRACTION = {"type": "number", "default": 0.7, "description": "Share of rows used for training."}


def parameterized(dataset_id: int, **parameters: Any) -> dict[str, Any]:
    """Dataset (bound to 'training_data') -> Split Data (fraction and seed bound) -> Split Data (fraction bound)."""
    doc = document(
        [
            ("data", "dataset", {"dataset": {"$param": "training_data"}}),
            (
                "split",
                "split_data",
                {"fraction_of_rows_in_first_output_dataset": {"$param": "fraction"}, "random_seed": {"$param": "seed"}},
            ),
            ("again", "split_data", {"fraction_of_rows_in_first_output_dataset": {"$param": "fraction"}}),
        ],
        ["data.dataset -> split.dataset", "split.results_dataset1 -> again.dataset"],
    )
    doc["parameters"] = {
        "training_data": {"type": "dataset", "default": {"dataset_id": dataset_id, "version": None}},
        "fraction": FRACTION,
        "seed": {"type": "integer", "description": ""},
        **parameters,
    }
    return doc


@pytest.fixture
def pipeline(workspace: Workspace, owner: Any, dataset: Dataset) -> Pipeline:
    return PipelineFactory(workspace=workspace, name="Tunable", created_by=owner, document=parameterized(dataset.pk))


def validate(client: Any, pipeline: Pipeline, **body: Any) -> Any:
    return client.post(f"/api/pipelines/{pipeline.pk}/validate/", body, format="json")


# -- what the API says about a version's parameters -------------------------------------------------


def test_the_detail_lists_each_parameter_with_the_fields_it_drives(as_viewer: Any, pipeline: Pipeline) -> None:
    response = as_viewer.get(f"/api/pipelines/{pipeline.pk}/")

    assert response.status_code == 200
    parameters = {p["name"]: p for p in response.json()["head"]["parameters"]}
    assert list(parameters) == ["fraction", "seed", "training_data"]
    fraction = parameters["fraction"]
    assert {k: fraction[k] for k in ("type", "required", "default", "description")} == {
        "type": "number",
        "required": False,
        "default": 0.7,
        "description": "Share of rows used for training.",
    }
    assert [(b["node"], b["field"], b["module_name"], b["field_title"]) for b in fraction["bindings"]] == [
        (
            "split",
            "fraction_of_rows_in_first_output_dataset",
            "Split Data",
            "Fraction of rows in the first output dataset",
        ),
        (
            "again",
            "fraction_of_rows_in_first_output_dataset",
            "Split Data",
            "Fraction of rows in the first output dataset",
        ),
    ]
    assert parameters["seed"]["required"] is True and "default" not in parameters["seed"]
    assert [b["node"] for b in parameters["training_data"]["bindings"]] == ["data"]


def test_a_parameters_json_schema_joins_its_type_and_every_field_it_drives(pipeline: Pipeline) -> None:
    described = parameter_schema(head_of(pipeline))
    by_name = {p["name"]: p["schema"] for p in described["parameters"]}

    fraction, seed, data = by_name["fraction"], by_name["seed"], by_name["training_data"]

    jsonschema.validate(0.25, fraction)
    for bad in (1.5, "half", None):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, fraction)
    jsonschema.validate(3, seed)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(-1, seed)  # the field's own minimum
    jsonschema.validate({"dataset_id": 4, "version": None}, data)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"dataset_id": 4, "colour": "red"}, data)
    assert "$ref" not in json.dumps(described)  # each schema stands alone
    assert (fraction["title"], fraction["default"], fraction["description"]) == (
        "fraction",
        0.7,
        "Share of rows used for training.",
    )
    whole = described["schema"]
    jsonschema.validate({"seed": 1, "fraction": 0.5}, whole)
    for bad_values in ({}, {"seed": 1, "fractoin": 0.5}):  # seed is required; no unknown names
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad_values, whole)


def test_saving_a_version_answers_with_its_parameters(as_editor: Any, pipeline: Pipeline, dataset: Dataset) -> None:
    doc = parameterized(dataset.pk)
    doc["parameters"]["fraction"] = {**FRACTION, "default": 0.6}

    response = as_editor.post(f"/api/pipelines/{pipeline.pk}/versions/", {"document": doc}, format="json")

    assert response.status_code == 201
    body = response.json()
    assert {p["name"]: p.get("default") for p in body["parameters"]}["fraction"] == 0.6
    assert body["parameters_schema"]["required"] == ["seed"]


# -- validation with values -------------------------------------------------------------------------


def test_validating_the_design_needs_no_values(as_viewer: Any, pipeline: Pipeline) -> None:
    response = validate(as_viewer, pipeline)

    assert response.status_code == 200
    assert response.json()["problems"] == []


def test_validating_with_values_checks_them_as_a_run_would(as_viewer: Any, pipeline: Pipeline) -> None:
    response = validate(as_viewer, pipeline, parameters={"fraction": 1.5, "sede": 3})

    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is False
    found = {(p["code"], p["path"]) for p in body["problems"]}
    assert found == {
        ("invalid_parameter_value", "values.sede"),
        ("missing_parameter_value", "values.seed"),
        ("invalid_param", "parameters.fraction"),  # once per field it drives
    }
    fits = [p for p in body["problems"] if p["path"] == "parameters.fraction"]
    assert [p["node"] for p in fits] == ["split", "again"]
    assert fits[0]["message"].startswith("Pipeline parameter 'fraction' (= 1.5) does not fit a field it drives")


def test_good_values_validate_clean_and_a_draft_document_can_be_checked_too(
    as_viewer: Any, pipeline: Pipeline, dataset: Dataset
) -> None:
    draft = parameterized(dataset.pk)
    draft["parameters"]["seed"]["default"] = 5

    head = validate(as_viewer, pipeline, parameters={"fraction": 0.25, "seed": 1})
    edited = validate(as_viewer, pipeline, document=draft, parameters={})
    wrong_type = validate(as_viewer, pipeline, document=draft, parameters={"seed": "five"})

    assert head.json()["problems"] == []
    assert edited.json()["problems"] == []
    assert [(p["path"], p["message"]) for p in wrong_type.json()["problems"]] == [
        ("values.seed", "Pipeline parameter 'seed' must be a whole number, not 'five'.")
    ]


def test_a_dataset_value_from_another_workspace_is_named(as_viewer: Any, pipeline: Pipeline, outsider: Any) -> None:
    elsewhere = Dataset.objects.create(
        workspace=WorkspaceFactory(created_by=outsider), name="Theirs", created_by=outsider
    )

    response = validate(as_viewer, pipeline, parameters={"seed": 1, "training_data": {"dataset_id": elsewhere.pk}})

    [problem] = response.json()["problems"]
    assert (problem["code"], problem["node"], problem["path"]) == (
        "unknown_dataset",
        "data",
        "parameters.training_data",
    )
    assert problem["message"].startswith("Pipeline parameter 'training_data' (= {'dataset_id': ")


def test_values_that_are_not_an_object_are_refused_with_400(as_viewer: Any, pipeline: Pipeline) -> None:
    response = validate(as_viewer, pipeline, parameters=[0.5])

    assert response.status_code == 400
    assert response.json()["fields"] == {"parameters": ['Expected a dictionary of items but got type "list".']}


def test_an_unsaved_document_is_validated_with_values_in_its_workspace(
    as_viewer: Any, workspace: Workspace, dataset: Dataset
) -> None:
    response = as_viewer.post(
        "/api/pipelines/validate/",
        {"workspace": workspace.pk, "document": parameterized(dataset.pk), "parameters": {"seed": -4}},
        format="json",
    )

    assert response.status_code == 200
    [problem] = response.json()["problems"]
    assert (problem["path"], problem["node"], problem["param"]) == ("parameters.seed", "split", "random_seed")


# -- versions, diffs, export, import, clone ---------------------------------------------------------


def test_the_diff_of_two_versions_names_parameter_and_binding_changes(
    as_editor: Any, pipeline: Pipeline, dataset: Dataset
) -> None:
    doc = parameterized(dataset.pk, rows={"type": "integer", "default": 10, "description": ""})
    doc["parameters"]["fraction"] = {**FRACTION, "default": 0.8}
    doc["nodes"][2]["params"]["fraction_of_rows_in_first_output_dataset"] = 0.5  # unbound
    doc["nodes"][2]["params"]["random_seed"] = {"$param": "seed"}  # bound
    assert (
        as_editor.post(f"/api/pipelines/{pipeline.pk}/versions/", {"document": doc}, format="json").status_code == 201
    )

    response = as_editor.get(f"/api/pipelines/{pipeline.pk}/diff/?from=1")

    semantic = response.json()["diff"]["semantic"]
    assert semantic["parameters"] == [
        {"name": "fraction", "change": "changed", "old": FRACTION, "new": {**FRACTION, "default": 0.8}},
        {"name": "rows", "change": "added", "new": {"type": "integer", "default": 10, "description": ""}},
    ]
    [again] = semantic["nodes_changed"]
    assert again["id"] == "again"
    assert {p["name"]: (p.get("old"), p["new"]) for p in again["params"]} == {
        "fraction_of_rows_in_first_output_dataset": ({"$param": "fraction"}, 0.5),
        "random_seed": (None, {"$param": "seed"}),
    }
    assert response.json()["diff"]["summary"]["parameters_changed"] == 2


def test_export_then_import_keeps_parameters_and_bindings(
    as_editor: Any, pipeline: Pipeline, workspace: Workspace
) -> None:
    content = json.loads(as_editor.get(f"/api/pipelines/{pipeline.pk}/export/").content)

    response = as_editor.post("/api/pipelines/import/", {"workspace": workspace.pk, "file": content}, format="json")

    assert response.status_code == 201, response.content
    imported = PipelineVersion.objects.get(pipeline_id=response.json()["id"])
    original = head_of(pipeline).document
    assert imported.document["parameters"] == original["parameters"]
    assert [n["params"] for n in imported.document["nodes"]] == [n["params"] for n in original["nodes"]]
    assert response.json()["validation"]["problems"] == []
    assert [p["name"] for p in response.json()["head"]["parameters"]] == ["fraction", "seed", "training_data"]


def test_an_import_with_a_malformed_declaration_lists_it_and_a_dangling_binding(
    as_editor: Any, workspace: Workspace, dataset: Dataset
) -> None:
    doc = parameterized(dataset.pk)
    doc["parameters"]["fraction"] = {"type": "percentage", "default": 70}
    doc["parameters"].pop("seed")

    response = as_editor.post("/api/pipelines/import/", {"workspace": workspace.pk, "file": doc}, format="json")

    assert response.status_code == 201
    found = {(p["code"], p["path"] or p["param"]) for p in response.json()["validation"]["problems"]}
    assert found == {
        ("invalid_pipeline_parameter", "parameters.fraction.type"),
        ("unknown_pipeline_parameter", "random_seed"),
    }


def test_a_clone_carries_the_parameters(as_editor: Any, pipeline: Pipeline) -> None:
    response = as_editor.post(f"/api/pipelines/{pipeline.pk}/clone/", {}, format="json")

    assert response.status_code == 201
    assert response.json()["head"]["document"]["parameters"] == head_of(pipeline).document["parameters"]
    assert [p["name"] for p in response.json()["head"]["parameters"]] == ["fraction", "seed", "training_data"]


def test_a_stale_save_answers_with_the_current_versions_parameters(
    as_editor: Any, pipeline: Pipeline, dataset: Dataset
) -> None:
    doc = parameterized(dataset.pk)
    first = as_editor.post(
        f"/api/pipelines/{pipeline.pk}/versions/", {"document": doc, "base_version": 1}, format="json"
    )
    stale = as_editor.post(
        f"/api/pipelines/{pipeline.pk}/versions/", {"document": doc, "base_version": 1}, format="json"
    )

    assert (first.status_code, stale.status_code) == (201, 409)
    current = stale.json()["current_version"]
    assert [p["name"] for p in current["parameters"]] == ["fraction", "seed", "training_data"]
    assert current["parameters_schema"]["required"] == ["seed"]
