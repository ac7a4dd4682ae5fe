"""Sample pipelines over the API: the gallery, opening an editable copy, and documents the engine accepts."""

from __future__ import annotations

from itertools import combinations
from typing import Any

import pytest

from designer.activity.models import ActivityEvent
from designer.datasets.models import Dataset
from designer.datasets.samples import SAMPLES
from designer.datasets.services import load_sample
from designer.pipelines.models import Pipeline
from designer.pipelines.samples import ROW_HEIGHT, SAMPLE_PIPELINES, available
from designer.pipelines.services import parse_document, validate_graph
from designer.workspaces.models import Workspace
from modules.sdk import default_registry

pytestmark = pytest.mark.django_db

SLUG = "multiclass-penguins"
NODE_WIDTH = 232  # the canvas's (frontend/src/features/canvas/ModuleNode.tsx)


def open_sample(client: Any, workspace: Workspace, slug: str = SLUG) -> Any:
    return client.post(f"/api/sample-pipelines/{slug}/open/", {"workspace": workspace.pk}, format="json")


# -- the gallery ----------------------------------------------------------------------------------


def test_any_signed_in_user_lists_every_sample_with_its_datasets(as_outsider: Any) -> None:
    response = as_outsider.get("/api/sample-pipelines/")

    assert response.status_code == 200
    body = response.json()
    assert [s["slug"] for s in body] == [s.slug for s in SAMPLE_PIPELINES]
    penguins = next(s for s in body if s["slug"] == SLUG)
    assert penguins == {
        "slug": SLUG,
        "name": "Multiclass classification: penguin species",
        "description": next(s.description for s in SAMPLE_PIPELINES if s.slug == SLUG),
        "task": "multiclass_classification",
        "mirrors": "Multiclass Classification - Letter Recognition",
        "datasets": ["Palmer penguins"],
    }


def test_the_gallery_holds_at_least_the_eight_core_samples_with_unique_slugs() -> None:
    slugs = [s.slug for s in available()]
    assert len(set(slugs)) == len(slugs)
    assert {
        "regression-diabetes",
        "binary-feature-selection-breast-cancer",
        "multiclass-penguins",
        "clustering-penguins",
        "cross-validation-wine",
        "hyperparameter-tuning-breast-cancer",
        "python-script-iris",
        "text-classification-movie-reviews",
    } <= set(slugs)


def test_every_sample_reads_only_bundled_sample_datasets_and_registered_modules() -> None:
    names = {s.name for s in SAMPLES}
    registry = default_registry()
    for sample in available():
        assert set(sample.datasets) <= names, sample.slug
        assert all(module in registry for module in sample.modules()), sample.slug


def test_anonymous_callers_cannot_list_samples(api: Any) -> None:
    response = api(None).get("/api/sample-pipelines/")
    assert response.status_code in (401, 403)


# -- opening a sample -----------------------------------------------------------------------------


def test_an_editor_opens_a_sample_into_a_workspace_that_lacks_its_dataset(
    as_editor: Any, editor: Any, workspace: Workspace
) -> None:
    # given a workspace without the penguins
    assert not Dataset.objects.filter(workspace=workspace).exists()

    # when an editor opens the multiclass sample there
    response = open_sample(as_editor, workspace)

    # then the dataset is loaded and an editable pipeline reading it is created, with nothing to fix
    assert response.status_code == 201, response.content
    body = response.json()
    penguins = Dataset.objects.get(workspace=workspace, name="Palmer penguins")
    assert body["datasets_added"] == ["Palmer penguins"]
    assert penguins.created_by == editor and penguins.versions.get().rows == 344
    assert (body["name"], body["workspace"], body["created_by"], body["head_version"]) == (
        "Multiclass classification: penguin species",
        workspace.pk,
        "eddie",
        1,
    )
    assert body["validation"] == {**body["validation"], "ok": True, "problems": []}
    data = next(n for n in body["head"]["document"]["nodes"] if n["module"] == "dataset")
    assert data["params"] == {"dataset": {"dataset_id": penguins.pk}}
    pipeline = Pipeline.objects.get(pk=body["id"])
    assert pipeline.description.startswith("Removes the penguins with missing values")
    assert ActivityEvent.objects.filter(workspace=workspace, object_type="pipeline", object_id=pipeline.pk).exists()


