"""Uploading datasets: what works, and every way a bad file or a wrong caller is refused without a trace."""

from __future__ import annotations

import io
from typing import Any

import pandas as pd
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from designer.artifacts import artifact_store
from designer.datasets.models import Dataset, DatasetVersion
from designer.workspaces.models import Workspace
from modules.sdk import Table
from tests.designer.factories import IRIS_CSV

pytestmark = pytest.mark.django_db


def upload(client: Any, workspace: Any, data: bytes | str, filename: str = "data.csv", **fields: Any) -> Any:
    raw = data.encode() if isinstance(data, str) else data
    body = {"workspace": getattr(workspace, "pk", workspace), "name": "Uploaded", **fields}
    body["file"] = SimpleUploadedFile(filename, raw)
    return client.post("/api/datasets/", body, format="multipart")


def assert_nothing_created() -> None:
    assert Dataset.objects.count() == 0
    assert DatasetVersion.objects.count() == 0


def test_an_editor_uploads_a_csv_and_gets_a_stored_profiled_version(as_editor: Any, workspace: Workspace) -> None:
    # when an editor uploads a small CSV
    response = upload(as_editor, workspace, IRIS_CSV, filename="iris.csv", name="Iris", description="Flowers")
    # then the dataset and its version 1 exist, described as uploaded
    assert response.status_code == 201
    body = response.json()
    assert (body["name"], body["description"], body["workspace"], body["created_by"]) == (
        "Iris",
        "Flowers",
        workspace.pk,
        "eddie",
    )
    assert body["latest_version"]["version"] == 1
    assert (body["latest_version"]["rows"], body["latest_version"]["columns"]) == (6, 5)
    assert [(v["version"], v["source_name"]) for v in body["versions"]] == [(1, "iris.csv")]
    # and the table is Parquet in the artifact store under the recorded digest
    version = DatasetVersion.objects.get(dataset_id=body["id"])
    table = Table.deserialize(artifact_store().get(version.digest))
    assert table.df.shape == (6, 5)
    assert list(table.df["species"]) == ["setosa", "setosa", "versicolor", "versicolor", "virginica", "virginica"]
    assert version.schema["columns"] == [
        {"name": "sepal_length", "type": "number"},
        {"name": "sepal_width", "type": "number"},
        {"name": "petal_length", "type": "number"},
        {"name": "petal_width", "type": "number"},
        {"name": "species", "type": "string"},
    ]
    assert version.size_bytes == len(artifact_store().get(version.digest))


def test_a_tsv_is_split_on_tabs(as_editor: Any, workspace: Workspace) -> None:
    response = upload(as_editor, workspace, "a\tb,c\n1\tx,y\n2\tz\n", filename="data.tsv")
    assert response.status_code == 201
    version = DatasetVersion.objects.get()
    assert [c["name"] for c in version.schema["columns"]] == ["a", "b,c"]


def test_a_semicolon_file_without_an_extension_is_sniffed(as_editor: Any, workspace: Workspace) -> None:
    response = upload(as_editor, workspace, "a;b\n1;2\n3;4\n", filename="export")
    assert response.status_code == 201
    assert DatasetVersion.objects.get().schema["columns"] == [
        {"name": "a", "type": "integer"},
        {"name": "b", "type": "integer"},
    ]


def test_a_csv_with_commas_is_split_on_commas_even_when_a_header_holds_semicolons(
    as_editor: Any, workspace: Workspace
) -> None:
    response = upload(as_editor, workspace, '"a;b;c",d\n1,2\n', filename="quoted.csv")
    assert response.status_code == 201
    assert [c["name"] for c in DatasetVersion.objects.get().schema["columns"]] == ["a;b;c", "d"]


def test_a_parquet_file_is_read_as_is(as_editor: Any, workspace: Workspace) -> None:
    buf = io.BytesIO()
    pd.DataFrame({"x": [1, 2, 3], "label": ["a", "b", "a"]}).to_parquet(buf, index=False)
    response = upload(as_editor, workspace, buf.getvalue(), filename="table.parquet")
    assert response.status_code == 201
    version = DatasetVersion.objects.get()
    assert (version.rows, version.columns) == (3, 2)
    assert version.schema["columns"] == [{"name": "x", "type": "integer"}, {"name": "label", "type": "string"}]


