"""Parent side of the user-code sandbox: start a confined, limited child, stream its output, read back data only.

The child is a fresh ``python -I`` of this interpreter (or another language's interpreter, such as
``Rscript`` for Execute R Script) in its own session (process group), with an environment built from
nothing, a fresh temporary directory as cwd, HOME and TMPDIR, and rlimits set before ``exec``:
address space (memory), CPU seconds, file size, no core dumps, and a cap on new processes.

It is confined by the strongest tier this host offers (``_confinement.py``): bubblewrap (a file
system of its own with only read-only interpreter paths and this directory, no network, an
unprivileged uid of its own when Tessera runs as root), else Landlock, else nothing, and then user
code is refused unless the operator accepted that risk (``TESSERA_UNSAFE_UNCONFINED_USER_CODE``).
Every Tessera process is also not dumpable (:func:`keep_secrets_from_children`, called when the
``designer`` package is imported, and again here before each child starts), so a child that shares
its OS user cannot read its ``/proc/<pid>/environ`` or memory.

Nothing the child writes is trusted: files are opened without following links, size-checked, and
parsed as JSON, Parquet or CSV only. Nothing is ever unpickled.
"""

from __future__ import annotations

import contextlib
import ctypes
import io
import json
import os
import queue
import resource
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from modules.library.python_language import _confinement, _landlock, _seccomp
from modules.library.python_language._secrets import keep_secrets_from_children
from modules.sdk import ModuleError, RunContext

RUNNER = Path(__file__).with_name("_runner.py")
MB = 1024 * 1024
#: Log volume kept from one child; the rest is read (so the child never blocks) and dropped.
MAX_LOG_LINES = 5000
MAX_LINE_CHARS = 2000
#: Extra processes and threads the child may start (bounds a fork bomb where the kernel enforces it).
EXTRA_TASKS = 128
STATUS_MAX_BYTES = 1 * MB
POLL_S = 0.05

_CLONE_NEWUSER = 0x10000000
_CLONE_NEWNET = 0x40000000
_PR_SET_PDEATHSIG = 1
#: Unconfined (the operator accepted the risk): still give the child its own user and network
#: namespaces where the kernel allows it, as Tessera did before it had confinement tiers.
USE_NAMESPACES = True


@dataclass(frozen=True)
class Limits:
    timeout_s: float
    memory_mb: int


@dataclass(frozen=True)
class Outcome:
    """How the child ended. ``returncode`` is negative for a signal, as ``subprocess`` reports it."""

    returncode: int
    timed_out: bool
    confinement: str  # bubblewrap, landlock or unconfined
    elapsed_s: float


