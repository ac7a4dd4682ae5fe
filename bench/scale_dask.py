"""A table larger than a Dask worker's memory: Tessera's pipeline on a 2-worker local Dask cluster against a plain
``dask.dataframe`` + ``lightgbm.dask`` script doing the same, and the plain pandas script under the same total memory.

The table (``--rows`` × 20 float32 features, 1 % missing, a binary label) is generated partition by partition
as partitioned Parquet (one file per partition, never whole in memory); Tessera gets the same partitions as one
stored table whose row groups are the partitions (how it stores a large dataset). Both sides run on the same
cluster: 2 single-threaded worker processes with ``--worker-memory`` each (default: 90 % of the table's size in
memory, so the table does not fit in one worker), started once.

- Tessera: Clean Missing Data (mean) → Normalize Data (ZScore) → Split Data (0.8) → Two-Class Boosted Decision
  Tree + Train Model → Score Model → Evaluate Model, every node through the engine (``execute_node``) on the Dask
  path, as a Celery worker runs them (tables read by the cluster's workers from the artifact store, outputs
  written back partition by partition);
- plain Dask: ``dd.read_parquet`` → ``fillna`` with the means → z-score → ``random_split([0.8, 0.2])`` →
  ``lightgbm.dask.DaskLGBMClassifier`` with the learner's default settings → ``predict_proba`` → AUC of the
  gathered label and score columns;
- plain pandas: the same in one process, under an RSS watchdog at the cluster's total memory (both workers'
  limits): killed when its resident set passes it (no cgroup needed), or ``MemoryError``.

Each side runs in a fresh process (its driver's peak memory is its own), interleaved over ``--rounds`` rounds
(the order turned each round) after a warm-up of both on a small table (the workers' imports). Printed: medians
and their ratio, each worker's peak resident set (VmHWM, reset before each side), the AUCs and their
difference, and the load average. Usage::

    .venv/bin/python bench/scale_dask.py [--rows 50000000] [--rounds 3] [--worker-memory 3.6GiB]
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

COLUMNS = 20
FEATURES = [f"f{i}" for i in range(COLUMNS)]
ROW_BYTES = COLUMNS * 4 + 1  # float32 features and an int8 label, in memory
#: What Two-Class Boosted Decision Tree's defaults give LightGBM (modules/library/algorithms/_boosting.py).
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


# -- the data ----------------------------------------------------------------------------------------------------


def generate(folder: Path, rows: int, partition_rows: int, seed: int = 0) -> list[Path]:
    """``rows`` rows as Parquet files of ``partition_rows`` rows each, one partition in memory at a time."""
    import numpy as np
    import pandas as pd

    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for i, start in enumerate(range(0, rows, partition_rows)):
        n = min(partition_rows, rows - start)
        rng = np.random.default_rng([seed, i])
        x = rng.normal(size=(n, COLUMNS)).astype("float32")
        x[rng.random((n, COLUMNS)) < 0.01] = np.nan
        logit = 1.2 * np.nan_to_num(x[:, 0]) - np.nan_to_num(x[:, 1]) + 0.7 * np.nan_to_num(x[:, 2] * x[:, 3])
        df = pd.DataFrame(x, columns=FEATURES)
        df["label"] = (logit + rng.normal(0, 1, n) > 0).astype("int8")
        path = folder / f"part-{i:05d}.parquet"
        df.to_parquet(path, index=False)
        files.append(path)
    return files


def store_partitioned(store_dir: Path, files: list[Path]) -> str:
    """The partitions as one Tessera table artifact whose row groups are the partitions; its digest."""
    import pandas as pd

    from designer.engine.store import LocalArtifactStore
    from designer.engine.tables import StoreTables
    from modules.sdk import DataTable

    with StoreTables(LocalArtifactStore(store_dir)).writer() as sink:
        for path in files:
            sink.write(DataTable(pd.read_parquet(path), {"label_column": "label"}))
        return sink.close().digest


# -- memory ------------------------------------------------------------------------------------------------------


def _hwm_mb(status: str = "/proc/self/status") -> float:
    for line in Path(status).read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM in {status}")


def _reset_peak() -> None:
    Path("/proc/self/clear_refs").write_text("5")  # peak RSS := current RSS


def worker_peaks(client: Any) -> list[float]:
    """Each worker's peak resident set since the last reset, MB, largest first."""
    return sorted(client.run(_hwm_mb).values(), reverse=True)


