"""A real Dask cluster for the tests: a scheduler and two workers, each its own OS process, started with
the same launcher the embedded default uses (``designer/engine/dask_cluster.py``). No Django here."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from designer.engine.dask_cluster import LocalCluster, start_local_cluster

ROOT = Path(__file__).resolve().parents[2]
LOG = ROOT / "test-artifacts" / "logs" / "dask-cluster.log"


@contextmanager
def local_cluster(folder: Path, workers: int = 2) -> Iterator[LocalCluster]:
    """Scheduler + ``workers`` single-threaded workers (512 MiB each), stopped on exit, or when this process dies."""
    LOG.parent.mkdir(parents=True, exist_ok=True)
    cluster = start_local_cluster(
        folder,
        workers=workers,
        threads_per_worker=1,
        memory_limit="512MiB",
        idle_timeout=None,
        log=LOG,
        die_with_parent=True,  # a killed pytest takes its cluster with it
    )
    try:
        yield cluster
    finally:
        cluster.stop()
