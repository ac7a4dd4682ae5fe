"""Large delimited uploads read by Arrow's multithreaded CSV parser, typed exactly as ``read_delimited`` types them.

``read_delimited`` (modules/sdk/textdata.py) defines what an upload means: Python's ``csv`` module in
strict mode, every cell stripped, ``?``/``NA``/... missing, then integer, number, true/false or text per
column. It costs a Python string per cell (11 s for 200,000 rows x 21 on the development machine). This
parses the same bytes with ``pyarrow.csv`` (every column as text), then types the columns with Arrow
compute using the same rules. Where the two parsers could read a file differently, it does not
guess: :func:`read_fast` returns ``None`` and the caller uses ``read_delimited``, which also writes the
error messages (naming the line) for files that cannot be read. It steps aside for:

- a quote that is not a whole field's opening or closing quote (``a"b``, ``"a"b``, an unclosed quote,
  a doubled ``""`` inside a field), and a quote after a space (``a, "b"``: ``csv`` skips the space);
- anything Arrow refuses (ragged rows, invalid UTF-8), one-column files (``csv`` skips lines of
  spaces there), a blank or unreadable first line;
- values whose typing Arrow cannot do as Python does: integers beyond 64 bits, digits outside ASCII;
- the reading options it does not implement: a decimal comma, column type overrides, and missing-value
  markers that are not plain ASCII or hold a ``k`` (Python lowers the Kelvin sign to one; Arrow does not).
  Another encoding is read by decoding the bytes with Python's codec and parsing the UTF-8 that gives.
"""

from __future__ import annotations

import csv
import functools
import os
from collections.abc import Collection, Mapping
from typing import Any, Literal

import numpy as np
import pandas as pd

from .textdata import (
    _FLOAT,
    _INT,
    MISSING_MARKERS,
    _header,
    _refuse_data_as_header,
    check_encoding,
    missing_markers,
)

#: Smaller files gain nothing from a second parser (and their errors come from the careful one anyway).
FAST_FROM_BYTES = 1 << 20
BOM = b"\xef\xbb\xbf"
_CHUNK = 1 << 26
#: Bytes compared at a time when looking for one byte: a mask this size stays in the processor's cache.
_SCAN = 1 << 20
#: Arrow's CSV block: 4 MB parses a piece of tens of MB faster on two cores than 16 MB (the threads share the
#: work more evenly); a record longer than that is parsed again with blocks as large as the data.
_BLOCK = 1 << 22
_MAX_BLOCK = (1 << 31) - 1  # Arrow's block size is a 32-bit integer


def read_fast(
    data: bytes | bytearray,
    *,
    delimiter: str,
    has_header: bool,
    min_bytes: int = FAST_FROM_BYTES,
    encoding: str = "utf-8",
    missing_values: Collection[str] | None = None,
    decimal: str = ".",
    column_types: Mapping[str, str] | None = None,
    refuse_data_as_header: bool = True,
    quoting: str | None = None,
    names: list[str] | None = None,
) -> pd.DataFrame | None:
    """The DataFrame ``read_delimited(data, delimiter=..., has_header=..., ...)`` gives with the same options,
    or ``None`` where only ``read_delimited`` can say (see the module's docstring); ``TextDataError`` as it
    raises it otherwise. ``quoting``: what ``_quoting`` gives for ``data``, when the caller already looked.
    ``names``: ``data`` has no header record (whatever ``has_header`` says) and its columns are these, as if
    a header naming them came first (a later piece of a file read in pieces: no copy with the header put
    in front)."""
    import pyarrow as pa

    markers = missing_markers(missing_values)
    texts = {name for name, kind in (column_types or {}).items() if kind == "text"}
    if decimal != "." or len(texts) < len(column_types or {}) or not _fast_markers(markers) or len(data) < min_bytes:
        return None  # column types but "text" are read_delimited's
    if not delimiter.isascii() or delimiter == "\0":
        return None  # Arrow splits at one byte; csv at one character
    if check_encoding(encoding) != "utf-8":
        try:
            data = data.decode(encoding).removeprefix("\ufeff").encode("utf-8")
        except UnicodeDecodeError:
            return None  # read_delimited names the line
    view = memoryview(data)[len(BOM) :] if data.startswith(BOM) else memoryview(data)
    if quoting is None:
        quoting = _quoting(view, delimiter) if len(view) >= min_bytes else None
    if quoting is None:
        return None
    found = _header_of(view, delimiter, has_header, names)
    if found is None or not texts <= set(found[0]):
        return None  # read_delimited refuses a column_types name the file does not have
    header, skip = found
    as_text = {i for i, name in enumerate(header) if name in texts}
    try:
        columns_in = _parse_columns(view, delimiter, len(header), quoting == "multiline", skip, markers, as_text)
    except (pa.ArrowException, ValueError):
        return None
    rows = len(columns_in[0])
    if rows == 0:
        return None
    typed = _typed_columns(columns_in, markers, as_text)
    if any(column is None for column in typed):
        return None
    columns = dict(zip(header, typed, strict=True))
    # Each column stays its own array (``copy=False`` skips stacking the numbers into one block: a copy of them all).
    df = pd.DataFrame(columns, index=pd.RangeIndex(rows), copy=False)
    if has_header and names is None and refuse_data_as_header:
        _refuse_data_as_header(header, df)
    return df


