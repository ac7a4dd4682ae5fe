"""gunicorn settings of ``scripts/score`` (``--config python:designer.endpoints.gunicorn_conf``): the master
loads the app once and forks the workers from it (``--preload``; ``pre_fork`` closes what must not be
shared), and starts the call-record flusher as a process of its own (``flusher.py``) before it forks them,
telling the app so (``TESSERA_CALL_FLUSHER=process``), so no worker spends its interpreter on database writes;
at exit, after the workers have stopped (each has spooled every call it answered), the flusher writes what
is left and the master waits for it.

Only the hooks live here; the server's options stay on ``scripts/score``'s command line.
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

_flusher: subprocess.Popen[bytes] | None = None
#: Set while the app loads in the master (the recorder then starts no thread: see ``recorder.start``).
IN_MASTER = "TESSERA_APP_IN_GUNICORN_MASTER"
# The flusher sets Django up as the workers do (designer/scoring_wsgi.py): with the scoring server's apps only.
os.environ.setdefault("TESSERA_ROOT_URLCONF", "designer.endpoints.scoring_urls")
# Set when gunicorn reads this file, before it loads the app: with --preload the master loads it in
# ``Arbiter.setup``, before any hook (``on_starting`` comes after). Loading it then knows a flusher process,
# not a thread of its own, writes the spool (``TESSERA_CALL_FLUSHER=process``, inherited by every worker),
# and that it is loading in the master, where no thread may start: one would hold database connections
# outside the workers' pools and could hold the recorder's lock across a fork.
os.environ["TESSERA_CALL_FLUSHER"] = "process"
os.environ[IN_MASTER] = "1"


def pre_fork(server: Any, worker: Any) -> None:
    """The app, loaded once in this master (--preload), is shared by every worker forked from it: the models
    its endpoints preloaded are in memory once, and a worker answers as soon as it is forked, instead of each
    importing and loading everything again (two workers doing that at once on two cores doubled the time to
    a first answer). What must not cross a fork is closed first: database connections, and the psycopg pool
    with its threads (a worker opens its own on its first call). No other thread runs in the master."""
    from django.db import connections

    for conn in connections.all(initialized_only=True):
        conn.close()
        if hasattr(conn, "close_pool"):
            conn.close_pool()


def post_fork(server: Any, worker: Any) -> None:
    """Each worker, once forked, writes what the spool holds (calls a killed predecessor left) from a thread of
    its own: now, when the master loaded the app; else when the worker loads it (``recorder.start``)."""
    os.environ.pop(IN_MASTER, None)
    from django.apps import apps

    if apps.ready:
        from designer.endpoints.recorder import recorder

        recorder.drain()


def when_ready(server: Any) -> None:
    global _flusher
    command = [sys.executable, "-m", "designer.endpoints.flusher", "--parent", str(os.getpid())]
    env = {k: v for k, v in os.environ.items() if k != IN_MASTER}
    _flusher = subprocess.Popen(command, env=env, preexec_fn=lambda: os.nice(5))  # noqa: PLW1509 - only lowers priority


def on_exit(server: Any) -> None:
    if _flusher is None or _flusher.poll() is not None:
        return
    _flusher.terminate()  # a last flush, then it exits
    try:
        _flusher.wait(timeout=60)
    except subprocess.TimeoutExpired:
        _flusher.kill()
