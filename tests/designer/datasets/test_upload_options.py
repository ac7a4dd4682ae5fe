"""Upload options over REST (create, new version, preview): each option read, each bad value a 400 naming the
field, and nothing stored when the upload is refused."""

from __future__ import annotations

import io
import json
from typing import Any

import pandas as pd
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from designer.activity.models import ActivityEvent
from designer.datasets.models import Dataset, DatasetVersion
from designer.datasets.selectors import frame_of
from designer.workspaces.models import Workspace

pytestmark = pytest.mark.django_db

EUROPEAN = "Stadt;Preis;Menge\nKöln;1,5;3\nMünchen;-2,25;4\nZürich;3;-\n"


def upload(client: Any, workspace: Workspace, data: bytes, filename: str = "data.csv", **fields: Any) -> Any:
    body = {"workspace": workspace.pk, "name": "Uploaded", **fields, "file": SimpleUploadedFile(filename, data)}
    return client.post("/api/datasets/", body, format="multipart")


def preview(client: Any, workspace: Workspace, data: bytes, filename: str = "data.csv", **fields: Any) -> Any:
    body = {"workspace": workspace.pk, **fields, "file": SimpleUploadedFile(filename, data)}
    return client.post("/api/datasets/preview/", body, format="multipart")


def assert_nothing_stored() -> None:
    assert Dataset.objects.count() == 0
    assert DatasetVersion.objects.count() == 0
    assert not ActivityEvent.objects.exists()


def stored_frame() -> Any:
    return frame_of(DatasetVersion.objects.get())


def test_a_semicolon_decimal_comma_latin1_file_round_trips(as_editor: Any, workspace: Workspace) -> None:
    response = upload(
        as_editor,
        workspace,
        EUROPEAN.encode("latin-1"),
        delimiter=";",
        encoding="latin-1",
        decimal=",",
        missing_values=json.dumps(["-"]),
    )

    assert response.status_code == 201, response.json()
    version = DatasetVersion.objects.get()
    assert [(c["name"], c["type"]) for c in version.schema["columns"]] == [
        ("Stadt", "string"),
        ("Preis", "number"),
        ("Menge", "integer"),
    ]
    df = stored_frame()
    assert df["Stadt"].tolist() == ["Köln", "München", "Zürich"]
    assert df["Preis"].tolist() == [1.5, -2.25, 3.0]
    assert df["Menge"].tolist()[:2] == [3, 4]
    download = as_editor.get(f"/api/datasets/{version.dataset_id}/versions/1/download/")
    assert b"".join(download.streaming_content).decode() == (
        "Stadt,Preis,Menge\nKöln,1.5,3\nMünchen,-2.25,4\nZürich,3.0,\n"
    )


def test_without_options_the_same_file_is_refused_as_not_utf8(as_editor: Any, workspace: Workspace) -> None:
    response = upload(as_editor, workspace, EUROPEAN.encode("latin-1"))

    assert response.status_code == 400
    [message] = response.json()["fields"]["file"]
    assert message.startswith("'data.csv': the file is not UTF-8 text: byte 0xf6 at line 2")
    assert_nothing_stored()


def test_the_delimiter_is_guessed_without_the_decimal_comma(as_editor: Any, workspace: Workspace) -> None:
    # a .csv whose header has a comma would be split at commas; with decimal ',' the semicolon is guessed
    data = b"Name, Vorname;Preis\nA, B;1,5\nC, D;2\n"

    response = preview(as_editor, workspace, data, decimal=",")

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["options"]["delimiter"] == ";"
    assert body["columns"] == [{"name": "Name, Vorname", "type": "string"}, {"name": "Preis", "type": "number"}]


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"delimiter": "ab"}, "delimiter", "give one character (or comma, semicolon, tab, pipe, space), not 'ab'"),
        ({"delimiter": '"'}, "delimiter", "'\"' cannot separate fields; choose , ; tab | or another mark"),
        ({"encoding": "klingon"}, "encoding", "'klingon' is not an encoding Python knows"),
        ({"encoding": "rot13"}, "encoding", "'rot13' is not a text encoding"),
        ({"decimal": ";"}, "decimal", "the decimal separator must be '.' or ',', not ';'"),
        (
            {"decimal": ",", "delimiter": ","},
            "decimal",
            "the decimal separator and the delimiter cannot both be ','; choose another delimiter",
        ),
        ({"missing_values": '"NA"'}, "missing_values", 'give a list of text markers, e.g. ["NA", "-"]'),
        ({"missing_values": "[NA"}, "missing_values", "not valid JSON: '[NA'"),
        (
            {"column_types": '{"a": "float"}'},
            "column_types",
            "column 'a': 'float' is not a type; choose one of integer, number, boolean, text, date",
        ),
        (
            {"column_types": '["a"]'},
            "column_types",
            'give an object of column names to types, e.g. {"price": "number"}',
        ),
    ],
)
def test_a_bad_option_is_a_400_naming_the_field_and_nothing_is_stored(
    as_editor: Any, workspace: Workspace, fields: dict[str, str], field: str, message: str
) -> None:
    response = upload(as_editor, workspace, b"a,b\n1,2\n", **fields)

    assert response.status_code == 400
    assert response.json()["fields"] == {field: [message]}
    assert_nothing_stored()
    assert preview(as_editor, workspace, b"a,b\n1,2\n", **fields).json()["fields"] == {field: [message]}


