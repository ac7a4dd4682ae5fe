"""Which confinement user code gets on this host, and how a child is started under it.

User code (Execute Python Script, Execute R Script, Create Python Model) must not reach what Tessera
can reach, whichever OS user Tessera runs as, root included. Tiers, strongest first; the first that
works on this host is used (``TESSERA_SANDBOX`` = ``bubblewrap``, ``landlock`` or ``unconfined``
forces one, and a forced tier that does not work refuses to run user code rather than fall back):

1. **bubblewrap** (Debian's ``bubblewrap``): new mount, PID, network, IPC and UTS namespaces; a root
   file system of its own holding only read-only system, Python and R paths and the run's own
   directory (``/etc`` reduced to what the interpreters need, a private ``/proc``, ``/dev`` and
   ``/tmp``); no network at all. When Tessera runs as root, bubblewrap runs privileged (without a
   user namespace) and ``setpriv`` drops the child to an unprivileged uid of its own (a fresh one per
   child from ``TESSERA_SANDBOX_UIDS``), with no groups, no capabilities, an empty bounding set and
   ``no_new_privs``; as any other user, bubblewrap uses an unprivileged user namespace and forbids
   nested ones.
2. **landlock** (Linux 5.13+, where namespaces are refused, as Docker's default seccomp profile
   does): the child keeps the host's view but may open only the read-only system, Python and R
   paths and its own directory; with ABI 4+ no TCP, with ABI 6+ no abstract Unix sockets or signals
   outside; no ptrace or ``/proc/<pid>/environ`` of anything outside. As root it is also dropped to an
   unprivileged uid of its own first.
3. **unconfined**: refused, unless the operator sets ``TESSERA_UNSAFE_UNCONFINED_USER_CODE=true``,
   accepting that user code can then read every file Tessera's OS user can read (and, without user
   namespaces, use the network).

In every tier the sandbox (``_sandbox.py``) also builds the environment from nothing, sets memory,
CPU, file-size and process limits, and enforces the timeout. With an unprivileged uid of its own the
process cap holds even when Tessera runs as root (Linux ignores RLIMIT_NPROC for uid 0).
"""

from __future__ import annotations

import functools
import logging
import os
import secrets
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from modules.library.python_language import _landlock, _seccomp

log = logging.getLogger(__name__)

BUBBLEWRAP, LANDLOCK, UNCONFINED = "bubblewrap", "landlock", "unconfined"
TIERS = (BUBBLEWRAP, LANDLOCK)
SETPRIV = "/usr/bin/setpriv"
#: Read-only in every tier: the system's programs and libraries, and what interpreters read in /etc.
SYSTEM_PATHS = ("/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin")
ETC_PATHS = (
    "/etc/ld.so.cache",
    "/etc/ld.so.conf",
    "/etc/ld.so.conf.d",
    "/etc/localtime",
    "/etc/R",
    "/etc/fonts",
    "/etc/alternatives",
    "/etc/mime.types",
    "/etc/nsswitch.conf",
)
DEVICES = ("/dev/null", "/dev/zero", "/dev/random", "/dev/urandom")
OPT_IN = "TESSERA_UNSAFE_UNCONFINED_USER_CODE"
DEFAULT_UIDS = "1000000000:16777216"  # first uid and how many: far above human and container ranges


class Refused(RuntimeError):
    """No confinement is available (or the forced one is not) and the operator did not accept the risk."""


@dataclass(frozen=True)
class Launch:
    """How to start one child: the argv to run, whom to run it as, and what to apply before exec."""

    argv: list[str]
    user: int | None = None  # Popen(user=, group=, extra_groups=[]) for the landlock tier as root
    ruleset: _landlock.Ruleset | None = None  # landlock: apply in the child between fork and exec
    seccomp: _seccomp._Program | None = None  # landlock: no sockets, installed after the ruleset
    owner: int | None = None  # chown the sandbox directory to this uid first (the child's own uid)


