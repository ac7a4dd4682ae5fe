"""read_delimited on the messy text users upload: every refusal names its line."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from modules.sdk.textdata import TextDataError, read_delimited


def test_a_utf8_bom_is_ignored() -> None:
    df = read_delimited(b"\xef\xbb\xbfname,n\nann,1\n")

    assert list(df.columns) == ["name", "n"]


def test_latin1_bytes_are_refused_with_the_line_and_byte() -> None:
    data = "city,n\nParis,1\nMontr\xe9al,2\n".encode("latin-1")

    with pytest.raises(TextDataError) as err:
        read_delimited(data)

    assert err.value.line == 3
    assert err.value.message.startswith("the file is not UTF-8 text: byte 0xe9 at line 3")


def test_a_ragged_row_is_refused_with_its_line_and_field_counts() -> None:
    data = b"a,b,c\n1,2,3\n4,5,6\n7,8\n"

    with pytest.raises(TextDataError) as err:
        read_delimited(data)

    assert err.value.line == 4
    assert err.value.message.startswith("line 4 has 2 fields but the header has 3")


def test_line_numbers_count_blank_lines_and_quoted_line_breaks() -> None:
    data = b'a,b\n"multi\nline",1\n\n2,3,4\n'

    with pytest.raises(TextDataError) as err:
        read_delimited(data)

    assert err.value.line == 5


def test_an_unclosed_quote_is_refused_with_its_line() -> None:
    with pytest.raises(TextDataError) as err:
        read_delimited(b'a,b\n1,2\n"3,4\n')

    assert err.value.line == 3


@pytest.mark.parametrize("data", [b"", b"   \n\n", ""])
def test_empty_input_is_refused(data: bytes | str) -> None:
    with pytest.raises(TextDataError, match="^the file is empty$"):
        read_delimited(data)


def test_a_header_without_rows_is_refused() -> None:
    with pytest.raises(TextDataError, match="has a header but no rows"):
        read_delimited(b"a,b,c\n")


def test_without_a_header_columns_are_numbered_and_every_line_is_data() -> None:
    df = read_delimited("1\tx\n2\ty\n", delimiter="\t", has_header=False)

    assert list(df.columns) == ["Col1", "Col2"]
    assert df["Col1"].tolist() == [1, 2]


def test_uci_adult_style_spaces_and_question_marks() -> None:
    data = b"age, workclass, hours\n39, State-gov, 40\n50, ?, 13\n38, Private, ?\n"

    df = read_delimited(data)

    assert list(df.columns) == ["age", "workclass", "hours"]
    assert df["workclass"].tolist()[0] == "State-gov"
    assert df["workclass"].isna().tolist() == [False, True, False]
    assert df["hours"].dtype == "Int64"
    assert df["hours"].isna().tolist() == [False, False, True]


@pytest.mark.parametrize("marker", ["", "?", "NA", "N/A", "NaN", "null", "None", " NULL "])
def test_missing_value_markers(marker: str) -> None:
    df = read_delimited(f"x,y\n1,a\n{marker},b\n")

    assert df["x"].isna().tolist() == [False, True]


def test_column_types_are_inferred() -> None:
    data = "i,f,b,s,mixed,blank\n1,1.5,TRUE,a,1,\n-2,2e3,false,b,two,\n,.5,,c,3.0,\n"

    df = read_delimited(data)

    assert df.dtypes.astype(str).tolist() == ["Int64", "float64", "boolean", "str", "str", "str"]
    assert df["i"].tolist() == [1, -2, pd.NA]
    assert df["f"].tolist() == [1.5, 2000.0, 0.5]
    assert df["b"].tolist() == [True, False, pd.NA]
    assert df["mixed"].tolist() == ["1", "two", "3.0"]
    assert df["blank"].isna().all()


def test_integers_beyond_64_bits_stay_text() -> None:
    df = read_delimited("id\n123456789012345678901234\n1\n")

    assert df["id"].tolist() == ["123456789012345678901234", "1"]


def test_duplicate_header_names_are_refused_naming_them() -> None:
    with pytest.raises(TextDataError) as err:
        read_delimited(b"a,b,a,c,b\n1,2,3,4,5\n")

    assert err.value.line == 1
    assert err.value.column == "a"
    assert "'a', 'b'" in err.value.message


def test_an_empty_header_name_is_refused_naming_its_position() -> None:
    with pytest.raises(TextDataError) as err:
        read_delimited(b"a,,c\n1,2,3\n")

    assert err.value.message == "the header (line 1) has no name for column 2"


def test_max_rows_stops_early_without_reading_bad_lines_after() -> None:
    df = read_delimited(b"a\n1\n2\n3,4\n", max_rows=2)

    assert df["a"].tolist() == [1, 2]


def test_text_data_error_is_a_value_error() -> None:
    assert issubclass(TextDataError, ValueError)


cells = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zs", "Zl", "Zp")), min_size=1)


@settings(max_examples=40, deadline=None)
@given(
    ints=st.lists(st.one_of(st.none(), st.integers(-(2**62), 2**62)), min_size=1, max_size=8).filter(
        lambda values: any(v is not None for v in values)  # an all-missing column is read as text
    ),
    data=st.data(),
)
def test_round_trip_of_generated_frames(ints: list[int | None], data: st.DataObject) -> None:
    n = len(ints)
    floats = data.draw(st.lists(st.floats(allow_nan=False, allow_infinity=False, width=64), min_size=n, max_size=n))
    words = data.draw(
        st.lists(cells.filter(lambda s: s.strip() == s and not _is_number_or_marker(s)), min_size=n, max_size=n)
    )
    frame = pd.DataFrame(
        {
            "i": pd.array(ints, dtype="Int64"),
            "f": np.array(floats, dtype="float64"),
            "s": pd.Series(words, dtype="str"),
        }
    )

    back = read_delimited(frame.to_csv(index=False).encode())

    pd.testing.assert_series_equal(back["i"], frame["i"])
    pd.testing.assert_series_equal(back["s"], frame["s"])
    np.testing.assert_array_equal(back["f"].to_numpy(dtype="float64"), frame["f"].to_numpy())


def _is_number_or_marker(text: str) -> bool:
    if text.strip().lower() in {"", "?", "na", "n/a", "nan", "null", "none", "true", "false"}:
        return True
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_windows_line_endings_read_and_count_like_unix_ones() -> None:
    assert read_delimited(b"a,b\r\n1,2\r\n3,4\r\n")["b"].tolist() == [2, 4]

    with pytest.raises(TextDataError) as err:
        read_delimited(b"a,b\r\n1,2\r\n3\r\n")

    assert err.value.line == 3
