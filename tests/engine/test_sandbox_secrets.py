"""A sandboxed script on a host without user namespaces runs as the same OS user as Tessera: every
Tessera process must then be closed to it (not dumpable: no /proc/<pid>/environ, memory or ptrace)."""

from __future__ import annotations

import ctypes
import subprocess
import sys
from pathlib import Path

from modules.library.python_language import _sandbox
from modules.sdk import LocalContext

ROOT = Path(__file__).resolve().parents[2]
PR_GET_DUMPABLE = 3
PR_SET_DUMPABLE = 4
ASK = "import ctypes; print(ctypes.CDLL(None).prctl(3, 0, 0, 0, 0))"


def _dumpable_after(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", f"{code}\n{ASK}"], cwd=ROOT, capture_output=True, text=True, timeout=120, check=True
    )
    return done.stdout.strip().splitlines()[-1]


def test_every_process_that_imports_tessera_is_closed_to_other_processes_of_its_user() -> None:
    assert _dumpable_after("import designer") == "0"  # web, scoring servers, workers, manage.py
    assert _dumpable_after("import json") == "1"  # what a process is otherwise


def test_the_process_that_starts_a_sandboxed_child_closes_itself_first() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)
    assert libc.prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) == 1
    ctx = LocalContext()

    with _sandbox.Sandbox() as box:
        outcome = box.run({}, _sandbox.Limits(timeout_s=30, memory_mb=512), ctx, command=[sys.executable, "-c", ASK])

    assert outcome.returncode == 0
    assert libc.prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) == 0  # the parent, from before the child started
    assert ctx.logs[-1] == "1"  # the child itself is a fresh exec: its own flag is its own business