@dataclass(frozen=True)
class Confinement:
    kind: str
    summary: str  # one line for logs: what user code can and cannot reach
    as_root: bool = False
    landlock_abi: int = 0

    @property
    def confined(self) -> bool:
        return self.kind in TIERS

    def launch(self, argv: Sequence[str], root: Path, cwd: Path, readonly: Sequence[str] = ()) -> Launch:
        """How to run ``argv`` with ``root`` (the sandbox directory) as the only writable place;
        ``readonly`` paths (a built environment) are visible as well, read-only."""
        if self.kind == BUBBLEWRAP:
            return _bubblewrap(list(argv), root, cwd, self.as_root, readonly)
        if self.kind == LANDLOCK:
            return _landlocked(list(argv), root, self.as_root, self.landlock_abi, readonly)
        return Launch(list(argv))


def interpreter_paths() -> list[str]:
    """Where this Python, its standard library and its installed packages live (read-only for children)."""
    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    found = sysconfig.get_paths()
    paths.update(found[key] for key in ("stdlib", "platstdlib", "purelib", "platlib") if key in found)
    real = os.path.realpath(sys.executable)
    paths.add(str(Path(real).parent.parent))
    existing = sorted(p for p in paths if p and os.path.isdir(p))
    # Drop paths inside another one (binding both is harmless but noisy).
    return [p for p in existing if not any(p != q and p.startswith(q.rstrip("/") + "/") for q in existing)]


def sandbox_uid() -> int:
    """A fresh unprivileged uid for one child (root only): its files, processes and process cap are its own."""
    spec = os.environ.get("TESSERA_SANDBOX_UIDS", DEFAULT_UIDS)
    try:
        first, count = (int(part) for part in spec.split(":"))
    except ValueError:
        raise Refused(f"TESSERA_SANDBOX_UIDS must be 'first:count', not {spec!r}") from None
    if first < 1000 or count < 1:
        raise Refused("TESSERA_SANDBOX_UIDS must start at 1000 or above and hold at least one uid")
    return first + secrets.randbelow(count)


# -- bubblewrap -------------------------------------------------------------------------------------


def _bubblewrap(argv: list[str], root: Path, cwd: Path, as_root: bool, extra: Sequence[str] = ()) -> Launch:
    bwrap = shutil.which("bwrap") or "bwrap"
    args = [
        bwrap,
        "--die-with-parent",
        "--new-session",
        "--unshare-ipc",
        "--unshare-pid",
        "--unshare-net",
        "--unshare-uts",
        "--unshare-cgroup-try",
        "--hostname",
        "sandbox",
    ]
    if not as_root:
        args += ["--unshare-user", "--disable-userns"]
    args += ["--proc", "/proc", "--dev", "/dev", "--perms", "1777", "--tmpfs", "/tmp"]
    made: set[str] = set()
    readonly = [p for p in (*SYSTEM_PATHS, *ETC_PATHS, *interpreter_paths(), *extra) if os.path.lexists(p)]
    for path in readonly:
        if os.path.islink(path) and os.path.dirname(path) == "/":  # /bin -> usr/bin on merged-/usr systems
            args += ["--symlink", os.readlink(path), path]
            continue
        args += _parents(path, made, readonly)
        args += ["--ro-bind", path, path]
    args += _parents(str(root), made, readonly)
    args += ["--bind", str(root), str(root), "--chdir", str(cwd)]
    owner = None
    if as_root:
        owner = sandbox_uid()
        args += [
            "--cap-add",
            "CAP_SETUID",
            "--cap-add",
            "CAP_SETGID",
            "--cap-add",
            "CAP_SETPCAP",
            "--",
            SETPRIV,
            f"--reuid={owner}",
            f"--regid={owner}",
            "--clear-groups",
            "--inh-caps=-all",
            "--bounding-set=-all",
            "--no-new-privs",
        ]
    return Launch([*args, "--", *argv], owner=owner)


