"""Delimited text (CSV/TSV) to a typed DataFrame: the one reader behind uploads, Enter Data Manually
and Import Data.

Strict where a silent guess would hurt (encoding, ragged rows, a blank or missing header line, blank or
duplicate column names: every error names the line), forgiving where public data is messy (stray
spaces, ``?`` for missing, a UTF-8 BOM, blank lines between rows).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections import Counter
from collections.abc import Collection, Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

#: Cell values (after stripping, compared case-insensitively) that mean "missing".
MISSING_MARKERS: frozenset[str] = frozenset({"", "?", "na", "n/a", "nan", "null", "none"})

_INT = r"[+-]?\d+"
_FLOAT = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1

#: What ``column_types`` may ask a column to be, and the dtype each gives.
COLUMN_TYPES: tuple[str, ...] = ("integer", "number", "boolean", "text", "date")
#: Cells a ``boolean`` override reads (case-insensitively); the guess itself only takes true/false.
_TRUE, _FALSE = frozenset({"true", "yes", "1"}), frozenset({"false", "no", "0"})
DECIMALS: tuple[str, ...] = (".", ",")


class TextDataError(ValueError):
    """The text cannot be read as a table; ``line`` (1-based, header included) and ``column`` say where, and
    ``option`` names the reading option at fault (``"encoding"``, ``"column_types"``...), if one is."""

    def __init__(
        self, message: str, line: int | None = None, column: str | None = None, option: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.option = option


def check_encoding(encoding: str) -> str:
    """The codec's canonical name (``latin-1`` -> ``iso8859-1``); ``TextDataError`` naming the option when Python
    has no text codec of that name (``rot13`` and ``base64`` are codecs, but not of text)."""
    try:
        info = codecs.lookup(encoding)
    except (LookupError, TypeError, ValueError):
        raise TextDataError(f"'{encoding}' is not an encoding Python knows", option="encoding") from None
    if not getattr(info, "_is_text_encoding", True):
        raise TextDataError(f"'{encoding}' is not a text encoding", option="encoding")
    return info.name


def missing_markers(values: Collection[str] | None) -> frozenset[str]:
    """The markers in force: ``MISSING_MARKERS`` by default; a given list replaces them (stripped, lowered:
    compared case-insensitively), and an empty cell is always missing."""
    if values is None:
        return MISSING_MARKERS
    return frozenset({"", *(v.strip().lower() for v in values)})


def float_pattern(decimal: str) -> str:
    """``_FLOAT`` with ``decimal`` as the decimal separator."""
    return _FLOAT if decimal == "." else _FLOAT.replace(r"\.", re.escape(decimal))


def read_delimited(
    data: bytes | str,
    *,
    delimiter: str = ",",
    has_header: bool = True,
    max_rows: int | None = None,
    refuse_data_as_header: bool = True,
    encoding: str = "utf-8",
    missing_values: Collection[str] | None = None,
    decimal: str = ".",
    column_types: Mapping[str, str] | None = None,
    header: Sequence[str] | None = None,
    first_line: int = 1,
    header_line: int = 1,
) -> pd.DataFrame:
    """Parse delimited text into a DataFrame with inferred column types.

    Column types: every non-missing value an integer -> ``Int64``; a number -> ``float64``;
    ``true``/``false`` (any case) -> ``boolean``; anything else -> ``str``. A column with no
    values at all is a string column. Without a header the columns are named ``Col1``, ``Col2``...
    ``max_rows`` stops after that many data rows (for previews).

    With a header, line 1 must be it: a blank line 1 is refused rather than letting line 2 silently
    become the header, and so (unless ``refuse_data_as_header`` is off, for files a program wrote
    with a header it knows is there) is a line 1 that looks like data: every cell a number over
    columns that are all numeric, the sign of a header-less file read as if it had one.

    Options: ``encoding`` is any Python text codec (UTF-8 by default, a BOM skipped); ``missing_values``
    replaces the default markers (``MISSING_MARKERS``; an empty cell stays missing); ``decimal=","`` reads
    ``1,5`` as a number (and ``1.5`` as text); ``column_types`` maps a column to one of ``COLUMN_TYPES``
    instead of the guess, and a value that does not convert is refused naming the column, line and value.

    A piece of a larger file (``modules.sdk.stream_csv``) passes the file's column names as ``header``
    (the text then holds data rows only, each checked against it), the physical line the text starts on as
    ``first_line`` and the line of the file's header (or first record, without one) as ``header_line``, so
    every message names the file's own lines; a piece of blank lines only is a frame without rows.
    """
    if decimal not in DECIMALS:
        raise TextDataError(f"the decimal separator must be '.' or ',', not {decimal!r}", option="decimal")
    if decimal == delimiter:
        raise TextDataError(
            f"the decimal separator and the delimiter cannot both be {decimal!r}; choose another delimiter",
            option="decimal",
        )
    text = _decode(data, encoding)
    if not text.strip():
        raise TextDataError("the file is empty")
    if max_rows is not None and max_rows < 1:
        raise ValueError("max_rows must be at least 1")
    header, rows, lines = _split_records(
        text, delimiter, has_header, max_rows, list(header) if header is not None else None, first_line, header_line
    )
    markers = missing_markers(missing_values)
    overrides = dict(column_types or {})
    _check_overrides(overrides, header)
    frame = {
        name: _typed_column([row[i] for row in rows], markers, decimal)
        if name not in overrides
        else _converted_column([row[i] for row in rows], overrides[name], markers, decimal, name, lines)
        for i, name in enumerate(header)
    }
    df = pd.DataFrame(frame, index=pd.RangeIndex(len(rows)))
    if has_header and refuse_data_as_header:
        _refuse_data_as_header(header, df)
    return df


def _decode(data: bytes | str, encoding: str = "utf-8") -> str:
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    codec = check_encoding(encoding)
    raw = bytes(data)
    if codec == "utf-8" and raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode(codec).removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise undecodable(codec, raw[exc.start], raw.count(b"\n", 0, exc.start) + 1, exc.start) from None


def undecodable(codec: str, byte: int, line: int, offset: int) -> TextDataError:
    """The refusal of a file that is not text in ``codec``: ``byte`` at ``offset`` (on ``line``) does not decode."""
    if codec == "utf-8":
        hint = "save it as UTF-8 and upload it again, or choose the encoding it was saved in"
    else:
        hint = "choose the encoding it was saved in"
    return TextDataError(
        f"the file is not {_codec_label(codec)} text: byte 0x{byte:02x} at line {line} (offset {offset}); {hint}",
        line=line,
        option=None if codec == "utf-8" else "encoding",
    )


def _codec_label(codec: str) -> str:
    return "UTF-8" if codec == "utf-8" else codec


def _split_records(
    text: str,
    delimiter: str,
    has_header: bool,
    max_rows: int | None,
    header: list[str] | None = None,
    first_line: int = 1,
    header_line: int = 1,
) -> tuple[list[str], list[list[str]], list[int]]:
    """Header names, data rows (cells stripped) and the line each row starts on, checking field counts."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, skipinitialspace=True, strict=True)
    piece = header is not None  # a piece of a larger file: it may hold blank lines only
    rows: list[list[str]] = []
    lines: list[int] = []
    for line, record in records(reader, first_line):
        cells = [c.strip() for c in record]
        blank = is_blank(record)
        if header is None and has_header and not any(cells):  # blank, or only delimiters
            raise TextDataError(
                f"line {line}: the header line is blank; the first line must name the columns, so remove the "
                "blank line (or, if the file has no header line, turn off 'has header' and the columns are "
                "named Col1, Col2 and so on)",
                line=line,
            )
        if blank:
            continue  # a blank line between rows
        if header is None:
            header_line = line
            header = _header(cells, line) if has_header else [f"Col{i + 1}" for i in range(len(cells))]
            if has_header:
                continue
        if len(cells) != len(header):
            where = "the header" if has_header else f"line {header_line}"
            raise TextDataError(
                f"line {line} has {_fields(len(cells))} but {where} has {len(header)}; "
                f"check for a missing or extra {_delimiter_name(delimiter)} or an unclosed quote",
                line=line,
            )
        rows.append(cells)
        lines.append(line)
        if max_rows is not None and len(rows) >= max_rows:
            break  # before reading another record: a preview stops here
    if header is None:
        raise TextDataError("the file is empty")
    if not rows and not piece:
        raise TextDataError("the file has a header but no rows", line=header_line)
    return header, rows, lines


