"""The reading options of ``read_delimited``: encoding, missing markers, decimal comma, column type overrides;
each bad value refused naming the option (and the column, line and value where one is at fault)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from modules.sdk.textdata import MISSING_MARKERS, TextDataError, check_encoding, read_delimited

EUROPEAN = "Stadt;Preis;Menge\nKöln;1,5;3\nMünchen;-2,25;4\nZürich;3;?\n"


def test_a_semicolon_decimal_comma_latin1_file_reads_typed() -> None:
    df = read_delimited(EUROPEAN.encode("latin-1"), delimiter=";", encoding="latin-1", decimal=",")

    assert list(df["Stadt"]) == ["Köln", "München", "Zürich"]
    assert df["Preis"].dtype == np.float64
    assert list(df["Preis"]) == [1.5, -2.25, 3.0]
    assert str(df["Menge"].dtype) == "Int64"
    assert df["Menge"].tolist() == [3, 4, pd.NA]


def test_without_the_decimal_comma_the_same_column_is_text() -> None:
    df = read_delimited(EUROPEAN.encode("utf-8"), delimiter=";")

    assert df["Preis"].tolist() == ["1,5", "-2,25", "3"]


def test_with_the_decimal_comma_a_point_is_text() -> None:
    df = read_delimited(b"a;b\n1.5;1,5\n2;2\n", delimiter=";", decimal=",")

    assert df["a"].tolist() == ["1.5", "2"]
    assert df["b"].tolist() == [1.5, 2.0]


def test_the_decimal_separator_cannot_be_the_delimiter() -> None:
    with pytest.raises(TextDataError) as caught:
        read_delimited(b"a,b\n1,2\n", delimiter=",", decimal=",")

    assert caught.value.option == "decimal"
    assert (
        caught.value.message == "the decimal separator and the delimiter cannot both be ','; choose another delimiter"
    )


def test_latin1_bytes_read_as_utf8_are_refused_naming_the_line() -> None:
    with pytest.raises(TextDataError) as caught:
        read_delimited(EUROPEAN.encode("latin-1"), delimiter=";")

    assert caught.value.line == 2
    assert caught.value.option is None
    assert caught.value.message.startswith("the file is not UTF-8 text: byte 0xf6 at line 2")


def test_utf16_with_its_bom_reads() -> None:
    df = read_delimited("a,b\nx,1\n".encode("utf-16"), encoding="utf-16")

    assert df.to_dict("list") == {"a": ["x"], "b": [1]}


def test_an_unknown_or_non_text_encoding_is_refused_by_name() -> None:
    for name, message in [
        ("klingon", "'klingon' is not an encoding Python knows"),
        ("rot13", "'rot13' is not a text encoding"),
    ]:
        with pytest.raises(TextDataError) as caught:
            read_delimited(b"a\n1\n", encoding=name)
        assert (caught.value.option, caught.value.message) == ("encoding", message)
    assert check_encoding("latin-1") == "iso8859-1"


def test_missing_values_replace_the_defaults_and_an_empty_cell_stays_missing() -> None:
    data = b"code,n\nNA,-\nEU,5\n,\n"

    default = read_delimited(data)
    custom = read_delimited(data, missing_values=["-"])

    assert pd.isna(default["code"][0])
    assert default["code"][1] == "EU"
    assert default["n"].tolist()[:2] == ["-", "5"]
    assert pd.isna(default["n"][2])
    assert custom["code"].tolist()[:2] == ["NA", "EU"]
    assert pd.isna(custom["code"][2])
    assert custom["n"].tolist() == [pd.NA, 5, pd.NA]
    assert "na" in MISSING_MARKERS


def test_missing_values_compare_case_insensitively_after_stripping() -> None:
    df = read_delimited(b"a\n1\nMissing\n missing \n", missing_values=["MISSING"])

    assert df["a"].tolist() == [1, pd.NA, pd.NA]


@pytest.mark.parametrize(
    ("kind", "cells", "expected", "dtype"),
    [
        ("integer", ["1", "-2", "?"], [1, -2, None], "Int64"),
        ("number", ["1", "2", ""], [1.0, 2.0, None], "float64"),
        ("boolean", ["yes", "0", "TRUE"], [True, False, True], "boolean"),
        ("text", ["1", "2", "3"], ["1", "2", "3"], "str"),
    ],
)
def test_a_column_type_override_replaces_the_guess(
    kind: str, cells: list[str], expected: list[object], dtype: str
) -> None:
    data = ("x,y\n" + "".join(f"{c},r{i}\n" for i, c in enumerate(cells))).encode()

    df = read_delimited(data, column_types={"x": kind})

    assert str(df["x"].dtype) == dtype
    assert [None if pd.isna(v) else v for v in df["x"].tolist()] == expected


def test_a_date_override_reads_iso_dates() -> None:
    df = read_delimited(b"d,v\n2024-01-31,1\n2024-02-01 12:30:00,2\n,3\n", column_types={"d": "date"})

    assert str(df["d"].dtype).startswith("datetime64")
    assert df["d"].tolist()[:2] == [pd.Timestamp("2024-01-31"), pd.Timestamp("2024-02-01 12:30:00")]
    assert pd.isna(df["d"][2])


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [
        ("integer", "2.5", "column 'x', line 4: '2.5' is not an integer (within 64 bits)"),
        ("number", "abc", "column 'x', line 4: 'abc' is not a number (like 1.5)"),
        ("boolean", "maybe", "column 'x', line 4: 'maybe' is not a boolean (true/false, yes/no, 1/0)"),
        (
            "date",
            "31.12.2024",
            "column 'x', line 4: '31.12.2024' is not an ISO 8601 date (like 2024-12-31 or 2024-12-31 23:59:00)",
        ),
    ],
)
def test_a_value_the_override_cannot_convert_is_refused_naming_column_line_and_value(
    kind: str, value: str, message: str
) -> None:
    good = {"integer": "1", "number": "1", "boolean": "true", "date": "2024-01-01"}[kind]
    data = f"x,y\n{good},a\n\n{value},b\n".encode()  # a blank line: line numbers count physical lines

    with pytest.raises(TextDataError) as caught:
        read_delimited(data, column_types={"x": kind})

    assert (caught.value.message, caught.value.line, caught.value.column, caught.value.option) == (
        message,
        4,
        "x",
        "column_types",
    )


def test_an_override_of_a_column_the_file_lacks_is_refused() -> None:
    with pytest.raises(TextDataError) as caught:
        read_delimited(b"a,b\n1,2\n", column_types={"c": "number"})

    assert caught.value.message == "column_types names the column 'c', which the file does not have (its columns: a, b)"
    assert caught.value.option == "column_types"


def test_a_number_override_reads_the_decimal_comma() -> None:
    df = read_delimited(b"a;b\n1,5;x\n2;y\n", delimiter=";", decimal=",", column_types={"a": "number"})

    assert df["a"].tolist() == [1.5, 2.0]