class Sandbox:
    """A fresh temporary directory for one child: ``io/`` for the exchange files, ``work/`` as its cwd.

    Use as a context manager; the whole tree is removed on exit, whatever the child left there.
    """

    def __init__(self, prefix: str = "tessera-python-") -> None:
        self.root = Path(tempfile.mkdtemp(prefix=prefix, dir=_confinement.host_temp_dir()))
        self.io = self.root / "io"
        self.work = self.root / "work"
        self.io.mkdir(mode=0o700)
        self.work.mkdir(mode=0o700)

    def __enter__(self) -> Sandbox:
        return self

    def install(self, program: Path) -> Path:
        """A read-only copy of a runner file (which lives in Tessera's own tree) where the child can see it."""
        target = self.root / "bin" / program.name
        target.parent.mkdir(mode=0o700, exist_ok=True)
        shutil.copyfile(program, target)
        target.chmod(0o444)
        return target

    def __exit__(self, *exc: object) -> None:
        shutil.rmtree(self.root, onerror=_make_removable)

    def run(
        self,
        job: dict[str, Any],
        limits: Limits,
        ctx: RunContext,
        command: Sequence[str] | None = None,
        watch: Callable[[], None] | None = None,
        *,
        python: str | None = None,
        readonly: Sequence[str] = (),
    ) -> Outcome:
        """Run the child on ``job`` until it exits, times out or the run is cancelled (then re-raise).

        ``job`` is written to ``io/job.json``; by default the child is the Python runner reading it.
        ``command`` replaces that child (another language's interpreter, say) and gets the same
        limits, environment, namespaces, log streaming and clean-up. ``python`` runs the runner with
        another interpreter (an environment's, ``_environments.py``), and ``readonly`` paths (that
        environment) become visible to the child, read-only, in every confinement tier. ``watch`` is
        called at every turn of the wait (about every 50 ms) while the child runs: it reads what the
        child sends besides its output (``_logged.LogChannel.poll``); an exception from it stops the
        child and is re-raised.
        """
        confinement = confine()
        job_path = self.io / "job.json"
        job_path.write_text(json.dumps(job), encoding="utf-8")
        if command is None:
            command = [python or sys.executable, "-I", "-B", "-u", str(self.install(RUNNER)), str(job_path)]
        launch = confinement.launch(command, self.root, self.work, readonly=readonly)
        if launch.owner is not None:
            _confinement.chown_tree(self.root, launch.owner)
        keep_secrets_from_children()  # whoever started us: a worker, a scoring server, a script
        started = time.monotonic()
        try:
            proc = subprocess.Popen(
                launch.argv,
                cwd=self.work,
                env=child_environment(self.work, python),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, killed as one
                user=launch.user,
                group=launch.user,
                extra_groups=[] if launch.user is not None else None,
                preexec_fn=_limiter(
                    limits,
                    EXTRA_TASKS if launch.owner is not None else _tasks_of_this_user() + EXTRA_TASKS,
                    launch.ruleset,
                    launch.seccomp,
                    namespaces=not confinement.confined,
                ),
            )
        finally:
            if launch.ruleset is not None:
                launch.ruleset.close()
        ctx.log(f"sandbox: {confinement.summary}")
        lines: queue.Queue[str | None] = queue.Queue()
        stdout: IO[bytes] = proc.stdout  # type: ignore[assignment]  # stdout=PIPE above
        stop_reading = threading.Event()
        reader = threading.Thread(target=_read_lines, args=(stdout.fileno(), lines, stop_reading), daemon=True)
        reader.start()
        log = _Log(ctx)
        timed_out = False
        try:
            while not _has_exited(proc.pid):
                if time.monotonic() - started >= limits.timeout_s:
                    timed_out = True
                    break
                ctx.check_cancelled()
                log.drain(lines, wait=POLL_S)
                if watch is not None:
                    watch()
        finally:
            # Kill the whole group before reaping, so the group id cannot have been reused;
            # this also ends any background process the script left behind.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            if launch.user is not None:  # Landlock as root: no PID namespace, but a uid of its own
                _kill_every_process_of(launch.user)
            # A process the script left behind may hold the pipe open: read what is there, then stop.
            reader.join(timeout=2)
            stop_reading.set()
            reader.join(timeout=2)
            log.drain(lines, wait=0)
            stdout.close()
        return Outcome(
            _returncode(proc.returncode, confinement), timed_out, confinement.kind, time.monotonic() - started
        )


def _kill_every_process_of(uid: int) -> None:
    """End whatever the child left running, even after leaving its process group: ``kill(-1)`` sent as
    the child's own uid reaches every process of that uid (that run's alone) and nothing else."""

    def sweep() -> None:
        with contextlib.suppress(OSError):
            os.kill(-1, signal.SIGKILL)  # every process this uid may signal, except the caller

    with contextlib.suppress(OSError, subprocess.SubprocessError):
        subprocess.run(["true"], user=uid, group=uid, extra_groups=[], preexec_fn=sweep, timeout=30, check=False)


def confine() -> _confinement.Confinement:
    """This host's confinement, or a ``ModuleError`` saying why user code cannot run here."""
    try:
        confinement = _confinement.current()
    except _confinement.Refused as exc:
        raise ModuleError(f"user code is not run on this worker: {exc}") from None
    if confinement.confined or os.environ.get(_confinement.OPT_IN, "").strip().lower() in ("1", "true", "yes"):
        return confinement
    raise ModuleError(
        "user code is not run on this worker: no confinement is available here "
        f"({confinement.summary.split('(', 1)[-1].rstrip(')')}). The operator can install bubblewrap "
        "(apt-get install bubblewrap), allow user namespaces or Landlock, or set "
        f"{_confinement.OPT_IN}=true to accept that scripts can read every file Tessera's OS user can read."
    )


