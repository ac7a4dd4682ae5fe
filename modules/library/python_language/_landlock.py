"""Linux Landlock through its three system calls: a ruleset built in the parent, applied by the child.

Landlock (Linux 5.13+) lets an unprivileged process give up access to every file outside the paths it
names, and (ABI 4, Linux 6.7+) to TCP, and (ABI 6, Linux 6.12+) to abstract Unix sockets and signals
outside its domain. Once applied it holds for the process and everything it starts, and cannot be
undone. A sandboxed process can also no longer ptrace, or read ``/proc/<pid>/environ`` of, any process
outside its domain.

Hand-written with ctypes (about the size of a C header) because the Python bindings on PyPI are
development releases; the kernel interface is small and stable (landlock.h, ABI versions 1-7).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import platform
from collections.abc import Iterable
from pathlib import Path

# The three system calls have the same numbers on every architecture (the unified syscall table).
_CREATE_RULESET, _ADD_RULE, _RESTRICT_SELF = 444, 445, 446
_CREATE_RULESET_VERSION = 1
_RULE_PATH_BENEATH = 1

EXECUTE = 1 << 0
WRITE_FILE = 1 << 1
READ_FILE = 1 << 2
READ_DIR = 1 << 3
_FS_ABI1 = (1 << 13) - 1  # EXECUTE ... MAKE_SYM
_FS_BY_ABI = {1: _FS_ABI1, 2: _FS_ABI1 | 1 << 13, 3: _FS_ABI1 | 3 << 13}  # + REFER, + TRUNCATE
_FS_ABI5 = _FS_ABI1 | 7 << 13  # + IOCTL_DEV
_NET_TCP = 1 | 2  # BIND_TCP, CONNECT_TCP (ABI 4)
_SCOPES = 1 | 2  # ABSTRACT_UNIX_SOCKET, SIGNAL (ABI 6)
READ_ONLY = EXECUTE | READ_FILE | READ_DIR
_PR_SET_NO_NEW_PRIVS = 38


class _RulesetAttr(ctypes.Structure):
    _fields_ = [
        ("handled_access_fs", ctypes.c_uint64),
        ("handled_access_net", ctypes.c_uint64),
        ("scoped", ctypes.c_uint64),
    ]


class _PathBeneath(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


_libc = ctypes.CDLL(None, use_errno=True)
# Looked up now, in the parent: the child must not call into the dynamic loader between fork and exec.
_syscall = _libc.syscall
_prctl = _libc.prctl
_L = ctypes.c_long  # variadic syscall(2) reads longs


def abi_version() -> int:
    """The kernel's Landlock ABI version, 0 where Landlock is absent, disabled or refused (seccomp)."""
    if platform.system() != "Linux":
        return 0
    version = int(_syscall(_L(_CREATE_RULESET), None, _L(0), _L(_CREATE_RULESET_VERSION)))
    return max(version, 0)


def _fs_rights(abi: int) -> int:
    return _FS_BY_ABI.get(abi, _FS_ABI5)


class Ruleset:
    """A ruleset file descriptor: everything denied but the paths added. Close it once the child runs."""

    def __init__(self, abi: int) -> None:
        self.abi = abi
        self.fs = _fs_rights(abi)
        attr = _RulesetAttr(self.fs, _NET_TCP if abi >= 4 else 0, _SCOPES if abi >= 6 else 0)
        fd = int(_syscall(_L(_CREATE_RULESET), ctypes.byref(attr), _L(ctypes.sizeof(attr)), _L(0)))
        if fd < 0:
            raise OSError(ctypes.get_errno(), f"landlock_create_ruleset: {os.strerror(ctypes.get_errno())}")
        self.fd = fd

    @property
    def blocks_tcp(self) -> bool:
        return self.abi >= 4

    def allow(self, paths: Iterable[Path | str], access: int) -> None:
        """Allow ``access`` beneath each existing path (files get only the rights that apply to files)."""
        for path in paths:
            try:
                fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
            except OSError:
                continue
            try:
                rights = access & self.fs
                if not os.path.isdir(path):
                    rights &= EXECUTE | WRITE_FILE | READ_FILE | (1 << 14) | (1 << 15)
                rule = _PathBeneath(rights, fd)
                if _syscall(_L(_ADD_RULE), _L(self.fd), _L(_RULE_PATH_BENEATH), ctypes.byref(rule), _L(0)) != 0:
                    err = ctypes.get_errno()
                    raise OSError(err, f"landlock_add_rule({path}): {os.strerror(err)}")
            finally:
                os.close(fd)

    def allow_all(self, paths: Iterable[Path | str]) -> None:
        self.allow(paths, self.fs)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self.fd)


def restrict_self(ruleset_fd: int) -> None:
    """Apply a ruleset to the calling process for good (in the child, between fork and exec)."""
    if _prctl(_PR_SET_NO_NEW_PRIVS, _L(1), _L(0), _L(0), _L(0)) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS)")
    if _syscall(_L(_RESTRICT_SELF), _L(ruleset_fd), _L(0)) != 0:
        raise OSError(ctypes.get_errno(), "landlock_restrict_self")
