"""Profiling a million rows: ``profile_table`` (the dataset page's profile) vs. the same figures from plain pandas.

The table has a float column, an integer column with 1,000 distinct values and a text column with 50
categories. The pandas side computes what the profile shows, directly: missing counts, distinct counts,
min/max/mean/std and a 20-bin numpy histogram for the numbers, value counts for the text. Rounds
alternate the two (A/B/A/B) after a warm-up of each, so drifting load on a shared machine hits both
alike; medians, the spread (min-max) and the load average are printed. Pure engine code: no Django,
no services. Usage:
    .venv/bin/python bench/profile_1m.py [--rows 1000000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from designer.engine.profile import profile_table  # noqa: E402


def make_table(rows: int) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    return pd.DataFrame(
        {
            "x": rng.normal(size=rows),
            "k": rng.integers(0, 1000, rows),
            "s": pd.Series(rng.integers(0, 50, rows)).map(lambda i: f"cat{i}"),
        }
    )


def with_pandas(df: pd.DataFrame) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in ("x", "k"):
        series = df[name]
        values = series.to_numpy(dtype="float64")
        out[name] = {
            "missing": int(series.isna().sum()),
            "distinct": int(series.nunique()),
            "stats": (series.min(), series.max(), series.mean(), series.std()),
            "histogram": np.histogram(values[np.isfinite(values)], bins=20),
        }
    counts = df["s"].value_counts()
    out["s"] = {"missing": int(df["s"].isna().sum()), "distinct": len(counts), "top": counts.head(10)}
    return out


def timed(fn: Callable[[], Any]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def spread(values: list[float]) -> str:
    return f"median {statistics.median(values):6.3f} s  (min {min(values):.3f}, max {max(values):.3f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    df = make_table(args.rows)
    profile = profile_table(df)  # warm-up, and the answers checked against pandas
    direct = with_pandas(df)
    assert profile["rows"] == args.rows
    assert [c["distinct"] for c in profile["columns"]] == [direct[n]["distinct"] for n in ("x", "k", "s")]

    tessera: list[float] = []
    plain: list[float] = []
    for _ in range(args.rounds):
        tessera.append(timed(lambda: profile_table(df)))
        plain.append(timed(lambda: with_pandas(df)))

    print(f"profile of {args.rows:,} rows x 3 columns, {args.rounds} rounds after a warm-up")
    print(f"  profile_table      {spread(tessera)}")
    print(f"  pandas directly    {spread(plain)}")
    print(f"  ratio of medians   {statistics.median(tessera) / statistics.median(plain):.2f}")
    print("  load average       " + " ".join(f"{v:.2f}" for v in os.getloadavg()) + f"  ({os.cpu_count()} CPUs)")


if __name__ == "__main__":
    main()