def test_a_new_user_uploads_messy_public_data_and_the_profile_is_right(as_editor: Any, workspace: Workspace) -> None:
    # given a CSV the way public data sets come: '?' for missing, stray spaces, a mixed-type column
    csv = (
        "age, workclass , fnlwgt,zip\n"
        "39, State-gov, 77516,02134\n"
        "50, ?, 83311,A1B\n"
        "?, Private, 215646,10001\n"
        "53, Private, ?,94103\n"
    )
    # when it is uploaded
    response = upload(as_editor, workspace, csv, filename="adult.csv", name="Adult census")
    # then it is accepted, with the right missing counts and types
    assert response.status_code == 201
    profile = {c["name"]: c for c in DatasetVersion.objects.get().profile["columns"]}
    assert {name: (c["type"], c["missing"]) for name, c in profile.items()} == {
        "age": ("integer", 1),
        "workclass": ("string", 1),
        "fnlwgt": ("integer", 1),
        "zip": ("string", 0),
    }
    assert profile["workclass"]["top"] == [{"value": "Private", "count": 2}, {"value": "State-gov", "count": 1}]
    assert profile["age"]["min"] == 39
    assert profile["age"]["max"] == 53


def test_a_non_utf8_file_is_refused_naming_the_line(as_editor: Any, workspace: Workspace) -> None:
    response = upload(as_editor, workspace, "name,city\nx,Köln\n".encode("latin-1"))
    assert response.status_code == 400
    body = response.json()
    assert "not UTF-8" in body["detail"]
    assert "line 2" in body["fields"]["file"][0]
    assert_nothing_created()


def test_ragged_rows_are_refused_naming_the_line_and_field_counts(as_editor: Any, workspace: Workspace) -> None:
    response = upload(as_editor, workspace, "a,b,c\n1,2,3\n4,5\n", filename="ragged.csv")
    assert response.status_code == 400
    message = response.json()["fields"]["file"][0]
    assert message.startswith("'ragged.csv': ")
    assert "line 3" in message
    assert "2" in message and "3" in message
    assert_nothing_created()


def test_an_empty_file_is_refused(as_editor: Any, workspace: Workspace) -> None:
    response = upload(as_editor, workspace, b"")
    assert response.status_code == 400
    assert response.json()["fields"] == {"file": ["The submitted file is empty."]}
    assert_nothing_created()


def test_a_blank_file_is_refused_as_empty(as_editor: Any, workspace: Workspace) -> None:
    response = upload(as_editor, workspace, b"\n \n")
    assert response.status_code == 400
    assert response.json()["fields"] == {"file": ["'data.csv': the file is empty"]}
    assert_nothing_created()


def test_a_header_without_rows_is_refused(as_editor: Any, workspace: Workspace) -> None:
    response = upload(as_editor, workspace, "a,b,c\n")
    assert response.status_code == 400
    assert response.json()["fields"] == {"file": ["'data.csv': the file has a header but no rows"]}
    assert_nothing_created()


def test_a_file_over_the_limit_is_refused_with_413_naming_both_sizes(
    as_editor: Any, workspace: Workspace, settings: Any
) -> None:
    settings.TESSERA_MAX_UPLOAD_BYTES = 100
    response = upload(as_editor, workspace, "a,b\n" + "1,2\n" * 50, filename="big.csv")
    assert response.status_code == 413
    assert response.json() == {
        "detail": "The file 'big.csv' is 0.0 MB (204 bytes); the upload limit is 0.0 MB (100 bytes)."
    }
    assert_nothing_created()


def test_invalid_parquet_is_refused(as_editor: Any, workspace: Workspace) -> None:
    response = upload(as_editor, workspace, b"PAR1 this is not really parquet", filename="broken.parquet")
    assert response.status_code == 400
    assert "'broken.parquet' is not a valid Parquet file" in response.json()["fields"]["file"][0]
    assert_nothing_created()