def test_with_the_decimal_comma_a_comma_is_never_guessed_as_the_delimiter(as_editor: Any, workspace: Workspace) -> None:
    response = preview(as_editor, workspace, b"a,b\n1,2\n", decimal=",")

    assert response.status_code == 200
    assert response.json()["options"]["delimiter"] == "\t"
    assert response.json()["columns"] == [{"name": "a,b", "type": "number"}]
    assert response.json()["rows"] == [[1.2]]
    assert response.json()["problems"][0]["field"] == "delimiter"


def test_a_type_override_that_does_not_convert_is_refused_naming_column_line_and_value(
    as_editor: Any, workspace: Workspace
) -> None:
    response = upload(as_editor, workspace, b"id,score\n1,3\n2,x7\n", column_types='{"score": "integer"}')

    assert response.status_code == 400
    message = "'data.csv': column 'score', line 3: 'x7' is not an integer (within 64 bits)"
    assert response.json() == {"detail": message, "fields": {"column_types": [message]}}
    assert_nothing_stored()


def test_a_type_override_of_an_unknown_column_is_refused(as_editor: Any, workspace: Workspace) -> None:
    response = upload(as_editor, workspace, b"id,score\n1,3\n", column_types='{"Score": "number"}')

    assert response.status_code == 400
    assert response.json()["fields"] == {
        "column_types": [
            "'data.csv': column_types names the column 'Score', which the file does not have (its columns: id, score)"
        ]
    }
    assert_nothing_stored()


def test_type_overrides_are_stored(as_editor: Any, workspace: Workspace) -> None:
    response = upload(
        as_editor,
        workspace,
        b"zip,when,flag,n\n01234,2024-05-01,yes,1\n99999,2024-05-02,no,2\n",
        column_types=json.dumps({"zip": "text", "when": "date", "flag": "boolean", "n": "number"}),
    )

    assert response.status_code == 201, response.json()
    assert [c["type"] for c in DatasetVersion.objects.get().schema["columns"]] == [
        "string",
        "datetime",
        "boolean",
        "number",
    ]
    assert stored_frame()["zip"].tolist() == ["01234", "99999"]


def test_missing_values_replace_the_defaults(as_editor: Any, workspace: Workspace) -> None:
    response = upload(as_editor, workspace, b"region,n\nNA,1\nEU,--\n", missing_values='["--"]')

    assert response.status_code == 201, response.json()
    df = stored_frame()
    assert df["region"].tolist() == ["NA", "EU"]
    assert df["n"].tolist()[0] == 1
    assert str(df["n"].dtype) == "Int64"


def test_a_new_version_takes_the_same_options(as_editor: Any, workspace: Workspace) -> None:
    assert upload(as_editor, workspace, b"a,b\n1,2\n").status_code == 201
    dataset = Dataset.objects.get()
    body = {"file": SimpleUploadedFile("v2.txt", "a|b\n1,5|x\n".encode("cp1252")), "delimiter": "pipe", "decimal": ","}
    body["encoding"] = "cp1252"

    response = as_editor.post(f"/api/datasets/{dataset.pk}/versions/", body, format="multipart")

    assert response.status_code == 201, response.json()
    assert response.json()["schema"]["columns"] == [{"name": "a", "type": "number"}, {"name": "b", "type": "string"}]


