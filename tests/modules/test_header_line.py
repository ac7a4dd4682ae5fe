"""The header line of delimited text: line 1 must name the columns when the user says it does.

Shared by dataset uploads, Enter Data Manually and Import Data (``read_delimited``); each refusal names
line 1, and the two modules name their own parameter.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from modules.sdk import DataTable, LocalContext, ModuleError, default_registry
from modules.sdk.ports import CsvFile
from modules.sdk.textdata import TextDataError, read_delimited


def run(module_id: str, **params: Any) -> dict[str, Any]:
    cls = default_registry().get(module_id)
    return cls().run({}, cls.parse_params(params), LocalContext())


@pytest.mark.parametrize(
    "data",
    [b"\nname,age\nann,3\n", b"\r\nname,age\r\nann,3\r\n", b"   \nname,age\nann,3\n", b"\n\n\nname,age\nann,3\n"],
)
def test_a_blank_first_line_is_refused_instead_of_promoting_line_2(data: bytes) -> None:
    with pytest.raises(TextDataError) as err:
        read_delimited(data)

    assert err.value.line == 1
    assert err.value.message.startswith("line 1: the header line is blank")


def test_a_header_line_of_delimiters_only_is_blank() -> None:
    with pytest.raises(TextDataError) as err:
        read_delimited(b",,\n1,2,3\n")

    assert err.value.line == 1
    assert err.value.message.startswith("line 1: the header line is blank")


def test_blank_column_names_are_refused_naming_their_positions() -> None:
    with pytest.raises(TextDataError) as err:
        read_delimited(b"a,,c, \n1,2,3,4\n")

    assert err.value.line == 1
    assert err.value.message == "the header (line 1) has no name for columns 2, 4"


def test_duplicate_names_are_still_refused_not_renamed() -> None:
    with pytest.raises(TextDataError) as err:
        read_delimited(b"id,id\n1,2\n")

    assert err.value.line == 1
    assert "repeats the column name 'id'" in err.value.message


@pytest.mark.parametrize("data", ["5.1,3.5,1.4,0.2\n4.9,3.0,1.4,0.2\n", "1,2\n3,4\n", "-1,2e3\n4,5.5\n"])
def test_a_first_line_that_looks_like_data_is_refused(data: str) -> None:
    with pytest.raises(TextDataError) as err:
        read_delimited(data)

    assert err.value.line == 1
    assert err.value.message.startswith("line 1 looks like data, not column names")
    assert "turn off 'has header'" in err.value.message


@pytest.mark.parametrize(
    "data",
    [
        "1,2,label\n3,4,x\n",  # one name is not a number
        "1,2\n3,x\n",  # a column below is text: the numbers may well be names
        "a,b\n1,2\n",
    ],
)
def test_numbers_in_the_header_are_fine_when_the_table_says_otherwise(data: str) -> None:
    assert read_delimited(data).shape[0] == 1


def test_a_header_less_file_is_read_with_col_names_when_the_user_says_so() -> None:
    df = read_delimited("\n5.1,3.5\n4.9,3.0\n", has_header=False)

    assert list(df.columns) == ["Col1", "Col2"]
    assert df["Col1"].tolist() == [5.1, 4.9]


def test_a_file_a_program_wrote_may_have_numeric_names() -> None:
    frame = pd.DataFrame({"2023": [1, 2], "2024": [3, 4]})

    back = CsvFile.deserialize(CsvFile.serialize(DataTable(frame))).df

    assert list(back.columns) == ["2023", "2024"]
    assert back["2024"].tolist() == [3, 4]


# -- Enter Data Manually --------------------------------------------------------------------------


def test_entered_data_with_a_blank_first_line_names_the_data_parameter_and_line_1() -> None:
    with pytest.raises(ModuleError) as err:
        run("enter_data_manually", data="\nx,y\n1,2\n")

    assert err.value.param == "data"
    assert err.value.message.startswith("line 1: the header line is blank")


def test_entered_numbers_without_a_header_are_refused_unless_has_header_is_off() -> None:
    with pytest.raises(ModuleError) as err:
        run("enter_data_manually", data="1,2\n3,4\n")

    assert err.value.param == "data"
    assert err.value.message.startswith("line 1 looks like data")
    df = run("enter_data_manually", data="1,2\n3,4\n", has_header=False)["dataset"].df
    assert (list(df.columns), df["Col2"].tolist()) == (["Col1", "Col2"], [2, 4])


def test_entered_tsv_with_blank_names_names_the_positions() -> None:
    with pytest.raises(ModuleError) as err:
        run("enter_data_manually", data_format="TSV", data="a\t\n1\t2\n")

    assert err.value.param == "data"
    assert err.value.message == "the header (line 1) has no name for column 2"


# -- Import Data ----------------------------------------------------------------------------------


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TESSERA_IMPORT_ROOTS", str(tmp_path))
    return tmp_path


@pytest.mark.parametrize(
    ("name", "text", "start"),
    [
        ("blank.csv", "\ncity,mm\nOslo,3\n", "line 1: the header line is blank"),
        ("numbers.csv", "1,2\n3,4\n", "line 1 looks like data"),
        ("blank.tsv", "\ncity\tmm\nOslo\t3\n", "line 1: the header line is blank"),
    ],
)
def test_imported_files_follow_the_same_header_rules_naming_the_path(
    root: Path, name: str, text: str, start: str
) -> None:
    (root / name).write_text(text)

    with pytest.raises(ModuleError) as err:
        run("import_data", data_source="Path or object-store URL", path=str(root / name))

    assert err.value.param == "path"
    assert start in err.value.message


def test_an_imported_header_less_file_reads_with_has_header_off(root: Path) -> None:
    (root / "raw.csv").write_text("1,2\n3,4\n")

    df = run("import_data", data_source="Path or object-store URL", path=str(root / "raw.csv"), has_header=False)[
        "dataset"
    ].df

    assert list(df.columns) == ["Col1", "Col2"]
    assert df["Col1"].tolist() == [1, 3]
