"""Reading datasets: lists scoped to my workspaces, versions, previews, CSV downloads, renames and deletes."""

from __future__ import annotations

import io
from typing import Any

import pandas as pd
import pytest

from designer.datasets.models import Dataset, DatasetVersion
from designer.workspaces.models import Workspace
from tests.designer.factories import IRIS_CSV, DatasetFactory

pytestmark = pytest.mark.django_db


def test_the_list_shows_datasets_of_my_workspaces_with_the_latest_version(
    as_viewer: Any, dataset: Dataset, other_workspace: Workspace
) -> None:
    DatasetFactory(workspace=other_workspace, name="Secret")
    response = as_viewer.get("/api/datasets/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    [item] = body["results"]
    assert (item["id"], item["name"], item["workspace"], item["created_by"]) == (
        dataset.pk,
        "Iris",
        dataset.workspace_id,
        "olivia",
    )
    assert {k: item["latest_version"][k] for k in ("version", "rows", "columns")} == {
        "version": 1,
        "rows": 6,
        "columns": 5,
    }


def test_the_list_filters_by_workspace(as_owner: Any, dataset: Dataset, owner: Any) -> None:
    mine = DatasetFactory(name="Elsewhere", created_by=owner, workspace__created_by=owner)
    response = as_owner.get(f"/api/datasets/?workspace={mine.workspace_id}")
    assert [d["name"] for d in response.json()["results"]] == ["Elsewhere"]


def test_filtering_by_a_workspace_i_am_not_in_is_404(as_viewer: Any, other_workspace: Workspace) -> None:
    response = as_viewer.get(f"/api/datasets/?workspace={other_workspace.pk}")
    assert response.status_code == 404
    assert response.json() == {"detail": f"workspace {other_workspace.pk} does not exist"}


def test_a_workspace_filter_that_is_not_a_number_is_named(as_viewer: Any) -> None:
    response = as_viewer.get("/api/datasets/?workspace=abc")
    assert response.status_code == 400
    assert response.json()["fields"] == {"workspace": ["A valid integer is required."]}


def test_detail_lists_the_versions(as_viewer: Any, dataset: Dataset) -> None:
    response = as_viewer.get(f"/api/datasets/{dataset.pk}/")
    assert response.status_code == 200
    [v1] = response.json()["versions"]
    assert (v1["version"], v1["rows"], v1["columns"], v1["source_name"], v1["created_by"]) == (
        1,
        6,
        5,
        "data.csv",
        "olivia",
    )


def test_version_detail_has_schema_and_profile(as_viewer: Any, dataset: Dataset) -> None:
    response = as_viewer.get(f"/api/datasets/{dataset.pk}/versions/1/")
    assert response.status_code == 200
    body = response.json()
    assert body["schema"]["columns"][4] == {"name": "species", "type": "string"}
    assert body["profile"]["rows"] == 6
    species = body["profile"]["columns"][4]
    assert (species["name"], species["distinct"], species["missing"]) == ("species", 3, 0)
    assert len(body["digest"]) == 64


def test_an_unknown_version_is_404_naming_the_dataset(as_viewer: Any, dataset: Dataset) -> None:
    response = as_viewer.get(f"/api/datasets/{dataset.pk}/versions/9/")
    assert response.status_code == 404
    assert response.json() == {"detail": "dataset 'Iris' has no version 9"}


def test_preview_pages_through_rows(as_viewer: Any, dataset: Dataset) -> None:
    response = as_viewer.get(f"/api/datasets/{dataset.pk}/versions/1/preview/?offset=2&limit=2")
    assert response.status_code == 200
    body = response.json()
    assert (body["total"], body["offset"], body["limit"]) == (6, 2, 2)
    assert body["rows"] == [[7.0, 3.2, 4.7, 1.4, "versicolor"], [6.4, 3.2, 4.5, 1.5, "versicolor"]]
    assert [c["name"] for c in body["columns"]] == [
        "sepal_length",
        "sepal_width",
        "petal_length",
        "petal_width",
        "species",
    ]


def test_preview_limit_is_capped_at_1000(as_viewer: Any, dataset: Dataset) -> None:
    response = as_viewer.get(f"/api/datasets/{dataset.pk}/versions/1/preview/?limit=1001")
    assert response.status_code == 400
    assert response.json()["fields"] == {"limit": ["Ensure this value is less than or equal to 1000."]}


def test_download_streams_the_version_as_csv(as_viewer: Any, dataset: Dataset) -> None:
    response = as_viewer.get(f"/api/datasets/{dataset.pk}/versions/1/download/")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="Iris-v1.csv"'
    text = b"".join(response.streaming_content).decode()
    assert pd.read_csv(io.StringIO(text)).equals(pd.read_csv(io.StringIO(IRIS_CSV)))


def test_download_works_when_the_client_asks_for_csv(as_viewer: Any, dataset: Dataset) -> None:
    response = as_viewer.get(f"/api/datasets/{dataset.pk}/versions/1/download/", HTTP_ACCEPT="text/csv")
    assert response.status_code == 200


def test_outsiders_see_nothing(as_outsider: Any, dataset: Dataset) -> None:
    for url in (
        f"/api/datasets/{dataset.pk}/",
        f"/api/datasets/{dataset.pk}/versions/",
        f"/api/datasets/{dataset.pk}/versions/1/",
        f"/api/datasets/{dataset.pk}/versions/1/preview/",
        f"/api/datasets/{dataset.pk}/versions/1/download/",
    ):
        response = as_outsider.get(url)
        assert response.status_code == 404, url
        assert response.json() == {"detail": f"dataset {dataset.pk} does not exist"}


def test_an_editor_renames_and_describes(as_editor: Any, dataset: Dataset) -> None:
    response = as_editor.patch(
        f"/api/datasets/{dataset.pk}/", {"name": "Iris (cleaned)", "description": "fixed"}, format="json"
    )
    assert response.status_code == 200
    dataset.refresh_from_db()
    assert (dataset.name, dataset.description) == ("Iris (cleaned)", "fixed")


def test_renaming_onto_another_dataset_name_is_refused(as_editor: Any, dataset: Dataset) -> None:
    DatasetFactory(workspace=dataset.workspace, name="Wine")
    response = as_editor.patch(f"/api/datasets/{dataset.pk}/", {"name": "Wine"}, format="json")
    assert response.status_code == 400
    assert response.json()["fields"] == {"name": ["A dataset named 'Wine' already exists in this workspace."]}
    dataset.refresh_from_db()
    assert dataset.name == "Iris"


def test_a_viewer_cannot_rename_or_delete(as_viewer: Any, dataset: Dataset) -> None:
    assert as_viewer.patch(f"/api/datasets/{dataset.pk}/", {"name": "x"}, format="json").status_code == 403
    assert as_viewer.delete(f"/api/datasets/{dataset.pk}/").status_code == 403
    dataset.refresh_from_db()
    assert dataset.name == "Iris"


def test_an_editor_deletes_a_dataset_with_its_versions(as_editor: Any, dataset: Dataset) -> None:
    response = as_editor.delete(f"/api/datasets/{dataset.pk}/")
    assert response.status_code == 204
    assert not Dataset.objects.exists()
    assert not DatasetVersion.objects.exists()


def test_versions_cannot_be_changed(as_owner: Any, dataset: Dataset) -> None:
    response = as_owner.patch(f"/api/datasets/{dataset.pk}/versions/1/", {"rows": 1}, format="json")
    assert response.status_code == 405
    assert DatasetVersion.objects.get().rows == 6


def test_the_uploaded_iris_sample_profiles_as_expected(as_viewer: Any, sample_dataset: Dataset) -> None:
    body = as_viewer.get(f"/api/datasets/{sample_dataset.pk}/versions/1/").json()
    assert (body["rows"], body["columns"]) == (150, 5)
    species = body["profile"]["columns"][-1]
    assert species["top"] == [
        {"value": "setosa", "count": 50},
        {"value": "versicolor", "count": 50},
        {"value": "virginica", "count": 50},
    ]
    petal_length = body["profile"]["columns"][2]
    assert (petal_length["name"], petal_length["type"], petal_length["min"], petal_length["max"]) == (
        "petal_length_cm",
        "number",
        1.0,
        6.9,
    )
