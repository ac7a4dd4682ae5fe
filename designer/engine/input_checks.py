"""Request values a model never saw in training: unseen categories and numbers outside the training range.

Pure: no Django. ``training_profile`` summarises the *full* training table once, when an inference
pipeline is derived: per number column its minimum and maximum, per text column that looks
categorical (at most ``MAX_CATEGORIES`` distinct values, each seen twice on average) the set of its
values. The profile travels in the meta of the Web Service Input's drift baseline table
(``PROFILE_KEY``), so a category seen in training but absent from the baseline's sample never warns.

``InputChecks`` compiles the profile once when an endpoint loads; ``check`` flags a request's values
column by column with numpy and pandas (all number columns in one comparison, one hash lookup per text
column), and builds Python objects only for the values it flags. Missing values are never flagged:
what the pipeline does with them is the pipeline's business (Clean Missing Data).
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

#: Key of the profile in the meta of the baseline table.
PROFILE_KEY = "training_profile"
#: A text column with more distinct training values is free text (names, ids): no unseen-category check.
MAX_CATEGORIES = 1000
#: Categories an "unseen category" warning lists as what was expected.
SHOWN_CATEGORIES = 20
NUMERIC = ("integer", "number")
TEXT = ("string", "category")


def training_profile(df: pd.DataFrame, columns: list[dict[str, str]]) -> dict[str, Any]:
    """JSON: per Web Service Input column, the training range (numbers) or categories (categorical text)."""
    import pandas as pd

    profile: dict[str, dict[str, Any]] = {}
    for column in columns:
        name, kind = column["name"], column["type"]
        if name not in df.columns:
            continue
        series = df[name]
        if kind in NUMERIC:
            values = pd.to_numeric(series, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
            finite = values[np.isfinite(values)]
            if finite.size:
                profile[name] = {"type": kind, "min": float(finite.min()), "max": float(finite.max())}
        elif kind in TEXT:
            present = series.dropna()
            distinct = pd.unique(present.astype(str).to_numpy())
            if 0 < len(distinct) <= MAX_CATEGORIES and 2 * len(distinct) <= len(present):
                profile[name] = {"type": kind, "categories": sorted(str(v) for v in distinct)}
    return {"rows": len(df), "columns": profile}


def profile_of_baseline(data: bytes) -> dict[str, Any] | None:
    """The training profile in a baseline table's Parquet metadata, without reading its rows."""
    import pyarrow.parquet as pq

    metadata = pq.read_schema(io.BytesIO(data)).metadata or {}
    meta = json.loads(metadata.get(b"tessera", b"{}"))
    found = meta.get(PROFILE_KEY) if isinstance(meta, dict) else None
    return found if isinstance(found, dict) else None


@dataclass(frozen=True)
class ValueWarning:
    kind: str  # "out_of_range" | "unseen_category"
    input: str
    row: int
    column: str
    value: Any
    expected: dict[str, Any]

    @property
    def message(self) -> str:
        where = f"Input '{self.input}', row {self.row}, column '{self.column}'"
        if self.kind == "out_of_range":
            low, high = self.expected["min"], self.expected["max"]
            return (
                f"{where}: {self.value:g} is outside the training range [{low:g}, {high:g}]; "
                "the model extrapolates there."
            )
        shown = ", ".join(repr(c) for c in self.expected["categories"])
        more = self.expected["count"] - len(self.expected["categories"])
        shown += f" and {more} more" if more > 0 else ""
        return f"{where}: {self.value!r} never occurs in the training data (which has {shown})."

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "input": self.input,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "expected": self.expected,
            "message": self.message,
        }


class InputChecks:
    """One Web Service Input's training profile, compiled for fast checks of request tables."""

    def __init__(self, input_name: str, profile: dict[str, Any], column_types: dict[str, str]) -> None:
        import pandas as pd

        self.input = input_name
        profiled = profile.get("columns") or {}
        columns = {n: profiled[n] for n in column_types if n in profiled}  # the request's column order
        numeric = [(n, p) for n, p in columns.items() if column_types[n] in NUMERIC and p.get("type") in NUMERIC]
        self._numbers = [n for n, _ in numeric]
        self._integer = [column_types[n] == "integer" for n in self._numbers]
        self._low = np.array([float(p["min"]) for _, p in numeric], dtype="float64")
        self._high = np.array([float(p["max"]) for _, p in numeric], dtype="float64")
        # Request text columns are pandas "str" arrays: a "str" index looks them up without converting them.
        self._texts = [
            (n, pd.Index(p["categories"], dtype="str"), p["categories"])
            for n, p in columns.items()
            if column_types[n] in TEXT and p.get("type") in TEXT and p.get("categories")
        ]

    @property
    def empty(self) -> bool:
        return not self._numbers and not self._texts

    def check(self, df: pd.DataFrame, limit: int) -> tuple[list[ValueWarning], int]:
        """Up to ``limit`` warnings (in row order) and how many values were flagged in all."""
        found: list[tuple[int, int, ValueWarning]] = []  # (row, column order, warning)
        total = 0
        for c, values, bad in self._out_of_range(df):
            rows = np.flatnonzero(bad)
            total += len(rows)
            expected = {"min": float(self._low[c]), "max": float(self._high[c])}
            for r in rows[:limit].tolist():
                shown = int(values[r]) if self._integer[c] else float(values[r])
                found.append((r, c, ValueWarning("out_of_range", self.input, r, self._numbers[c], shown, expected)))
        for i, (name, index, categories) in enumerate(self._texts, start=len(self._numbers)):
            series = df[name]
            unseen = index.get_indexer(series) < 0
            if not unseen.any():
                continue
            unseen &= series.notna().to_numpy()
            rows = np.flatnonzero(unseen)
            total += len(rows)
            expected = {"categories": categories[:SHOWN_CATEGORIES], "count": len(categories)}
            for r in rows[:limit].tolist():
                value = str(series.iat[r])
                found.append((r, i, ValueWarning("unseen_category", self.input, r, name, value, expected)))
        found.sort(key=lambda t: (t[0], t[1]))
        return [w for _, _, w in found[:limit]], total

    def _out_of_range(self, df: pd.DataFrame) -> list[tuple[int, np.ndarray[Any, Any], np.ndarray[Any, Any]]]:
        """(column position, values, out-of-range mask) of each number column with a value out of range."""
        if not self._numbers:
            return []
        if len(df.columns) == len(self._numbers) and list(df.columns) == self._numbers:
            # Every column is a checked number (a common model input): one comparison over the frame's block.
            block = df.to_numpy(dtype="float64", na_value=np.nan)
            with np.errstate(invalid="ignore"):
                bad = (block < self._low) | (block > self._high)
            return [(int(c), block[:, c], bad[:, c]) for c in np.flatnonzero(bad.any(axis=0))]
        found = []
        for c, name in enumerate(self._numbers):  # one column at a time: cheaper than selecting a sub-frame
            values = df[name].to_numpy(dtype="float64", na_value=np.nan)
            with np.errstate(invalid="ignore"):
                bad = (values < self._low[c]) | (values > self._high[c])
            if bad.any():
                found.append((c, values, bad))
        return found
