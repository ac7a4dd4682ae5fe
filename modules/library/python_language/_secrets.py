"""Closing a process to other processes of its OS user; importable anywhere at no cost (ctypes and sys only).

Kept apart from the sandbox so that every Tessera process can call it when the ``designer`` package is
imported without loading the module SDK at start-up.
"""

from __future__ import annotations

import ctypes
import sys

_PR_SET_DUMPABLE = 4


def keep_secrets_from_children() -> bool:
    """Mark this process not dumpable, so processes of the same OS user (a sandboxed script on a host
    without user namespaces) cannot read its environment or memory or ptrace it. Linux only; True if set.

    A process can still read its own ``/proc/self``; only root (or CAP_SYS_PTRACE) reaches it from
    outside, which also means no core dumps and no debugger attach by the same user.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(_PR_SET_DUMPABLE, 0, 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False