def records(reader: Any, first_line: int = 1) -> Iterator[tuple[int, list[str]]]:
    """(the physical line a record starts on, its fields) from a ``csv`` reader, counting lines from
    ``first_line``; a record ``csv`` cannot read is refused naming its line."""
    while True:
        line = reader.line_num + first_line
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise TextDataError(f"line {line}: {exc}", line=line) from None
        yield line, record


def is_blank(record: list[str]) -> bool:
    """A blank line between rows: one field at most, empty once stripped (a line of only delimiters is not)."""
    return len(record) <= 1 and not (record and record[0].strip())


def _header(cells: list[str], line: int) -> list[str]:
    empty = [i + 1 for i, name in enumerate(cells) if not name]
    if empty:
        noun = "column" if len(empty) == 1 else "columns"
        raise TextDataError(f"the header (line {line}) has no name for {noun} {', '.join(map(str, empty))}", line=line)
    duplicates = [name for name, count in Counter(cells).items() if count > 1]
    if duplicates:
        names = ", ".join(repr(n) for n in duplicates)
        noun = "name" if len(duplicates) == 1 else "names"
        raise TextDataError(
            f"the header (line {line}) repeats the column {noun} {names}; column names must be unique",
            line=line,
            column=duplicates[0],
        )
    return cells


