"""Celery entry points: take ids, call a service. The reaper thread starts with every worker, and a
watchdog bounds how long a worker asked to stop may take (see :func:`_begin_bounded_shutdown`)."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import sys
import threading
import time
from typing import Any

from billiard import process as billiard_process
from billiard.common import terminate_handler_fired
from celery import shared_task
from celery.signals import worker_init, worker_process_init, worker_ready, worker_shutdown, worker_shutting_down
from django.conf import settings
from django.db import close_old_connections

from . import parts, services
from .dispatch import EXECUTE_NODE, EXECUTE_PART, REAP_STALE_NODES

log = logging.getLogger(__name__)


@shared_task(bind=True, name=EXECUTE_NODE, acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def execute_node_task(self, node_run_id: int, attempt: int) -> None:  # type: ignore[no-untyped-def]
    close_old_connections()
    try:
        # Goes on with a node this one made ready, unless the worker was asked to stop meanwhile. A prefork
        # child told to stop (its process group got SIGTERM) raises SystemExit wherever it is; code that turns
        # it into another error must not make the interrupted node look failed: billiard then reports nothing
        # and the worker hands the node back.
        services.execute_node_run(
            node_run_id,
            attempt,
            worker=self.request.hostname or "",
            chain=lambda: not _shutdown_begun.is_set(),
            leaving=terminate_handler_fired,
        )
    finally:
        close_old_connections()


@shared_task(name=EXECUTE_PART, acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def execute_part_task(part_id: int) -> None:
    close_old_connections()
    try:
        parts.execute_part_run(part_id, worker=services.default_worker_name(), leaving=terminate_handler_fired)
    finally:
        close_old_connections()


@shared_task(name=REAP_STALE_NODES, ignore_result=True)
def reap_stale_nodes_task() -> None:
    services.reap_stale_nodes()


_reaper_stop = threading.Event()


def _reaper_loop() -> None:
    interval = float(settings.TESSERA_HEARTBEAT_SECONDS)
    while not _reaper_stop.wait(interval):
        try:
            close_old_connections()
            report = services.reap_stale_nodes()
            if report.retried or report.failed or report.redispatched:
                log.warning(
                    "reaper: retried %s, failed %s, sent again %s", report.retried, report.failed, report.redispatched
                )
        except Exception:  # keep reaping; the next pass retries
            log.exception("reaper pass failed")


@worker_ready.connect
def _start_reaper(sender=None, **kwargs):  # type: ignore[no-untyped-def]
    threading.Thread(target=_reaper_loop, name="tessera-reaper", daemon=True).start()


@worker_shutdown.connect
def _stop_reaper(sender: Any = None, **kwargs: Any) -> None:
    _reaper_stop.set()
    if sender is not None and getattr(sender, "hostname", None):
        _release(sender.hostname)  # nodes left "running" under this name: their pool child died with the worker


# --------------------------------------------------------------------------------------------
# bounded shutdown: SIGTERM (or SIGINT, SIGQUIT) -> at most TESSERA_SHUTDOWN_GRACE_SECONDS + RELEASE_SECONDS
# --------------------------------------------------------------------------------------------
#: After the grace period, how long the watchdog may spend handing the worker's nodes back before it exits anyway.
RELEASE_SECONDS = 5.0
_STOP_SIGNALS = frozenset({signal.SIGTERM, signal.SIGINT, signal.SIGQUIT})
_shutdown_begun = threading.Event()
_main_pid: int | None = None
_wakeup: tuple[socket.socket, socket.socket] | None = None  # kept referenced: the signal writes to it


def _begin_bounded_shutdown(hostname: str) -> None:
    """Celery's warm shutdown waits for every running task, however long it takes (a node may train for
    an hour). This starts a watchdog once: running nodes get TESSERA_SHUTDOWN_GRACE_SECONDS to finish;
    then the pool children still running one are killed, their nodes are handed back to be retried
    elsewhere (exactly as if the worker had been killed, without waiting for a stale heartbeat), and the
    process exits, within RELEASE_SECONDS more even if the database or broker does not answer."""
    if _shutdown_begun.is_set():
        return
    _shutdown_begun.set()
    grace = float(settings.TESSERA_SHUTDOWN_GRACE_SECONDS)
    log.warning("worker %s asked to stop: running nodes have %g s to finish, then are handed back", hostname, grace)
    threading.Thread(target=_watchdog, args=(hostname, grace), name="tessera-shutdown", daemon=True).start()


def _watchdog(hostname: str, grace: float) -> None:
    time.sleep(grace)
    log.warning("worker %s still up %g s after it was asked to stop: stopping its nodes and exiting", hostname, grace)
    for child in billiard_process.active_children():  # prefork: the pool processes (their sandboxes die with them)
        with contextlib.suppress(OSError):
            os.kill(child.pid, signal.SIGKILL)
    releasing = threading.Thread(target=_release, args=(hostname,), name="tessera-release", daemon=True)
    releasing.start()
    releasing.join(RELEASE_SECONDS)
    if releasing.is_alive():
        log.error(
            "could not hand back the nodes of %s in %g s: the reaper retries them once stale", hostname, RELEASE_SECONDS
        )
    _flush_logs()
    os._exit(0)  # the main thread may be inside a node (solo pool) or waiting on the pool: do not wait for it


def _flush_logs() -> None:
    def flush() -> None:
        for handler in logging.getLogger().handlers:
            with contextlib.suppress(Exception):
                handler.flush()
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()

    flushing = threading.Thread(target=flush, name="tessera-flush", daemon=True)  # a blocked pipe must not hold us
    flushing.start()
    flushing.join(1.0)


def _release(hostname: str) -> None:
    try:
        close_old_connections()
        report = services.release_nodes(hostname, why="shut down")
        if report.retried or report.failed:
            log.warning("handed back nodes of %s: retried %s, failed %s", hostname, report.retried, report.failed)
    except Exception:  # the reaper of another worker retries them once their heartbeat is stale
        log.exception("could not hand back the nodes of %s", hostname)
    finally:
        close_old_connections()


@worker_shutting_down.connect
def _on_shutting_down(sender: Any = None, **kwargs: Any) -> None:
    _begin_bounded_shutdown(str(sender or ""))


@worker_init.connect
def _notice_stop_signals(sender: Any = None, **kwargs: Any) -> None:
    """Celery's own handler runs only when the main thread next runs Python code, which a node in a solo
    pool busy inside C (a LightGBM fit) may not do for minutes: the signal's number is also written to a
    socket that a thread of ours reads, so the watchdog starts at once."""
    global _main_pid, _wakeup
    hostname = getattr(sender, "hostname", "") or ""
    try:
        reader, writer = socket.socketpair()
        writer.setblocking(False)
        signal.set_wakeup_fd(writer.fileno(), warn_on_full_buffer=False)
    except (ValueError, OSError):  # not the main thread: worker_shutting_down still starts the watchdog
        log.warning("cannot watch for stop signals; a busy solo worker notices SIGTERM late", exc_info=True)
        return
    _main_pid, _wakeup = os.getpid(), (reader, writer)
    threading.Thread(target=_read_signals, args=(reader, hostname), name="tessera-signals", daemon=True).start()


def _read_signals(reader: socket.socket, hostname: str) -> None:
    while data := reader.recv(64):
        if any(signum in _STOP_SIGNALS for signum in data):
            _begin_bounded_shutdown(hostname)


@worker_process_init.connect
def _forget_stop_signals(**kwargs: Any) -> None:
    if _main_pid is not None and os.getpid() != _main_pid:  # a prefork child: the parent watches
        signal.set_wakeup_fd(-1)
