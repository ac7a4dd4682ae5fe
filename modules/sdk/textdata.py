"""Delimited text (CSV/TSV) to a typed DataFrame: the one reader behind uploads and Enter Data Manually.

Strict where a silent guess would hurt (encoding, ragged rows, duplicate headers: every error names
the line), forgiving where public data is messy (stray spaces, ``?`` for missing, a UTF-8 BOM).
"""

from __future__ import annotations

import csv
import io
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
) -> pd.DataFrame:
    """Parse delimited text into a DataFrame with inferred column types.

    Column types: every non-missing value an integer -> ``Int64``; a number -> ``float64``;
    ``true``/``false`` (any case) -> ``boolean``; anything else -> ``str``. A column with no
    values at all is a string column. Without a header the columns are named ``Col1``, ``Col2``...
    ``max_rows`` stops after that many data rows (for previews).
    """
    text = _decode(data)
    if not text.strip():
        raise TextDataError("the file is empty")
    if max_rows is not None and max_rows < 1:
        raise ValueError("max_rows must be at least 1")
    header, rows = _split_records(text, delimiter, has_header, max_rows)
    frame = {name: _typed_column([row[i] for row in rows]) for i, name in enumerate(header)}
    return pd.DataFrame(frame, index=pd.RangeIndex(len(rows)))


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
        if not record or (len(record) == 1 and not record[0].strip()):
            continue  # blank line
        cells = [c.strip() for c in record]
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
        raise TextDataError(f"the header (line {line}) has no name for column {', '.join(map(str, empty))}", line=line)
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
