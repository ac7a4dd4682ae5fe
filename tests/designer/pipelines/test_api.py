"""Pipelines over the API: versioned saves, stale-save refusal, drafts, and validation for the canvas."""

from __future__ import annotations

from typing import Any

import pytest

from designer.datasets.models import Dataset
from designer.engine.graph import PIPELINE_JSON_SCHEMA
from designer.pipelines.mapper import graph_of
from designer.pipelines.models import Pipeline, PipelineVersion
from designer.pipelines.services import empty_document
from designer.workspaces.models import Workspace
from tests.designer.factories import PipelineFactory

pytestmark = pytest.mark.django_db

IRIS_COLUMNS = ["sepal_length", "sepal_width", "petal_length", "petal_width", "species"]


def select_from(dataset_id: int, *columns: str, x: float = 0) -> dict[str, Any]:
    """Dataset -> Select Columns in Dataset."""
    return {
        "schema_version": 1,
        "nodes": [
            {"id": "data", "module": "dataset", "version": 1, "params": {"dataset": {"dataset_id": dataset_id}}},
            {"id": "select", "module": "select_columns", "version": 1, "params": {"columns": list(columns)}},
        ],
        "edges": [{"source": {"node": "data", "port": "dataset"}, "target": {"node": "select", "port": "dataset"}}],
        "parameters": {},
        "layout": {"data": {"x": x, "y": 0}, "select": {"x": x, "y": 120}},
    }


def canonical(doc: dict[str, Any]) -> dict[str, Any]:
    """What the server stores: every node spells out ``regenerate``."""
    return {**doc, "nodes": [{"regenerate": False, **n} for n in doc["nodes"]]}


@pytest.fixture
def pipeline(workspace: Workspace, owner: Any, dataset: Dataset) -> Pipeline:
    return PipelineFactory(
        workspace=workspace, name="Iris columns", created_by=owner, document=select_from(dataset.pk, "species")
    )


def save(client: Any, pipeline: Pipeline, document: Any, **extra: Any) -> Any:
    return client.post(f"/api/pipelines/{pipeline.pk}/versions/", {"document": document, **extra}, format="json")


# -- create, list, read ---------------------------------------------------------------------------