# -- the sides (each in a fresh process) -------------------------------------------------------------------------


def tessera_side(address: str, store_dir: str, digest: str) -> dict[str, Any]:
    from distributed import Client

    from bench.dask_path import run
    from designer.engine.compute import ComputeTarget
    from designer.engine.execute import DaskPath
    from designer.engine.store import LocalArtifactStore

    store = LocalArtifactStore(Path(store_dir))
    with Client(address, set_as_default=False) as client:
        client.run(_reset_peak)
        target = ComputeTarget("bench", dask=address, path="dask")  # one partition per row group
        start = time.perf_counter()
        times, auc = run(store, digest, DaskPath(target, lambda: client))
        seconds = time.perf_counter() - start
        return {"seconds": seconds, "auc": auc, "workers": worker_peaks(client), "driver": _hwm_mb(), "nodes": times}


def _fill_and_scale(df: Any, means: Any, sds: Any) -> Any:
    out = df.copy()
    for c in FEATURES:
        out[c] = ((df[c].astype("float64").fillna(means[c]) - means[c]) / sds[c]).astype("float32")
    return out


def dask_side(address: str, folder: str) -> dict[str, Any]:
    import dask
    import dask.dataframe as dd
    import lightgbm.dask as lgb_dask
    from distributed import Client
    from sklearn.metrics import roc_auc_score

    with Client(address, set_as_default=True) as client:
        client.run(_reset_peak)
        start = time.perf_counter()
        df = dd.read_parquet(folder)
        means = df[FEATURES].mean().compute()
        # ZScore with NumPy's std (ddof 0), of the cleaned column: the missing values are now the mean
        sds = df[FEATURES].fillna(means.to_dict()).std(ddof=0).compute()
        df = df.map_partitions(_fill_and_scale, means, sds, meta=df._meta)
        train, test = df.random_split([0.8, 0.2], random_state=0)
        model = lgb_dask.DaskLGBMClassifier(**LGBM, client=client)
        model.fit(train[FEATURES].to_dask_array(lengths=True), train["label"].to_dask_array(lengths=True))
        proba = model.predict_proba(test[FEATURES].to_dask_array(lengths=True))[:, 1]
        y, proba = dask.compute(test["label"].to_dask_array(), proba)
        auc = float(roc_auc_score(y, proba))
        seconds = time.perf_counter() - start
        return {"seconds": seconds, "auc": auc, "workers": worker_peaks(client), "driver": _hwm_mb()}


def pandas_side(folder: str) -> dict[str, Any]:
    import lightgbm as lgb
    import numpy as np
    import pandas as pd
    from sklearn.metrics import roc_auc_score

    start = time.perf_counter()
    df = pd.read_parquet(folder)
    means = df[FEATURES].mean()
    df[FEATURES] = df[FEATURES].fillna(means)
    df[FEATURES] = ((df[FEATURES] - df[FEATURES].mean()) / df[FEATURES].std(ddof=0)).astype("float32")
    first = np.random.default_rng(0).random(len(df)) < 0.8
    train, test = df[first], df[~first]
    model = lgb.LGBMClassifier(**LGBM, n_jobs=1).fit(train[FEATURES], train["label"])
    auc = float(roc_auc_score(test["label"], model.predict_proba(test[FEATURES])[:, 1]))
    return {"seconds": time.perf_counter() - start, "auc": auc, "driver": _hwm_mb()}


