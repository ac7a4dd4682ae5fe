"""Clone, export and import: copies say where they came from, files are checked before anything is created."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from designer.activity.models import ActivityEvent
from designer.engine.graph import SCHEMA_VERSION
from designer.pipelines import exchange, services
from designer.pipelines.models import Pipeline, PipelineVersion
from designer.workspaces.models import Membership, Workspace
from tests.designer.factories import PipelineFactory, WorkspaceFactory
from tests.support.pipelines import document

pytestmark = pytest.mark.django_db

SPLIT = document(
    [("data", "dataset", {"dataset": {"dataset_id": 1}}), ("split", "split_data", {"random_seed": 7})],
    ["data.dataset -> split.dataset"],
)


def _split_doc(dataset_id: int, **params: Any) -> dict[str, Any]:
    return document(
        [("data", "dataset", {"dataset": {"dataset_id": dataset_id}}), ("split", "split_data", params)],
        ["data.dataset -> split.dataset"],
    )


@pytest.fixture
def churn(workspace: Workspace, owner: Any, dataset: Any) -> Pipeline:
    """'Churn' with two versions: v1 an empty canvas, v2 dataset -> split (seed 7)."""
    pipeline = PipelineFactory(workspace=workspace, name="Churn", description="Who leaves", created_by=owner)
    services.save_version(owner, pipeline, _split_doc(dataset.pk, random_seed=7), "split")
    return pipeline


def _counts() -> tuple[int, int, int]:
    return Pipeline.objects.count(), PipelineVersion.objects.count(), ActivityEvent.objects.count()


# -- clone ----------------------------------------------------------------------------------------


def test_an_editor_clones_the_head_into_the_same_workspace(as_editor: Any, churn: Pipeline, workspace: Workspace):
    response = as_editor.post(f"/api/pipelines/{churn.pk}/clone/", {}, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["name"], body["workspace"], body["description"]) == ("Churn (copy)", workspace.pk, "Who leaves")
    assert body["head_version"] == 1
    assert body["head"]["message"] == f"Cloned from 'Churn' version 2 (pipeline {churn.pk})"
    assert body["head"]["author"] == "eddie"
    assert body["head"]["document"]["nodes"] == churn.versions.get(number=2).document["nodes"]
    assert body["validation"]["ok"] is True
    event = ActivityEvent.objects.filter(verb="cloned").get()
    assert (event.object_id, event.actor_name) == (body["id"], "eddie")
    assert event.detail["source"] == {"pipeline": churn.pk, "name": "Churn", "version": 2, "workspace": workspace.pk}


def test_a_clone_of_an_older_version_with_a_new_name(as_owner: Any, churn: Pipeline) -> None:
    response = as_owner.post(f"/api/pipelines/{churn.pk}/clone/", {"version": 1, "name": "Blank"}, format="json")

    assert response.status_code == 201
    assert response.json()["name"] == "Blank"
    assert response.json()["head"]["document"]["nodes"] == []
    assert response.json()["head"]["message"].startswith("Cloned from 'Churn' version 1")


def test_a_viewer_clones_into_a_workspace_where_they_edit(
    as_viewer: Any, viewer: Any, churn: Pipeline, workspace: Workspace
) -> None:
    # given vera views 'Team' and owns 'Sandbox'
    sandbox = WorkspaceFactory(name="Sandbox", created_by=viewer)
    # when she clones Churn into her sandbox
    response = as_viewer.post(f"/api/pipelines/{churn.pk}/clone/", {"workspace": sandbox.pk}, format="json")
    # then the copy lives there, names its origin, and its dataset reference is reported as unresolved there
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["workspace"] == sandbox.pk
    assert body["head"]["message"] == f"Cloned from 'Churn' version 2 (pipeline {churn.pk} in workspace 'Team')"
    assert body["validation"]["ok"] is False
    assert {p["code"] for p in body["validation"]["problems"]} == {"unknown_dataset"}
    assert ActivityEvent.objects.get(verb="cloned").workspace_id == sandbox.pk


def test_a_viewer_cannot_clone_into_the_workspace_they_only_view(as_viewer: Any, churn: Pipeline) -> None:
    before = _counts()
    response = as_viewer.post(f"/api/pipelines/{churn.pk}/clone/", {}, format="json")
    assert response.status_code == 403
    assert response.json()["detail"] == "you are a viewer in workspace 'Team'; editing needs the editor role"
    assert _counts() == before


def test_cloning_into_a_workspace_i_am_not_in_is_404(as_editor: Any, churn: Pipeline, other_workspace: Workspace):
    before = _counts()
    response = as_editor.post(f"/api/pipelines/{churn.pk}/clone/", {"workspace": other_workspace.pk}, format="json")
    assert response.status_code == 404
    assert response.json() == {"detail": f"workspace {other_workspace.pk} does not exist"}
    assert _counts() == before


def test_an_outsider_cannot_clone_into_their_own_workspace(
    as_outsider: Any, churn: Pipeline, other_workspace: Workspace
) -> None:
    before = _counts()
    response = as_outsider.post(f"/api/pipelines/{churn.pk}/clone/", {"workspace": other_workspace.pk}, format="json")
    assert response.status_code == 404
    assert response.json() == {"detail": f"pipeline {churn.pk} does not exist"}
    assert _counts() == before


def test_cloning_a_missing_version_names_it(as_editor: Any, churn: Pipeline) -> None:
    response = as_editor.post(f"/api/pipelines/{churn.pk}/clone/", {"version": 9}, format="json")
    assert response.status_code == 404
    assert response.json() == {"detail": "pipeline 'Churn' has no version 9"}


# -- export ---------------------------------------------------------------------------------------


def test_a_viewer_downloads_an_export_file(as_viewer: Any, churn: Pipeline) -> None:
    response = as_viewer.get(f"/api/pipelines/{churn.pk}/export/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="Churn-v2.tessera.json"'
    content = json.loads(response.content)
    assert content["format"] == "tessera.pipeline"
    assert (content["format_version"], content["schema_version"]) == (1, SCHEMA_VERSION)
    assert (content["name"], content["description"]) == ("Churn", "Who leaves")
    assert content["source"] == {"pipeline": churn.pk, "version": 2}
    assert content["modules"] == [
        {"id": "dataset", "version": 1, "name": "Dataset"},
        {"id": "split_data", "version": 1, "name": "Split Data"},
    ]
    assert content["document"] == churn.versions.get(number=2).document


def test_exporting_an_older_version(as_viewer: Any, churn: Pipeline) -> None:
    response = as_viewer.get(f"/api/pipelines/{churn.pk}/export/?version=1")
    assert response.status_code == 200
    assert json.loads(response.content)["document"]["nodes"] == []
    assert response["Content-Disposition"].endswith('-v1.tessera.json"')


def test_an_outsider_cannot_export(as_outsider: Any, churn: Pipeline) -> None:
    response = as_outsider.get(f"/api/pipelines/{churn.pk}/export/")
    assert response.status_code == 404


# -- import ---------------------------------------------------------------------------------------


def _export(client: Any, pipeline: Pipeline) -> dict[str, Any]:
    return json.loads(client.get(f"/api/pipelines/{pipeline.pk}/export/").content)


def test_export_then_import_as_json_round_trips(as_editor: Any, churn: Pipeline, workspace: Workspace) -> None:
    content = _export(as_editor, churn)

    response = as_editor.post("/api/pipelines/import/", {"workspace": workspace.pk, "file": content}, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["name"], body["description"], body["head_version"]) == ("Churn", "Who leaves", 1)
    assert body["head"]["document"] == content["document"]
    assert body["head"]["message"].startswith("Imported from a file: 'Churn' version 2, exported ")
    assert body["validation"] == {**body["validation"], "ok": True, "problems": []}
    event = ActivityEvent.objects.get(verb="imported")
    assert (event.object_id, event.actor_name, event.detail) == (body["id"], "eddie", {"version": 1, "problems": 0})


def test_importing_an_uploaded_file_with_a_new_name(as_editor: Any, churn: Pipeline, workspace: Workspace) -> None:
    raw = json.dumps(_export(as_editor, churn)).encode()
    upload = SimpleUploadedFile("churn.tessera.json", raw, content_type="application/json")

    response = as_editor.post(
        "/api/pipelines/import/", {"workspace": workspace.pk, "name": "Churn again", "file": upload}, format="multipart"
    )

    assert response.status_code == 201, response.content
    assert response.json()["name"] == "Churn again"


def test_a_bare_document_imports_too(as_editor: Any, workspace: Workspace, dataset: Any) -> None:
    response = as_editor.post(
        "/api/pipelines/import/", {"workspace": workspace.pk, "file": _split_doc(dataset.pk)}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["name"] == "Imported pipeline"
    assert response.json()["head"]["message"] == "Imported from a file"


def test_parameter_problems_are_saved_and_listed_by_node_and_parameter(
    as_editor: Any, workspace: Workspace, dataset: Any
) -> None:
    # given a file whose split fraction is out of range and whose dataset is not in this workspace
    doc = _split_doc(999999, fraction_of_rows_in_first_output_dataset=1.5)
    # when it is imported
    response = as_editor.post(
        "/api/pipelines/import/", {"workspace": workspace.pk, "name": "Odd", "file": doc}, format="json"
    )
    # then it is saved, and each problem names its node and parameter
    assert response.status_code == 201, response.content
    problems = response.json()["validation"]["problems"]
    by_code = {p["code"]: p for p in problems}
    assert set(by_code) == {"invalid_param", "unknown_dataset"}
    assert (by_code["invalid_param"]["node"], by_code["invalid_param"]["param"]) == (
        "split",
        "fraction_of_rows_in_first_output_dataset",
    )
    assert "less than or equal to 1" in by_code["invalid_param"]["message"]
    assert by_code["unknown_dataset"]["node"] == "data"
    assert Pipeline.objects.filter(name="Odd").exists()
    assert ActivityEvent.objects.get(verb="imported").detail == {"version": 1, "problems": 2}


def test_unknown_modules_and_versions_refuse_the_import_and_create_nothing(
    as_editor: Any, workspace: Workspace, dataset: Any
) -> None:
    doc = document(
        [
            ("data", "dataset", {"dataset": {"dataset_id": dataset.pk}}),
            ("magic", "quantum_forest", {}),
            ("split", "split_data", {"fraction_of_rows_in_first_output_dataset": 3}),
        ],
        ["data.dataset -> split.dataset"],
    )
    doc["nodes"][0]["version"] = 99
    before = _counts()

    response = as_editor.post("/api/pipelines/import/", {"workspace": workspace.pk, "file": doc}, format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == (
        "The file uses 2 modules or module versions that this server does not have; nothing was imported."
    )
    found = {(p["code"], p["node"], p["param"]) for p in body["problems"]}
    assert ("unknown_version", "data", None) in found
    assert ("unknown_module", "magic", None) in found
    assert ("invalid_param", "split", "fraction_of_rows_in_first_output_dataset") in found
    assert _counts() == before


def test_a_malformed_document_lists_every_fault_and_creates_nothing(as_editor: Any, workspace: Workspace) -> None:
    content = {"format": "tessera.pipeline", "document": {"nodes": [{"id": "a b", "module": "x"}], "edges": "no"}}
    before = _counts()
    response = as_editor.post("/api/pipelines/import/", {"workspace": workspace.pk, "file": content}, format="json")
    assert response.status_code == 400
    assert response.json()["detail"] == "The pipeline document is malformed."
    assert {p["path"] for p in response.json()["problems"]} >= {"edges", "nodes[0].id", "nodes[0].version"}
    assert _counts() == before


def test_an_envelope_with_unknown_fields_or_a_newer_format_is_refused(as_editor: Any, workspace: Workspace) -> None:
    content = {"format": "tessera.pipeline", "format_version": 7, "macro": "rm -rf /", "document": SPLIT}
    response = as_editor.post("/api/pipelines/import/", {"workspace": workspace.pk, "file": content}, format="json")
    assert response.status_code == 400
    assert [p["path"] for p in response.json()["problems"]] == ["macro", "format_version"]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"{not json", "The file is not valid JSON"),
        (b"\xff\xfe\x00garbage", "The file is not UTF-8 text"),
        (b'{"nodes": [], "edges": [], "parameters": {"x": NaN}}', "NaN is not a JSON number"),
        (b'{"nodes": [], "nodes": [], "edges": []}', "the key 'nodes' appears twice"),
        (b'{"nodes": [], "edges": [], "parameters": {"x": ' + b"[" * 200 + b"]" * 200 + b"}}", "more than 100 levels"),
        (b"[" * 100_000 + b"]" * 100_000, "more than 100 levels"),
    ],
    ids=["syntax", "binary", "nan", "duplicate-key", "deep", "very-deep"],
)
def test_hostile_files_are_refused_with_400_and_nothing_is_created(
    as_editor: Any, workspace: Workspace, raw: bytes, message: str
) -> None:
    before = _counts()
    upload = SimpleUploadedFile("evil.json", raw, content_type="application/json")
    response = as_editor.post("/api/pipelines/import/", {"workspace": workspace.pk, "file": upload}, format="multipart")
    assert response.status_code == 400
    assert message in response.json()["detail"]
    assert _counts() == before


def test_a_file_over_the_limit_is_refused_with_413(as_editor: Any, workspace: Workspace) -> None:
    padding = "x" * (exchange.MAX_IMPORT_BYTES + 1)
    raw = json.dumps({"nodes": [], "edges": [], "parameters": {"pad": padding}}).encode()
    upload = SimpleUploadedFile("big.json", raw, content_type="application/json")
    before = _counts()

    as_file = as_editor.post("/api/pipelines/import/", {"workspace": workspace.pk, "file": upload}, format="multipart")
    as_json = as_editor.post(
        "/api/pipelines/import/", {"workspace": workspace.pk, "file": json.loads(raw)}, format="json"
    )

    assert as_file.status_code == 413
    assert as_file.json()["detail"].endswith("pipeline imports are limited to 2 MB.")
    assert as_json.status_code == 413
    assert _counts() == before


def test_a_file_just_under_the_limit_passes_the_size_check(
    as_editor: Any, workspace: Workspace, monkeypatch: Any
) -> None:
    monkeypatch.setattr(exchange, "MAX_IMPORT_BYTES", 400)
    raw = json.dumps({"nodes": [], "edges": [], "parameters": {"pad": "x" * 300}}).encode()
    ok = SimpleUploadedFile("ok.json", raw, content_type="application/json")
    big = SimpleUploadedFile("big.json", raw + b" " * 100, content_type="application/json")

    accepted = as_editor.post("/api/pipelines/import/", {"workspace": workspace.pk, "file": ok}, format="multipart")
    refused = as_editor.post("/api/pipelines/import/", {"workspace": workspace.pk, "file": big}, format="multipart")

    assert (accepted.status_code, refused.status_code) == (201, 413)


def test_a_viewer_cannot_import_and_an_outsider_cannot_see_the_workspace(
    as_viewer: Any, as_outsider: Any, workspace: Workspace
) -> None:
    before = _counts()
    viewer = as_viewer.post("/api/pipelines/import/", {"workspace": workspace.pk, "file": SPLIT}, format="json")
    outsider = as_outsider.post("/api/pipelines/import/", {"workspace": workspace.pk, "file": SPLIT}, format="json")
    assert viewer.status_code == 403
    assert outsider.status_code == 404
    assert outsider.json() == {"detail": f"workspace {workspace.pk} does not exist"}
    assert _counts() == before


def test_an_import_request_names_unknown_fields(as_editor: Any, workspace: Workspace) -> None:
    response = as_editor.post(
        "/api/pipelines/import/", {"workspace": workspace.pk, "file": SPLIT, "overwrite": True}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["fields"] == {
        "overwrite": ["Unknown field 'overwrite'; allowed fields: workspace, name, file."]
    }


def test_the_export_file_lists_uninstalled_modules_with_a_null_name(workspace: Workspace, owner: Any) -> None:
    # a pipeline saved before a module was uninstalled still exports, naming what it needs
    pipeline = PipelineFactory(workspace=workspace, created_by=owner, name="Old")
    doc = document([("m", "retired_module", {})], [])
    services.save_version(owner, pipeline, doc)
    content = services.export_pipeline(pipeline)
    assert content["modules"] == [{"id": "retired_module", "version": 1, "name": None}]
    assert Membership.objects.filter(workspace=workspace).count() == 3