def test_an_editor_creates_an_empty_pipeline(as_editor: Any, workspace: Workspace) -> None:
    response = as_editor.post("/api/pipelines/", {"workspace": workspace.pk, "name": "Churn"}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert (body["name"], body["workspace"], body["created_by"], body["head_version"]) == (
        "Churn",
        workspace.pk,
        "eddie",
        1,
    )
    assert body["head"]["document"] == empty_document()
    assert body["head"]["number"] == 1
    assert body["has_draft"] is False


def test_creating_with_a_document_stores_it_canonically(as_editor: Any, workspace: Workspace, dataset: Dataset) -> None:
    doc = select_from(dataset.pk, "species")
    response = as_editor.post(
        "/api/pipelines/", {"workspace": workspace.pk, "name": "With nodes", "document": doc}, format="json"
    )
    assert response.status_code == 201
    assert PipelineVersion.objects.get(pipeline_id=response.json()["id"]).document == canonical(doc)


def test_a_viewer_cannot_create_and_an_outsider_gets_404(
    as_viewer: Any, as_outsider: Any, workspace: Workspace
) -> None:
    assert as_viewer.post("/api/pipelines/", {"workspace": workspace.pk, "name": "x"}, format="json").status_code == 403
    hidden = as_outsider.post("/api/pipelines/", {"workspace": workspace.pk, "name": "x"}, format="json")
    assert hidden.status_code == 404
    assert hidden.json() == {"detail": f"workspace {workspace.pk} does not exist"}
    assert not Pipeline.objects.exists()


def test_a_malformed_first_document_creates_nothing(as_editor: Any, workspace: Workspace) -> None:
    response = as_editor.post(
        "/api/pipelines/", {"workspace": workspace.pk, "name": "Bad", "document": {"nodes": 3}}, format="json"
    )
    assert response.status_code == 400
    assert [p["path"] for p in response.json()["problems"]] == ["edges", "nodes"]
    assert not Pipeline.objects.exists()


def test_the_list_is_scoped_to_my_workspaces(as_viewer: Any, pipeline: Pipeline, other_workspace: Workspace) -> None:
    PipelineFactory(workspace=other_workspace, name="Hidden")
    body = as_viewer.get("/api/pipelines/").json()
    assert [(p["name"], p["head_version"]) for p in body["results"]] == [("Iris columns", 1)]
    assert as_viewer.get(f"/api/pipelines/?workspace={pipeline.workspace_id}").json()["count"] == 1
    assert as_viewer.get(f"/api/pipelines/?workspace={other_workspace.pk}").status_code == 404


def test_outsiders_get_404_everywhere(as_outsider: Any, pipeline: Pipeline) -> None:
    for method, url in (
        ("get", f"/api/pipelines/{pipeline.pk}/"),
        ("get", f"/api/pipelines/{pipeline.pk}/versions/"),
        ("get", f"/api/pipelines/{pipeline.pk}/versions/1/"),
        ("get", f"/api/pipelines/{pipeline.pk}/draft/"),
        ("post", f"/api/pipelines/{pipeline.pk}/validate/"),
        ("delete", f"/api/pipelines/{pipeline.pk}/"),
    ):
        response = getattr(as_outsider, method)(url, format="json")
        assert response.status_code == 404, url
        assert response.json() == {"detail": f"pipeline {pipeline.pk} does not exist"}
    assert Pipeline.objects.filter(pk=pipeline.pk).exists()


def test_rename_and_delete_need_an_editor(as_viewer: Any, as_editor: Any, pipeline: Pipeline) -> None:
    assert as_viewer.patch(f"/api/pipelines/{pipeline.pk}/", {"name": "x"}, format="json").status_code == 403
    renamed = as_editor.patch(f"/api/pipelines/{pipeline.pk}/", {"name": "Iris v2", "description": "d"}, format="json")
    assert renamed.status_code == 200
    assert (renamed.json()["name"], renamed.json()["description"]) == ("Iris v2", "d")
    assert as_viewer.delete(f"/api/pipelines/{pipeline.pk}/").status_code == 403
    assert as_editor.delete(f"/api/pipelines/{pipeline.pk}/").status_code == 204
    assert not Pipeline.objects.exists()
    assert not PipelineVersion.objects.exists()


# -- saving versions ------------------------------------------------------------------------------


def test_saving_on_the_head_makes_the_next_version_and_reports_semantic_problems(
    as_editor: Any, pipeline: Pipeline, dataset: Dataset
) -> None:
    # given version 1, when an editor saves a version that picks a column the dataset lacks
    response = save(as_editor, pipeline, select_from(dataset.pk, "species", "colour"), message="pick", base_version=1)
    # then version 2 is saved anyway, and the problem comes back naming the node, parameter and column
    assert response.status_code == 201
    body = response.json()
    assert (body["number"], body["message"], body["author"], body["base_number"]) == (2, "pick", "eddie", 1)
    assert body["validation"]["ok"] is False
    [problem] = body["validation"]["problems"]
    assert (problem["code"], problem["node"], problem["param"], problem["column"]) == (
        "unknown_column",
        "select",
        "columns",
        "colour",
    )
    assert [c["name"] for c in body["validation"]["schemas"]["data"]["dataset"]["columns"]] == IRIS_COLUMNS
    assert list(pipeline.versions.values_list("number", flat=True)) == [1, 2]


def test_a_stale_save_is_refused_with_the_current_version(
    as_editor: Any, as_owner: Any, pipeline: Pipeline, dataset: Dataset
) -> None:
    # given olivia saved version 2 while eddie still edits version 1
    assert (
        save(as_owner, pipeline, select_from(dataset.pk, "species", "petal_width"), base_version=1).status_code == 201
    )
    # when eddie saves on top of version 1
    response = save(as_editor, pipeline, select_from(dataset.pk, "sepal_length"), base_version=1)
    # then nothing is overwritten and he gets version 2 to reload
    assert response.status_code == 409
    body = response.json()
    assert body["detail"] == (
        "You edited version 1, but version 2 was saved by olivia since. "
        "Reload the pipeline (the current version is attached), reapply your changes and save again."
    )
    assert body["current_version"]["number"] == 2
    assert body["current_version"]["author"] == "olivia"
    assert body["current_version"]["document"] == canonical(select_from(dataset.pk, "species", "petal_width"))
    assert list(pipeline.versions.values_list("number", flat=True)) == [1, 2]


def test_a_malformed_document_is_refused_listing_every_problem(as_editor: Any, pipeline: Pipeline) -> None:
    document = {"nodes": [{"id": "a b", "module": "dataset"}], "edges": "none", "colour": "red"}
    response = save(as_editor, pipeline, document, base_version=1)
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "The pipeline document is malformed."
    assert [(p["code"], p["path"]) for p in body["problems"]] == [
        ("format", "colour"),
        ("format", "edges"),
        ("format", "nodes[0].version"),
        ("format", "nodes[0].id"),
    ]
    assert pipeline.versions.count() == 1


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        (
            {"document": {"nodes": [], "edges": []}, "base": 1},
            "base",
            "Unknown field 'base' (did you mean 'base_version'?); allowed fields: document, message, base_version.",
        ),
        (
            {"document": {"nodes": [], "edges": []}, "base_version": "one"},
            "base_version",
            "A valid integer is required.",
        ),
        ({"message": "no document"}, "document", "This field is required."),
        ({"document": None}, "document", "This field may not be null."),
    ],
)
def test_wrong_request_fields_are_named(
    as_editor: Any, pipeline: Pipeline, body: dict[str, Any], field: str, message: str
) -> None:
    response = as_editor.post(f"/api/pipelines/{pipeline.pk}/versions/", body, format="json")
    assert response.status_code == 400
    assert response.json()["fields"][field] == [message]
    assert pipeline.versions.count() == 1


