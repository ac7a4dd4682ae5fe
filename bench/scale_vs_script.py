"""Large data on one worker: Tessera vs. the same work as a plain pandas + LightGBM script, side by side.

Two comparisons, each run INTERLEAVED (Tessera, script, Tessera, script, ...) for ``--rounds`` rounds,
medians printed with their ratio, peak memory of each side and the load average:

- registration: Tessera registering a CSV as a dataset (``create_dataset``: parse, type, store as
  Parquet, profile) vs. ``pandas.read_csv`` + ``DataFrame.to_parquet`` of the same file;
- pipeline: Dataset → Two-Class Boosted Decision Tree + Train Model → Score Model → Evaluate Model run
  cold (cache emptied) through the executor on one real Celery worker (solo pool, Redis broker,
  PostgreSQL state), from submit to completed, vs. a script reading the same rows from Parquet, fitting
  the same LightGBM model on the same number of threads (those the worker gives a node running alone:
  the cores of this machine, ``ctx.threads``), predicting every row and computing AUC, accuracy,
  precision, recall, F1 and the ROC and precision-recall curves.

Peak memory is measured the same way on both sides: the peak resident set (``VmHWM``) of one process,
the worker (its peak reset through ``/proc/<pid>/clear_refs`` after a warm-up run, so the imports it
needs are in both figures) or a fresh process running the script or the registration. Each side of
each round runs in its own process, so neither inherits the other's heap.

Needs PostgreSQL and Redis on 127.0.0.1 (scripts/services starts them). Usage:
    .venv/bin/python bench/scale_vs_script.py [--rows 5000000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TESSERA_MAX_UPLOAD_MB", "4000")  # a 5 M-row CSV is about 2 GB

FEATURES = [f"f{i}" for i in range(20)]
#: The settings the learner module gives LightGBM for these parameters (modules/library/algorithms/_boosting.py).
LGBM = {
    "num_leaves": 20,
    "min_child_samples": 10,
    "learning_rate": 0.2,
    "n_estimators": 100,
    "random_state": 0,
    "deterministic": True,
    "force_col_wise": True,
    "verbose": -1,
}


# -- the plain side (each in a fresh process) ------------------------------------------------------------


def peak_mb() -> float:
    """This process's peak resident set (VmHWM), MB."""
    return _vm_hwm(Path("/proc/self/status"))


def _vm_hwm(status: Path) -> float:
    for line in status.read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM in {status}")


def plain_script(parquet: str, threads: int) -> dict[str, Any]:
    import lightgbm as lgb
    import numpy as np
    import pandas as pd
    from sklearn import metrics

    start = time.perf_counter()
    df = pd.read_parquet(parquet)
    model = lgb.LGBMClassifier(**LGBM, n_jobs=threads)
    model.fit(df[FEATURES], df["label"])
    proba = model.predict_proba(df[FEATURES])[:, list(model.classes_).index("yes")]
    y = (df["label"] == "yes").to_numpy()
    predicted = proba > 0.5
    result = {
        "AUC": metrics.roc_auc_score(y, proba),
        "Accuracy": metrics.accuracy_score(y, predicted),
        "Precision": metrics.precision_score(y, predicted),
        "Recall": metrics.recall_score(y, predicted),
        "F1": metrics.f1_score(y, predicted),
    }
    metrics.roc_curve(y, proba)
    metrics.precision_recall_curve(y, proba)
    assert np.isfinite(list(result.values())).all()
    return {"seconds": time.perf_counter() - start, "peak_mb": peak_mb(), "auc": result["AUC"]}


def pandas_registration(csv: str, out: str) -> dict[str, Any]:
    import pandas as pd

    start = time.perf_counter()
    pd.read_csv(csv).to_parquet(out)
    return {"seconds": time.perf_counter() - start, "peak_mb": peak_mb()}


