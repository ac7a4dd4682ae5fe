"""Dask clients for compute targets, and the embedded local cluster started when a node first needs it.

A target with a scheduler address (``tcp://host:8786``) is connected to as it is: the operator runs the
cluster (compose's ``dask`` profile, Coiled, Kubernetes). A ``"local"`` target gets a cluster on the
worker's own host: one scheduler and ``workers`` worker processes (``memory_limit`` each), started as
separate processes, not inside the Celery worker (a prefork child may not have children of its own).
Every Celery worker process on the host shares it: the first one to need it starts it under a file lock
and writes the scheduler file; the others connect to that. Nothing keeps it alive: the scheduler stops
after ``IDLE_TIMEOUT`` without work and its workers follow it.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .compute import LOCAL, ComputeTarget

IDLE_TIMEOUT = "600s"
START_TIMEOUT = 60.0
_clients: dict[str, Any] = {}
_lock = threading.Lock()


@dataclass
class LocalCluster:
    """Scheduler and worker processes started here (``stop`` ends them; the embedded one is left to idle out)."""

    scheduler_file: Path
    processes: list[subprocess.Popen[bytes]]

    @property
    def address(self) -> str:
        return str(json.loads(self.scheduler_file.read_text())["address"])

    @property
    def dashboard(self) -> str | None:
        info = json.loads(self.scheduler_file.read_text())
        port = (info.get("services") or {}).get("dashboard")
        host = str(info["address"]).split("://", 1)[-1].rsplit(":", 1)[0]
        return f"http://{host}:{port}/status" if port else None

    def stop(self, grace: float = 3.0) -> None:
        for proc in reversed(self.processes):
            if proc.poll() is None:
                proc.terminate()
        deadline = time.monotonic() + grace
        for proc in self.processes:
            try:
                proc.wait(max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def start_local_cluster(
    folder: Path,
    *,
    workers: int = 2,
    threads_per_worker: int = 1,
    memory_limit: str = "2GiB",
    idle_timeout: str | None = IDLE_TIMEOUT,
    env: dict[str, str] | None = None,
    log: Path | None = None,
    die_with_parent: bool = False,
) -> LocalCluster:
    """A scheduler on 127.0.0.1 and ``workers`` single-process workers, each its own OS process; returns
    once every worker has joined. Workers import Tessera's modules as the caller does (same ``PYTHONPATH``).

    ``die_with_parent``: each process gets SIGTERM when the thread that started it ends (Linux's
    ``PR_SET_PDEATHSIG``), so a cluster of a process that is killed does not outlive it (the test suite's:
    a killed pytest left clusters running for hours). Not for the embedded cluster, which the host's
    other workers go on using after the one that started it exits."""
    folder.mkdir(parents=True, exist_ok=True)
    scheduler_file = folder / "scheduler.json"
    scheduler_file.unlink(missing_ok=True)
    environ = {**os.environ, **(env or {})}
    out = open(log, "ab") if log is not None else subprocess.DEVNULL  # noqa: SIM115 - handed to the children
    common: dict[str, Any] = {"env": environ, "stdout": out, "stderr": subprocess.STDOUT, "start_new_session": True}
    if die_with_parent:
        common["preexec_fn"] = _die_with_parent
    scheduler = [sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", "0"]
    scheduler += ["--dashboard-address", "127.0.0.1:0", "--scheduler-file", str(scheduler_file)]
    if idle_timeout:
        scheduler += ["--idle-timeout", idle_timeout]
    procs = [subprocess.Popen(scheduler, **common)]
    cluster = LocalCluster(scheduler_file, procs)
    try:
        _wait(lambda: scheduler_file.exists() and scheduler_file.stat().st_size > 0, procs, "the Dask scheduler")
        for i in range(workers):
            worker = [sys.executable, "-m", "distributed.cli.dask_worker", "--scheduler-file", str(scheduler_file)]
            worker += ["--nthreads", str(threads_per_worker), "--memory-limit", memory_limit, "--no-dashboard"]
            worker += ["--local-directory", str(folder / f"worker-{i}"), "--death-timeout", "60", "--name", f"w{i}"]
            procs.append(subprocess.Popen(worker, **common))
        _wait(lambda: _joined(cluster.address) >= workers, procs, f"{workers} Dask workers")
    except BaseException:
        cluster.stop()
        raise
    return cluster


def _die_with_parent() -> None:
    """In the child, before exec: SIGTERM when the parent thread ends (Linux; elsewhere nothing)."""
    import ctypes
    import signal

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # 1: PR_SET_PDEATHSIG


def _joined(address: str) -> int:
    from distributed import Client

    with Client(address, timeout=5, set_as_default=False) as client:
        return len(client.scheduler_info(n_workers=-1)["workers"])


def _wait(ready: Any, procs: list[subprocess.Popen[bytes]], what: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError, ValueError, KeyError, TimeoutError):
            if ready():
                return
        dead = [p for p in procs if p.poll() is not None]
        if dead:
            raise RuntimeError(f"{what} could not start: a process exited with status {dead[0].returncode}")
        time.sleep(0.2)
    raise RuntimeError(f"{what} did not start within {START_TIMEOUT:.0f} s")


def embedded_cluster(target: ComputeTarget, folder: Path) -> str:
    """The address of this host's embedded cluster for ``target``, started now if none answers."""
    folder = folder / f"dask-{target.name}"
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one starter per host; the others wait, then connect
        scheduler_file = folder / "scheduler.json"
        if scheduler_file.exists():
            with contextlib.suppress(Exception):
                address = str(json.loads(scheduler_file.read_text())["address"])
                if _joined(address) > 0:
                    return address
        cluster = start_local_cluster(
            folder,
            workers=target.workers,
            threads_per_worker=target.threads_per_worker,
            memory_limit=target.memory_limit,
            log=folder / "cluster.log",
        )
        return cluster.address


def client_for(target: ComputeTarget, folder: Path) -> Any:
    """A connected ``distributed.Client`` for ``target`` (kept for the process; reconnected when closed)."""
    from distributed import Client

    if target.dask is None:
        raise ValueError(f"compute target '{target.name}' has no Dask cluster")
    with _lock:
        address = embedded_cluster(target, folder) if target.dask == LOCAL else target.dask
        client = _clients.get(address)
        if client is None or client.status not in ("running", "connecting"):
            client = Client(address, timeout=30, set_as_default=False)
            _clients[address] = client
        return client


def dashboard_of(client: Any) -> str | None:
    """The cluster's dashboard link, when its scheduler serves one."""
    with contextlib.suppress(Exception):
        link = client.dashboard_link
        return str(link) if link else None
    return None