def test_opening_again_reuses_the_dataset_and_makes_another_copy(as_editor: Any, workspace: Workspace) -> None:
    first = open_sample(as_editor, workspace).json()

    second = open_sample(as_editor, workspace)

    assert second.status_code == 201
    assert second.json()["datasets_added"] == []
    assert second.json()["id"] != first["id"]
    assert Dataset.objects.filter(workspace=workspace, name="Palmer penguins").count() == 1
    assert Pipeline.objects.filter(workspace=workspace).count() == 2


def test_a_dataset_already_there_under_the_sample_name_is_used_as_it_is(
    as_editor: Any, owner: Any, workspace: Workspace
) -> None:
    existing = load_sample(owner, workspace, "Breast cancer (Wisconsin diagnostic)")

    response = open_sample(as_editor, workspace, "hyperparameter-tuning-breast-cancer")

    assert response.status_code == 201
    assert response.json()["datasets_added"] == []
    ids = [
        n["params"]["dataset"]["dataset_id"]
        for n in response.json()["head"]["document"]["nodes"]
        if "dataset" in n["params"]
    ]
    assert ids == [existing.pk]


def test_an_unknown_sample_is_404_naming_it(as_editor: Any, workspace: Workspace) -> None:
    response = open_sample(as_editor, workspace, "no-such-sample")

    assert response.status_code == 404
    assert "no-such-sample" in response.json()["detail"]
    assert not Pipeline.objects.exists() and not Dataset.objects.exists()


def test_a_viewer_cannot_open_a_sample_and_nothing_is_created(as_viewer: Any, workspace: Workspace) -> None:
    response = open_sample(as_viewer, workspace)

    assert response.status_code == 403
    assert "editor" in response.json()["detail"]
    assert not Pipeline.objects.exists() and not Dataset.objects.exists()


def test_an_outsider_cannot_see_the_workspace(as_outsider: Any, workspace: Workspace) -> None:
    response = open_sample(as_outsider, workspace)

    assert response.status_code == 404
    assert not Pipeline.objects.exists() and not Dataset.objects.exists()


def test_anonymous_callers_cannot_open_a_sample(api: Any, workspace: Workspace) -> None:
    response = open_sample(api(None), workspace)

    assert response.status_code in (401, 403)
    assert not Pipeline.objects.exists() and not Dataset.objects.exists()


def test_the_body_names_the_workspace_and_nothing_else(as_editor: Any, workspace: Workspace) -> None:
    missing = as_editor.post(f"/api/sample-pipelines/{SLUG}/open/", {}, format="json")
    extra = as_editor.post(
        f"/api/sample-pipelines/{SLUG}/open/", {"workspace": workspace.pk, "name": "x"}, format="json"
    )

    assert missing.status_code == 400 and "workspace" in missing.json()["fields"]
    assert extra.status_code == 400 and "name" in extra.json()["fields"]
    assert not Pipeline.objects.exists()


# -- the documents --------------------------------------------------------------------------------


@pytest.mark.parametrize("sample", SAMPLE_PIPELINES, ids=lambda s: s.slug)
def test_each_sample_document_validates_against_the_loaded_datasets(
    sample: Any, owner: Any, workspace: Workspace
) -> None:
    ids = {name: load_sample(owner, workspace, name).pk for name in sample.datasets}

    result = validate_graph(workspace, parse_document(sample.build(ids)))

    assert [p.to_dict() for p in result.problems] == []
    if sample.datasets:
        assert result.schemas["data"]["dataset"] is not None


@pytest.mark.parametrize("sample", SAMPLE_PIPELINES, ids=lambda s: s.slug)
def test_each_sample_reads_top_to_bottom_without_overlapping_nodes(sample: Any) -> None:
    document = sample.build(dict.fromkeys(sample.datasets, 1))
    at = {node: (entry["x"], entry["y"]) for node, entry in document["layout"].items()}

    assert set(at) == {n["id"] for n in document["nodes"]}
    assert len(set(at.values())) == len(at)
    for (x1, y1), (x2, y2) in combinations(at.values(), 2):
        assert abs(x1 - x2) >= NODE_WIDTH or abs(y1 - y2) >= ROW_HEIGHT
    for edge in document["edges"]:
        assert at[edge["target"]["node"]][1] > at[edge["source"]["node"]][1], edge
