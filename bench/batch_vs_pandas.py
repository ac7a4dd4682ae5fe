"""Batch inference throughput: a Parallel Run job on one and two workers vs. a plain pandas loop of ``predict``.

The same trained model (Two-Class Boosted Decision Tree, LightGBM on one thread, trained by Tessera on
10% of the rows) scores the same rows from the same Parquet file three ways:

- Tessera, 1 worker and 2 workers: the batch inference pipeline derived from the training run
  (Dataset → Parallel Run → Register Dataset) submitted on real Celery workers (Redis broker,
  PostgreSQL state), Parallel Run and Register Dataset recomputed each round; timed from submit to
  the run's end, so it includes cutting the input into mini-batches, the parts' database round trips,
  assembling the output in order and registering it as a dataset version;
- pandas: ``pd.read_parquet`` of the dataset's file, then a loop of ``predict_proba`` over chunks of the
  mini-batch size, in this process.

Rounds alternate Tessera and pandas (A/B/A/B) after a warm-up of each, so drifting load on a shared
machine hits both alike; medians, the spread (min-max) and the load average are printed. The peak
resident memory of each worker during the Tessera rounds is read from /proc (VmHWM, reset before each
round), and the pandas loop's own peak for comparison. Both answers are checked to agree.

Needs PostgreSQL and Redis on 127.0.0.1 (scripts/services starts them). Usage:
    .venv/bin/python bench/batch_vs_pandas.py [--rows 200000] [--mini-batch 20000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import bench_workspace, run_to_completion  # noqa: E402  (sets the environment first)

FEATURES = [f"f{i}" for i in range(20)]


def make_data(rows: int) -> Any:
    import numpy as np
    import pandas as pd
    from sklearn.datasets import make_classification

    x, y = make_classification(n_samples=rows, n_features=len(FEATURES), n_informative=10, random_state=0)
    df = pd.DataFrame(x, columns=FEATURES)
    df["label"] = pd.Series(np.where(y == 1, "yes", "no"), dtype="str")
    return df


def training_doc(dataset_id: int) -> dict[str, Any]:
    from tests.support.pipelines import document

    return document(
        [
            ("data", "dataset", {"dataset": {"dataset_id": dataset_id}}),
            ("split", "split_data", {"fraction_of_rows_in_first_output_dataset": 0.1, "random_seed": 0}),
            ("learner", "two_class_boosted_decision_tree", {"number_of_trees_constructed": 100}),
            ("train", "train_model", {"label_column": "label"}),
            ("score", "score_model", {}),
        ],
        [
            "data.dataset -> split.dataset",
            "split.results_dataset1 -> train.dataset",
            "learner.untrained_model -> train.untrained_model",
            "train.trained_model -> score.trained_model",
            "split.results_dataset1 -> score.dataset",
        ],
    )


def peak_kib(pid: int) -> int:
    """The process's peak resident set (VmHWM), in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmHWM for process {pid}")


def resident_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for process {pid}")