def _parents(path: str, made: set[str], bound: Sequence[str]) -> list[str]:
    """``--dir`` for each missing parent of ``path`` with mode 0755 (bubblewrap's own would be 0700 for root)."""
    out: list[str] = []
    for parent in reversed(Path(path).parents):
        name = str(parent)
        if name == "/" or name in made or any(name == b or name.startswith(b.rstrip("/") + "/") for b in bound):
            continue
        made.add(name)
        out += ["--perms", "0755", "--dir", name]
    return out


# -- landlock ---------------------------------------------------------------------------------------


def _landlocked(argv: list[str], root: Path, as_root: bool, abi: int, extra: Sequence[str] = ()) -> Launch:
    ruleset = _landlock.Ruleset(abi)
    try:
        ruleset.allow([*SYSTEM_PATHS, *ETC_PATHS, *interpreter_paths(), *extra], _landlock.READ_ONLY)
        ruleset.allow(DEVICES, _landlock.READ_FILE | _landlock.WRITE_FILE)
        ruleset.allow_all([root])
    except OSError:
        ruleset.close()
        raise
    uid = sandbox_uid() if as_root else None
    return Launch(argv, user=uid, ruleset=ruleset, owner=uid, seccomp=_seccomp.no_sockets_program())


# -- choosing the tier ------------------------------------------------------------------------------


@functools.cache
def current() -> Confinement:
    """This host's confinement, found once per process by running a real child under each tier."""
    wanted = os.environ.get("TESSERA_SANDBOX", "auto").strip().lower() or "auto"
    if wanted not in ("auto", *TIERS, UNCONFINED):
        raise Refused(f"TESSERA_SANDBOX must be auto, bubblewrap, landlock or unconfined, not {wanted!r}")
    as_root = os.geteuid() == 0
    reasons: list[str] = []
    for kind in TIERS if wanted == "auto" else (wanted,) if wanted != UNCONFINED else ():
        candidate = _candidate(kind, as_root)
        reason = _probe(candidate) if isinstance(candidate, Confinement) else f"{kind}: {candidate}"
        if reason is None and isinstance(candidate, Confinement):
            log.info("user code: %s", candidate.summary)
            return candidate
        reasons.append(reason or kind)
    summary = (
        "UNCONFINED: user code runs as Tessera's OS user and can read every file it can read"
        f" ({'; '.join(reasons) or 'forced by TESSERA_SANDBOX'})"
    )
    log.warning("user code: %s", summary)
    return Confinement(UNCONFINED, summary, as_root)


def _candidate(kind: str, as_root: bool) -> Confinement | str:
    """The tier as it would run here, or why it cannot."""
    if kind == BUBBLEWRAP:
        if shutil.which("bwrap") is None:
            return "not available (no bwrap on the PATH)"
        if as_root and not os.path.exists(SETPRIV):
            return f"not available ({SETPRIV} is missing)"
        who = "an unprivileged uid of its own, no capabilities" if as_root else "Tessera's uid in a user namespace"
        return Confinement(
            BUBBLEWRAP,
            f"bubblewrap: runs as {who}; sees only its own directory and read-only system, Python and R paths;"
            " no network; its own process, IPC and host-name namespaces",
            as_root,
        )
    abi = _landlock.abi_version()
    if not _seccomp.supported():
        return "not available (no seccomp filter for this machine's architecture)"
    if abi < 1:
        return "not available (the kernel has no Landlock, or it is disabled or refused)"
    hidden = _unsearchable_parent(os.path.realpath(sys.executable)) if as_root else None
    if hidden:
        return f"not usable as root here: an unprivileged uid cannot reach this Python ({hidden} is not searchable)"
    network = "no sockets (seccomp)" + (", no TCP (Landlock)" if abi >= 4 else "")
    who = "an unprivileged uid of its own" if as_root else "Tessera's uid"
    return Confinement(
        LANDLOCK,
        f"landlock (ABI {abi}): runs as {who}; may open only its own directory and read-only system, Python and R"
        f" paths; {network}; no ptrace of processes outside",
        as_root,
        abi,
    )