def _returncode(code: int, confinement: _confinement.Confinement) -> int:
    """bubblewrap reports a child killed by signal N as exit code 128 + N; give it back as -N, as subprocess does."""
    if confinement.kind == _confinement.BUBBLEWRAP and 128 < code < 128 + 65:
        return -(code - 128)
    return code


def child_environment(home: Path, python: str | None = None) -> dict[str, str]:
    """The child's whole environment, built from nothing: no secrets, no settings, no service URLs."""
    bindir = os.path.dirname(sys.executable)
    if python:  # an environment's interpreter: its bin/ first, as an activated virtual environment
        bindir = f"{os.path.dirname(python)}:{bindir}"
    return {
        "PATH": f"{bindir}:/usr/local/bin:/usr/bin:/bin",
        "HOME": str(home),
        "PWD": str(home),  # the cwd (bubblewrap sets it anyway)
        "TMPDIR": str(home),
        "LANG": "C.UTF-8",
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": str(home),
        # One thread per numeric library: predictable memory (thread stacks count against the
        # address-space limit) and CPU time that matches wall time.
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        # Arrow's own allocators reserve address space up front; the system one respects the limit.
        "ARROW_DEFAULT_MEMORY_POOL": "system",
    }


def _limiter(
    limits: Limits,
    max_tasks: int,
    ruleset: _landlock.Ruleset | None,
    program: _seccomp._Program | None,
    namespaces: bool,
) -> Callable[[], None]:
    memory = limits.memory_mb * MB
    cpu = int(limits.timeout_s) + 2
    file_size = max(2 * memory, 64 * MB)
    uid, gid = os.getuid(), os.getgid()
    ruleset_fd = ruleset.fd if ruleset is not None else -1
    # Loaded here, in the parent: the child must not call into the dynamic loader between fork and
    # exec, where a lock held by another of the worker's threads at fork time would never be released.
    libc = ctypes.CDLL(None, use_errno=True)

    def apply() -> None:  # runs in the child between fork and exec
        os.umask(0o077)
        if namespaces and USE_NAMESPACES:
            _enter_namespaces(libc, uid, gid)
        _lower(resource.RLIMIT_AS, memory, memory)
        _lower(resource.RLIMIT_CPU, cpu, cpu + 3)
        _lower(resource.RLIMIT_FSIZE, file_size, file_size)
        _lower(resource.RLIMIT_CORE, 0, 0)
        _lower(resource.RLIMIT_NPROC, max_tasks, max_tasks)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)  # die with the worker (set after any uid change)
        if ruleset_fd >= 0:
            _landlock.restrict_self(ruleset_fd)
        if program is not None:
            _seccomp.install(program)

    return apply


def _lower(kind: int, soft: int, hard: int) -> None:
    """Set a limit, never above the one the worker already runs under (raising it would fail)."""
    _, current = resource.getrlimit(kind)
    if current != resource.RLIM_INFINITY:
        hard = min(hard, current)
    resource.setrlimit(kind, (min(soft, hard), hard))


def _enter_namespaces(libc: ctypes.CDLL, uid: int, gid: int) -> None:
    """New user + network namespaces, mapping our own ids so files stay ours. Best effort: absent on some hosts."""
    if libc.unshare(_CLONE_NEWUSER | _CLONE_NEWNET) != 0:
        return
    for path, text in (
        ("/proc/self/setgroups", "deny"),
        ("/proc/self/uid_map", f"{uid} {uid} 1"),
        ("/proc/self/gid_map", f"{gid} {gid} 1"),
    ):
        with contextlib.suppress(OSError):
            fd = os.open(path, os.O_WRONLY)
            try:
                os.write(fd, text.encode())
            finally:
                os.close(fd)


def _tasks_of_this_user() -> int:
    """Processes and threads this user runs now (RLIMIT_NPROC counts them all, not just the child's)."""
    uid, count = os.getuid(), 0
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if entry.stat().st_uid == uid:
                    count += len(os.listdir(f"/proc/{entry.name}/task"))
    return count


