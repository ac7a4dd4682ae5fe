"""Tune Model Hyperparameters on one and two workers vs. scikit-learn's GridSearchCV on one and two processes.

The same grid (8 LightGBM settings), the same 3 stratified shuffled folds, ranked by AUC, then the best
setting refitted on all rows. Tessera runs Dataset → Two-Class Boosted Decision Tree (Parameter Range)
→ Tune Model Hyperparameters on real Celery workers (Redis broker, PostgreSQL state), first with one
worker, then with two: the trials are parts that every worker takes. GridSearchCV runs in this process
with ``n_jobs=1`` and ``n_jobs=2`` (joblib processes). LightGBM trains on one thread in both, so the
parallelism is across trials only. Prints medians, ratios and the best AUC each found.

Needs PostgreSQL and Redis on 127.0.0.1 (scripts/services starts them). Usage:
    .venv/bin/python bench/tuning_vs_gridsearch.py [--rows 20000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import bench_workspace, run_to_completion  # noqa: E402  (sets the environment first)

GRID = {
    "maximum_number_of_leaves_per_tree": [8, 32],
    "learning_rate": [0.05, 0.2],
    "number_of_trees_constructed": [50, 150],
}
FOLDS = 3
SEED = 0


def make_data(rows: int) -> Any:
    import numpy as np
    import pandas as pd
    from sklearn.datasets import make_classification

    x, y = make_classification(n_samples=rows, n_features=20, n_informative=10, flip_y=0.05, random_state=0)
    df = pd.DataFrame(x, columns=[f"f{i}" for i in range(20)])
    df["label"] = np.where(y == 1, "yes", "no")
    return df


def pipeline_doc(dataset_id: int) -> dict[str, Any]:
    from tests.support.pipelines import document

    learner = {"create_trainer_mode": "Parameter Range", "range_for_minimum_number_of_samples_per_leaf_node": [10]}
    learner |= {f"range_for_{name}": values for name, values in GRID.items()}
    tune = {
        "specify_parameter_sweeping_mode": "Entire grid",
        "label_column": "label",
        "metric_for_measuring_performance_for_classification": "AUC",
        "number_of_cross_validation_folds": FOLDS,
        "random_seed": SEED,
    }
    return document(
        [
            ("data", "dataset", {"dataset": {"dataset_id": dataset_id}}),
            ("learner", "two_class_boosted_decision_tree", learner),
            ("tune", "tune_model_hyperparameters", tune),
        ],
        ["data.dataset -> tune.training_dataset", "learner.untrained_model -> tune.untrained_model"],
    )


def grid_search(df: Any, n_jobs: int) -> float:
    """The same sweep written directly: GridSearchCV over LGBMClassifier, refit on all rows; its best AUC."""
    from lightgbm import LGBMClassifier
    from sklearn.model_selection import GridSearchCV, StratifiedKFold

    features = [f"f{i}" for i in range(20)]
    search = GridSearchCV(
        LGBMClassifier(min_child_samples=10, random_state=0, n_jobs=1, verbose=-1),
        {
            "num_leaves": GRID["maximum_number_of_leaves_per_tree"],
            "learning_rate": GRID["learning_rate"],
            "n_estimators": GRID["number_of_trees_constructed"],
        },
        scoring="roc_auc",
        cv=StratifiedKFold(FOLDS, shuffle=True, random_state=SEED),
        n_jobs=n_jobs,
        refit=True,
    )
    search.fit(df[features], df["label"])
    return float(search.best_score_)


def _spin(_: int) -> int:
    total = 0
    for i in range(20_000_000):
        total += i
    return total


def machine_parallelism() -> float:
    """How much faster two processes finish two pieces of pure CPU work than one process: the most a
    second worker (or ``n_jobs=2``) can give on this machine."""
    import multiprocessing

    start = time.perf_counter()
    _spin(0), _spin(0)
    serial = time.perf_counter() - start
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        pool.map(_spin, [0])  # start-up
        start = time.perf_counter()
        pool.map(_spin, [0, 1])
        parallel = time.perf_counter() - start
    return serial / parallel


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    user, workspace = bench_workspace()
    from designer.datasets.services import create_dataset_from_frame
    from designer.pipelines.services import create_pipeline
    from designer.runs.models import CacheEntry, NodePart, Run
    from tests.support.processes import WorkerPool

    df = make_data(args.rows)
    dataset = create_dataset_from_frame(user, workspace, "synthetic", df)
    pipeline = create_pipeline(user, workspace, "tuning bench", document=pipeline_doc(dataset.pk))

    def tune_once() -> tuple[float, Run]:
        CacheEntry.objects.filter(workspace=workspace, module_id="tune_model_hyperparameters").delete()
        start = time.perf_counter()
        run = run_to_completion(user, pipeline)
        return time.perf_counter() - start, run

    def best_auc(run: Run) -> float:
        from designer.artifacts import artifact_store
        from modules.sdk import Table

        node = run.nodes.get(node_id="tune")
        sweep = Table.deserialize(artifact_store().get(node.outputs["sweep_results"]["digest"])).df
        return float(sweep["AUC"].max())

    tessera: dict[int, list[float]] = {}
    spread: dict[int, int] = {}
    pool = WorkerPool(size=1)
    try:
        for size in (1, 2):
            pool.size = size
            pool.ensure()
            tune_once()  # warm-up: worker imports, dataset and cache of the upstream nodes
            times = []
            for _ in range(args.repeat):
                t, run = tune_once()
                times.append(t)
            tessera[size] = times
            spread[size] = NodePart.objects.filter(node_run__run=run).values("worker").distinct().count()
            auc = best_auc(run)
    finally:
        pool.stop()

    grid: dict[int, list[float]] = {1: [], 2: []}
    for n_jobs in (1, 2):
        grid_search(df, n_jobs)  # warm-up (joblib's pool, imports)
        for _ in range(args.repeat):
            start = time.perf_counter()
            sk_auc = grid_search(df, n_jobs)
            grid[n_jobs].append(time.perf_counter() - start)

    med = statistics.median
    trials = len(GRID["maximum_number_of_leaves_per_tree"]) * len(GRID["learning_rate"]) * 2
    print(f"\nrows: {args.rows:,}   features: 20   trials: {trials} x {FOLDS} folds + refit   repeats: {args.repeat}")
    print(f"{'':36}{'Tessera':>10}{'GridSearchCV':>14}{'ratio':>9}")
    for n in (1, 2):
        label = f"{n} worker{'s' if n > 1 else ''} / n_jobs={n}"
        print(f"{label:36}{med(tessera[n]):>9.2f}s{med(grid[n]):>13.2f}s{med(tessera[n]) / med(grid[n]):>8.2f}x")
    print(
        f"{'speed-up from the second worker':36}{med(tessera[1]) / med(tessera[2]):>9.2f}x"
        f"{med(grid[1]) / med(grid[2]):>13.2f}x"
    )
    print(
        f"{'two processes of pure CPU work':36}{machine_parallelism():>9.2f}x  (the most a second worker can give here)"
    )
    print(f"workers that ran trials: {spread[1]} then {spread[2]}")
    print(f"best AUC: Tessera {auc:.4f}, GridSearchCV {sk_auc:.4f} (same folds, same grid)")


if __name__ == "__main__":
    main()
