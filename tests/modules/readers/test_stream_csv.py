"""A delimited file read in pieces is the table the whole file gives: same rows, types and values, or the same
refusal naming the same line. Compared here on messy files cut into pieces of a few characters (the careful
parser) and on a generated file of several megabytes cut into pieces of one (Arrow's parser)."""

from __future__ import annotations

import io
from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from modules.sdk import stream_csv
from modules.sdk.fast_csv import read_fast
from modules.sdk.stream_csv import Retyped, TextOptions, pieces_read_once, typed_pieces
from modules.sdk.textdata import TextDataError, read_delimited

from .test_fast_csv import MESSY, READ


def whole(data: bytes, **options: object) -> pd.DataFrame | TextDataError:
    """What an upload read whole gives (``read_upload``'s order: Arrow where it can, else the careful parser)."""
    options = {"has_header": True, **options}
    try:
        fast = read_fast(data, min_bytes=0, **options)  # type: ignore[arg-type]
        return fast if fast is not None else read_delimited(data, **options)  # type: ignore[arg-type]
    except TextDataError as exc:
        return exc


def pieced(
    data: bytes, piece_chars: int, by_bytes: bool = True, once: bool = False, **options: object
) -> tuple[pd.DataFrame | TextDataError, int]:
    """The pieces put together (or the refusal), and how many pieces there were. ``by_bytes=False``: cut by the
    ``csv`` reader even where the bytes could be cut at line breaks. ``once``: read as a large upload is stored,
    in one pass (``pieces_read_once``), or, when that raises ``Retyped``, again by ``typed_pieces``."""
    opened: Callable[[], io.BytesIO] = lambda: io.BytesIO(data)  # noqa: E731
    text = TextOptions(**options)  # type: ignore[arg-type]
    with pytest.MonkeyPatch.context() as patch:
        if not by_bytes:
            patch.setattr(stream_csv, "_cuts_at_bytes", lambda codec, delimiter: False)
        try:
            try:
                if not once:
                    raise Retyped("read in two passes")
                frames = list(pieces_read_once(opened, text, piece_chars=piece_chars))
            except Retyped:
                frames = list(typed_pieces(opened, text, piece_chars=piece_chars))
        except TextDataError as exc:
            return exc, 0
    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0], len(frames)


def assert_same(data: bytes, piece_chars: int, by_bytes: bool = True, once: bool = False, **options: object) -> int:
    expected = whole(data, **options)
    got, pieces = pieced(data, piece_chars, by_bytes, once, **options)
    if isinstance(expected, TextDataError):
        assert isinstance(got, TextDataError), f"read in pieces what the whole file refuses ({expected}): {data!r}"
        assert (got.message, got.line, got.column, got.option) == (
            expected.message,
            expected.line,
            expected.column,
            expected.option,
        )
        return 0
    assert isinstance(got, pd.DataFrame), f"refused in pieces ({got}) what the whole file reads: {data!r}"
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
    return pieces


@pytest.mark.parametrize("once", [False, True], ids=["two passes", "one pass"])
@pytest.mark.parametrize("by_bytes", [True, False], ids=["cut on bytes", "cut by csv"])
@pytest.mark.parametrize("piece_chars", [1, 5, 23])
@pytest.mark.parametrize("name", sorted(READ) + sorted(MESSY))
def test_every_test_file_of_the_readers_reads_alike_in_pieces(
    name: str, piece_chars: int, by_bytes: bool, once: bool
) -> None:
    data = READ.get(name, MESSY.get(name))
    assert data is not None
    assert_same(data, piece_chars, by_bytes, once, delimiter="\t" if name == "tabs" else ",")


# Column values whose file-wide type differs from what one piece alone would give: integers that become numbers,
# flags or numbers that become text, integers beyond 64 bits, columns empty in a piece.
TOKENS = [
    "1",
    "-2",
    "3.5",
    "1e3",
    "+4",
    "00012",
    "99999999999999999999",
    "true",
    "FALSE",
    "x",
    "NA",
    "?",
    "",
    " 7 ",
    '"q,r"',
    '"two\nlines"',
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(st.sampled_from(TOKENS), st.sampled_from(TOKENS)), min_size=1, max_size=30),
    st.integers(min_value=1, max_value=40),
    st.booleans(),
    st.sampled_from(["\n", "\r\n"]),
    st.booleans(),
    st.booleans(),
)
def test_columns_typed_across_pieces_read_as_the_whole_file(
    rows: list[tuple[str, str]], piece_chars: int, header: bool, newline: str, by_bytes: bool, once: bool
) -> None:
    text = ("a,b" + newline if header else "") + "".join(f"{x},{y}{newline}" for x, y in rows)
    assert_same(text.encode(), piece_chars, by_bytes, once, delimiter=",", has_header=header)