def test_a_missing_file_field_is_named(as_editor: Any, workspace: Workspace) -> None:
    response = as_editor.post("/api/datasets/", {"workspace": workspace.pk, "name": "No file"}, format="multipart")
    assert response.status_code == 400
    assert response.json() == {"detail": "Some fields are invalid.", "fields": {"file": ["No file was submitted."]}}
    assert_nothing_created()


def test_a_duplicate_name_is_refused_naming_it(as_editor: Any, workspace: Workspace, dataset: Dataset) -> None:
    response = upload(as_editor, workspace, IRIS_CSV, name="Iris")
    assert response.status_code == 400
    assert response.json()["fields"] == {"name": ["A dataset named 'Iris' already exists in this workspace."]}
    assert Dataset.objects.count() == 1
    assert DatasetVersion.objects.count() == 1


def test_an_unknown_workspace_is_404(as_editor: Any) -> None:
    response = upload(as_editor, 999999, IRIS_CSV)
    assert response.status_code == 404
    assert response.json() == {"detail": "workspace 999999 does not exist"}
    assert_nothing_created()


def test_someone_elses_workspace_is_404_too(as_outsider: Any, workspace: Workspace) -> None:
    response = upload(as_outsider, workspace, IRIS_CSV)
    assert response.status_code == 404
    assert response.json() == {"detail": f"workspace {workspace.pk} does not exist"}
    assert_nothing_created()


def test_a_viewer_cannot_upload(as_viewer: Any, workspace: Workspace) -> None:
    response = upload(as_viewer, workspace, IRIS_CSV)
    assert response.status_code == 403
    assert response.json() == {"detail": "you are a viewer in workspace 'Team'; editing needs the editor role"}
    assert_nothing_created()


def test_unknown_form_fields_are_named(as_editor: Any, workspace: Workspace) -> None:
    response = upload(as_editor, workspace, IRIS_CSV, descripton="typo")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["descripton"]
    assert_nothing_created()


def test_a_new_version_gets_the_next_number_and_the_old_one_stays(as_editor: Any, dataset: Dataset) -> None:
    response = as_editor.post(
        f"/api/datasets/{dataset.pk}/versions/",
        {"file": SimpleUploadedFile("iris-more.csv", (IRIS_CSV + "5.0,3.6,1.4,0.2,setosa\n").encode())},
        format="multipart",
    )
    assert response.status_code == 201
    assert (response.json()["version"], response.json()["rows"]) == (2, 7)
    assert list(dataset.versions.order_by("version").values_list("version", "rows")) == [(1, 6), (2, 7)]


def test_a_bad_new_version_leaves_the_dataset_as_it_was(as_editor: Any, dataset: Dataset) -> None:
    response = as_editor.post(
        f"/api/datasets/{dataset.pk}/versions/",
        {"file": SimpleUploadedFile("bad.csv", b"a,b\n1\n")},
        format="multipart",
    )
    assert response.status_code == 400
    assert "line 2" in response.json()["fields"]["file"][0]
    assert list(dataset.versions.values_list("version", flat=True)) == [1]


def test_a_viewer_cannot_add_a_version(as_viewer: Any, dataset: Dataset) -> None:
    response = as_viewer.post(
        f"/api/datasets/{dataset.pk}/versions/", {"file": SimpleUploadedFile("x.csv", b"a\n1\n")}, format="multipart"
    )
    assert response.status_code == 403
    assert dataset.versions.count() == 1


def test_another_workspaces_dataset_is_404(as_outsider: Any, dataset: Dataset) -> None:
    response = as_outsider.post(
        f"/api/datasets/{dataset.pk}/versions/", {"file": SimpleUploadedFile("x.csv", b"a\n1\n")}, format="multipart"
    )
    assert response.status_code == 404
    assert response.json() == {"detail": f"dataset {dataset.pk} does not exist"}
    assert dataset.versions.count() == 1