def _refuse_data_as_header(header: list[str], df: pd.DataFrame) -> None:
    """The check behind "missing header line": names that are all numbers over columns that are all numeric
    are far more often a first data row than real names (years as column names are the exception; they
    can be given a non-numeric name such as ``y2024``)."""
    if not all(re.fullmatch(_FLOAT, name) for name in header):
        return
    if not all(pd.api.types.is_numeric_dtype(df[name]) and not pd.api.types.is_bool_dtype(df[name]) for name in header):
        return
    raise TextDataError(
        "line 1 looks like data, not column names: every cell on it is a number, and so is every column below "
        "it; if the file has no header line, turn off 'has header' (the columns are then named Col1, Col2 and "
        "so on); if these are the names, give at least one column a name that is not a number",
        line=1,
    )


def _fields(n: int) -> str:
    return f"{n} field" if n == 1 else f"{n} fields"


def _delimiter_name(delimiter: str) -> str:
    return {",": "comma", "\t": "tab", ";": "semicolon", "|": "pipe"}.get(delimiter, repr(delimiter))


def _typed_column(cells: list[str], markers: frozenset[str] = MISSING_MARKERS, decimal: str = ".") -> pd.Series:
    raw = pd.Series(cells, dtype=object)
    missing = raw.str.lower().isin(markers).to_numpy()
    values = raw[~missing]
    if values.empty:
        return pd.Series([np.nan] * len(cells), dtype="str")
    if values.str.fullmatch(_INT).all():
        ints = [int(v) for v in values]
        if min(ints) >= _INT64_MIN and max(ints) <= _INT64_MAX:
            out = pd.array([pd.NA] * len(cells), dtype="Int64")
            out[~missing] = ints
            return pd.Series(out)
        return _strings(raw, missing)  # beyond 64 bits: an identifier, not a quantity
    if values.str.fullmatch(float_pattern(decimal)).all():
        floats = np.full(len(cells), np.nan)
        floats[~missing] = (values if decimal == "." else values.str.replace(decimal, ".")).astype("float64").to_numpy()
        return pd.Series(floats, dtype="float64")
    lowered = values.str.lower()
    if lowered.isin(("true", "false")).all():
        flags = pd.array([pd.NA] * len(cells), dtype="boolean")
        flags[~missing] = (lowered == "true").to_numpy()
        return pd.Series(flags)
    return _strings(raw, missing)


