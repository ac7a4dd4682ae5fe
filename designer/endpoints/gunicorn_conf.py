"""gunicorn settings of ``scripts/score`` (``--config python:designer.endpoints.gunicorn_conf``): the master
starts the call-record flusher as a process of its own (``flusher.py``) before it forks the workers, and
tells them so (``TESSERA_CALL_FLUSHER=process``), so no worker spends its interpreter on database writes;
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
# The flusher sets Django up as the workers do (designer/scoring_wsgi.py): with the scoring server's apps only.
os.environ.setdefault("TESSERA_ROOT_URLCONF", "designer.endpoints.scoring_urls")


def when_ready(server: Any) -> None:
    global _flusher
    command = [sys.executable, "-m", "designer.endpoints.flusher", "--parent", str(os.getpid())]
    _flusher = subprocess.Popen(command, preexec_fn=lambda: os.nice(5))  # noqa: PLW1509 - only lowers priority
    os.environ["TESSERA_CALL_FLUSHER"] = "process"  # inherited by every worker forked from now on


def on_exit(server: Any) -> None:
    if _flusher is None or _flusher.poll() is not None:
        return
    _flusher.terminate()  # a last flush, then it exits
    try:
        _flusher.wait(timeout=60)
    except subprocess.TimeoutExpired:
        _flusher.kill()
