"""The Arrow reader of large uploads reads every file as ``read_delimited`` does, or steps aside (``None``).

Run here on small inputs (``min_bytes=0``); the upload path uses it from 1 MB. Each case compares the
two readers on the same bytes: the same frame (values, types, names), the same refusal, or ``None``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from modules.sdk.fast_csv import read_fast
from modules.sdk.textdata import TextDataError, read_delimited


def both(data: bytes, *, delimiter: str = ",", has_header: bool = True) -> tuple[object, object]:
    """(what read_delimited gives or raises, what read_fast gives or raises) for ``data``."""
    outcomes: list[object] = []
    for read in (read_delimited, lambda d, **kw: read_fast(d, min_bytes=0, **kw)):
        try:
            outcomes.append(read(data, delimiter=delimiter, has_header=has_header))
        except TextDataError as exc:
            outcomes.append(exc)
    return outcomes[0], outcomes[1]


def assert_agree(data: bytes, **kw: object) -> object:
    slow, fast = both(data, **kw)  # type: ignore[arg-type]
    if fast is None:
        return None
    if isinstance(slow, TextDataError):
        assert isinstance(fast, TextDataError), f"read_fast read what read_delimited refuses ({slow}): {data!r}"
        assert (fast.message, fast.line) == (slow.message, slow.line)
        return fast
    assert isinstance(fast, pd.DataFrame), f"read_fast refused what read_delimited reads ({fast}): {data!r}"
    pd.testing.assert_frame_equal(fast, slow, check_exact=True)  # type: ignore[arg-type]
    return fast


# Files both readers must read alike, and read_fast must read itself (not step aside).
READ = {
    "numbers": b"a,b,c\n1,2.5,x\n-3,.5,y\n",
    "missing markers": b"a,b,c\n1,NA,?\n,2.5,null\nN/A,none,NaN\n4,1e3,z\n",
    "spaces around cells": b"a , b\n 1 , 2.5 \n3,  4\n",
    "booleans any case": b"a,b\nTrue,1\nfalse,2\n,3\n",
    "quoted fields": b'"a","b"\n"x,y",1\n"",2\n"z",3\n',
    "quoted line break": b'a,b\n"two\nlines",1\n"one",2\n',
    "windows line endings": b"a,b\r\n1,x\r\n2,y\r\n",
    "blank lines between rows": b"a,b\n1,2\n\n3,4\n",
    "a bom": b"\xef\xbb\xbfa,b\n1,2\n",
    "plus signs": b"a,b\n+5,+1.5\n6,2\n",
    "all missing column": b"a,b\n,1\nNA,2\n",
    "accents": "name,n\nRené,1\nZoë,2\n".encode(),
    "no trailing newline": b"a,b\n1,2",
    "integers and floats mixed": b"a\n1\n2.0\n" + b"",
    "tabs": b"a\tb\n1\t2\n",
}


@pytest.mark.parametrize("name", sorted(READ))
def test_clean_files_are_read_alike_by_the_fast_reader(name: str) -> None:
    data = READ[name]
    delimiter = "\t" if name == "tabs" else ","
    if name == "integers and floats mixed":
        data = b"a,b\n1,x\n2.0,y\n"
    assert assert_agree(data, delimiter=delimiter) is not None


# Files where Arrow would read otherwise than csv: read_fast must step aside (None) or agree.
MESSY = {
    "space before a quote": b'a,b\n1, "x,y"\n2,z\n',
    "text after a closing quote": b'a,b\n"x"y,1\n2,3\n',
    "space after a closing quote": b'a,b\n"x" ,1\n2,3\n',
    "unclosed quote": b'a,b\n1,"x\n2,3\n',
    "doubled quote inside": b'a,b\n"say ""hi""",1\n2,3\n',
    "quote inside a bare field": b'a,b\n5",1\n2,3\n',
    "ragged row": b"a,b\n1,2\n3\n",
    "line of spaces": b"a,b\n1,2\n   \n3,4\n",
    "one column with spaces": b"a\n1\n  \n2\n",
    "hex": b"a,b\n0x10,1\n2,3\n",
    "infinity": b"a,b\ninf,1\n2.5,3\n",
    "huge integer": b"a,b\n99999999999999999999,1\n2,3\n",
    "arabic digits": "a,b\n\u0663,1\n4,3\n".encode(),
    "arabic digits alone": "a,b\n\u0663,1\n\u0664,3\n".encode(),
    "latin-1": b"a,b\ncaf\xe9,1\n",
    "blank header": b"\na,b\n1,2\n",
    "duplicate header": b"a,a\n1,2\n",
    "empty header name": b"a,,c\n1,2,3\n",
    "numbers as header": b"1,2\n3,4\n",
    "header only": b"a,b\n",
    "unit separator whitespace": b"a,b\n\x1c1\x1c,2\n",
    "non-breaking space": "a,b\n\u00a01.5,2\n".encode(),
    "carriage return only": b"a,b\r1,2\r3,4\r",
    "quoted empty line": b'a,b\n"",""\n1,2\n',
}


