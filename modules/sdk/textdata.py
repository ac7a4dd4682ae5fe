"""Delimited text (CSV/TSV) to a typed DataFrame: the one reader behind uploads, Enter Data Manually
and Import Data.

Strict where a silent guess would hurt (encoding, ragged rows, a blank or missing header line, blank or
duplicate column names: every error names the line), forgiving where public data is messy (stray
spaces, ``?`` for missing, a UTF-8 BOM, blank lines between rows).
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter

import numpy as np
import pandas as pd

#: Cell values (after stripping, compared case-insensitively) that mean "missing".
MISSING_MARKERS: frozenset[str] = frozenset({"", "?", "na", "n/a", "nan", "null", "none"})

_INT = r"[+-]?\d+"
_FLOAT = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


class TextDataError(ValueError):
    """The text cannot be read as a table; ``line`` (1-based, header included) and ``column`` say where."""

    def __init__(self, message: str, line: int | None = None, column: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


def read_delimited(
    data: bytes | str,
    *,
    delimiter: str = ",",
    has_header: bool = True,
    max_rows: int | None = None,
    refuse_data_as_header: bool = True,
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
    """
    text = _decode(data)
    if not text.strip():
        raise TextDataError("the file is empty")
    if max_rows is not None and max_rows < 1:
        raise ValueError("max_rows must be at least 1")
    header, rows = _split_records(text, delimiter, has_header, max_rows)
    frame = {name: _typed_column([row[i] for row in rows]) for i, name in enumerate(header)}
    df = pd.DataFrame(frame, index=pd.RangeIndex(len(rows)))
    if has_header and refuse_data_as_header:
        _refuse_data_as_header(header, df)
    return df


def _decode(data: bytes | str) -> str:
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    raw = bytes(data)
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise TextDataError(
            f"the file is not UTF-8 text: byte 0x{raw[exc.start]:02x} at line {line} (offset {exc.start}); "
            "save it as UTF-8 and upload it again",
            line=line,
        ) from None


def _split_records(
    text: str, delimiter: str, has_header: bool, max_rows: int | None
) -> tuple[list[str], list[list[str]]]:
    """Header names and data rows (cells stripped), checking field counts line by line."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, skipinitialspace=True, strict=True)
    header: list[str] | None = None
    header_line = 1
    rows: list[list[str]] = []
    line = 1
    while max_rows is None or len(rows) < max_rows:
        line = reader.line_num + 1  # the record about to be read starts on this physical line
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise TextDataError(f"line {line}: {exc}", line=line) from None
        cells = [c.strip() for c in record]
        blank = len(cells) <= 1 and not any(cells)
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
    if header is None:
        raise TextDataError("the file is empty")
    if not rows:
        raise TextDataError("the file has a header but no rows", line=header_line)
    return header, rows


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


def _typed_column(cells: list[str]) -> pd.Series:
    raw = pd.Series(cells, dtype=object)
    missing = raw.str.lower().isin(MISSING_MARKERS).to_numpy()
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
    if values.str.fullmatch(_FLOAT).all():
        floats = np.full(len(cells), np.nan)
        floats[~missing] = values.astype("float64").to_numpy()
        return pd.Series(floats, dtype="float64")
    lowered = values.str.lower()
    if lowered.isin(("true", "false")).all():
        flags = pd.array([pd.NA] * len(cells), dtype="boolean")
        flags[~missing] = (lowered == "true").to_numpy()
        return pd.Series(flags)
    return _strings(raw, missing)


def _strings(raw: pd.Series, missing: np.ndarray) -> pd.Series:
    return pd.Series(raw.where(~missing, np.nan), dtype="str")


__all__ = ["MISSING_MARKERS", "TextDataError", "read_delimited"]