def test_a_bad_option_on_a_new_version_stores_nothing(as_editor: Any, workspace: Workspace) -> None:
    assert upload(as_editor, workspace, b"a,b\n1,2\n").status_code == 201
    dataset = Dataset.objects.get()

    response = as_editor.post(
        f"/api/datasets/{dataset.pk}/versions/",
        {"file": SimpleUploadedFile("v2.csv", b"a,b\n1,x\n"), "column_types": '{"b": "number"}'},
        format="multipart",
    )

    assert response.status_code == 400
    assert response.json()["fields"] == {
        "column_types": ["'v2.csv': column 'b', line 2: 'x' is not a number (like 1.5)"]
    }
    assert DatasetVersion.objects.count() == 1


def test_the_preview_types_the_first_rows_names_the_options_used_and_stores_nothing(
    as_editor: Any, workspace: Workspace
) -> None:
    response = preview(as_editor, workspace, EUROPEAN.encode("latin-1"), encoding="latin-1", limit=2)

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["total"] == 3
    assert body["options"] == {
        "delimiter": ";",
        "has_header": True,
        "encoding": "latin-1",
        "missing_values": ["", "?", "n/a", "na", "nan", "none", "null"],
        "decimal": ".",
        "column_types": {},
    }
    assert body["columns"] == [
        {"name": "Stadt", "type": "string"},
        {"name": "Preis", "type": "string"},
        {"name": "Menge", "type": "string"},
    ]
    assert body["rows"] == [["Köln", "1,5", "3"], ["München", "-2,25", "4"]]
    assert body["problems"] == [
        {
            "field": "decimal",
            "column": "Preis",
            "message": "column 'Preis' holds numbers written with ',' as the decimal separator (e.g. '1,5'); set "
            "the decimal separator to ',' to read them as numbers",
        }
    ]
    assert_nothing_stored()


def test_the_preview_with_the_decimal_comma_shows_typed_numbers(as_editor: Any, workspace: Workspace) -> None:
    response = preview(
        as_editor, workspace, EUROPEAN.encode("latin-1"), encoding="latin-1", decimal=",", missing_values='["-"]'
    )

    body = response.json()
    assert body["columns"] == [
        {"name": "Stadt", "type": "string"},
        {"name": "Preis", "type": "number"},
        {"name": "Menge", "type": "integer"},
    ]
    assert body["rows"] == [["Köln", 1.5, 3], ["München", -2.25, 4], ["Zürich", 3.0, None]]
    assert body["problems"] == []
    assert body["options"]["missing_values"] == ["-"]


def test_the_preview_answers_a_refusal_as_the_upload_would(as_editor: Any, workspace: Workspace) -> None:
    response = preview(as_editor, workspace, b"a,b\n1,2\n3\n")

    assert response.status_code == 400
    assert response.json()["fields"]["file"] == [
        "'data.csv': line 3 has 1 field but the header has 2; check for a missing or extra comma or an unclosed quote"
    ]


def test_a_viewer_cannot_preview_and_an_outsider_sees_no_workspace(
    as_viewer: Any, workspace: Workspace, api: Any, django_user_model: Any
) -> None:
    assert preview(as_viewer, workspace, b"a\n1\n").status_code == 403
    outsider = api(django_user_model.objects.create_user("outsider", password="x"))
    assert preview(outsider, workspace, b"a\n1\n").status_code == 404


def test_a_large_latin1_file_read_by_the_fast_path_keeps_its_options(as_editor: Any, workspace: Workspace) -> None:
    # over FAST_FROM_BYTES: read by Arrow after decoding, with the markers replaced
    rows = "".join(f"Köln{i};{i};{'NA' if i % 7 else '-'}\n" for i in range(60_000))
    data = ("Stadt;n;code\n" + rows).encode("latin-1")
    assert len(data) > 1 << 20

    response = upload(as_editor, workspace, data, encoding="latin-1", missing_values='["-"]')

    assert response.status_code == 201, response.json()
    df = stored_frame()
    assert df.shape == (60_000, 3)
    assert df["Stadt"][59_999] == "Köln59999"
    assert str(df["n"].dtype) == "Int64"
    assert df["code"].isna().sum() == len(range(0, 60_000, 7))
    assert df["code"][1] == "NA"


def test_a_parquet_preview_has_no_reading_options(as_editor: Any, workspace: Workspace) -> None:
    buf = io.BytesIO()
    pd.DataFrame({"x": [1, 2], "y": ["a", "b"]}).to_parquet(buf, index=False)

    response = preview(as_editor, workspace, buf.getvalue(), filename="t.parquet", decimal=",")

    assert response.status_code == 200
    body = response.json()
    assert (body["format"], body["options"], body["problems"], body["total"]) == ("parquet", None, [], 2)
    assert body["columns"] == [{"name": "x", "type": "integer"}, {"name": "y", "type": "string"}]