def _unsearchable_parent(path: str) -> str | None:
    """The first directory above ``path`` that other users may not enter (Python under /root, say)."""
    for parent in reversed(Path(path).parents):
        if not os.stat(parent).st_mode & 0o001:
            return str(parent)
    return None


#: The probe child writes its uid and whether it could open a host file it must not see.
PROBE = (
    "import os\n"
    "try:\n    open('/etc/hostname').close(); seen = 'seen'\n"
    "except OSError:\n    seen = 'hidden'\n"
    "open('probe.txt', 'w').write(f'{os.getuid()} {seen}')"
)


def host_temp_dir() -> str:
    """Where a confined child's folders are made: the system's temporary folder (``TMPDIR``, else ``/tmp``), not
    ``tempfile``'s, which Tessera's web process points at the scratch folder inside its data folder. A child's
    folder is bound into its view of the file system along with the folders above it, so one made there would
    show the script the data folder's layout."""
    for candidate in (os.environ.get("TMPDIR"), "/tmp", "/var/tmp"):
        if candidate and os.path.isdir(candidate) and os.access(candidate, os.W_OK | os.X_OK):
            return candidate
    return tempfile.gettempdir()


def _probe(candidate: Confinement) -> str | None:
    """``None`` when a child really runs under ``candidate``, else why not (for the log)."""
    root = Path(tempfile.mkdtemp(prefix="tessera-probe-", dir=host_temp_dir()))
    try:
        work = root / "work"
        work.mkdir()
        try:
            launch = candidate.launch([sys.executable, "-I", "-S", "-c", PROBE], root, work)
        except OSError as exc:
            return f"{candidate.kind}: {exc}"
        if launch.owner is not None:
            chown_tree(root, launch.owner)
        ruleset, program = launch.ruleset, launch.seccomp

        def apply() -> None:
            if ruleset is not None:
                _landlock.restrict_self(ruleset.fd)
            if program is not None:
                _seccomp.install(program)

        try:
            done = subprocess.run(
                launch.argv,
                cwd=work,
                env={"PATH": "/usr/bin:/bin"},
                stdin=subprocess.DEVNULL,
                capture_output=True,
                timeout=60,
                user=launch.user,
                group=launch.user,
                extra_groups=[] if launch.user is not None else None,
                preexec_fn=apply,
            )
        except (OSError, subprocess.SubprocessError) as exc:
            return f"{candidate.kind}: {exc}"
        finally:
            if ruleset is not None:
                ruleset.close()
        written = work / "probe.txt"
        if done.returncode != 0 or not written.exists():
            first = (done.stderr or b"").decode("utf-8", "replace").strip().splitlines()
            return f"{candidate.kind}: the probe child failed ({first[-1] if first else f'exit {done.returncode}'})"
        uid, seen = written.read_text().split()
        if candidate.as_root and uid == "0":
            return f"{candidate.kind}: the probe child still ran as uid 0"
        if seen != "hidden" and os.path.exists("/etc/hostname"):
            return f"{candidate.kind}: the probe child could still read /etc/hostname"
        return None
    finally:
        shutil.rmtree(root, ignore_errors=True)


def chown_tree(root: Path, uid: int) -> None:
    """Give the sandbox directory to the child's uid (group 0, so privileged bubblewrap may enter it)."""
    for dirpath, dirnames, filenames in os.walk(root):
        os.lchown(dirpath, uid, 0)
        os.chmod(dirpath, 0o770)
        for name in (*dirnames, *filenames):
            path = os.path.join(dirpath, name)
            if not os.path.isdir(path) or os.path.islink(path):
                os.lchown(path, uid, 0)
