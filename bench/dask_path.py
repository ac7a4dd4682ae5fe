"""The Dask path against the pandas path on one pipeline, in one process, on a 2-worker local Dask cluster.

Clean Missing Data -> Normalize Data -> Split Data -> Two-Class Boosted Decision Tree + Train Model -> Score
Model -> Evaluate Model, each node through ``execute_node`` (artifacts in a temporary store), once with
pandas and once with every node on the Dask path, interleaved over rounds (the order turned each round).
Prints each node's median time both ways, the medians' ratio, the rounds' spread, the test AUC both ways and
the machine's load. Usage: ``python bench/dask_path.py [rows] [rounds]`` (default 1,000,000 × 20 float32,
3 rounds).

Not yet the issue's 50,000,000-row variant (``make bench-scale`` on a cluster whose memory the table does
not fit in, against a plain dask.dataframe + lightgbm.dask script).
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from designer.engine.compute import ComputeTarget
from designer.engine.dask_cluster import start_local_cluster
from designer.engine.execute import DaskPath, execute_node, load_output
from designer.engine.graph import Node
from designer.engine.store import LocalArtifactStore
from modules.sdk import DataTable, LocalContext, Table, default_registry

COLUMNS = 20


def table(rows: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, COLUMNS)).astype("float32")
    x[rng.random((rows, COLUMNS)) < 0.01] = np.nan
    logit = 1.2 * np.nan_to_num(x[:, 0]) - np.nan_to_num(x[:, 1]) + 0.7 * np.nan_to_num(x[:, 2] * x[:, 3])
    df = pd.DataFrame(x, columns=[f"f{i}" for i in range(COLUMNS)])
    df["label"] = (logit + rng.normal(0, 1, rows) > 0).astype("int64")
    return df


def run(store: LocalArtifactStore, data: str, dask: DaskPath | None) -> tuple[dict[str, float], float]:
    registry = default_registry()
    times: dict[str, float] = {}

    def node(name: str, module: str, params: dict, inputs: dict[str, str]) -> dict:
        cls = registry.get(module)
        started = time.perf_counter()
        records = execute_node(
            Node(name, module, cls.version, params), registry, inputs, store, LocalContext(), dask=dask
        )
        times[name] = time.perf_counter() - started
        return records

    clean = node("clean", "clean_missing_data", {"cleaning_mode": "Replace with mean"}, {"dataset": data})
    features = {
        "start": "none",
        "rules": [{"op": "include", "types": ["numeric"]}, {"op": "exclude", "names": ["label"]}],
    }
    norm = node("normalize", "normalize_data", {"columns": features}, {"dataset": clean["cleaned_dataset"].digest})
    split = node(
        "split",
        "split_data",
        {"fraction_of_rows_in_first_output_dataset": 0.8},
        {"dataset": norm["transformed_dataset"].digest},
    )
    learner = node("learner", "two_class_boosted_decision_tree", {}, {})
    train = node(
        "train",
        "train_model",
        {"label_column": "label"},
        {"untrained_model": learner["untrained_model"].digest, "dataset": split["results_dataset1"].digest},
    )
    score = node(
        "score",
        "score_model",
        {},
        {"trained_model": train["trained_model"].digest, "dataset": split["results_dataset2"].digest},
    )
    evaluate = node("evaluate", "evaluate_model", {}, {"scored_dataset": score["scored_dataset"].digest})
    metrics = load_output(store, "metrics", evaluate["evaluation_results"].digest)
    return times, float(metrics.values["AUC"])


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    print(f"{rows:,} rows x {COLUMNS} float32 columns, {rounds} rounds; load average before: {os.getloadavg()}")
    sides: dict[str, list[tuple[dict[str, float], float]]] = {"pandas": [], "dask": []}
    with tempfile.TemporaryDirectory() as folder:
        store = LocalArtifactStore(Path(folder) / "artifacts")
        data = store.put(Table.serialize(DataTable(table(rows), {"label_column": "label"})))
        partition_rows = max(rows // 8, 1)
        cluster = start_local_cluster(Path(folder) / "dask", workers=2, memory_limit="2GiB", idle_timeout=None)
        try:
            from distributed import Client

            with Client(cluster.address) as client:
                target = ComputeTarget("bench", dask=cluster.address, path="dask", partition_rows=partition_rows)
                small = store.put(Table.serialize(DataTable(table(5_000, seed=1), {"label_column": "label"})))
                warm = ComputeTarget("warm", dask=cluster.address, path="dask", partition_rows=1_000)
                run(store, small, DaskPath(warm, lambda: client))  # the workers import pandas, LightGBM, modules
                for r in range(rounds):
                    order = ["pandas", "dask"] if r % 2 == 0 else ["dask", "pandas"]
                    for side in order:
                        path = None if side == "pandas" else DaskPath(target, lambda: client)
                        sides[side].append(run(store, data, path))
                    print(f"round {r + 1}: load average {os.getloadavg()[0]:.2f}", flush=True)
        finally:
            cluster.stop()
    totals = {side: [sum(t.values()) for t, _ in results] for side, results in sides.items()}
    print(f"{'node':<10} {'pandas s':>9} {'dask s':>9} {'ratio':>7}   (medians of {rounds} rounds)")
    for name in sides["pandas"][0][0]:
        p = statistics.median(t[name] for t, _ in sides["pandas"])
        d = statistics.median(t[name] for t, _ in sides["dask"])
        print(f"{name:<10} {p:>9.2f} {d:>9.2f} {d / p:>6.2f}x")
    p, d = statistics.median(totals["pandas"]), statistics.median(totals["dask"])
    print(f"{'total':<10} {p:>9.2f} {d:>9.2f} {d / p:>6.2f}x")
    for side, values in totals.items():
        print(f"{side} totals by round: " + ", ".join(f"{v:.2f}" for v in values))
    pandas_auc, dask_auc = sides["pandas"][-1][1], sides["dask"][-1][1]
    print(f"AUC pandas {pandas_auc:.4f}, Dask {dask_auc:.4f} (difference {abs(pandas_auc - dask_auc):.4f})")
    print(f"{partition_rows:,} rows per partition, 2 Dask workers of 1 thread; load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