@pytest.mark.parametrize("by_bytes", [True, False], ids=["cut on bytes", "cut by csv"])
@pytest.mark.parametrize(
    ("data", "options"),
    [
        (b"a,b\n1,2\n3,4\n5\n6,7\n", {}),  # a ragged row in a later piece
        (b'a,b\n1,2\n3,4\n5,"x"y\n', {}),  # a quote csv refuses, in a later piece
        (b"1,2\n3,4\n5,6,7\n", {"has_header": False}),  # the field count is the first record's
        (b"a,b\n1,2\n3,4\nx,5\n", {"column_types": {"a": "integer"}}),  # an override refusing a late value
        (b"a,b\n1,2\n3,4\n5,6\n", {"column_types": {"c": "integer"}}),  # an override naming no column
        (b"1,2\n3,4\n5,6\n", {}),  # the first line looks like data: every column is numbers
        (b"1,2\n3,4\n5,x\n", {}),  # ... but not when a later piece holds text
        (b"a,b\n\n\n", {}),  # a header and blank lines only
        (b"\na,b\n1,2\n", {}),  # a blank first line
        (b"", {}),
        (b"a;b\n1,5;2\n3,25;4\n", {"delimiter": ";", "decimal": ","}),
        (b"a,b\n1,2\n3,4\n\n\n", {}),  # trailing blank lines: no piece of their own
        (b'a\n1\n2\n""\n""\n', {}),  # quoted empty lines (blank to the parser) at the end: no rows of their own
    ],
)
def test_refusals_and_options_read_as_the_whole_file(data: bytes, options: dict[str, object], by_bytes: bool) -> None:
    assert_same(data, 4, by_bytes, **{"delimiter": ",", **options})
    assert_same(data, 4, by_bytes, once=True, **{"delimiter": ",", **options})