def test_a_document_that_is_not_an_object_is_a_problem_not_a_crash(as_editor: Any, pipeline: Pipeline) -> None:
    response = save(as_editor, pipeline, [1, 2, 3])
    assert response.status_code == 400
    assert response.json()["problems"][0]["message"] == "A pipeline document must be a JSON object, not a list."


def test_a_body_that_is_not_json_is_a_400(as_editor: Any, pipeline: Pipeline) -> None:
    response = as_editor.post(f"/api/pipelines/{pipeline.pk}/versions/", "{'nodes': [", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("The body is not valid JSON: ")
    list_body = as_editor.post(f"/api/pipelines/{pipeline.pk}/versions/", [1], format="json")
    assert list_body.status_code == 400
    assert pipeline.versions.count() == 1


def test_a_viewer_cannot_save(as_viewer: Any, pipeline: Pipeline, dataset: Dataset) -> None:
    response = save(as_viewer, pipeline, select_from(dataset.pk, "species"), base_version=1)
    assert response.status_code == 403
    assert response.json() == {"detail": "you are a viewer in workspace 'Team'; editing needs the editor role"}
    assert pipeline.versions.count() == 1


def test_versions_are_listed_newest_first_and_read_one_by_one(
    as_viewer: Any, as_editor: Any, pipeline: Pipeline
) -> None:
    save(as_editor, pipeline, empty_document(), message="cleared", base_version=1)
    listing = as_viewer.get(f"/api/pipelines/{pipeline.pk}/versions/").json()
    assert [(v["number"], v["message"]) for v in listing["results"]] == [(2, "cleared"), (1, "Created")]
    one = as_viewer.get(f"/api/pipelines/{pipeline.pk}/versions/2/").json()
    assert one["document"] == empty_document()
    missing = as_viewer.get(f"/api/pipelines/{pipeline.pk}/versions/5/")
    assert missing.status_code == 404
    assert missing.json() == {"detail": "pipeline 'Iris columns' has no version 5"}


def test_the_mapper_gives_the_engine_graph(pipeline: Pipeline) -> None:
    graph = graph_of(pipeline.versions.get(number=1))
    assert list(graph.nodes) == ["data", "select"]
    assert graph.nodes["select"].params == {"columns": ["species"]}


# -- drafts ---------------------------------------------------------------------------------------


def test_without_a_draft_the_draft_is_the_head(as_viewer: Any, pipeline: Pipeline, dataset: Dataset) -> None:
    body = as_viewer.get(f"/api/pipelines/{pipeline.pk}/draft/").json()
    assert body == {
        "document": canonical(select_from(dataset.pk, "species")),
        "base_version": 1,
        "updated_at": None,
        "updated_by": None,
        "unsaved": False,
    }


def test_autosave_then_save_clears_my_draft(as_editor: Any, pipeline: Pipeline, dataset: Dataset) -> None:
    moved = select_from(dataset.pk, "species", x=300)
    put = as_editor.put(f"/api/pipelines/{pipeline.pk}/draft/", {"document": moved, "base_version": 1}, format="json")
    assert put.status_code == 200
    assert (put.json()["unsaved"], put.json()["base_version"], put.json()["updated_by"]) == (True, 1, "eddie")
    assert as_editor.get(f"/api/pipelines/{pipeline.pk}/").json()["has_draft"] is True

    save(as_editor, pipeline, moved, base_version=1)
    after = as_editor.get(f"/api/pipelines/{pipeline.pk}/draft/").json()
    assert (after["unsaved"], after["base_version"]) == (False, 2)


def test_a_teammates_save_keeps_my_draft(as_editor: Any, as_owner: Any, pipeline: Pipeline, dataset: Dataset) -> None:
    mine = select_from(dataset.pk, "petal_width")
    as_editor.put(f"/api/pipelines/{pipeline.pk}/draft/", {"document": mine}, format="json")
    save(as_owner, pipeline, empty_document(), base_version=1)
    draft = as_editor.get(f"/api/pipelines/{pipeline.pk}/draft/").json()
    assert (draft["unsaved"], draft["base_version"], draft["document"]) == (True, 1, canonical(mine))


def test_a_malformed_draft_is_refused_and_a_viewer_cannot_autosave(
    as_editor: Any, as_viewer: Any, pipeline: Pipeline
) -> None:
    bad = as_editor.put(f"/api/pipelines/{pipeline.pk}/draft/", {"document": {"nodes": []}}, format="json")
    assert bad.status_code == 400
    assert bad.json()["problems"][0]["path"] == "edges"
    refused = as_viewer.put(f"/api/pipelines/{pipeline.pk}/draft/", {"document": empty_document()}, format="json")
    assert refused.status_code == 403
    pipeline.refresh_from_db()
    assert pipeline.draft is None


def test_discarding_the_draft(as_editor: Any, pipeline: Pipeline) -> None:
    as_editor.put(f"/api/pipelines/{pipeline.pk}/draft/", {"document": empty_document()}, format="json")
    response = as_editor.delete(f"/api/pipelines/{pipeline.pk}/draft/")
    assert response.status_code == 200
    assert response.json()["unsaved"] is False
    pipeline.refresh_from_db()
    assert pipeline.draft is None


# -- validation -----------------------------------------------------------------------------------


def test_a_viewer_validates_an_unsaved_document_and_gets_column_schemas(
    as_viewer: Any, pipeline: Pipeline, dataset: Dataset
) -> None:
    document = select_from(dataset.pk, "species", "petal_width")
    response = as_viewer.post(f"/api/pipelines/{pipeline.pk}/validate/", {"document": document}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert (body["ok"], body["problems"]) == (True, [])
    assert [c["name"] for c in body["schemas"]["select"]["results_dataset"]["columns"]] == ["petal_width", "species"]
    assert pipeline.versions.count() == 1


def test_validation_names_a_node_whose_compute_target_is_not_declared(
    as_viewer: Any, pipeline: Pipeline, dataset: Dataset, settings: Any
) -> None:
    from designer.engine.compute import parse_targets

    # given declared targets, and a document whose select node names one that is not among them
    settings.TESSERA_COMPUTE_TARGETS = parse_targets([{"name": "cpu", "dask": None}, {"name": "big"}])
    document = select_from(dataset.pk, "species", "petal_width")
    document["nodes"][1]["compute"] = "huge"

    # when it is validated, then the problem names the node and the field
    body = as_viewer.post(f"/api/pipelines/{pipeline.pk}/validate/", {"document": document}, format="json").json()
    assert body["ok"] is False
    assert [(p["code"], p["node"], p["param"]) for p in body["problems"]] == [("unknown_compute", "select", "compute")]

    # and naming a declared one is fine
    document["nodes"][1]["compute"] = "big"
    body = as_viewer.post(f"/api/pipelines/{pipeline.pk}/validate/", {"document": document}, format="json").json()
    assert (body["ok"], body["problems"]) == (True, [])


def test_an_empty_body_validates_the_head(as_viewer: Any, pipeline: Pipeline) -> None:
    response = as_viewer.post(f"/api/pipelines/{pipeline.pk}/validate/")
    assert response.status_code == 200
    assert response.json()["ok"] is True
    assert [c["name"] for c in response.json()["schemas"]["data"]["dataset"]["columns"]] == IRIS_COLUMNS


def test_validating_a_free_document_resolves_datasets_in_the_named_workspace_only(
    as_viewer: Any, workspace: Workspace, dataset: Dataset, other_workspace: Workspace
) -> None:
    from tests.designer.factories import DatasetFactory

    foreign = DatasetFactory(workspace=other_workspace, name="Foreign")
    document = select_from(foreign.pk, "species")
    response = as_viewer.post(
        "/api/pipelines/validate/", {"workspace": workspace.pk, "document": document}, format="json"
    )
    assert response.status_code == 200
    [problem] = response.json()["problems"]
    assert (problem["code"], problem["node"], problem["path"]) == ("unknown_dataset", "data", "nodes[0].params.dataset")
    assert f"dataset {foreign.pk} does not exist in this workspace" in problem["message"]


def test_validating_in_a_workspace_i_am_not_in_is_404(as_outsider: Any, workspace: Workspace) -> None:
    response = as_outsider.post(
        "/api/pipelines/validate/", {"workspace": workspace.pk, "document": empty_document()}, format="json"
    )
    assert response.status_code == 404


def test_validating_a_malformed_document_lists_its_problems(as_viewer: Any, workspace: Workspace) -> None:
    response = as_viewer.post(
        "/api/pipelines/validate/",
        {"workspace": workspace.pk, "document": {"nodes": [], "edges": [], "x": 1}},
        format="json",
    )
    assert response.status_code == 400
    assert [p["path"] for p in response.json()["problems"]] == ["x"]


def test_the_json_schema_is_published(as_viewer: Any) -> None:
    response = as_viewer.get("/api/pipelines/json-schema/")
    assert response.status_code == 200
    assert response.json() == PIPELINE_JSON_SCHEMA
