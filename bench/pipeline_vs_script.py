"""Executor vs. plain script, side by side, on the same data.

Runs one pipeline (Dataset → Clean Missing Data → Normalize Data → Split Data → Two-Class Boosted
Decision Tree + Train Model → Score Model → Evaluate Model) through Tessera's executor on real
Celery workers (Redis broker, PostgreSQL state), and the same computation as a plain
pandas/scikit-learn/LightGBM script in this process, interleaved (Tessera, script, Tessera, script ...).
Prints medians, their ratios and the load average:

- cold: every node computed (cache emptied first) vs. the script;
- re-run after changing the last node's parameter: only that node and its descendants re-run,
  vs. the script, which has no cache and recomputes everything;
- the node hand-off (a parent's finish to its child's start, from the NodeRun timestamps) and the time
  from submitting to the first node's start.

Needs PostgreSQL and Redis on 127.0.0.1 (scripts/services starts them). Usage:
    .venv/bin/python bench/pipeline_vs_script.py [--rows 200000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import bench_workspace, run_to_completion  # noqa: E402  (sets the environment first)


def make_data(rows: int):  # type: ignore[no-untyped-def]
    import numpy as np
    import pandas as pd
    from sklearn.datasets import make_classification

    x, y = make_classification(n_samples=rows, n_features=20, n_informative=10, random_state=0)
    df = pd.DataFrame(x, columns=[f"f{i}" for i in range(20)])
    rng = np.random.default_rng(0)
    for col in df.columns[:5]:
        df.loc[rng.random(rows) < 0.02, col] = np.nan
    df["label"] = np.where(y == 1, "yes", "no")
    return df


def pipeline_doc(dataset_id: int, append: bool = True) -> dict:  # type: ignore[type-arg]
    from tests.support.pipelines import document

    features = [f"f{i}" for i in range(20)]
    return document(
        [
            ("data", "dataset", {"dataset": {"dataset_id": dataset_id}}),
            ("clean", "clean_missing_data", {"columns": features, "cleaning_mode": "Replace with mean"}),
            ("norm", "normalize_data", {"columns": features, "transformation_method": "ZScore"}),
            ("split", "split_data", {"fraction_of_rows_in_first_output_dataset": 0.7, "random_seed": 0}),
            ("learner", "two_class_boosted_decision_tree", {"number_of_trees_constructed": 100}),
            ("train", "train_model", {"label_column": "label"}),
            ("score", "score_model", {"append_score_columns_to_output": append}),
            ("evaluate", "evaluate_model", {}),
        ],
        [
            "data.dataset -> clean.dataset",
            "clean.cleaned_dataset -> norm.dataset",
            "norm.transformed_dataset -> split.dataset",
            "learner.untrained_model -> train.untrained_model",
            "split.results_dataset1 -> train.dataset",
            "train.trained_model -> score.trained_model",
            "split.results_dataset2 -> score.dataset",
            "score.scored_dataset -> evaluate.scored_dataset",
        ],
    )


def plain_script(df) -> float:  # type: ignore[no-untyped-def]
    """The same computation, written directly; LightGBM on as many threads as a worker gives a node running
    alone (``ctx.threads``: this machine's usable cores), so both sides train alike."""
    import lightgbm as lgb
    from sklearn import metrics
    from sklearn.model_selection import train_test_split

    from designer.runs.context import usable_cores

    features = [f"f{i}" for i in range(20)]
    df = df.copy()
    df[features] = df[features].fillna(df[features].mean())
    df[features] = (df[features] - df[features].mean()) / df[features].std(ddof=0)
    train, test = train_test_split(df, train_size=0.7, random_state=0, shuffle=True)
    model = lgb.LGBMClassifier(
        num_leaves=20,
        min_child_samples=10,
        learning_rate=0.2,
        n_estimators=100,
        random_state=0,
        verbose=-1,
        n_jobs=usable_cores(),
        deterministic=True,
        force_col_wise=True,  # as Train Model builds it
    )
    model.fit(train[features], train["label"])
    proba = model.predict_proba(test[features])[:, 1]
    return float(metrics.roc_auc_score(test["label"] == "yes", proba))


def timed(fn, *args):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - start, result


def handoffs(run, submitted) -> tuple[list[float], float]:  # type: ignore[no-untyped-def]
    """Seconds from the last parent's finish to each computed node's start (NodeRun timestamps), and from
    ``submitted`` (wall clock, before ``submit_run``) to the first node's start."""
    from designer.runs.inputs import run_graph

    graph = run_graph(run)
    nodes = {n.node_id: n for n in run.nodes.all()}
    gaps = []
    for nid, n in nodes.items():
        parents = [nodes[p] for p in graph.parents(nid)]
        if n.started_at and parents and all(p.finished_at for p in parents):
            gaps.append((n.started_at - max(p.finished_at for p in parents)).total_seconds())
    first = min(n.started_at for n in nodes.values() if n.started_at)
    return gaps, (first - submitted).total_seconds()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3, help="rounds, each Tessera then the script (at least 3)")
    args = parser.parse_args()
    args.repeat = max(3, args.repeat)

    user, workspace = bench_workspace()
    from django.utils import timezone

    from designer.datasets.services import create_dataset_from_frame
    from designer.pipelines.services import create_pipeline, save_version
    from designer.runs.models import CacheEntry, Run
    from tests.support.processes import WorkerPool

    df = make_data(args.rows)
    dataset = create_dataset_from_frame(user, workspace, "synthetic", df)
    pipeline = create_pipeline(user, workspace, "bench", document=pipeline_doc(dataset.pk))

    pool = WorkerPool(size=2)
    pool.ensure()

    def run_pipeline() -> Run:
        return run_to_completion(user, pipeline)

    try:
        # Warm-up: worker imports and first-touch caches, on both workers. A worker's first Train Model pays
        # ~2 s of imports (LightGBM, skops); whichever worker finishes a node runs the next one itself, so
        # one warm-up run can leave the other worker cold. Until both have trained (at most 4 runs):
        trained_on: set[str] = set()
        for _ in range(4):
            CacheEntry.objects.filter(workspace=workspace).delete()
            trained_on |= {n.worker for n in run_pipeline().nodes.filter(node_id="train")}
            if len(trained_on) >= len(pool.workers):
                break
        plain_script(df)
        cold, script, gaps, first, rounds_nodes = [], [], [], [], []
        for _ in range(args.repeat):  # interleaved: Tessera, script, Tessera, script ...
            CacheEntry.objects.filter(workspace=workspace).delete()
            submitted = timezone.now()
            t, cold_run = timed(run_pipeline)
            cold.append(t)
            rounds_nodes.append(
                {
                    n.node_id: (n.finished_at - n.started_at).total_seconds()
                    for n in cold_run.nodes.all()
                    if n.started_at
                }
            )
            node_gaps, to_first = handoffs(cold_run, submitted)
            gaps += node_gaps
            first.append(to_first)
            script.append(timed(plain_script, df)[0])
        rerun, rerun_script = [], []
        for i in range(args.repeat):
            # A new value each time: forget what the last two nodes computed, then flip Score Model's parameter.
            CacheEntry.objects.filter(workspace=workspace, module_id__in=["score_model", "evaluate_model"]).delete()
            save_version(user, pipeline, pipeline_doc(dataset.pk, append=i % 2 == 1), message="toggle append")
            t, run = timed(run_pipeline)
            rerun.append(t)
            rerun_script.append(timed(plain_script, df)[0])
        statuses = sorted({(n.node_id, n.status) for n in run.nodes.all()})
    finally:
        pool.stop()

    med = statistics.median
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"\nrows: {args.rows:,}   features: 20   rounds: {args.repeat} (medians, interleaved)   workers: 2 x solo")
    print(f"load average (1, 5, 15 min): {load}")
    print(f"{'':44}{'Tessera':>10}{'script':>10}{'ratio':>9}")
    print(
        f"{'cold run (every node computed)':44}{med(cold):>9.2f}s{med(script):>9.2f}s{med(cold) / med(script):>8.2f}x"
    )
    print(
        f"{'re-run after changing the last node':44}{med(rerun):>9.2f}s{med(rerun_script):>9.2f}s"
        f"{med(rerun) / med(rerun_script):>8.2f}x"
    )
    print(
        f"node hand-off (parent finished -> child started): median {1000 * med(gaps):.1f} ms, "
        f"max {1000 * max(gaps):.1f} ms over {len(gaps)}"
    )
    print(f"submit -> first node started: median {1000 * med(first):.1f} ms, max {1000 * max(first):.1f} ms")
    print(
        "cold runs, seconds per round:",
        " ".join(f"{t:.2f}" for t in cold),
        "  script:",
        " ".join(f"{t:.2f}" for t in script),
    )
    print("cold runs, seconds per node (inside the worker), one line per round:")
    for per_node in rounds_nodes:
        print("  " + ", ".join(f"{k}={v:.2f}" for k, v in sorted(per_node.items())))
    print("re-run node statuses:", ", ".join(f"{n}={s}" for n, s in statuses))


if __name__ == "__main__":
    main()
