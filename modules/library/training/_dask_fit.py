"""Fitting one of LightGBM's Dask estimators while watching the cluster it trains on.

LightGBM trains on Dask as one collective: a ``_train_part`` task on every worker holding data, the
workers talking to each other over LightGBM's own sockets. When one of them leaves (its nanny restarted
it past the memory limit, its machine went away), the scheduler waits for a worker that will never come
back and the others wait on their sockets: the fit never returns, and the node would stay running
forever (lightgbm-org/LightGBM#5920, #3775). So the fit runs in a thread while this one watches the
cluster's workers once a second: a worker that was there at the start and is gone, or a run cancelled,
cancels the training tasks and fails the node, naming the worker and its memory limit.

Stopping the workers' own training threads: every worker's fit gets a LightGBM callback that looks at a
Dask ``Event`` named for this fit every :data:`CHECK_EVERY` boosting rounds; the watcher sets it when
the run is cancelled or a worker left, and the callback frees LightGBM's network and raises, which ends
that worker's task and, through the closed sockets, its peers'. A worker blocked on a socket to a peer
that vanished without closing it (a machine gone) runs no callback: it gives up when LightGBM's socket
time-out (``time_out``: :data:`NETWORK_TIMEOUT_MINUTES` unless the learner sets one) passes.
"""

from __future__ import annotations

import threading
import uuid
from typing import Any

from modules.sdk import ModuleError, RunContext

#: LightGBM's ``time_out`` on the Dask path (minutes without word from a peer before a worker gives up;
#: LightGBM's own default is 120): long enough for one boosting round over a large partition.
NETWORK_TIMEOUT_MINUTES = 10
#: Seconds between two looks at the cluster's workers.
WATCH_SECONDS = 1.0
#: Boosting rounds between two looks of a worker's training at the stop event.
CHECK_EVERY = 5


class StopTraining(Exception):
    """Raised in a worker's LightGBM training when the fit was told to stop."""


class _StopWhenSet:
    """A LightGBM callback (pickled to every worker): stop when the Dask event ``name`` is set."""

    order = 0  # before LightGBM's own callbacks

    def __init__(self, name: str) -> None:
        self.name = name

    def __call__(self, env: Any) -> None:
        if env.iteration % CHECK_EVERY:
            return
        from distributed import Event

        if Event(self.name).is_set():
            env.model.free_network()  # else LightGBM's network stays set up in the worker's process
            raise StopTraining(f"stopped after {env.iteration} boosting rounds")


def fit_watched(estimator: Any, features: Any, labels: Any, client: Any, ctx: RunContext) -> None:
    """``estimator.fit(features, labels)`` on ``client``'s cluster; a :class:`ModuleError` when a worker leaves."""
    from distributed import Event

    workers = _workers(client)
    failure: list[BaseException] = []
    stop = Event(f"tessera-stop-{uuid.uuid4().hex}", client=client)

    def fit() -> None:
        try:
            estimator.fit(features, labels, callbacks=[_StopWhenSet(stop.name)])
        except BaseException as exc:  # handed to the watching thread
            failure.append(exc)

    thread = threading.Thread(target=fit, name="lightgbm-dask-fit", daemon=True)
    thread.start()
    while thread.is_alive():
        thread.join(WATCH_SECONDS)
        if not thread.is_alive():
            break
        try:
            ctx.check_cancelled()
        except BaseException:
            _stop(client, stop)
            raise
        gone = _gone(workers, client)
        if gone:
            _stop(client, stop)
            raise _lost(workers, gone)
    if failure:
        gone = _gone(workers, client)  # a lost peer usually shows as a socket error on the others
        if gone:
            raise _lost(workers, gone) from failure[0]
        raise failure[0]


def _gone(workers: dict[str, Any], client: Any) -> list[str]:
    return sorted(set(workers) - set(_workers(client)))


def _lost(workers: dict[str, dict[str, Any]], gone: list[str]) -> ModuleError:
    limits = ", ".join(f"{address} ({_memory(workers[address])})" for address in gone)
    return ModuleError(
        f"Dask worker {limits} left the cluster while LightGBM was training on it (restarted past its memory "
        "limit, or its machine went away); distributed LightGBM cannot go on without it. Give the workers "
        "more memory, add workers, or train on fewer rows (Partition and Sample)",
        port="dataset",
    )


def _stop(client: Any, stop: Any) -> None:
    """Tell every worker's training to stop, and cancel the training tasks so the scheduler stops waiting."""
    stop.set()
    _cancel_training(client)


def _workers(client: Any) -> dict[str, dict[str, Any]]:
    return dict(client.scheduler_info(n_workers=-1)["workers"])


def _memory(info: dict[str, Any]) -> str:
    limit = info.get("memory_limit") or 0
    return f"memory limit {limit / 2**30:.1f} GiB" if limit else "no memory limit"


def _cancel_training(client: Any) -> None:
    """Cancel this client's LightGBM training tasks, so the scheduler stops waiting for the lost worker."""
    from distributed import Future

    keys = [key for key in list(client.futures) if "_train_part" in str(key)]
    if keys:
        client.cancel([Future(key, client) for key in keys], force=True)
