"""A query's rows larger than a partition, in pieces, typed as the whole result would be.

Import Data builds a query's frame as ``pandas.read_sql`` would (``_sql.frame``: ``from_records`` infers each
column's type from every value in it). A result larger than a partition is read in pieces instead, and a
column's type still depends on every value, so the pieces are typed in two passes:

1. each piece of rows is turned into a frame on its own, noting each column's type there (or that it held
   nothing but NULLs), and its rows are spooled to a temporary file as they came from the driver;
2. each column's type for the whole result follows from those notes by ``from_records``' own rules (integers
   with a NULL anywhere become numbers, flags with a NULL or mixed with anything else stay Python objects,
   mixed kinds stay objects, ...; ``unified``), and each spooled piece is turned into a frame again and
   brought to it: widened, or, where the whole result's column is objects, the values as the driver gave them.

So the pieces, one after the other, are the frame the whole result gives (tests compare them on random mixes
of integers, numbers, decimals, flags, text, dates, times with zones and NULLs cut into random pieces), and
memory holds one piece at a time; the spool takes about the rows' pickled size on disk.
"""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from modules.sdk.scratch import scratch_dir

Rows = list[tuple[Any, ...]]
Frame = Callable[[Rows, list[str]], pd.DataFrame]

#: What ``unified`` answers where the whole result's column is Python objects.
OBJECTS = np.dtype(object)


#: What ``unified`` answers where the pieces' types cannot say: an integer past 2**63 and a value below zero
#: came in (``from_records`` keeps such a column as objects only if that value is an integer, not a float).
SCAN = "scan"
BIG = 2**63


@dataclass(frozen=True)
class Note:
    """A column's type in one piece; ``empty``: every value was NULL (``from_records`` gives objects then);
    ``negative``: a value below zero (an integer's, where the piece's type is integers; perhaps a float's where it
    is numbers); ``big``: a value from 2**63 on (an unsigned integer, or perhaps one made a number by a NULL)."""

    dtype: Any
    empty: bool
    negative: bool = False
    big: bool = False


def note(series: pd.Series) -> Note:
    empty = series.dtype == OBJECTS and bool(series.isna().all())
    kind = series.dtype.kind if isinstance(series.dtype, np.dtype) else "O"
    negative = kind in "if" and len(series) > 0 and bool((series < 0).any())
    big = kind == "u" or (kind == "f" and bool((series.abs() >= BIG).any()))
    return Note(series.dtype, empty, negative, big)


def unified(notes: list[Note]) -> Any:
    """The type ``from_records`` gives a column over every piece's values, from each piece's type; ``SCAN`` where
    that takes the values themselves (``exact``)."""
    kinds = [n.dtype for n in notes if not n.empty]
    nulls = len(kinds) < len(notes)  # a piece of NULLs only: its values join the others as missing
    if not kinds:
        return OBJECTS
    numbers = all(isinstance(k, np.dtype) and k.kind in "iuf" for k in kinds)
    if numbers and any(n.big for n in notes) and any(n.negative for n in notes):
        return SCAN  # an integer past 2**63 and one below zero make objects; a float below zero does not
    first = kinds[0]
    if all(k == first for k in kinds):
        if first.kind in "iu":
            return np.dtype("float64") if nulls else first
        if first.kind == "b":
            return OBJECTS if nulls else first
        return first  # numbers, text, times (a NULL is their missing value), or objects
    if numbers:
        if all(k.kind in "iu" for k in kinds) and not nulls:  # signed and unsigned: unsigned if none is negative
            return OBJECTS if any(n.negative for n in notes) else np.dtype("uint64")
        return np.dtype("float64")
    return OBJECTS


def exact(notes: list[Note], values: Iterable[Any]) -> Any:
    """``unified`` for a ``SCAN`` column, from every value in it: objects where an integer past 2**63 and a
    negative integer both came in, else the types' rule with neither in doubt."""
    big = negative = False
    for v in values:
        if type(v) is int:
            big, negative = big or v >= BIG, negative or v < 0
            if big and negative:
                return OBJECTS
    return unified([Note(n.dtype, n.empty, n.negative and negative, n.big and big) for n in notes])


def typed_record_pieces(
    columns: list[str], batches: Iterable[Rows], rows_per_piece: int, frame: Frame
) -> Iterator[pd.DataFrame]:
    """The rows of ``batches`` as frames of ``rows_per_piece`` rows (the last one shorter), typed as
    ``frame(all rows, columns)`` would type them; ``frame`` turns rows into a frame as the whole read does."""
    with tempfile.TemporaryFile(prefix="tessera-query-", dir=scratch_dir()) as spool:
        sizes: list[int] = []
        notes: list[list[Note]] = [[] for _ in columns]
        for rows in _pieces(batches, rows_per_piece):
            df = frame(rows, columns)
            for i in range(len(columns)):
                notes[i].append(note(df.iloc[:, i]))
            pickle.dump(rows, spool, protocol=pickle.HIGHEST_PROTOCOL)
            sizes.append(len(rows))
        targets = [unified(n) for n in notes]
        for i in [i for i, target in enumerate(targets) if target is SCAN]:  # rare: read the spool once more
            targets[i] = exact(notes[i], (row[i] for rows in _spooled(spool, sizes) for row in rows))
        for rows in _spooled(spool, sizes):
            yield _typed(frame(rows, columns), rows, targets)


def _spooled(spool: Any, sizes: list[int]) -> Iterator[Rows]:
    spool.seek(0)
    for _ in sizes:
        yield pickle.load(spool)  # noqa: S301 - this process wrote it a moment ago, to its own temporary file


def _pieces(batches: Iterable[Rows], size: int) -> Iterator[Rows]:
    held: Rows = []
    for batch in batches:
        held.extend(batch)
        while len(held) >= size:
            yield held[:size]
            held = held[size:]
    if held:
        yield held


def _typed(df: pd.DataFrame, rows: Rows, targets: list[Any]) -> pd.DataFrame:
    for i, target in enumerate(targets):
        series = df.iloc[:, i]
        if series.dtype == target:
            continue
        if target == OBJECTS:  # the values as the driver gave them, as from_records keeps a mixed column's
            values = np.empty(len(rows), dtype=object)
            values[:] = [row[i] for row in rows]
            df.isetitem(i, pd.Series(values, index=df.index, dtype=object))
        else:  # widened (integers to numbers), or NULLs only given the column's type
            df.isetitem(i, series.astype(target))
    return df
