"""Every two-class, multiclass and regression learner's default fit through Train Model, timed, on a
30,000-row table whose one-hot encoding gives 100 features (10 numbers, 15 text columns of 6 values).

    .venv/bin/python bench/learner_defaults.py [--threads 2] [--rows 30000] [--only two_class_logistic_regression]

Prints one line per learner: its fit time, how many progress updates Train Model sent during the fit
(its "fitting ..." messages: one per step counted, or one per heartbeat) and the last of them.
tests/modules/test_learner_defaults.py trains on the same table with a bound.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from modules.sdk import DataTable, LocalContext, default_registry  # noqa: E402

ROWS = 30_000
NUMBERS = 10
TEXTS = 15
LEVELS = 6
#: The binary wrapped by One-vs-All and One-vs-One (Azure's tutorials wrap logistic regression too).
WRAPPED = "two_class_logistic_regression"


@dataclass(frozen=True)
class Case:
    learner: str
    task: str  # "binary", "multiclass", "regression" or "counts" (a regression label of counts)
    wraps: str | None = None


CASES = [
    Case("two_class_averaged_perceptron", "binary"),
    Case("two_class_boosted_decision_tree", "binary"),
    Case("two_class_decision_forest", "binary"),
    Case("two_class_logistic_regression", "binary"),
    Case("two_class_neural_network", "binary"),
    Case("two_class_support_vector_machine", "binary"),
    Case("multiclass_boosted_decision_tree", "multiclass"),
    Case("multiclass_decision_forest", "multiclass"),
    Case("multiclass_logistic_regression", "multiclass"),
    Case("multiclass_neural_network", "multiclass"),
    Case("one_vs_all_multiclass", "multiclass", WRAPPED),
    Case("one_vs_one_multiclass", "multiclass", WRAPPED),
    Case("boosted_decision_tree_regression", "regression"),
    Case("decision_forest_regression", "regression"),
    Case("fast_forest_quantile_regression", "regression"),
    Case("linear_regression", "regression"),
    Case("neural_network_regression", "regression"),
    Case("poisson_regression", "counts"),
]


def table(task: str, rows: int = ROWS, seed: int = 0) -> DataTable:
    """10 numeric and 15 six-valued text features (one-hot: 10 + 15 * 6 = 100 columns) and a label with signal.

    The label depends on a few numbers and a few text columns, plus noise, so every learner has
    something to find and none finds it perfectly.
    """
    rng = np.random.default_rng(seed)
    numbers = rng.normal(size=(rows, NUMBERS)) * rng.uniform(0.5, 50.0, NUMBERS) + rng.uniform(-100, 100, NUMBERS)
    codes = rng.integers(0, LEVELS, size=(rows, TEXTS))
    df = pd.DataFrame(numbers, columns=[f"n{i}" for i in range(NUMBERS)])
    for j in range(TEXTS):
        df[f"t{j}"] = pd.Series(np.array([f"v{k}" for k in range(LEVELS)])[codes[:, j]], dtype="str")
    z = (numbers - numbers.mean(axis=0)) / numbers.std(axis=0)
    effects = rng.normal(size=(3, LEVELS))
    signal = z[:, 0] - 0.8 * z[:, 1] + 0.5 * z[:, 2] * z[:, 3] + sum(effects[j][codes[:, j]] for j in range(3))
    noisy = signal + rng.normal(scale=1.0, size=rows)
    if task == "binary":
        df["label"] = pd.Series(np.where(noisy > np.median(noisy), ">50K", "<=50K"), dtype="str")
    elif task == "multiclass":
        cuts = np.quantile(noisy, [0.25, 0.5, 0.75])
        df["label"] = pd.Series(np.array(["a", "b", "c", "d"])[np.searchsorted(cuts, noisy)], dtype="str")
    elif task == "counts":
        df["label"] = rng.poisson(np.exp(0.4 * signal / signal.std())).astype("int64")
    else:
        df["label"] = 3.0 * noisy + 10.0
    return DataTable(df)


def learner_of(case: Case, ctx: Any, **params: Any) -> Any:
    """The untrained model of ``case`` with its default parameters (``params`` overrides some)."""
    registry = default_registry()
    if case.wraps is None:
        module = registry.get(case.learner)
        return module().run({}, module.parse_params(params), ctx)["untrained_model"]
    inner = registry.get(case.wraps)
    binary = inner().run({}, inner.parse_params(params), ctx)["untrained_model"]
    wrapper = registry.get(case.learner)
    port = "untrained_binary_classification_model"
    return wrapper().run({port: binary}, wrapper.parse_params({}), ctx)["untrained_model"]


def train(case: Case, data: DataTable, ctx: LocalContext, **params: Any) -> tuple[Any, float]:
    """Train Model on ``data`` with ``case``'s default learner: the trained model and the seconds it took."""
    module = default_registry().get("train_model")
    learner = learner_of(case, ctx, **params)
    started = time.perf_counter()
    out = module().run(
        {"untrained_model": learner, "dataset": data}, module.parse_params({"label_column": "label"}), ctx
    )
    return out["trained_model"], time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rows", type=int, default=ROWS)
    parser.add_argument("--only", action="append", default=[], help="learner id (repeatable)")
    args = parser.parse_args()
    tables: dict[str, DataTable] = {}
    print(f"{args.rows:,} rows x 100 one-hot features, Train Model with threads={args.threads}")
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{'learner':<54} {'fit s':>7} {'updates':>8}  last progress message")
    total = 0.0
    for case in CASES:
        if args.only and case.learner not in args.only:
            continue
        data = tables.setdefault(case.task, table(case.task, args.rows))
        ctx = LocalContext(threads=args.threads)
        _, seconds = train(case, data, ctx)
        total += seconds
        during = [m for _, m in ctx.progress_updates if m.startswith("fitting ")]
        name = case.learner + (f" ({case.wraps})" if case.wraps else "")
        last = during[-1].split(": ", 1)[-1] if during else ""
        print(f"{name:<54} {seconds:>7.1f} {len(during):>8}  {last}", flush=True)
    print(f"{'total':<54} {total:>7.1f}")
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