def test_a_byte_that_is_not_utf8_is_refused_naming_the_line_and_offset_of_the_whole_file(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(stream_csv, "_BLOCK", 7)  # decoded a few bytes at a time: the bad byte is in a later block
    data = b"\xef\xbb\xbfa,b\n1,x\n2,y\n3,caf\xe9\n4,z\n"
    expected = whole(data, delimiter=",")
    assert isinstance(expected, TextDataError) and "line 4" in expected.message
    for by_bytes in (True, False):
        for once in (False, True):
            assert_same(data, 3, by_bytes, once, delimiter=",")
            latin = "a,b\n1,café\n2,Zoë\n".encode("latin-1")
            assert_same(latin, 3, by_bytes, once, delimiter=",", encoding="latin-1")


def test_a_multi_megabyte_file_is_read_by_arrow_in_pieces_and_equals_the_whole(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given 5 MB whose columns change type late: integers with one float, integers with one word, flags with one
    # integer, a column empty until its last rows
    rng = np.random.default_rng(0)
    n = 120_000
    df = pd.DataFrame(
        {
            "f": rng.normal(size=n).round(6),
            "i": rng.integers(-1000, 1000, n).astype(str),
            "w": rng.integers(0, 9, n).astype(str),
            "b": rng.choice(["true", "FALSE"], n),
            "late": [""] * n,
            "s": rng.choice(["yes", "no", "maybe, not"], n),
        }
    )
    df.loc[n - 5, "i"] = "2.5"
    df.loc[n - 3, "w"] = "word"
    df.loc[n - 2, "b"] = "1"
    df.loc[n - 10 :, "late"] = "7"
    data = df.to_csv(index=False).encode()
    assert len(data) > 3_000_000
    parsed: list[str] = []
    real = stream_csv.read_fast

    def spy(text: bytes, **kw: object) -> pd.DataFrame | None:
        result = real(text, **kw)  # type: ignore[arg-type]
        parsed.append("arrow" if result is not None else "careful")
        return result

    monkeypatch.setattr(stream_csv, "read_fast", spy)

    # when it is read in pieces of about 1.2 MB
    pieces = assert_same(data, 1_200_000, delimiter=",")

    # then the pieces were parsed by Arrow (the columns to read again as text by the careful parser), and the table
    # is the whole file's, types included
    assert pieces >= 3
    assert parsed[:pieces] == ["arrow"] * pieces
    got, _ = pieced(data, 1_200_000, delimiter=",")
    assert isinstance(got, pd.DataFrame)
    assert got.dtypes.astype(str).to_dict() == {
        "f": "float64",
        "i": "float64",
        "w": "str",
        "b": "str",
        "late": "Int64",
        "s": "str",
    }
    assert got["w"].iloc[0] == df["w"].iloc[0] and got["b"].iloc[0] == df["b"].iloc[0]


def _uniform_csv(rows: int = 120_000) -> bytes:
    """About 3 MB whose columns keep one type from first row to last: numbers with markers, integers, flags,
    quoted text with the delimiter inside."""
    rng = np.random.default_rng(3)
    df = pd.DataFrame(
        {
            "f": rng.normal(size=rows).round(6),
            "i": rng.integers(-1000, 1000, rows),
            "b": rng.choice(["true", "FALSE"], rows),
            "s": rng.choice(["yes", "no", "maybe, not"], rows),
        }
    )
    df.loc[df.index % 97 == 0, "f"] = np.nan
    return df.to_csv(index=False).encode()


def test_a_file_whose_types_do_not_change_is_read_once_without_a_spool(monkeypatch: pytest.MonkeyPatch) -> None:
    # given a multi-megabyte file whose columns keep their types, and a spool that fails the test if written
    data = _uniform_csv()
    monkeypatch.setattr(stream_csv, "_spool", lambda df, path: pytest.fail("a piece was spooled"))
    parsed: list[int] = []
    real = stream_csv.read_fast
    monkeypatch.setattr(stream_csv, "read_fast", lambda text, **kw: (parsed.append(len(text)), real(text, **kw))[1])

    # when it is read in one pass, in pieces of about 1 MB
    frames = list(pieces_read_once(lambda: io.BytesIO(data), TextOptions(","), piece_chars=1_000_000))

    # then every piece was parsed once, by Arrow, and the pieces are the whole file's table
    assert len(frames) >= 4 and len(parsed) == len(frames)
    assert sum(parsed) == len(data)  # each byte parsed once, the header with the first piece only
    pd.testing.assert_frame_equal(pd.concat(frames, ignore_index=True), whole(data, delimiter=","), check_exact=True)


def test_a_late_type_change_stops_the_one_pass_read_and_two_passes_give_the_whole_file() -> None:
    # given a file whose integer column holds a float in its last rows
    rows = _uniform_csv().decode().splitlines(keepends=True)
    rows[-2] = rows[-2].replace(rows[-2].split(",")[1], "2.5", 1)
    data = "".join(rows).encode()
    expected = whole(data, delimiter=",")
    assert isinstance(expected, pd.DataFrame) and str(expected["i"].dtype) == "float64"

    # when it is read once, then (as a large upload is stored) again in two passes
    opened = lambda: io.BytesIO(data)  # noqa: E731
    given: list[pd.DataFrame] = []
    with pytest.raises(Retyped, match="'i'"):
        for frame in pieces_read_once(opened, TextOptions(","), piece_chars=1_000_000):
            given.append(frame)

    # then the one pass stopped after giving pieces typed as integers, and the two passes read the whole file's
    assert given and str(given[0]["i"].dtype) == "Int64"
    got = pd.concat(list(typed_pieces(opened, TextOptions(","), piece_chars=1_000_000)), ignore_index=True)
    pd.testing.assert_frame_equal(got, expected, check_exact=True)


def test_a_refusal_deep_in_a_file_read_once_comes_before_the_reading_ends() -> None:
    """A caller storing the pieces as they come keeps nothing unless the generator ran to its end: a refusal
    after the first piece is raised by the generator, never swallowed."""
    data = _uniform_csv() + b"1,2\n"  # a ragged last row
    expected = whole(data, delimiter=",")
    assert isinstance(expected, TextDataError)
    given = 0
    with pytest.raises(TextDataError) as refused:
        for _ in pieces_read_once(lambda: io.BytesIO(data), TextOptions(","), piece_chars=1_000_000):
            given += 1
    assert given >= 2  # pieces were given before the last one, which holds the ragged row
    assert (refused.value.message, refused.value.line) == (expected.message, expected.line)


def test_pieces_starting_inside_multiline_text_are_parsed_by_arrow(monkeypatch: pytest.MonkeyPatch) -> None:
    """A later piece is parsed with the header's names, not a header put before it: its first record holding a
    quoted line break does not send it to the careful parser."""
    rng = np.random.default_rng(4)
    n = 250_000  # about 5 MB: pieces of over a megabyte, which Arrow parses (smaller ones go to the careful parser)
    df = pd.DataFrame({"x": rng.normal(size=n).round(4), "note": rng.choice(["one line", "two\nlines"], n)})
    data = df.to_csv(index=False).encode()
    parsed: list[str] = []
    real = stream_csv.read_fast
    monkeypatch.setattr(
        stream_csv,
        "read_fast",
        lambda text, **kw: (lambda r: (parsed.append("arrow" if r is not None else "careful"), r)[1])(real(text, **kw)),
    )

    pieces = assert_same(data, 1_100_000, once=True, delimiter=",")

    assert pieces >= 4 and parsed[:-1] == ["arrow"] * (pieces - 1)  # the last, under a megabyte: the careful parser
