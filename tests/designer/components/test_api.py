"""The components API: create, version, catalogue, group/ungroup, delete refused while used, permissions."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from designer.components.models import Component, ComponentVersion
from designer.pipelines.models import PipelineVersion
from designer.pipelines.services import create_pipeline
from tests.support.pipelines import document

from .helpers import SCRIPT, pipeline_using, prep_document

pytestmark = pytest.mark.django_db


def create(client: Any, workspace: Any, name: str = "Prep", doc: dict[str, Any] | None = None) -> Any:
    body = {
        "workspace": workspace.pk,
        "name": name,
        "description": "Clean + scale",
        "message": "first",
        "document": doc or prep_document(),
    }
    return client.post("/api/components/", body, format="json")


def test_an_editor_creates_a_component_and_reads_it_back_with_its_interface(as_editor, workspace) -> None:
    response = create(as_editor, workspace)

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["name"], body["kind"], body["latest_version"]) == ("Prep", "graph", 1)
    assert [(v["number"], v["author"], v["message"]) for v in body["versions"]] == [(1, "eddie", "first")]
    listed = as_editor.get("/api/components/", {"workspace": workspace.pk}).json()
    assert [c["name"] for c in listed["results"]] == ["Prep"]
    version = as_editor.get(f"/api/components/{body['id']}/versions/1/").json()
    assert version["document"] == prep_document()
    face = version["interface"]
    assert face["id"] == f"component:{body['id']}" and face["category"] == "Components"
    assert [(p["name"], p["type"]) for p in face["inputs"]] == [("dataset", "table")]
    assert [(p["name"], p["type"]) for p in face["outputs"]] == [("cleaned", "table")]
    assert face["params_schema"]["properties"]["method"]["default"] == "ZScore"
    assert face["component"] == {"id": body["id"], "kind": "graph", "latest_version": 1}


def test_the_catalogue_entries_have_the_shape_of_module_entries(as_viewer, as_editor, workspace) -> None:
    created = create(as_editor, workspace).json()
    create(as_editor, workspace, "Rows above", SCRIPT)

    body = as_viewer.get("/api/components/catalogue/", {"workspace": workspace.pk}).json()
    module = as_viewer.get("/api/modules/").json()
    module_entry = (module["modules"] if isinstance(module, dict) and "modules" in module else module)[0]

    entries = {e["name"]: e for e in body["components"]}
    assert set(entries) == {"Prep", "Rows above"}
    for entry in entries.values():
        assert set(entry) == set(module_entry) | {"component"}
    assert entries["Rows above"]["category"] == "Data Transformation"
    assert entries["Rows above"]["column_params"] == [{"param": "column", "widget": "column", "port": "dataset"}]
    assert entries["Prep"]["id"] == f"component:{created['id']}"


def test_a_viewer_cannot_create_and_another_workspace_sees_nothing(
    as_viewer, as_outsider, as_editor, workspace
) -> None:
    refused = create(as_viewer, workspace)
    created = create(as_editor, workspace).json()

    assert refused.status_code == 403
    assert as_outsider.get(f"/api/components/{created['id']}/").status_code == 404
    assert as_outsider.get(f"/api/components/{created['id']}/versions/1/").status_code == 404
    assert as_outsider.get("/api/components/catalogue/", {"workspace": workspace.pk}).status_code == 404
    assert as_outsider.delete(f"/api/components/{created['id']}/").status_code == 404
    assert as_viewer.patch(f"/api/components/{created['id']}/", {"name": "X"}, format="json").status_code == 403
    assert Component.objects.count() == 1


def test_bad_documents_are_refused_naming_the_port_or_parameter_and_nothing_is_created(as_editor, workspace) -> None:
    unfed = prep_document()
    unfed["inputs"] = []
    wrong_param = prep_document()
    wrong_param["parameters"][0]["targets"] = [{"node": "norm", "param": "no_such"}]
    bad_spec = copy.deepcopy(SCRIPT)
    bad_spec["spec"]["inputs"][0]["type"] = "image"

    responses = [create(as_editor, workspace, f"C{i}", d) for i, d in enumerate((unfed, wrong_param, bad_spec))]

    assert [r.status_code for r in responses] == [400, 400, 400]
    [unfed_problem] = responses[0].json()["problems"]
    assert (unfed_problem["code"], unfed_problem["node"], unfed_problem["port"]) == (
        "missing_input",
        "clean",
        "dataset",
    )
    assert responses[1].json()["problems"][0]["param"] == "method"
    assert "no_such" in responses[1].json()["problems"][0]["message"]
    assert [p["path"] for p in responses[2].json()["problems"]] == ["spec.inputs[0].type"]
    assert Component.objects.count() == 0 and ComponentVersion.objects.count() == 0


def test_names_are_unique_in_a_workspace(as_editor, workspace) -> None:
    create(as_editor, workspace)

    again = create(as_editor, workspace)

    assert again.status_code == 400
    assert "already has a component named 'Prep'" in again.json()["fields"]["name"][0]


def test_versions_stale_saves_409_and_an_unchanged_document_answers_the_latest(as_editor, workspace) -> None:
    created = create(as_editor, workspace).json()
    url = f"/api/components/{created['id']}/versions/"

    second = as_editor.post(
        url, {"document": prep_document("MinMax"), "message": "minmax", "base_version": 1}, format="json"
    )
    stale = as_editor.post(url, {"document": prep_document("Logistic"), "base_version": 1}, format="json")
    same = as_editor.post(url, {"document": prep_document("MinMax"), "base_version": 2}, format="json")
    diff = as_editor.get(f"/api/components/{created['id']}/diff/", {"from": 1, "to": 2}).json()

    assert second.status_code == 201 and second.json()["number"] == 2
    assert stale.status_code == 409 and stale.json()["current_version"]["number"] == 2
    assert same.status_code == 200 and same.json()["number"] == 2
    assert diff["diff"]["summary"]["nodes_added"] == 0 and diff["diff"]["summary"]["nodes_removed"] == 0
    assert diff["diff"] != {} and diff["script_changed"] is False
    assert diff["interface"] == {
        "inputs": {"added": [], "removed": []},
        "outputs": {"added": [], "removed": []},
        "parameters": {"added": [], "removed": []},
    }
    assert ComponentVersion.objects.filter(component_id=created["id"]).count() == 2


def test_a_used_version_cannot_be_deleted_and_the_refusal_names_the_pipeline(as_editor, editor, workspace, dataset):
    created = create(as_editor, workspace).json()
    as_editor.post(
        f"/api/components/{created['id']}/versions/",
        {"document": prep_document("MinMax"), "base_version": 1},
        format="json",
    )
    create_pipeline(editor, workspace, "Uses prep", document=pipeline_using(dataset.pk, created["id"], 1))

    used = as_editor.delete(f"/api/components/{created['id']}/versions/1/")
    whole = as_editor.delete(f"/api/components/{created['id']}/")
    unused = as_editor.delete(f"/api/components/{created['id']}/versions/2/")

    assert used.status_code == 409 and whole.status_code == 409
    assert "pipeline 'Uses prep' (version 1)" in used.json()["detail"]
    assert used.json()["used_by"]["pipelines"][0]["name"] == "Uses prep"
    assert unused.status_code == 204
    assert list(ComponentVersion.objects.filter(component_id=created["id"]).values_list("number", flat=True)) == [1]


def test_validation_reaches_inside_and_names_the_component_and_inner_node(as_editor, workspace, dataset) -> None:
    created = create(as_editor, workspace, doc=prep_document(columns=["sepal_length", "no_such_column"])).json()
    doc = pipeline_using(dataset.pk, created["id"])

    body = as_editor.post(
        "/api/pipelines/validate/", {"workspace": workspace.pk, "document": doc}, format="json"
    ).json()

    [problem] = body["problems"]
    assert problem["code"] == "unknown_column" and problem["node"] == "prep/norm"
    assert problem["message"].startswith("Component 'Prep' (node prep) › Normalize Data (norm): ")
    assert problem["path"] == "nodes[1].inner.norm.params.columns"
    assert body["schemas"]["prep"] == {"cleaned": None}  # unknown: the inner node has a problem


def test_group_then_ungroup(as_editor, workspace, dataset) -> None:
    doc = document(
        [
            ("data", "dataset", {"dataset": {"dataset_id": dataset.pk}}),
            ("clean", "clean_missing_data", {"cleaning_mode": "Replace with mean", "columns": ["sepal_length"]}),
            ("norm", "normalize_data", {"transformation_method": "ZScore", "columns": ["sepal_length"]}),
            ("pick", "select_columns", {"columns": ["sepal_length"]}),
        ],
        [
            "data.dataset -> clean.dataset",
            "clean.cleaned_dataset -> norm.dataset",
            "norm.transformed_dataset -> pick.dataset",
        ],
    )

    grouped = as_editor.post(
        "/api/components/group/",
        {
            "workspace": workspace.pk,
            "document": doc,
            "node_ids": ["clean", "norm"],
            "name": "Prep step",
            "parameters": [{"name": "method", "targets": [{"node": "norm", "param": "transformation_method"}]}],
        },
        format="json",
    )
    bad = as_editor.post(
        "/api/components/group/",
        {"workspace": workspace.pk, "document": doc, "node_ids": ["clean", "ghost"], "name": "Broken"},
        format="json",
    )

    assert grouped.status_code == 201, grouped.json()
    body = grouped.json()
    new_doc = body["document"]
    assert [n["id"] for n in new_doc["nodes"]] == ["data", "prep_step", "pick"]
    assert new_doc["nodes"][1]["module"] == f"component:{body['component']['id']}"
    assert body["version"]["interface"]["inputs"][0]["name"] == "dataset"
    assert bad.status_code == 400 and bad.json()["problems"][0]["node"] == "ghost"
    assert Component.objects.filter(name="Broken").count() == 0
    validated = as_editor.post(
        "/api/pipelines/validate/", {"workspace": workspace.pk, "document": new_doc}, format="json"
    ).json()
    assert validated["problems"] == []
    back = as_editor.post(
        "/api/components/ungroup/",
        {"workspace": workspace.pk, "document": new_doc, "node_id": "prep_step"},
        format="json",
    )
    assert back.status_code == 200
    assert sorted(n["id"] for n in back.json()["document"]["nodes"]) == ["clean", "data", "norm", "pick"]


def test_saved_pipeline_versions_keep_link_and_version(as_editor, editor, workspace, dataset) -> None:
    created = create(as_editor, workspace).json()
    doc = pipeline_using(dataset.pk, created["id"])
    doc["nodes"][1]["link"] = "pinned"

    pipeline = create_pipeline(editor, workspace, "Pinned", document=doc)

    saved = PipelineVersion.objects.get(pipeline=pipeline).document
    assert saved["nodes"][1]["link"] == "pinned" and saved["nodes"][1]["version"] == 1


def test_an_exported_pipeline_carries_its_components_and_imports_elsewhere(
    as_editor, editor, workspace, dataset, as_outsider, other_workspace
):
    created = create(as_editor, workspace).json()
    pipeline = create_pipeline(editor, workspace, "Uses prep", document=pipeline_using(dataset.pk, created["id"]))

    exported = as_editor.get(f"/api/pipelines/{pipeline.pk}/export/").json()
    imported = as_outsider.post(
        "/api/pipelines/import/", {"workspace": other_workspace.pk, "file": exported}, format="json"
    )
    bare = as_outsider.post(
        "/api/pipelines/import/", {"workspace": other_workspace.pk, "file": exported["document"]}, format="json"
    )

    assert [(c["name"], c["version"], c["kind"]) for c in exported["components"]] == [("Prep", 1, "graph")]
    assert imported.status_code == 201, imported.json()
    copied = Component.objects.get(workspace=other_workspace)
    assert copied.name == "Prep" and copied.versions.get().document == prep_document()
    new_doc = PipelineVersion.objects.get(pipeline_id=imported.json()["id"]).document
    assert new_doc["nodes"][1]["module"] == f"component:{copied.pk}"
    assert bare.status_code == 400 and "component versions" in bare.json()["detail"]


def test_cloning_to_another_workspace_copies_the_components_and_reuses_identical_ones(
    as_editor, editor, owner, workspace, dataset
):
    from designer.pipelines.services import clone_pipeline
    from designer.workspaces.services import create_workspace

    created = create(as_editor, workspace).json()
    pipeline = create_pipeline(editor, workspace, "Uses prep", document=pipeline_using(dataset.pk, created["id"]))
    target = create_workspace(user=owner, name="Second")

    first = clone_pipeline(owner, pipeline, target)
    second = clone_pipeline(owner, pipeline, target)

    copied = Component.objects.get(workspace=target)
    assert copied.versions.count() == 1  # the second clone reused the identical version
    for clone in (first, second):
        doc = PipelineVersion.objects.get(pipeline=clone.pipeline).document
        assert (doc["nodes"][1]["module"], doc["nodes"][1]["version"]) == (f"component:{copied.pk}", 1)
    assert not any(p.code == "unknown_component" for p in first.validation.problems)


def test_a_version_that_would_contain_its_own_component_is_refused(as_editor, workspace) -> None:
    created = create(as_editor, workspace).json()
    looping = {
        "kind": "graph",
        "graph": {"nodes": [{"id": "me", "module": f"component:{created['id']}", "version": 1}], "edges": []},
        "inputs": [{"name": "dataset", "targets": [{"node": "me", "port": "dataset"}]}],
        "outputs": [{"name": "cleaned", "source": {"node": "me", "port": "cleaned"}}],
        "parameters": [],
    }

    refused = as_editor.post(
        f"/api/components/{created['id']}/versions/", {"document": looping, "base_version": 1}, format="json"
    )

    assert refused.status_code == 400
    assert [p["code"] for p in refused.json()["problems"]] == ["component_cycle"]
    assert ComponentVersion.objects.filter(component_id=created["id"]).count() == 1


def test_export_as_code_inlines_the_components_inner_nodes(as_editor, editor, workspace, dataset) -> None:
    import io
    import zipfile

    created = create(as_editor, workspace).json()
    pipeline = create_pipeline(editor, workspace, "Uses prep", document=pipeline_using(dataset.pk, created["id"]))

    response = as_editor.get(f"/api/pipelines/{pipeline.pk}/export-script/")

    assert response.status_code == 200, response.content[:500]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    script = next(archive.read(n).decode() for n in archive.namelist() if n.endswith(".py"))
    assert "prep__norm" in script or "Normalize" in script