def tessera_registration(csv: str, workspace_id: int, name: str) -> dict[str, Any]:
    import django  # the environment (database, artifact store) is the parent's: bench.common set it there

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.files import File

    from designer.datasets.services import create_dataset
    from designer.workspaces.models import Workspace

    user = get_user_model().objects.get(username="bench")
    workspace = Workspace.objects.get(pk=workspace_id)
    with open(csv, "rb") as f:
        start = time.perf_counter()
        dataset = create_dataset(user, workspace, name, File(f, name="data.csv"))
        seconds = time.perf_counter() - start
    return {"seconds": seconds, "peak_mb": peak_mb(), "dataset_id": dataset.pk}


def child(argv: list[str]) -> None:
    kind, *args = argv
    if kind == "script":
        result = plain_script(args[0], int(args[1]))
    elif kind == "pandas":
        result = pandas_registration(args[0], args[1])
    else:
        result = tessera_registration(args[0], int(args[1]), args[2])
    print("RESULT " + json.dumps(result))


def in_fresh_process(*argv: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", *argv], capture_output=True, text=True, env=os.environ.copy()
    )
    for line in done.stdout.splitlines():
        if line.startswith("RESULT "):
            return dict(json.loads(line[7:]))
    raise SystemExit(f"{argv[0]} failed ({done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")


# -- data ------------------------------------------------------------------------------------------------