@pytest.mark.parametrize("name", sorted(MESSY))
def test_messy_files_are_left_to_read_delimited_or_read_alike(name: str) -> None:
    assert_agree(MESSY[name])


def test_a_header_less_file_is_read_alike() -> None:
    assert assert_agree(b"1,x\n2,y\n", has_header=False) is not None


def test_a_large_generated_file_is_read_by_arrow_and_alike() -> None:
    rng = np.random.default_rng(0)
    n = 20_000
    df = pd.DataFrame(
        {
            "f": rng.normal(size=n).round(6),
            "i": rng.integers(-1000, 1000, n),
            "s": rng.choice(["yes", "no", "maybe, not"], n),
            "b": rng.choice(["true", "FALSE"], n),
        }
    )
    df.loc[rng.random(n) < 0.05, "f"] = np.nan
    data = df.to_csv(index=False).encode()
    assert assert_agree(data) is not None


TOKENS = [
    "1",
    "-2",
    "3.5",
    ".5",
    "1e3",
    "+4",
    "x",
    "NA",
    "?",
    "",
    " ",
    '"',
    ",",
    "\n",
    "\r\n",
    "true",
    "é",
    "\t",
    "0x1",
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(TOKENS), min_size=1, max_size=40), st.booleans())
def test_any_mix_of_tricky_tokens_is_read_alike_or_left_alone(tokens: list[str], header: bool) -> None:
    data = ("a,b\n" if header else "") + "".join(tokens)
    assert_agree(data.encode(), has_header=header)


# -- columns Arrow parses as numbers directly --------------------------------------------------------------------
# A column is parsed as numbers when Arrow infers int64/double for it on the file's first megabyte; every token
# below, put into an otherwise numeric column, must give the frame read_delimited gives (or make read_fast step
# aside), wherever in the file it stands.
NUMBER_EDGES = [
    "+5",
    "+1.5",
    "0x1F",
    "0X1f",
    "inf",
    "-inf",
    "Infinity",
    "nan",
    "NaN",
    "1e400",
    "1.5e-400",
    "9223372036854775808",
    "-9223372036854775809",
    "00012",
    "-0",
    "5.",
    ".5",
    "1.e5",
    "1E+05",
    " 7 ",
    "\t7",
    " NA ",
    "Na",
    "nULL",
    "None",
    "?",
    "",
    "n/A",
    "١",
    "1_0",
    "TRUE",
    "x",
]


@pytest.mark.parametrize("token", NUMBER_EDGES)
@pytest.mark.parametrize("base", ["ints", "floats"])
def test_a_tricky_token_in_a_numeric_column_is_typed_as_read_delimited_types_it(token: str, base: str) -> None:
    rows = [str(i) if base == "ints" else f"{i}.25" for i in range(50)]
    for where in (0, 25, 49):
        cells = list(rows)
        cells[where] = token
        data = ("a,b\n" + "".join(f"{c},{i}\n" for i, c in enumerate(cells))).encode()
        assert_agree(data)


def test_numbers_are_parsed_by_arrow_and_typed_as_read_delimited_types_them(monkeypatch: pytest.MonkeyPatch) -> None:
    from modules.sdk import fast_csv

    from_text: list[int] = []
    typed = fast_csv._typed
    monkeypatch.setattr(
        fast_csv, "_typed", lambda raw, markers, **kw: from_text.append(len(raw)) or typed(raw, markers, **kw)
    )
    rng = np.random.default_rng(1)
    n = 5_000
    df = pd.DataFrame(
        {
            "f": rng.normal(size=n).round(4),
            "i": rng.integers(-(2**40), 2**40, n),
            "neg0": rng.choice([0.5, -0.0, 1e-300, 1e300], n),
            "s": rng.choice(["yes", "no"], n),
        }
    )
    text = df.to_csv(index=False).replace("\n1e-300", "\nNA").replace(",0.5,", ",null,")
    slow, fast = both(text.encode())
    assert isinstance(fast, pd.DataFrame)
    pd.testing.assert_frame_equal(fast, slow, check_exact=True)  # type: ignore[arg-type]
    assert [str(t) for t in fast.dtypes] == ["float64", "Int64", "float64", "str"]
    assert from_text == [n]  # only the text column went through the text typing