def _header_of(
    view: memoryview, delimiter: str, has_header: bool, names: list[str] | None
) -> tuple[list[str], int] | None:
    """The columns' names and the lines to skip before the records; ``None`` where ``read_delimited`` must look
    (a blank or unreadable first line, one column)."""
    if names is not None:  # a later piece: its first line is a record like any other (Arrow refuses a ragged one)
        return (list(names), 0) if len(names) >= 2 else None
    first = _first_record(view, delimiter)
    if first is None or len(first) < 2 or not any(first):
        return None
    return (_header(first, 1) if has_header else [f"Col{i + 1}" for i in range(len(first))]), int(has_header)


def _fast_markers(markers: frozenset[str]) -> bool:
    """Whether Arrow's ASCII lowering finds exactly the cells Python's ``str.lower`` does for these markers."""
    return markers == MISSING_MARKERS or all(m.isascii() and "k" not in m for m in markers)


def _typed_columns(
    texts: list[Any], markers: frozenset[str] = MISSING_MARKERS, as_text: Collection[int] = ()
) -> list[pd.Series | None]:
    """Every column typed, on as many threads as there are cores (Arrow's kernels let go of the GIL); each
    text column is let go once typed, so the text and the typed table are not both held whole. A column Arrow
    already parsed as numbers (:func:`_parse_numbers`) only changes hands."""
    from concurrent.futures import ThreadPoolExecutor

    def one(i: int) -> pd.Series | None:
        text, texts[i] = texts[i], None
        return _as_parsed(text) if _is_numbers(text) else _typed(text, markers, as_text=i in as_text)

    with ThreadPoolExecutor(max_workers=max(1, min(len(texts), os.cpu_count() or 1))) as pool:
        return list(pool.map(one, range(len(texts))))


def _quoting(view: memoryview, delimiter: str) -> str | None:
    """How the file quotes: ``"none"``, ``"inline"`` (no quoted field spans lines) or ``"multiline"``;
    ``None`` unless every ``"`` opens a field (after a delimiter or a line break) or closes one (before
    them), in turn: then Arrow and ``csv`` split the fields alike."""
    if isinstance(view.obj, bytes) and len(view) == len(view.obj) and b'"' not in view.obj:
        return "none"
    data = np.frombuffer(view, dtype=np.uint8)  # the bytes themselves (a slice of them is not copied)
    quotes = _positions(data, ord('"'))
    if not len(quotes):
        return "none"
    if len(quotes) % 2:
        return None
    if (data[quotes[quotes > 0] - 1] == ord(" ")).any():
        return None  # a quote after a space (``a, "b"``): csv skips the space, reads a quoted field; Arrow a bare one
    bounds = np.zeros(256, dtype=bool)
    bounds[[ord("\n"), ord("\r"), ord(delimiter)]] = True
    opens, closes = quotes[0::2], quotes[1::2]
    if not (bounds[data[opens[opens > 0] - 1]].all() and bounds[data[closes[closes < len(data) - 1] + 1]].all()):
        return None
    return "multiline" if _breaks_between(data, opens, closes) else "inline"


def _positions(data: np.ndarray, byte: int) -> np.ndarray:
    """Offsets of ``byte`` in ``data``, found a slice at a time (a mask of the whole file would be GBs)."""
    found = [np.flatnonzero(data[s : s + _SCAN] == byte) + s for s in range(0, len(data), _SCAN)]
    return np.concatenate(found) if found else np.empty(0, dtype=np.int64)