def write_csv(rows: int, path: Path) -> None:
    """20 informative-ish features (2% missing in five of them) and a yes/no label, written by Arrow."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pacsv

    rng = np.random.default_rng(0)
    weights = rng.normal(size=len(FEATURES))
    columns: dict[str, Any] = {}
    signal = np.zeros(rows)
    for i, name in enumerate(FEATURES):
        x = rng.normal(size=rows).round(6)
        signal += weights[i] * x * (1 if i < 10 else 0.1)
        mask = rng.random(rows) < 0.02 if i < 5 else None
        columns[name] = pa.array(x, mask=mask)
    label = np.where(signal + rng.normal(scale=2.0, size=rows) > 0, "yes", "no")
    columns["label"] = pa.array(label)
    pacsv.write_csv(pa.table(columns), path)


def pipeline_doc(dataset_id: int) -> dict[str, Any]:
    from tests.support.pipelines import document

    return document(
        [
            ("data", "dataset", {"dataset": {"dataset_id": dataset_id}}),
            ("learner", "two_class_boosted_decision_tree", {"number_of_trees_constructed": LGBM["n_estimators"]}),
            ("train", "train_model", {"label_column": "label"}),
            ("score", "score_model", {}),
            ("evaluate", "evaluate_model", {}),
        ],
        [
            "data.dataset -> train.dataset",
            "learner.untrained_model -> train.untrained_model",
            "train.trained_model -> score.trained_model",
            "data.dataset -> score.dataset",
            "score.scored_dataset -> evaluate.scored_dataset",
        ],
    )


# -- the Tessera side ------------------------------------------------------------------------------------


def tessera_pipeline(user: Any, workspace: Any, pipeline: Any, warmup: Any) -> dict[str, Any]:
    """One cold run on a fresh worker (solo pool: the node runs in the worker's own process)."""
    from bench.common import run_to_completion
    from designer.runs.models import CacheEntry
    from tests.support.processes import Worker

    worker = Worker(f"scale{time.monotonic_ns()}")
    try:
        worker.wait_ready()
        CacheEntry.objects.filter(workspace=workspace).delete()
        run_to_completion(user, warmup)  # imports and first-touch caches, as a long-running worker has them
        CacheEntry.objects.filter(workspace=workspace).delete()
        Path(f"/proc/{worker.proc.pid}/clear_refs").write_text("5")  # peak RSS := current RSS
        start = time.perf_counter()
        run = run_to_completion(user, pipeline)
        seconds = time.perf_counter() - start
        peak = _vm_hwm(Path(f"/proc/{worker.proc.pid}/status"))
    finally:
        worker.stop()
    nodes = {n.node_id: n for n in run.nodes.all()}
    per_node = {k: (n.finished_at - n.started_at).total_seconds() for k, n in nodes.items() if n.started_at}
    threads = next((line for line in nodes["train"].log.splitlines() if "fitting" in line), "")
    return {"seconds": seconds, "peak_mb": peak, "per_node": per_node, "train_log": threads}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", choices=("registration", "pipeline"), help="run one comparison (while developing)")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return

    from bench.common import bench_workspace

    user, workspace = bench_workspace()
    work = Path(tempfile.mkdtemp(prefix="tessera-scale-"))
    try:
        compare(args, user, workspace, work)
    finally:  # gigabytes at the default size: the CSV, its Parquet, and the artifact store bench.common made
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(os.environ["TESSERA_DATA_DIR"], ignore_errors=True)


def compare(args: argparse.Namespace, user: Any, workspace: Any, work: Path) -> None:
    from designer.datasets.services import create_dataset_from_frame
    from designer.pipelines.services import create_pipeline
    from designer.runs.context import usable_cores

    threads = usable_cores()  # what ctx.threads gives a node running alone on this machine
    load_before = os.getloadavg()
    csv, parquet = work / "data.csv", work / "data.parquet"
    write_csv(args.rows, csv)
    print(f"rows: {args.rows:,} x {len(FEATURES)} features + label   CSV: {csv.stat().st_size / 1e6:,.0f} MB")

    registration: dict[str, list[dict[str, Any]]] = {"tessera": [], "pandas": []}
    for i in range(args.rounds if args.only != "pipeline" else 1):
        registration["tessera"].append(in_fresh_process("tessera", str(csv), str(workspace.pk), f"scale {i}"))
        registration["pandas"].append(in_fresh_process("pandas", str(csv), str(parquet)))
    dataset_id = registration["tessera"][0]["dataset_id"]

    import pandas as pd

    small = pd.read_parquet(parquet).head(2000)
    warm = create_dataset_from_frame(user, workspace, "warm-up", small)
    warmup = create_pipeline(user, workspace, "scale warm-up", document=pipeline_doc(warm.pk))
    pipeline = create_pipeline(user, workspace, "scale", document=pipeline_doc(dataset_id))
    runs: dict[str, list[dict[str, Any]]] = {"tessera": [], "script": []}
    for _ in range(args.rounds if args.only != "registration" else 0):
        runs["tessera"].append(tessera_pipeline(user, workspace, pipeline, warmup))
        runs["script"].append(in_fresh_process("script", str(parquet), str(threads)))

    med = statistics.median
    print(f"rounds: {args.rounds} (medians, interleaved)   threads: {threads} each side   CPUs: {os.cpu_count()}")
    print(f"{'':42}{'Tessera':>12}{'baseline':>12}{'ratio':>9}")
    comparisons = [
        (
            "registration (CSV -> stored Parquet)",
            registration["tessera"],
            registration["pandas"],
            "read_csv+to_parquet",
        ),
        ("train + score + evaluate, cold", runs["tessera"], runs["script"], "script"),
    ]
    for title, a, b, what in comparisons:
        if not a:
            continue
        ta, tb = med(r["seconds"] for r in a), med(r["seconds"] for r in b)
        ma, mb = med(r["peak_mb"] for r in a), med(r["peak_mb"] for r in b)
        print(f"{title:42}{ta:>11.2f}s{tb:>11.2f}s{ta / tb:>8.2f}x   (baseline: {what})")
        print(f"{'  peak memory (VmHWM of one process)':42}{ma:>10,.0f}MB{mb:>10,.0f}MB{ma / mb:>8.2f}x")
    print("each round, Tessera/baseline seconds:")
    for title, a, b, _ in comparisons:
        print(f"  {title}:", ", ".join(f"{x['seconds']:.1f}/{y['seconds']:.1f}" for x, y in zip(a, b, strict=True)))
    if runs["tessera"]:
        last = runs["tessera"][-1]
        print("Tessera, seconds per node (last round):", ", ".join(f"{k}={v:.2f}" for k, v in last["per_node"].items()))
        print("Train Model's log:", last["train_log"].strip())
        print("script AUC:", f"{runs['script'][-1]['auc']:.4f}")
    after = os.getloadavg()
    print(
        f"load average (1, 5 min) before: {load_before[0]:.2f} {load_before[1]:.2f}  "
        f" after: {after[0]:.2f} {after[1]:.2f}"
    )


if __name__ == "__main__":
    main()