def test_a_non_number_past_the_first_megabyte_moves_its_column_to_the_text_path() -> None:
    """Arrow infers types on the first megabyte; a word, a marker with spaces or a whole-number float column
    further down is still typed as read_delimited types it."""
    n = 120_000  # about 2.4 MB
    ints = [str(i) for i in range(n)]
    floats = [f"{i}.5" for i in range(n)]
    wholes = [f"{i}.0" for i in range(n)]
    late = n - 10
    ints[late], floats[late] = "many", " NA "
    data = "a,b,c\n" + "".join(f"{x},{y},{z}\n" for x, y, z in zip(ints, floats, wholes, strict=True))
    fast = assert_agree(data.encode())
    assert isinstance(fast, pd.DataFrame)
    assert [str(t) for t in fast.dtypes] == ["str", "float64", "float64"]
    assert fast["a"].iloc[late] == "many" and np.isnan(fast["b"].iloc[late])


def test_the_whitespace_arrow_trims_is_every_character_python_strips() -> None:
    """The trim set is looked for below U+10000 only (cheaper): every code point Python reads as whitespace is."""
    import sys

    from modules.sdk.fast_csv import _python_whitespace

    everywhere = "".join(c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace())
    assert _python_whitespace() == everywhere
    assert all(c in everywhere for c in " \t\n\u00a0\u3000")


def test_a_record_longer_than_arrows_block_is_still_read_by_arrow(monkeypatch: pytest.MonkeyPatch) -> None:
    """Arrow parses in blocks (4 MB); a record longer than one is parsed again in one block, not left to the
    careful parser."""
    from modules.sdk import fast_csv

    monkeypatch.setattr(fast_csv, "_BLOCK", 1000)
    long = "x" * 5000
    data = ("a,b\n" + "".join(f"{i},{'y' if i != 50 else long}\n" for i in range(200))).encode()
    fast = read_fast(data, delimiter=",", has_header=True, min_bytes=0)
    slow = read_delimited(data, delimiter=",", has_header=True)
    assert fast is not None, "the long record sent the file to the careful parser"
    pd.testing.assert_frame_equal(fast, slow, check_exact=True)


@pytest.mark.parametrize(
    "cells",
    [
        ["1", "2", " 3 ", "NA", "4"],  # integers, read as spelled (stripped)
        ["1.5", "?", "2e3", "", "-0"],  # numbers and markers
        ["true", "FALSE", "null", "true", "x"],  # flags and a word
        ["a", "NA", "n/a", "NULL", "?"],  # markers only but one
        ["NA", "?", "", "null", "NaN"],  # markers only
    ],
)
def test_a_column_typed_text_by_its_reading_options_is_read_by_arrow_as_read_delimited_reads_it(
    cells: list[str],
) -> None:
    """``column_types`` of "text" only (what a file read in pieces asks of a piece whose column turned out text):
    Arrow reads it (a column type other than text still goes to read_delimited)."""
    rng = np.random.default_rng(2)
    n = 100_000  # over a megabyte
    rows = [f"{rng.normal():.4f},{cells[i % len(cells)]},{i}" for i in range(n)]
    data = ("x,c,i\n" + "\n".join(rows) + "\n").encode()
    options = {"delimiter": ",", "has_header": True, "column_types": {"c": "text"}}
    fast = read_fast(data, **options)  # type: ignore[arg-type]
    slow = read_delimited(data, **options)  # type: ignore[arg-type]
    assert fast is not None, "left to read_delimited"
    pd.testing.assert_frame_equal(fast, slow, check_exact=True)
    assert str(fast["c"].dtype) == "str" and str(fast["i"].dtype) == "Int64"
    assert read_fast(data, **{**options, "column_types": {"c": "integer"}}) is None  # type: ignore[arg-type]
    assert read_fast(data, **{**options, "column_types": {"nope": "text"}}) is None  # type: ignore[arg-type]