def _strings(raw: pd.Series, missing: np.ndarray) -> pd.Series:
    return pd.Series(raw.where(~missing, np.nan), dtype="str")


def _check_overrides(overrides: dict[str, str], header: list[str]) -> None:
    for name, kind in overrides.items():
        if name not in header:
            raise TextDataError(
                f"column_types names the column {name!r}, which the file does not have (its columns: "
                f"{', '.join(header)})",
                column=name,
                option="column_types",
            )
        if kind not in COLUMN_TYPES:
            raise TextDataError(
                f"column_types gives {name!r} the type {kind!r}; choose one of {', '.join(COLUMN_TYPES)}",
                column=name,
                option="column_types",
            )


def _converted_column(
    cells: list[str], kind: str, markers: frozenset[str], decimal: str, name: str, lines: list[int]
) -> pd.Series:
    """The column as ``kind`` says, whatever the guess; the first value that does not convert is refused."""
    raw = pd.Series(cells, dtype=object)
    missing = raw.str.lower().isin(markers).to_numpy()
    if kind == "text":
        return _strings(raw, missing)
    present = np.flatnonzero(~missing)
    values = raw.iloc[present]

    def refuse(position: int, what: str) -> TextDataError:
        i = int(present[position])
        return TextDataError(
            f"column {name!r}, line {lines[i]}: {cells[i]!r} is not {what}",
            line=lines[i],
            column=name,
            option="column_types",
        )

    if kind == "integer":
        ok = values.str.fullmatch(_INT).to_numpy(dtype=bool)
        ints = [int(v) if good else 0 for v, good in zip(values, ok, strict=True)]
        ok = ok & np.array([_INT64_MIN <= v <= _INT64_MAX for v in ints], dtype=bool)
        if not ok.all():
            raise refuse(int(np.argmin(ok)), "an integer (within 64 bits)")
        out = pd.array([pd.NA] * len(cells), dtype="Int64")
        out[present] = ints
        return pd.Series(out)
    if kind == "number":
        ok = values.str.fullmatch(float_pattern(decimal)).to_numpy(dtype=bool)
        if not ok.all():
            example = "1,5" if decimal == "," else "1.5"
            raise refuse(int(np.argmin(ok)), f"a number (like {example})")
        floats = np.full(len(cells), np.nan)
        floats[present] = values.str.replace(decimal, ".").astype("float64").to_numpy()
        return pd.Series(floats, dtype="float64")
    if kind == "boolean":
        lowered = values.str.lower()
        ok = lowered.isin(_TRUE | _FALSE).to_numpy(dtype=bool)
        if not ok.all():
            raise refuse(int(np.argmin(ok)), "a boolean (true/false, yes/no, 1/0)")
        flags = pd.array([pd.NA] * len(cells), dtype="boolean")
        flags[present] = lowered.isin(_TRUE).to_numpy()
        return pd.Series(flags)
    dates = pd.to_datetime(values, format="ISO8601", errors="coerce")
    ok = dates.notna().to_numpy(dtype=bool)
    if not ok.all():
        raise refuse(int(np.argmin(ok)), "an ISO 8601 date (like 2024-12-31 or 2024-12-31 23:59:00)")
    dated = pd.Series(pd.NaT, index=range(len(cells)), dtype=dates.dtype)
    dated.iloc[present] = dates.to_numpy()
    return dated


__all__ = [
    "COLUMN_TYPES",
    "DECIMALS",
    "MISSING_MARKERS",
    "TextDataError",
    "check_encoding",
    "float_pattern",
    "missing_markers",
    "read_delimited",
    "undecodable",
]
