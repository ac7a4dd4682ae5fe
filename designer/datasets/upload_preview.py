"""What an upload would become, before it is saved: its first rows typed, the options the reading used, and
hints where the reading looks wrong (numbers left as text, one column only). Stores nothing."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pandas as pd
from rest_framework.exceptions import ValidationError

from designer.engine.profile import page_table
from modules.sdk.stream_csv import Retyped
from modules.sdk.textdata import float_pattern

from .options import ReadOptions
from .services import FileUpload, LargeParquet, LargeText, read_upload


def preview_upload(file: Any, options: ReadOptions, *, limit: int) -> dict[str, Any]:
    """The page ``limit`` rows long that the saved table would start with, typed exactly as saving would type
    it (the whole file is read: a column's type depends on every value); a 400 as the upload itself gives."""
    parsed = read_upload(file, options)
    if isinstance(parsed, FileUpload):
        message = f"'{parsed.source_name}' is a zip: it is stored as it is (a file dataset), with no rows to preview"
        raise ValidationError({"detail": message, "fields": {"file": [message]}})
    if isinstance(parsed, LargeParquet):  # the page from the first piece, the row count from the footer
        df = next(parsed.pieces())
        page = page_table(df, 0, limit)
        page["total"] = parsed.num_rows()
        problems = []
    elif isinstance(parsed, LargeText):  # read piece by piece: the page from the first, every row counted
        try:  # in one pass, as it is saved; again in two when a later piece changes a column's type
            df, total, valued = _count_pieces(parsed.pieces(once=True))
        except Retyped:
            df, total, valued = _count_pieces(parsed.pieces())
        page = page_table(df, 0, limit)
        page["total"] = total
        problems = _problems(df, parsed.options, valued)
    else:
        df = parsed.df
        page = page_table(df, 0, limit)
        problems = _problems(df, parsed.options) if parsed.options is not None else []
    used = parsed.options.used() if parsed.options is not None else None
    return {
        "source_name": parsed.source_name,
        "format": "parquet" if parsed.options is None else "text",
        "total": page["total"],
        "columns": page["columns"],
        "rows": page["rows"],
        "options": used,
        "problems": problems,
    }


def _count_pieces(pieces: Iterator[pd.DataFrame]) -> tuple[pd.DataFrame, int, set[str]]:
    """The first piece, the rows of all of them, and the columns with a value in any."""
    df = next(pieces)
    total, valued = len(df), {name for name in df.columns if df[name].notna().any()}
    for piece in pieces:
        total += len(piece)
        valued |= {name for name in piece.columns if name not in valued and piece[name].notna().any()}
    return df, total, valued


def _problems(df: pd.DataFrame, options: ReadOptions, valued: set[str] | None = None) -> list[dict[str, str]]:
    """Hints, not errors: the table can be saved as it is. ``valued``: columns with a value somewhere in the file,
    when ``df`` is only its first piece."""
    problems = []
    if df.shape[1] == 1 and options.delimiter is not None:
        problems.append(
            {
                "field": "delimiter",
                "message": f"every line is one column when split at {_named(options.delimiter)}; "
                "if the file has several columns, choose its delimiter",
            }
        )
    other = "," if options.decimal == "." else "."
    pattern = re.compile(float_pattern(other))
    for name in df.columns:
        series = df[name]
        present = series.dropna()
        if present.empty and (valued is None or name not in valued):
            problems.append({"field": "column_types", "column": name, "message": f"column {name!r} has no values"})
            continue
        if options.column_types.get(name) == "text" or not pd.api.types.is_string_dtype(series.dtype):
            continue
        if other in "".join(present.head(1000).astype(str)) and all(
            pattern.fullmatch(str(v)) for v in present.head(1000)
        ):
            problems.append(
                {
                    "field": "decimal",
                    "column": name,
                    "message": f"column {name!r} holds numbers written with {other!r} as the decimal separator "
                    f"(e.g. {str(present.iloc[0])!r}); set the decimal separator to {other!r} to read them as numbers",
                }
            )
    return problems


def _named(delimiter: str) -> str:
    return {",": "commas", "\t": "tabs", ";": "semicolons", "|": "pipes", " ": "spaces"}.get(delimiter, repr(delimiter))