def _breaks_between(data: np.ndarray, opens: np.ndarray, closes: np.ndarray) -> bool:
    """Whether a line break lies inside any quoted field (``True`` too when they hold too much to look)."""
    lengths = closes - opens - 1
    total = int(lengths.sum())
    if total > _CHUNK:
        return True
    starts = np.repeat(opens + 1 - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths)
    inside = data[starts + np.arange(total)]
    return bool(((inside == ord("\n")) | (inside == ord("\r"))).any())


def _first_record(view: memoryview, delimiter: str) -> list[str] | None:
    """Line 1's cells as ``read_delimited`` strips them; ``None`` when it is blank, not UTF-8, or a quoted
    field runs past it."""
    end = bytes(view[:65536]).find(b"\n")
    line = bytes(view[: end if end >= 0 else 65536]).rstrip(b"\r")
    if not line.strip() or line.count(b'"') % 2:
        return None
    try:
        cells = next(csv.reader([line.decode("utf-8")], delimiter=delimiter, skipinitialspace=True, strict=True))
    except (UnicodeDecodeError, csv.Error, StopIteration):
        return None
    return [c.strip() for c in cells]


def _parse(
    view: memoryview,
    delimiter: str,
    width: int,
    *,
    multiline: bool,
    skip: int = 0,
    numeric: Mapping[str, Any] | None = None,
    markers: frozenset[str] = MISSING_MARKERS,
    include: list[str] | None = None,
) -> Any:
    """Every column as text, but those of ``numeric`` (name -> Arrow type), which Arrow parses as numbers with
    every spelling of ``markers`` missing; the first ``skip`` lines (the header) left out; only the columns of
    ``include`` when given. A file whose quoted fields stay on their line is split faster (Arrow can then cut
    it into blocks at any line break)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    names = [f"c{i}" for i in range(width)]
    numeric = numeric or {}
    convert = pacsv.ConvertOptions(
        column_types={name: numeric.get(name, pa.string()) for name in names},
        include_columns=include or [],
        strings_can_be_null=False,
        quoted_strings_can_be_null=bool(numeric),  # text columns are never null either way
        null_values=_null_spellings(markers) if numeric else [],
        true_values=[],
        false_values=[],
    )
    block = _BLOCK
    while True:
        try:
            return pacsv.read_csv(
                pa.py_buffer(view),
                read_options=pacsv.ReadOptions(column_names=names, use_threads=True, block_size=block, skip_rows=skip),
                parse_options=_split(delimiter, multiline),
                convert_options=convert,
            )
        except pa.ArrowInvalid as exc:
            whole = min(max(len(view), 1), _MAX_BLOCK)
            if "straddl" not in str(exc) or block >= whole:
                raise
            block = whole  # a record longer than a block: Arrow needs it in one


# -- numbers parsed by Arrow directly -------------------------------------------------------------------------
#
# Parsing every cell as text costs a string per cell, and large uploads are mostly numbers. So Arrow first
# infers each column's type on the file's first megabyte, with the missing-value markers (each spelling of them
# in either letter case) as its only nulls and no true/false values; the columns it reads as ``int64`` or
# ``double`` are parsed as numbers, the rest as text typed as before (``_typed``). Every number Arrow reads
# matches the upload rules' patterns once stripped (the tests check it token by token), with these exceptions,
# each of which sends the column to the text path:
# - hexadecimal integers (``0x1F``), which Arrow reads and Python does not: no column is parsed as integers
#   when ``0x`` or ``0X`` occurs anywhere in the file;
# - ``inf``, ``nan``, ``Infinity`` (and numbers beyond a double's range), which Arrow reads as floats: a float
#   column with a value that is not finite is read again as text (whose typing steps aside for them);
# - ``+5`` and integers beyond 64 bits, which Arrow reads as floats and the rules as integers (or text): a
#   float column whose values are all whole numbers is read again as text;
# - a column of markers only, typed by the text path.
# A block further down that Arrow cannot convert (a marker with spaces around it, a word) fails the parse,
# naming the column: it becomes a text column and the parse is tried again, a few times at most.

#: Markers with more spellings than this (each ASCII letter in either case) are left to the text path.
_MAX_SPELLINGS = 4096
_RETRIES = 4


def _null_spellings(markers: frozenset[str]) -> list[str]:
    """Every spelling of the markers: each ASCII letter in either case (the rules compare them lowered)."""
    import itertools

    out: set[str] = set()
    for marker in markers:
        choices = [(c.lower(), c.upper()) if c.isascii() and c.isalpha() else (c,) for c in marker]
        out.update("".join(p) for p in itertools.product(*choices))
    return sorted(out)


def _parse_columns(
    view: memoryview,
    delimiter: str,
    width: int,
    multiline: bool,
    skip: int,
    markers: frozenset[str],
    as_text: Collection[int] = (),
) -> list[Any]:
    """Every column of the file, as Arrow numbers where :func:`_numeric_columns` allows it (never those of
    ``as_text``, read as text whatever they hold), else as text."""
    import pyarrow as pa

    numeric = _numeric_columns(view, delimiter, width, multiline=multiline, skip=skip, markers=markers)
    numeric = {name: kind for name, kind in numeric.items() if int(name[1:]) not in as_text}
    for _ in range(_RETRIES):
        try:
            table = _parse(view, delimiter, width, multiline=multiline, skip=skip, numeric=numeric, markers=markers)
            break
        except pa.ArrowInvalid as exc:
            failed = _failed_column(str(exc))
            if not numeric or failed not in numeric:
                raise
            del numeric[failed]
    else:
        numeric = {}
        table = _parse(view, delimiter, width, multiline=multiline, skip=skip)
    columns = [table.column(i) for i in range(width)]
    del table
    again = [f"c{i}" for i, column in enumerate(columns) if _is_numbers(column) and not _parsed_as_rules_would(column)]
    if again:
        texts = _parse(view, delimiter, width, multiline=multiline, skip=skip, include=again)
        for name in again:
            columns[int(name[1:])] = texts.column(name)
    return columns


def _failed_column(message: str) -> str | None:
    """The column a conversion error names (``In CSV column #3: ...``), as ``_parse`` names them."""
    import re

    found = re.search(r"CSV column #(\d+)", message)
    return f"c{found.group(1)}" if found else None


def _numeric_columns(
    view: memoryview, delimiter: str, width: int, *, multiline: bool, skip: int, markers: frozenset[str]
) -> dict[str, Any]:
    """Name -> Arrow type (``int64`` or ``double``) of the columns Arrow infers as numbers from the first
    megabyte; empty when none, or when the markers have too many spellings."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    spellings = _null_spellings(markers)
    if len(spellings) > _MAX_SPELLINGS:
        return {}
    head = bytes(view[: 1 << 20])
    if len(view) > len(head):
        head = head[: head.rfind(b"\n") + 1]  # whole lines (a quoted line break there makes it fail: no numbers)
    names = [f"c{i}" for i in range(width)]
    try:
        inferred = pacsv.read_csv(
            pa.py_buffer(head),
            read_options=pacsv.ReadOptions(column_names=names, use_threads=False, skip_rows=skip),
            parse_options=_split(delimiter, multiline),
            convert_options=pacsv.ConvertOptions(
                null_values=spellings, strings_can_be_null=False, true_values=[], false_values=[]
            ),
        )
    except (pa.ArrowException, ValueError):
        return {}
    whole = view.obj if isinstance(view.obj, (bytes, bytearray)) else bytes(view)
    hexadecimal = any(x in whole and b"0" + x in whole for x in (b"x", b"X"))  # one byte first: memchr is fast
    wanted = {pa.float64()} if hexadecimal else {pa.int64(), pa.float64()}
    return {f.name: f.type for f in inferred.schema if f.type in wanted}


def _split(delimiter: str, multiline: bool) -> Any:
    import pyarrow.csv as pacsv

    return pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=multiline, ignore_empty_lines=True)


def _is_numbers(column: Any) -> bool:
    import pyarrow as pa

    return bool(column.type in (pa.int64(), pa.float64()))


def _parsed_as_rules_would(column: Any) -> bool:
    """Whether a column Arrow parsed as numbers holds what the upload rules would make of its text."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if column.null_count == len(column):
        return False  # markers only
    if column.type == pa.int64():
        return True
    return bool(pc.all(pc.is_finite(column)).as_py()) and not pc.all(pc.equal(pc.floor(column), column)).as_py()


def _as_parsed(column: Any) -> pd.Series:
    """A number column Arrow parsed (and :func:`_parsed_as_rules_would` accepted) as ``_typed`` types it."""
    import pyarrow as pa

    if column.type == pa.int64():
        return pd.Series(column.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get))
    return pd.Series(column.to_numpy(zero_copy_only=False), dtype="float64")


