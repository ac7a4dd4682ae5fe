"""File datasets: a .zip uploaded as it is, listed by its files, refused when hostile, and read only by File Dataset."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from designer.artifacts import artifact_store
from designer.datasets.lookup import WorkspaceDatasetLookup
from designer.datasets.models import Dataset, DatasetVersion
from designer.workspaces.models import Workspace
from modules.sdk import DatasetRef
from modules.sdk import ports as zip_ports
from tests.designer.factories import IRIS_CSV, DatasetFactory
from tests.support.pipelines import document
from tests.support.zips import encrypted, zip_of, zip_with_link

from .test_upload import assert_nothing_created, upload

pytestmark = pytest.mark.django_db

BUNDLE = zip_of({"helpers.py": "def double(x):\n    return 2 * x\n", "lookup/codes.csv": "code\n1\n"})
TRAVERSAL = "its name has '..', '.' or an empty folder name"


@pytest.fixture
def bundle(workspace: Workspace, owner: Any) -> Dataset:
    """'Helpers', a file dataset in the team workspace: a zip of one module and one CSV."""
    return DatasetFactory(workspace=workspace, name="Helpers", created_by=owner, csv=BUNDLE, filename="helpers.zip")


def _refusal(response: Any) -> str:
    assert response.status_code == 400, response.content
    body = response.json()
    [message] = body["fields"]["file"]
    assert body["detail"] == f"The file cannot be read: {message}"
    return str(message)


# -- uploading ----------------------------------------------------------------------------------------------


def test_an_editor_uploads_a_zip_as_a_file_dataset_listed_by_its_files(as_editor: Any, workspace: Workspace) -> None:
    # when an editor uploads a .zip
    response = upload(as_editor, workspace, BUNDLE, filename="helpers.zip", name="Helpers")

    # then it is a file dataset: no rows or columns, its kind said everywhere
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["latest_version"] == {
        "version": 1,
        "kind": "file",
        "rows": 0,
        "columns": 0,
        "size_bytes": len(BUNDLE),
        "created_at": body["latest_version"]["created_at"],
    }
    assert [(v["version"], v["kind"], v["source_name"]) for v in body["versions"]] == [(1, "file", "helpers.zip")]
    # and the version's profile lists each file with its unpacked size
    detail = as_editor.get(f"/api/datasets/{body['id']}/versions/1/").json()
    assert detail["kind"] == "file"
    assert detail["profile"] == {
        "files": 2,
        "bytes": 39,
        "members": [{"name": "helpers.py", "size": 32}, {"name": "lookup/codes.csv", "size": 7}],
    }
    assert detail["schema"] == {"columns": [], "meta": {}}
    # and the store holds the zip exactly as uploaded
    version = DatasetVersion.objects.get(dataset_id=body["id"])
    assert artifact_store().get(version.digest) == BUNDLE


def test_a_table_upload_says_it_is_a_table(as_editor: Any, workspace: Workspace) -> None:
    response = upload(as_editor, workspace, IRIS_CSV, filename="iris.csv")

    assert response.status_code == 201
    assert response.json()["latest_version"]["kind"] == "table"
    assert DatasetVersion.objects.get().kind == "table"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(
            zip_of({"ok.py": "", "../../etc/cron.d/evil": "* * * * * root sh\n"}),
            f"'bad.zip': the archive member '../../etc/cron.d/evil' is refused: {TRAVERSAL}",
            id="traversal",
        ),
        pytest.param(
            zip_of({"/root/.ssh/authorized_keys": "ssh-rsa"}),
            "'bad.zip': the archive member '/root/.ssh/authorized_keys' is refused: its name has an absolute path",
            id="absolute",
        ),
        pytest.param(
            zip_with_link("shadow", "/etc/shadow"),
            "'bad.zip': the archive member 'shadow' is a symbolic link; links are refused",
            id="link",
        ),
        pytest.param(
            encrypted(zip_of({"secret.py": "x = 1\n"})),
            "'bad.zip': the archive member 'secret.py' is encrypted; encrypted files are refused",
            id="encrypted",
        ),
        pytest.param(b"a,b\n1,2\n", "'bad.zip' is not a zip archive", id="not-a-zip"),
        pytest.param(zip_of({}), "'bad.zip' holds no files", id="empty"),
    ],
)
def test_a_hostile_or_broken_zip_is_refused_naming_the_file_field_and_the_member(
    as_editor: Any, workspace: Workspace, data: bytes, message: str
) -> None:
    response = upload(as_editor, workspace, data, filename="bad.zip")

    assert _refusal(response) == message
    assert_nothing_created()


def test_too_many_members_are_refused(as_editor: Any, workspace: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(zip_ports, "MAX_ZIP_FILES", 3)

    response = upload(as_editor, workspace, zip_of({f"m{i}.py": "" for i in range(4)}), filename="many.zip")

    assert _refusal(response) == "'many.zip': the archive holds 4 files; at most 3 are allowed"
    assert_nothing_created()


def test_a_zip_bomb_is_refused_from_its_declared_sizes(
    as_editor: Any, workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(zip_ports, "MAX_ZIP_BYTES", 1024 * 1024)
    bomb = zip_of({"zeros.bin": b"\0" * (3 * 1024 * 1024)})

    response = upload(as_editor, workspace, bomb, filename="bomb.zip")

    assert _refusal(response) == "'bomb.zip': the archive's files add up to more than 1 MiB"
    assert_nothing_created()


def test_a_zip_under_another_name_is_refused_with_a_hint(as_editor: Any, workspace: Workspace) -> None:
    response = upload(as_editor, workspace, zip_of({"xl/workbook.xml": "<workbook/>"}), filename="sales.xlsx")

    assert _refusal(response) == (
        "'sales.xlsx' is a zip archive (an Excel workbook is one too); give it a .zip name to upload it as a "
        "file dataset, or export a table as CSV or Parquet"
    )
    assert_nothing_created()


def test_a_viewer_cannot_upload_a_zip(as_viewer: Any, workspace: Workspace) -> None:
    response = upload(as_viewer, workspace, BUNDLE, filename="helpers.zip")

    assert response.status_code == 403
    assert_nothing_created()


def test_an_outsider_cannot_upload_into_the_workspace(as_outsider: Any, workspace: Workspace) -> None:
    response = upload(as_outsider, workspace, BUNDLE, filename="helpers.zip")

    assert response.status_code == 404
    assert_nothing_created()


# -- versions -----------------------------------------------------------------------------------------------


def test_a_new_zip_version_of_a_file_dataset_is_stored(as_editor: Any, bundle: Dataset) -> None:
    newer = zip_of({"helpers.py": "def double(x):\n    return x + x\n"})

    response = as_editor.post(
        f"/api/datasets/{bundle.pk}/versions/",
        {"file": SimpleUploadedFile("helpers-2.zip", newer)},
        format="multipart",
    )

    assert response.status_code == 201, response.content
    assert (response.json()["version"], response.json()["kind"]) == (2, "file")
    assert artifact_store().get(bundle.versions.get(version=2).digest) == newer


def test_a_table_cannot_become_a_zip_nor_a_zip_a_table(as_editor: Any, dataset: Dataset, bundle: Dataset) -> None:
    as_zip = as_editor.post(
        f"/api/datasets/{dataset.pk}/versions/", {"file": SimpleUploadedFile("x.zip", BUNDLE)}, format="multipart"
    )
    as_table = as_editor.post(
        f"/api/datasets/{bundle.pk}/versions/",
        {"file": SimpleUploadedFile("x.csv", IRIS_CSV.encode())},
        format="multipart",
    )

    assert as_zip.status_code == 400
    assert as_zip.json()["fields"] == {
        "file": [
            "'x.zip' is a zip, but 'Iris' is a table dataset; upload a CSV, TSV or Parquet file as its next "
            "version, or the zip as a new dataset"
        ]
    }
    assert as_table.status_code == 400
    assert as_table.json()["fields"] == {
        "file": [
            "'x.csv' is a table, but 'Helpers' is a file dataset; upload a .zip as its next version, "
            "or the table as a new dataset"
        ]
    }
    assert list(dataset.versions.values_list("version", flat=True)) == [1]
    assert list(bundle.versions.values_list("version", flat=True)) == [1]


def test_a_viewer_cannot_add_a_zip_version(as_viewer: Any, bundle: Dataset) -> None:
    response = as_viewer.post(
        f"/api/datasets/{bundle.pk}/versions/", {"file": SimpleUploadedFile("x.zip", BUNDLE)}, format="multipart"
    )

    assert response.status_code == 403
    assert bundle.versions.count() == 1


# -- reading ------------------------------------------------------------------------------------------------


def test_a_viewer_downloads_the_zip_as_uploaded(as_viewer: Any, bundle: Dataset) -> None:
    response = as_viewer.get(f"/api/datasets/{bundle.pk}/versions/1/download/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == 'attachment; filename="Helpers-v1.zip"'
    assert response.content == BUNDLE
    assert zipfile.ZipFile(io.BytesIO(response.content)).namelist() == ["helpers.py", "lookup/codes.csv"]


@pytest.mark.parametrize("path", ["preview/", "figures/?column=helpers.py"])
def test_rows_and_column_charts_of_a_file_dataset_are_a_400_naming_the_version(
    as_viewer: Any, bundle: Dataset, path: str
) -> None:
    response = as_viewer.get(f"/api/datasets/{bundle.pk}/versions/1/{path}")

    assert response.status_code == 400
    assert response.json()["fields"] == {
        "version": [
            "version 1 of 'Helpers' is a file dataset (a zip): it has files, not rows and columns; its profile "
            "lists them, and download returns the zip"
        ]
    }


@pytest.mark.parametrize(
    "path", ["", "versions/", "versions/1/", "versions/1/download/", "versions/1/preview/", "versions/1/figures/"]
)
def test_outsiders_cannot_see_a_file_dataset(as_outsider: Any, bundle: Dataset, path: str) -> None:
    response = as_outsider.get(f"/api/datasets/{bundle.pk}/{path}")

    assert response.status_code == 404
    assert response.json() == {"detail": f"dataset {bundle.pk} does not exist"}


def test_the_list_shows_each_datasets_kind(as_viewer: Any, dataset: Dataset, bundle: Dataset) -> None:
    response = as_viewer.get("/api/datasets/")

    assert response.status_code == 200
    rows = response.json()["results"] if isinstance(response.json(), dict) else response.json()
    assert {d["name"]: d["latest_version"]["kind"] for d in rows} == {"Helpers": "file", "Iris": "table"}


# -- the engine's view: lookup and validation ---------------------------------------------------------------


def test_the_lookup_tells_the_engine_the_kind(bundle: Dataset, dataset: Dataset) -> None:
    lookup = WorkspaceDatasetLookup(bundle.workspace)

    resolved = lookup.resolve(DatasetRef(dataset_id=bundle.pk))

    assert (resolved.kind, resolved.version, resolved.name) == ("file", 1, "Helpers")
    assert resolved.digest == bundle.versions.get().digest
    assert resolved.schema.names == []
    assert lookup.resolve(DatasetRef(dataset_id=dataset.pk)).kind == "table"


def _validate(client: Any, workspace: Workspace, nodes: list[Any], edges: list[str]) -> dict[str, Any]:
    response = client.post(
        "/api/pipelines/validate/", {"workspace": workspace.pk, "document": document(nodes, edges)}, format="json"
    )
    assert response.status_code == 200, response.content
    return dict(response.json())


def test_a_dataset_node_on_a_file_dataset_is_refused_naming_the_node_and_parameter(
    as_viewer: Any, workspace: Workspace, bundle: Dataset
) -> None:
    body = _validate(as_viewer, workspace, [("data", "dataset", {"dataset": {"dataset_id": bundle.pk}})], [])

    assert body["problems"] == [
        {
            "code": "wrong_dataset_kind",
            "message": "Node 'data' (Dataset): parameter 'dataset' names dataset 'Helpers' version 1, which is a file "
            "dataset (a zip); this module reads a table, so place the file dataset as a File Dataset node instead.",
            "node": "data",
            "port": None,
            "param": "dataset",
            "column": None,
            "path": "nodes[0].params.dataset",
        }
    ]


def test_a_file_dataset_node_on_a_table_is_refused_naming_the_node_and_parameter(
    as_viewer: Any, workspace: Workspace, dataset: Dataset
) -> None:
    body = _validate(as_viewer, workspace, [("files", "file_dataset", {"dataset": {"dataset_id": dataset.pk}})], [])

    [problem] = body["problems"]
    assert (problem["code"], problem["node"], problem["param"]) == ("wrong_dataset_kind", "files", "dataset")
    assert problem["message"] == (
        "Node 'files' (File Dataset): parameter 'dataset' names dataset 'Iris' version 1, which is a table dataset; "
        "this module reads a file dataset (a zip), so place the table as a Dataset node instead."
    )


def test_a_file_dataset_wired_to_the_script_bundle_validates(
    as_viewer: Any, workspace: Workspace, dataset: Dataset, bundle: Dataset
) -> None:
    body = _validate(
        as_viewer,
        workspace,
        [
            ("data", "dataset", {"dataset": {"dataset_id": dataset.pk}}),
            ("files", "file_dataset", {"dataset": {"dataset_id": bundle.pk}}),
            ("script", "execute_python_script", {}),
        ],
        ["data.dataset -> script.dataset1", "files.files -> script.script_bundle"],
    )

    assert body["problems"] == []
    assert body["ok"] is True


def test_a_file_dataset_cannot_feed_a_table_input(as_viewer: Any, workspace: Workspace, bundle: Dataset) -> None:
    body = _validate(
        as_viewer,
        workspace,
        [("files", "file_dataset", {"dataset": {"dataset_id": bundle.pk}}), ("script", "execute_python_script", {})],
        ["files.files -> script.dataset1"],
    )

    [problem] = body["problems"]
    assert (problem["code"], problem["node"], problem["port"]) == ("incompatible_ports", "script", "dataset1")