def reset_peak(pid: int) -> None:
    """Start VmHWM again from the current resident set (Linux: write 5 to clear_refs)."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")


def pandas_loop(open_file: Any, estimator: Any, chunk: int) -> tuple[float, Any]:
    """What one would write without Tessera: read the file, predict chunk by chunk, keep the probabilities."""
    import numpy as np
    import pandas as pd

    start = time.perf_counter()
    with open_file() as f:
        df = pd.read_parquet(f)
    scores = [estimator.predict_proba(df.iloc[i : i + chunk][FEATURES])[:, 1] for i in range(0, len(df), chunk)]
    result = np.concatenate(scores)
    return time.perf_counter() - start, result


def _pandas_peak(open_file: Any, estimator: Any, chunk: int) -> int:
    """The pandas loop's peak resident memory above this process's own, in a fresh child process."""
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()

    def child() -> None:
        reset_peak(os.getpid())
        before = resident_kib(os.getpid())
        pandas_loop(open_file, estimator, chunk)
        queue.put((before, peak_kib(os.getpid())))

    process = ctx.Process(target=child)
    process.start()
    before, peak = queue.get()
    process.join()
    return int(peak - before)


def spread(values: list[float]) -> str:
    return f"{min(values):.2f}-{max(values):.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--mini-batch", type=int, default=20_000)
    parser.add_argument("--concurrency", type=int, default=4, help="max concurrent mini-batches")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    load_before = os.getloadavg()

    user, workspace = bench_workspace()
    import numpy as np

    from designer.artifacts import artifact_store
    from designer.batch.services import create_batch_inference_pipeline
    from designer.datasets.services import create_dataset_from_frame
    from designer.engine.execute import load_output
    from designer.pipelines.services import create_pipeline, save_version
    from designer.runs.models import NodePart, NodeRun
    from designer.runs.services import submit_run
    from modules.sdk import Table
    from tests.support.processes import WorkerPool

    dataset = create_dataset_from_frame(user, workspace, f"batch {args.rows}", make_data(args.rows))
    store = artifact_store()
    digest = dataset.versions.get().digest

    def open_file() -> Any:  # the dataset's own Parquet file in the artifact store, as Tessera reads it
        return store.open(digest)

    pool = WorkerPool(size=1)
    tessera: dict[int, list[float]] = {1: [], 2: []}
    plain: dict[int, list[float]] = {1: [], 2: []}
    peaks: dict[int, list[int]] = {1: [], 2: []}
    idle: dict[int, list[int]] = {1: [], 2: []}
    workers_used: dict[int, int] = {}
    per_round: dict[int, list[int]] = {1: [], 2: []}
    try:
        pool.ensure()
        training = run_to_completion(
            user, create_pipeline(user, workspace, "batch bench", document=training_doc(dataset.pk))
        )
        record = training.nodes.get(node_id="train").outputs["trained_model"]
        estimator = load_output(store, record["type"], record["digest"]).estimator
        batch, _notes = create_batch_inference_pipeline(user, training, dataset_name="batch bench - scored")
        doc = batch.versions.get().document
        node = next(n for n in doc["nodes"] if n["id"] == "parallel_run")
        node["params"].update(mini_batch_size=args.mini_batch, max_concurrent_mini_batches=args.concurrency)
        save_version(user, batch, doc, message="bench settings")

        def tessera_once(size: int) -> tuple[float, Any]:
            pids = [w.proc.pid for w in pool.workers]
            for pid in pids:
                reset_peak(pid)
            idle[size] += [resident_kib(pid) for pid in pids]
            start = time.perf_counter()
            run = submit_run(user=user, pipeline=batch, regenerate=["parallel_run", "register_dataset"])
            while True:
                run.refresh_from_db()
                if run.is_terminal:
                    break
                time.sleep(0.02)
            elapsed = time.perf_counter() - start
            if run.status != "completed":
                raise SystemExit(f"batch run {run.pk} {run.status}: {run.error}")
            peaks[size] += [peak_kib(pid) for pid in pids]
            workers_used[size] = NodePart.objects.filter(node_run__run=run).values("worker").distinct().count()
            return elapsed, run

        def warm_up(size: int) -> None:
            """Untimed runs until every worker has scored a mini-batch: each loads the model once, which takes
            seconds (loading a skops model imports torch), and a cold worker would be a straggler."""
            warmed: set[str] = set()
            for _ in range(5):
                _elapsed, run = tessera_once(size)
                warmed |= set(NodePart.objects.filter(node_run__run=run).values_list("worker", flat=True))
                if len(warmed) >= size:
                    return
            print(f"warning: only {len(warmed)} of {size} workers took a mini-batch while warming up", file=sys.stderr)

        for size in (1, 2):
            pool.size = size
            pool.ensure()
            warm_up(size)
            pandas_loop(open_file, estimator, args.mini_batch)
            idle[size].clear()
            peaks[size].clear()
            for _ in range(args.rounds):  # A/B/A/B
                elapsed, run = tessera_once(size)
                tessera[size].append(elapsed)
                per_round[size].append(workers_used[size])
                took, expected = pandas_loop(open_file, estimator, args.mini_batch)
                plain[size].append(took)
        scored_digest = NodeRun.objects.get(run=run, node_id="parallel_run").outputs["scored_dataset"]["digest"]
        scored = Table.deserialize(store.get(scored_digest)).df
        disagreement = float(np.max(np.abs(scored["Scored Probabilities"].to_numpy() - expected)))
        pandas_extra = _pandas_peak(open_file, estimator, args.mini_batch)
    finally:
        pool.stop()

    med = statistics.median
    rows = args.rows
    print(
        f"\nrows: {rows:,}   features: {len(FEATURES)}   model: LightGBM, 100 trees, 1 thread   mini-batch: "
        f"{args.mini_batch:,} rows, at most {args.concurrency} in flight   rounds: {args.rounds} (A/B interleaved)"
    )
    print(f"{'':22}{'Tessera':>14}{'pandas loop':>14}{'Tessera/pandas':>16}   spread Tessera / pandas (s)")
    for n in (1, 2):
        label = f"{n} worker{'s' if n > 1 else ''}: rows/s"
        t, p = rows / med(tessera[n]), rows / med(plain[n])
        print(f"{label:22}{t:>14,.0f}{p:>14,.0f}{t / p:>15.2f}x   {spread(tessera[n])} / {spread(plain[n])}")
    for n in (1, 2):
        label = f"{n} worker{'s' if n > 1 else ''}: seconds"
        print(f"{label:22}{med(tessera[n]):>13.2f}s{med(plain[n]):>13.2f}s")
    print(f"speed-up from the second worker: {med(tessera[1]) / med(tessera[2]):.2f}x "
          f"(workers that ran mini-batches, per round: {per_round[1]} then {per_round[2]})")  # fmt: skip
    print(
        f"peak resident memory of a worker during a job: {max(peaks[2]) / 1024:,.0f} MiB with 2 workers, "
        f"{max(peaks[1]) / 1024:,.0f} MiB with 1 (each worker idles at about {med(idle[2]) / 1024:,.0f} MiB); "
        f"the pandas loop needs {pandas_extra / 1024:,.0f} MiB above its process's own"
    )
    print(f"largest difference between the two answers' probabilities: {disagreement:.2e}")
    print(f"load average before: {', '.join(f'{x:.2f}' for x in load_before)}   after: "
          f"{', '.join(f'{x:.2f}' for x in os.getloadavg())}   cpus: {os.cpu_count()}")  # fmt: skip


if __name__ == "__main__":
    main()