def _typed(raw: Any, markers: frozenset[str] = MISSING_MARKERS, *, as_text: bool = False) -> pd.Series | None:
    """``_typed_column`` of textdata, on an Arrow text column (no cell holds a quote: the caller checked);
    ``None`` where Arrow cannot type it as Python does.

    Casting is the test, as patterns cost more: Arrow's finite numbers are ``_FLOAT``'s, what it reads
    beyond them (``inf``, ``nan``) comes out infinite or NaN, and its integers are ``_INT``'s plus hex.
    ``as_text``: the column is text whatever it holds (``column_types``' "text": stripped, markers missing)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    cells = pc.utf8_trim(raw, characters=_python_whitespace())
    del raw
    # The markers are ASCII without a k, and no non-ASCII letter but the Kelvin sign lowers to an ASCII one:
    # ASCII lowering is enough.
    missing = pc.is_in(pc.ascii_lower(cells), value_set=pa.array(sorted(markers), type=pa.string()))
    some_missing = pc.any(missing).as_py()
    present = pc.filter(cells, pc.invert(missing)) if some_missing else cells
    if len(present) == 0:
        return pd.Series([np.nan] * len(cells), dtype="str")
    values = pc.if_else(missing, pa.scalar(None, pa.string()), cells) if some_missing else cells
    del cells
    if as_text:
        return pd.Series(values.to_pandas(), dtype="str")
    numbers = _numbers(values, present)
    if numbers is not False:
        return numbers
    lowered = pc.ascii_lower(present)
    if pc.all(pc.is_in(lowered, value_set=pa.array(["true", "false"]))).as_py():
        flags = pc.equal(pc.ascii_lower(values), "true")
        return pd.Series(flags.to_pandas(types_mapper={pa.bool_(): pd.BooleanDtype()}.get))
    if not pc.all(pc.string_is_ascii(present)).as_py() and any(
        pc.all(pc.match_substring_regex(present, _unicode(f"^{p}$"))).as_py() for p in (_INT, _FLOAT)
    ):
        return None  # numbers in other scripts' digits: Python reads them, Arrow does not
    return pd.Series(values.to_pandas(), dtype="str")


def _numbers(values: Any, present: Any) -> pd.Series | None | Literal[False]:
    """The column as ``Int64`` or ``float64`` when every present value is an ``_INT`` or ``_FLOAT``;
    ``None`` when Arrow reads them otherwise than Python; ``False`` when they are not all numbers."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        floats = pc.cast(values, pa.float64())
    except pa.ArrowInvalid:
        return False  # or numbers in digits Arrow does not read: the text path looks
    if pc.all(pc.is_finite(floats)).as_py() is False:
        return None  # inf/nan spelled out: read_delimited decides
    as_floats = pd.Series(floats.to_numpy(zero_copy_only=False), dtype="float64")
    if any(c in present[0].as_py() for c in ".eE"):
        return as_floats  # one value in a float's form is enough
    try:
        ints = pc.cast(pc.utf8_ltrim(values, characters="+"), pa.int64())  # Arrow refuses "+5"
    except pa.ArrowInvalid:  # a float's form further down, or an integer beyond 64 bits (text, to Python)
        return None if pc.max(pc.abs(floats)).as_py() >= 2.0**63 else as_floats
    if pc.any(pc.match_substring(present, "x", ignore_case=True)).as_py():
        return None  # hex, which Arrow reads as an integer and Python does not
    return pd.Series(ints.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get))


#: Where ``str.isspace`` characters live: none is beyond the Basic Multilingual Plane (a test checks every code
#: point, so a Python whose Unicode adds one fails it). Looking at 65,536 code points instead of 1,114,112 saves
#: ~0.1 s of every process's first large upload.
_WHITESPACE_BELOW = 0x10000


@functools.cache
def _python_whitespace() -> str:
    """What ``str.strip()`` removes: Arrow trims exactly these."""
    return "".join(c for c in map(chr, range(_WHITESPACE_BELOW)) if c.isspace())


def _unicode(pattern: str) -> str:
    """Python's ``\\d`` in a text pattern is any Unicode decimal digit; RE2's is 0-9 unless told."""
    return pattern.replace(r"\d", r"\p{Nd}")
