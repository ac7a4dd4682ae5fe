"""A seccomp filter for the Landlock tier: no new sockets, no io_uring.

Landlock (up to ABI 7) does not cover connecting to a Unix socket by path, so without a network
namespace a confined script could still reach a local PostgreSQL or Redis socket. Scripts need no
sockets of their own (``socketpair``, which asyncio and multiprocessing use, stays allowed and reaches
nothing), so the filter refuses ``socket()`` with EACCES; it also refuses ``io_uring_setup``, whose
operations can open sockets without calling ``socket()``, and any system call from a foreign ABI (x32,
32-bit compat), where the numbers differ.

Hand-written classic BPF, nine instructions: libseccomp's own Python bindings come only with the
system Python (Debian's python3-seccomp), the ctypes wrapper on PyPI (pyseccomp) was last released in
2021, and the program is small enough to read.
"""

from __future__ import annotations

import ctypes
import errno
import platform

_PR_SET_NO_NEW_PRIVS, _PR_SET_SECCOMP, _SECCOMP_MODE_FILTER = 38, 22, 2
_LD_W_ABS, _JEQ_K, _JGE_K, _RET_K = 0x20, 0x15, 0x35, 0x06
_ALLOW, _ERRNO, _KILL_PROCESS = 0x7FFF0000, 0x00050000, 0x80000000
_X32_BIT = 0x40000000
#: (audit arch, socket, io_uring_setup) by machine.
_ARCHES = {"x86_64": (0xC000003E, 41, 425), "aarch64": (0xC00000B7, 198, 425)}


class _Filter(ctypes.Structure):
    _fields_ = [("code", ctypes.c_ushort), ("jt", ctypes.c_ubyte), ("jf", ctypes.c_ubyte), ("k", ctypes.c_uint32)]


class _Program(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_Filter))]


def supported() -> bool:
    return platform.system() == "Linux" and platform.machine() in _ARCHES


def no_sockets_program() -> _Program:
    """The filter, built in the parent (the child only installs it)."""
    arch, socket_nr, io_uring_nr = _ARCHES[platform.machine()]
    code = [
        (_LD_W_ABS, 0, 0, 4),  # 0: A = arch
        (_JEQ_K, 0, 6, arch),  # 1: foreign ABI -> 8 kill
        (_LD_W_ABS, 0, 0, 0),  # 2: A = syscall number
        (_JGE_K, 3, 0, _X32_BIT),  # 3: x32 -> 7 refuse
        (_JEQ_K, 2, 0, socket_nr),  # 4: socket -> 7 refuse
        (_JEQ_K, 1, 0, io_uring_nr),  # 5: io_uring_setup -> 7 refuse
        (_RET_K, 0, 0, _ALLOW),  # 6
        (_RET_K, 0, 0, _ERRNO | errno.EACCES),  # 7
        (_RET_K, 0, 0, _KILL_PROCESS),  # 8
    ]
    filters = (_Filter * len(code))(*(_Filter(*instruction) for instruction in code))
    program = _Program(len(code), filters)
    program._keep = filters  # the array must outlive the struct
    return program


_libc = ctypes.CDLL(None, use_errno=True)
_prctl = _libc.prctl  # looked up in the parent, never between fork and exec
_L = ctypes.c_long


def install(program: _Program) -> None:
    """Apply the filter to the calling process for good (in the child, between fork and exec)."""
    if _prctl(_PR_SET_NO_NEW_PRIVS, _L(1), _L(0), _L(0), _L(0)) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS)")
    if _prctl(_PR_SET_SECCOMP, _L(_SECCOMP_MODE_FILTER), ctypes.byref(program), _L(0), _L(0)) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_SECCOMP)")
