"""Uploads whose header line is blank, has blank names or looks like data: refused naming `file` and line 1,
with nothing stored; a header-less file is uploaded on purpose with ``has_header=false``."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from designer.activity.models import ActivityEvent
from designer.datasets.models import Dataset, DatasetVersion
from designer.workspaces.models import Workspace
from tests.designer.factories import IRIS_CSV

pytestmark = pytest.mark.django_db

IRIS_ROWS = IRIS_CSV.split("\n", 1)[1]  # the same file without its header line


def upload(client: Any, workspace: Workspace, data: str, filename: str = "data.csv", **fields: Any) -> Any:
    body = {
        "workspace": workspace.pk,
        "name": "Uploaded",
        **fields,
        "file": SimpleUploadedFile(filename, data.encode()),
    }
    return client.post("/api/datasets/", body, format="multipart")


def new_version(client: Any, dataset: Dataset, data: str, **fields: Any) -> Any:
    body = {**fields, "file": SimpleUploadedFile("next.csv", data.encode())}
    return client.post(f"/api/datasets/{dataset.pk}/versions/", body, format="multipart")


def assert_nothing_stored() -> None:
    assert Dataset.objects.count() == 0
    assert DatasetVersion.objects.count() == 0
    assert not ActivityEvent.objects.exists()


def test_a_csv_whose_first_line_is_blank_is_refused_naming_file_and_line_1(
    as_editor: Any, workspace: Workspace
) -> None:
    # given the file the issue found accepted, its second line silently becoming the header
    response = upload(as_editor, workspace, "\n" + IRIS_CSV, filename="iris.csv")

    assert response.status_code == 400
    [message] = response.json()["fields"]["file"]
    assert message.startswith("'iris.csv': line 1: the header line is blank")
    assert "line 1" in response.json()["detail"]
    assert_nothing_stored()


def test_a_header_with_blank_names_is_refused_naming_the_columns(as_editor: Any, workspace: Workspace) -> None:
    response = upload(as_editor, workspace, "id,,score,\n1,a,2,b\n")

    assert response.status_code == 400
    assert response.json()["fields"] == {"file": ["'data.csv': the header (line 1) has no name for columns 2, 4"]}
    assert_nothing_stored()


def test_duplicate_header_names_are_refused_not_renamed(as_editor: Any, workspace: Workspace) -> None:
    response = upload(as_editor, workspace, "id,score,score\n1,2,3\n")

    assert response.status_code == 400
    [message] = response.json()["fields"]["file"]
    assert "(line 1) repeats the column name 'score'" in message
    assert_nothing_stored()


def test_a_header_less_file_uploaded_as_if_it_had_one_is_refused(as_editor: Any, workspace: Workspace) -> None:
    # when the user forgets the file has no header: every cell of line 1 is a number over numeric columns
    response = upload(as_editor, workspace, "5.1,3.5,1.4\n4.9,3.0,1.4\n7.0,3.2,4.7\n", filename="raw.csv")

    assert response.status_code == 400
    [message] = response.json()["fields"]["file"]
    assert message.startswith("'raw.csv': line 1 looks like data, not column names")
    assert "turn off 'has header'" in message
    assert_nothing_stored()


def test_a_header_less_file_uploads_with_has_header_false_as_col1_to_coln(as_editor: Any, workspace: Workspace) -> None:
    response = upload(as_editor, workspace, IRIS_ROWS, filename="iris-rows.csv", has_header="false")

    assert response.status_code == 201
    assert (response.json()["latest_version"]["rows"], response.json()["latest_version"]["columns"]) == (6, 5)
    version = DatasetVersion.objects.get()
    assert version.schema["columns"] == [
        {"name": "Col1", "type": "number"},
        {"name": "Col2", "type": "number"},
        {"name": "Col3", "type": "number"},
        {"name": "Col4", "type": "number"},
        {"name": "Col5", "type": "string"},
    ]


def test_has_header_defaults_to_true(as_editor: Any, workspace: Workspace) -> None:
    response = upload(as_editor, workspace, IRIS_CSV)

    assert response.status_code == 201
    assert DatasetVersion.objects.get().schema["columns"][0] == {"name": "sepal_length", "type": "number"}


def test_has_header_must_be_a_boolean(as_editor: Any, workspace: Workspace) -> None:
    response = upload(as_editor, workspace, IRIS_CSV, has_header="perhaps")

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["has_header"]
    assert_nothing_stored()


def test_a_new_version_with_a_blank_first_line_is_refused_and_the_dataset_keeps_one_version(
    as_editor: Any, dataset: Dataset
) -> None:
    events = ActivityEvent.objects.count()

    response = new_version(as_editor, dataset, "\n\n" + IRIS_CSV)

    assert response.status_code == 400
    assert "line 1: the header line is blank" in response.json()["fields"]["file"][0]
    assert list(dataset.versions.values_list("version", flat=True)) == [1]
    assert ActivityEvent.objects.count() == events


def test_a_new_version_without_a_header_line_is_accepted_with_has_header_false(
    as_editor: Any, dataset: Dataset
) -> None:
    refused = new_version(as_editor, dataset, "1,2\n3,4\n")
    accepted = new_version(as_editor, dataset, "1,2\n3,4\n", has_header="false")

    assert refused.status_code == 400
    assert "line 1 looks like data" in refused.json()["fields"]["file"][0]
    assert accepted.status_code == 201
    assert [c["name"] for c in accepted.json()["schema"]["columns"]] == ["Col1", "Col2"]
    assert list(dataset.versions.order_by("version").values_list("version", "rows")) == [(1, 6), (2, 2)]