def child(argv: list[str]) -> None:
    kind, *args = argv
    try:
        if kind == "tessera":
            result = tessera_side(*args)
        elif kind == "dask":
            result = dask_side(*args)
        else:
            result = pandas_side(*args)
    except MemoryError:
        result = {"failed": "MemoryError"}
    print("RESULT " + json.dumps(result), flush=True)


def in_fresh_process(*argv: str, rss_limit_mb: float | None = None, timeout: float | None = None) -> dict[str, Any]:
    """``child(argv)`` in a new process; with ``rss_limit_mb``, killed once its resident set passes it; with
    ``timeout``, killed after that many seconds (LightGBM's distributed training waits for ever for a worker
    the nanny restarted at its memory limit)."""
    proc = subprocess.Popen(
        [sys.executable, __file__, "--child", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    peak = 0.0
    killed = False
    deadline = time.monotonic() + timeout if timeout else None
    while proc.poll() is None:
        if deadline is not None and time.monotonic() > deadline:
            proc.kill()
            proc.communicate()
            return {"failed": f"did not finish within {timeout:.0f} s (see the cluster's log)"}
        if rss_limit_mb is not None:
            try:
                rss = _rss_mb(proc.pid)
            except (FileNotFoundError, ProcessLookupError):
                break
            peak = max(peak, rss)
            if rss > rss_limit_mb:
                proc.kill()
                killed = True
                break
        time.sleep(0.05)
    out, err = proc.communicate()
    if killed:
        return {"failed": f"killed by the watchdog at {peak:,.0f} MB resident (limit {rss_limit_mb:,.0f} MB)"}
    for line in out.splitlines():
        if line.startswith("RESULT "):
            return dict(json.loads(line[7:]))
    last = err.strip().splitlines()[-1:] or ["no output"]
    return {"failed": f"exited with status {proc.returncode}: {last[0]}"}


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


# -- the comparison ----------------------------------------------------------------------------------------------


def _bytes(text: str) -> int:
    from dask.utils import parse_bytes

    return int(parse_bytes(text))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=50_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--partition-rows", type=int, help="rows per partition (default: rows / 32, at most 1 M)")
    parser.add_argument("--worker-memory", help="each worker's memory limit (default: 90%% of the table in memory)")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds one side of one round may take")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    work = Path(tempfile.mkdtemp(prefix="tessera-scale-dask-"))
    try:
        compare(args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def compare(args: argparse.Namespace, work: Path) -> None:
    from designer.engine.dask_cluster import start_local_cluster

    load_before = os.getloadavg()
    rows = args.rows
    partition_rows = args.partition_rows or max(min(rows // 32, 1_000_000), 1)
    table_mb = rows * ROW_BYTES / 2**20
    limit = _bytes(args.worker_memory) if args.worker_memory else int(rows * ROW_BYTES * 0.9)
    limit_mb = limit / 2**20
    started = time.perf_counter()
    files = generate(work / "data", rows, partition_rows)
    warm_files = generate(work / "warm", 40_000, 10_000, seed=1)
    digest = store_partitioned(work / "artifacts", files)
    warm_digest = store_partitioned(work / "artifacts", warm_files)
    on_disk = sum(f.stat().st_size for f in files) / 2**20
    print(
        f"{rows:,} rows x {COLUMNS} float32 + int8 label: {table_mb:,.0f} MB in memory, {on_disk:,.0f} MB of Parquet "
        f"in {len(files)} partitions of {partition_rows:,} rows (generated in {time.perf_counter() - started:.0f} s)"
    )
    fits = "fits" if table_mb <= limit_mb else "does NOT fit"
    print(
        f"cluster: 2 workers x 1 thread, {limit_mb:,.0f} MB each (the table {fits} in one worker); "
        f"load average before: {load_before[0]:.2f} {load_before[1]:.2f}",
        flush=True,
    )
    cluster = start_local_cluster(
        work / "dask",
        workers=2,
        threads_per_worker=1,
        memory_limit=str(limit),
        idle_timeout=None,
        log=work / "dask.log",
    )
    results: dict[str, list[dict[str, Any]]] = {"tessera": [], "dask": []}
    try:
        store = str(work / "artifacts")
        for warm in (("tessera", cluster.address, store, warm_digest), ("dask", cluster.address, str(work / "warm"))):
            done = in_fresh_process(*warm, timeout=args.timeout)  # the workers' imports, both sides'
            if "failed" in done:
                raise SystemExit(f"warm-up of {warm[0]}: FAILED, {done['failed']}")
        for r in range(args.rounds):
            for side in ("tessera", "dask") if r % 2 == 0 else ("dask", "tessera"):
                argv = (cluster.address, store, digest) if side == "tessera" else (cluster.address, str(work / "data"))
                result = in_fresh_process(side, *argv, timeout=args.timeout)
                if "failed" in result:
                    log = work / "dask.log"
                    tail = "\n".join(log.read_text().splitlines()[-15:]) if log.exists() else ""
                    raise SystemExit(f"round {r + 1}, {side}: FAILED, {result['failed']}\n{tail}")
                results[side].append(result)
            t, d = results["tessera"][-1], results["dask"][-1]
            print(
                f"round {r + 1}: Tessera {t['seconds']:.1f} s (AUC {t['auc']:.4f}), plain Dask {d['seconds']:.1f} s "
                f"(AUC {d['auc']:.4f}); load average {os.getloadavg()[0]:.2f}",
                flush=True,
            )
    finally:
        cluster.stop()
    pandas = in_fresh_process("pandas", str(work / "data"), rss_limit_mb=2 * limit_mb)
    report(results, pandas, 2 * limit_mb, limit_mb, load_before)


def report(
    results: dict[str, list[dict[str, Any]]],
    pandas: dict[str, Any],
    total_mb: float,
    limit_mb: float,
    load_before: tuple[float, float, float],
) -> None:
    med = statistics.median
    t, d = results["tessera"], results["dask"]
    ts, ds = med(r["seconds"] for r in t), med(r["seconds"] for r in d)
    print(f"\nmedians of {len(t)} interleaved rounds     {'Tessera':>10} {'plain Dask':>11} {'ratio':>7}")
    print(f"{'pipeline, seconds':38}{ts:>10.1f} {ds:>11.1f} {ts / ds:>6.2f}x")
    for i, which in enumerate(("larger", "smaller")):
        tw = med(r["workers"][i] for r in t)
        dw = med(r["workers"][i] for r in d)
        print(f"{'peak RSS, ' + which + ' worker, MB':38}{tw:>10,.0f} {dw:>11,.0f}   (limit {limit_mb:,.0f})")
    print(
        f"{'peak RSS of the driver, MB':38}{med(r['driver'] for r in t):>10,.0f} {med(r['driver'] for r in d):>11,.0f}"
    )
    ta, da = t[-1]["auc"], d[-1]["auc"]
    print(f"{'test AUC (last round)':38}{ta:>10.4f} {da:>11.4f}   difference {abs(ta - da):.4f}")
    print("Tessera seconds per node (last round): " + ", ".join(f"{k}={v:.1f}" for k, v in t[-1]["nodes"].items()))
    print(
        "each round, Tessera/plain Dask seconds: "
        + ", ".join(f"{a['seconds']:.1f}/{b['seconds']:.1f}" for a, b in zip(t, d, strict=True))
    )
    if "failed" in pandas:
        print(f"plain pandas script under {total_mb:,.0f} MB (both workers' limits): FAILED, {pandas['failed']}")
    else:
        print(
            f"plain pandas script under {total_mb:,.0f} MB (both workers' limits): completed in "
            f"{pandas['seconds']:.1f} s, peak {pandas['driver']:,.0f} MB, AUC {pandas['auc']:.4f} "
            "(the table is too small here to make it fail)"
        )
    after = os.getloadavg()
    print(
        f"load average (1, 5 min) before: {load_before[0]:.2f} {load_before[1]:.2f}   "
        f"after: {after[0]:.2f} {after[1]:.2f}   CPUs: {os.cpu_count()}"
    )


if __name__ == "__main__":
    main()
