"""Fixtures for the module library tests: small deterministic tables and a one-call module runner.

These tests run without Django (``pytest -p no:django tests/modules``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest

from modules.sdk import DataTable, LocalContext, default_registry

Runner = Callable[..., dict[str, Any]]


def adult_like(n: int = 60, seed: int = 0) -> pd.DataFrame:
    """A small census-like table: every column type the library handles, missing text values, no missing numbers."""
    rng = np.random.default_rng(seed)
    age = rng.integers(18, 70, n)
    hours = rng.normal(40, 8, n).round(1)
    income = np.where(age + hours / 2 + rng.normal(0, 8, n) > 62, ">50K", "<=50K")
    return pd.DataFrame(
        {
            "age": pd.array(age, dtype="Int64"),
            "hours": hours,
            "workclass": pd.Series(
                rng.choice(np.array(["Private", "Self-emp", "Gov", None], dtype=object), n), dtype="str"
            ),
            "married": pd.array(rng.random(n) > 0.5, dtype="boolean"),
            "income": pd.Series(income, dtype="str"),
        }
    )


def with_missing_numbers(df: pd.DataFrame, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    out = df.copy()
    for name in ("age", "hours"):
        out.loc[rng.random(len(out)) < 0.15, name] = pd.NA if name == "age" else np.nan
    return out


@pytest.fixture
def table() -> DataTable:
    return DataTable(adult_like())


@pytest.fixture
def ctx() -> LocalContext:
    return LocalContext(datasets={1: DataTable(adult_like())})


@pytest.fixture
def run(ctx: LocalContext) -> Runner:
    """``run("split_data", {"dataset": t}, fraction_of_rows_in_first_output_dataset=0.7)`` -> outputs."""

    def runner(module_id: str, inputs: dict[str, Any] | None = None, **params: Any) -> dict[str, Any]:
        cls = default_registry().get(module_id)
        return cls().run(dict(inputs or {}), cls.parse_params(params), ctx)

    runner.ctx = ctx  # type: ignore[attr-defined]  # cases that need stored artifacts put them here
    return runner