def _has_exited(pid: int) -> bool:
    """Whether the child has exited, without reaping it (WNOWAIT), so its group id stays reserved."""
    try:
        return os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
    except ChildProcessError:
        return True


def _read_lines(fd: int, lines: queue.Queue[str | None], stop: threading.Event) -> None:
    """The child's output, line by line, until EOF or ``stop`` (never blocked for good on a held pipe)."""
    pending = b""
    while not stop.is_set():
        if not select.select([fd], [], [], POLL_S)[0]:
            continue
        chunk = os.read(fd, 64 * 1024)
        if not chunk:
            break
        pending += chunk
        *complete, pending = pending.split(b"\n")
        if len(pending) > MAX_LINE_CHARS * 4:  # a line without end: pass it on in pieces
            complete.append(pending)
            pending = b""
        for raw in complete:
            lines.put(raw.decode("utf-8", "replace").rstrip("\r"))
    if pending:
        lines.put(pending.decode("utf-8", "replace").rstrip("\r"))
    lines.put(None)


class _Log:
    """Passes the child's output to ``ctx.log`` from the calling thread, up to a cap."""

    def __init__(self, ctx: RunContext) -> None:
        self.ctx = ctx
        self.count = 0

    def drain(self, lines: queue.Queue[str | None], wait: float) -> None:
        try:
            line = lines.get(timeout=wait) if wait else lines.get_nowait()
            while True:
                if line is not None:
                    self._emit(line)
                line = lines.get_nowait()
        except queue.Empty:
            return

    def _emit(self, line: str) -> None:
        self.count += 1
        if self.count <= MAX_LOG_LINES:
            self.ctx.log(line[:MAX_LINE_CHARS] + (" [line cut]" if len(line) > MAX_LINE_CHARS else ""))
        elif self.count == MAX_LOG_LINES + 1:
            self.ctx.log(f"[more than {MAX_LOG_LINES} lines of output; the rest is not kept]")


def read_child_file(path: Path, max_bytes: int, what: str) -> bytes:
    """A file the child wrote, refusing links (it could point at a file only the worker may read)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise ModuleError(f"the script's process did not return {what}") from None
    except OSError:
        raise ModuleError(f"the script's process returned {what} as a link, which is refused") from None
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fh.fileno())
        if not _is_plain_file(st.st_mode) or st.st_nlink != 1:
            raise ModuleError(f"the script's process returned {what} as something other than a plain file")
        if st.st_size > max_bytes:
            raise ModuleError(f"{what} is larger than {max_bytes // MB} MB")
        return fh.read(max_bytes + 1)


def read_status(path: Path) -> dict[str, Any] | None:
    """The child's status.json as a dict, or ``None`` when it is missing or not a JSON object."""
    try:
        raw = read_child_file(path, STATUS_MAX_BYTES, "a status")
        status = json.loads(raw)
    except (ModuleError, ValueError):
        return None
    return status if isinstance(status, dict) else None


def read_table_file(path: Path, max_bytes: int, what: str) -> Any:
    """A Parquet file the child wrote, as a pandas DataFrame; anything else is refused by name."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    raw = read_child_file(path, max_bytes, what)
    try:
        parquet = pq.ParquetFile(io.BytesIO(raw))
        claimed = sum(parquet.metadata.row_group(i).total_byte_size for i in range(parquet.metadata.num_row_groups))
        if claimed > max_bytes:
            raise ModuleError(f"{what} is larger than {max_bytes // MB} MB once decoded")
        return parquet.read().to_pandas()
    except (pa.ArrowException, OSError, ValueError, TypeError, KeyError) as exc:
        raise ModuleError(f"the script's process returned {what} that is not a readable table: {exc}") from None


def _is_plain_file(mode: int) -> bool:
    import stat

    return stat.S_ISREG(mode)


def _make_removable(func: Callable[..., Any], path: str, _exc: Any) -> None:
    """rmtree's error hook: the script may have made its files read-only; give them back and retry once."""
    with contextlib.suppress(OSError):
        os.chmod(os.path.dirname(path), 0o700)
        os.chmod(path, 0o700)
        func(path)
