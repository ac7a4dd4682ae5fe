"""Which request rows each table of a scoring run holds, and which rows a node removed and why. Pure: no Django.

A scoring run starts with one table (or image set) per Web Service Input whose rows are the request's
rows 0..n-1. After each node, each table output is traced back to the node's first input that came
from a request:

- the same number of rows: row i is the input's row i (row-wise modules: Select Columns, Normalize
  Data and Apply Transformation, Edit Metadata, Score Model, a script that keeps its rows);
- a module that ``keeps_row_labels`` (Clean Missing Data, Remove Duplicate Rows, Apply Transformation):
  its output's index labels name the input rows it kept, and the rows it left out are reported with the
  reason its ``removed_rows`` gives;
- any other change of row count (a script that drops or adds rows, a join, a SQL query): the mapping is
  unknown; when such an output reaches a Web Service Output the answer says so as a warning naming
  the node, and that output has no row index (an unused output, like a script's empty second one,
  says nothing).

Same count means same order: a module that reorders rows without changing their number (and without
keeping labels) is taken as row-wise. Every table output then gets a fresh 0..n-1 index, which is
what every module sees in a designer run (tables travel as Parquet without their index), so no module
ever sees a gappy index. The common path (nothing removed) costs a length comparison and an index
type check per node.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from modules.sdk import DataTable, Module
from modules.sdk.values import ImageSet

from .problems import node_label

Key = tuple[str, str]  # (node id, port)


@dataclass(frozen=True)
class Dropped:
    """Request rows one node removed, for one reason."""

    input: str
    rows: list[int]
    node: str
    module: str
    message: str
    columns: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"input": self.input, "rows": self.rows, "node": self.node, "module": self.module}
        if self.columns:
            out["columns"] = list(self.columns)
        out["message"] = self.message
        return out


@dataclass(frozen=True)
class Untraceable:
    """A node changed the row count without keeping row labels: its output rows cannot be traced."""

    input: str
    node: str
    module: str
    rows_in: int
    rows_out: int

    @property
    def message(self) -> str:
        return (
            f"{node_label(self.node, self.module)} returned {self.rows_out} rows for its {self.rows_in} input rows "
            "without keeping their row labels, so which request rows its output holds is unknown."
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": "rows_untraceable",
            "input": self.input,
            "node": self.node,
            "module": self.module,
            "rows_in": self.rows_in,
            "rows_out": self.rows_out,
            "message": self.message,
        }


@dataclass(frozen=True)
class Origin:
    """The request rows a value's rows are: ``rows[i]`` is the input row of row i; ``None``: unknown (``lost``
    names the node that lost track)."""

    input: str
    rows: np.ndarray[Any, np.dtype[np.int64]] | None
    lost: Untraceable | None = None


def _length(value: Any) -> int | None:
    if isinstance(value, DataTable):
        return len(value.df)
    if isinstance(value, ImageSet):
        return len(value.images)
    return None


def _plain_index(df: pd.DataFrame) -> bool:
    index = df.index
    return isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1


class RowTrace:
    """The request rows of every value of one scoring run, and what was removed on the way."""

    def __init__(self) -> None:
        self._origins: dict[Key, Origin] = {}
        self.dropped: list[Dropped] = []

    def start(self, key: Key, input_name: str, rows: int) -> None:
        self._origins[key] = Origin(input_name, np.arange(rows, dtype=np.int64))

    def rows(self, key: Key) -> np.ndarray[Any, np.dtype[np.int64]] | None:
        """The request row of each row of the value at ``key``; ``None`` when unknown or not from a request."""
        origin = self._origins.get(key)
        return None if origin is None else origin.rows

    def lost(self, keys: list[Key]) -> list[Untraceable]:
        """The nodes that made the values at ``keys`` untraceable (an unused output losing track says nothing)."""
        found: list[Untraceable] = []
        for key in keys:
            origin = self._origins.get(key)
            if origin is not None and origin.lost is not None and origin.lost not in found:
                found.append(origin.lost)
        return found

    def step(
        self,
        node_id: str,
        klass: type[Module],
        params: Any,
        args: dict[str, Any],
        sources: Mapping[str, Key],
        produced: dict[str, Any],
    ) -> dict[str, Any]:
        """Trace ``produced`` (the node's outputs) back to its inputs; the outputs with plain indexes."""
        source = next(
            (p for p in klass.inputs if p in sources and sources[p] in self._origins and _length(args[p]) is not None),
            None,
        )
        out = dict(produced)
        for port, value in produced.items():
            if isinstance(value, DataTable) and not _plain_index(value.df):
                out[port] = DataTable(value.df.reset_index(drop=True), value.meta)
            if source is None or _length(value) is None:
                continue
            self._origins[(node_id, port)] = self._trace(node_id, klass, params, args, source, sources, value)
        return out

    def _trace(
        self,
        node_id: str,
        klass: type[Module],
        params: Any,
        args: dict[str, Any],
        port: str,
        sources: Mapping[str, Key],
        value: Any,
    ) -> Origin:
        origin = self._origins[sources[port]]
        before = args[port]
        n, m = _length(before), _length(value)
        assert n is not None and m is not None
        if origin.rows is None:
            return origin
        if isinstance(value, DataTable) and isinstance(before, DataTable):
            same = m == n and value.df.index.equals(before.df.index)
            if same:
                return origin
            if klass.keeps_row_labels:
                positions = before.df.index.get_indexer(value.df.index)
                if before.df.index.is_unique and not (positions < 0).any():
                    self._removed(node_id, klass, params, args, before.df.index, origin, positions)
                    return Origin(origin.input, origin.rows[positions])
        if m == n:
            return origin  # a row-wise module that built a new frame: row i is still row i
        return Origin(origin.input, None, Untraceable(origin.input, node_id, klass.name, n, m))

    def _removed(
        self,
        node_id: str,
        klass: type[Module],
        params: Any,
        args: dict[str, Any],
        index: pd.Index,
        origin: Origin,
        kept: np.ndarray[Any, np.dtype[np.intp]],
    ) -> None:
        assert origin.rows is not None
        gone = np.setdiff1d(np.arange(len(index)), kept)
        if gone.size == 0 or any(d.node == node_id for d in self.dropped):
            return  # nothing removed, or already said for another output of the same node
        labels = list(index[gone])
        try:
            reasons = klass().removed_rows(args, params, labels)
        except Exception:  # an explanation must never fail the request; say it without one
            reasons = []
        label = node_label(node_id, klass.name)
        explained: set[int] = set()
        for reason in reasons:
            positions = index.get_indexer(pd.Index(reason.rows))
            positions = positions[positions >= 0]
            explained.update(int(p) for p in positions)
            applying = f", applying {reason.by}," if reason.by else ""
            message = f"{label}{applying} removed rows {reason.reason}."
            self._add(node_id, klass, origin, positions, message, reason.columns)
        rest = np.array([p for p in gone if int(p) not in explained], dtype=np.intp)
        if rest.size:
            self._add(node_id, klass, origin, rest, f"{label} removed {rest.size} of its {len(index)} rows.")

    def _add(
        self,
        node_id: str,
        klass: type[Module],
        origin: Origin,
        positions: np.ndarray[Any, np.dtype[np.intp]],
        message: str,
        columns: tuple[str, ...] = (),
    ) -> None:
        assert origin.rows is not None
        rows = sorted(int(r) for r in origin.rows[positions])
        if rows:
            self.dropped.append(Dropped(origin.input, rows, node_id, klass.name, message, columns))
