"""Build an environment once per content hash, on the worker's host, and hand its interpreter to the sandbox.

``<cache>/<hash>/`` (``TESSERA_ENVIRONMENTS_DIR``, else ``<TESSERA_DATA_DIR>/environments``) is shared by
every worker on the host. The first worker that needs a hash takes an exclusive ``fcntl`` lock on
``<cache>/<hash>.lock`` and builds in a temporary directory beside it; the others wait on the lock and
then find it built. Publishing is one ``rename``, so nobody ever sees half an environment.

A build is ``python -m venv`` (``--system-site-packages`` and a ``.pth`` naming the worker's own
site-packages when the base is ``worker``, so the worker's pandas, numpy, scikit-learn ... are visible
below the environment's own packages) and then ``pip install --only-binary=:all:`` from
``TESSERA_PACKAGE_INDEX_URL`` (default: PyPI). Wheels only: nothing a package ships runs at install
time (no ``setup.py``, no build backend). pip runs in the worker, not the sandbox, with an environment
built from nothing (no database or broker URLs, no secrets), no pip configuration files and no cache.

A package the index cannot supply fails the node naming the requirement line (read from pip's output).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from . import _requirements
from ._confinement import host_temp_dir

DEFAULT_INDEX = "https://pypi.org/simple"
READY = "tessera-environment.json"
BUILD_TIMEOUT_S = 1800
LOCK_POLL_S = 0.2
MAX_LOG_LINES = 400
#: Passed to pip from the worker's environment: proxies and certificate bundles an operator set up.
PASSED_THROUGH = (
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "NO_PROXY",
    "http_proxy",
    "https_proxy",
    "no_proxy",
    "SSL_CERT_FILE",
    "REQUESTS_CA_BUNDLE",
    "PIP_CERT",
)


class BuildFailed(Exception):
    """The environment could not be built; ``message`` names the requirement line when pip said which."""


@dataclass(frozen=True)
class Built:
    """A ready environment: run ``python`` with ``root`` bound read-only into the sandbox."""

    root: Path
    python: Path
    built_now: bool


def cache_dir() -> Path:
    explicit = os.environ.get("TESSERA_ENVIRONMENTS_DIR", "").strip()
    if explicit:
        return Path(explicit).resolve()
    data = os.environ.get("TESSERA_DATA_DIR", "").strip()
    base = Path(data) if data else Path(__file__).resolve().parents[3] / "var"  # settings.py's own default
    return (base / "environments").resolve()


def index_url() -> str:
    return os.environ.get("TESSERA_PACKAGE_INDEX_URL", "").strip() or DEFAULT_INDEX


def ensure(
    content_hash: str,
    base: str,
    requirements: Sequence[str],
    log: Callable[[str], None],
    check_cancelled: Callable[[], None] = lambda: None,
) -> Built:
    """The environment for ``content_hash``, built now if no worker on this host has built it yet."""
    if not re.fullmatch(r"[0-9a-f]{64}", content_hash):
        raise BuildFailed(f"not an environment content hash: {content_hash!r}")
    if _requirements.content_hash(base, requirements) != content_hash:
        raise BuildFailed("the environment's content hash does not match its base and requirement lines")
    root = cache_dir()
    root.mkdir(parents=True, exist_ok=True)
    final = root / content_hash
    if _ready(final):
        log(f"environment {content_hash[:12]}: using the one already built on this host ({final})")
        return Built(final, _python(final), built_now=False)
    locks = root / ".locks"
    locks.mkdir(exist_ok=True)
    with _locked(locks / f"{content_hash}.lock", log, check_cancelled):
        if _ready(final):  # another worker built it while we waited
            log(f"environment {content_hash[:12]}: built by another worker meanwhile; using it ({final})")
            return Built(final, _python(final), built_now=False)
        started = time.monotonic()
        log(
            f"environment {content_hash[:12]}: building ({len(requirements)} requirement line(s), base {base}, "
            f"index {index_url()})"
        )
        staging = Path(tempfile.mkdtemp(prefix=f".{content_hash[:12]}-", dir=root))
        try:
            _build(staging, base, list(requirements), log, check_cancelled)
            (staging / READY).write_text(
                json.dumps(
                    {
                        "hash": content_hash,
                        "base": base,
                        "requirements": list(requirements),
                        "python": sys.version.split()[0],
                        "index": index_url(),
                    }
                ),
                encoding="utf-8",
            )
            if final.exists():  # a leftover without its ready marker: never published, safe to replace
                shutil.rmtree(final, ignore_errors=True)
            os.chmod(staging, 0o755)
            os.rename(staging, final)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        log(f"environment {content_hash[:12]}: built in {time.monotonic() - started:.1f} s ({final})")
        return Built(final, _python(final), built_now=True)


def _ready(path: Path) -> bool:
    return (path / READY).is_file() and _python(path).exists()


def _python(root: Path) -> Path:
    return root / "bin" / "python"


@contextlib.contextmanager
def _locked(path: Path, log: Callable[[str], None], check_cancelled: Callable[[], None]):  # type: ignore[no-untyped-def]
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not told:
                    log("environment: another worker on this host is building it; waiting")
                    told = True
                check_cancelled()
                time.sleep(LOCK_POLL_S)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _build(
    target: Path, base: str, requirements: list[str], log: Callable[[str], None], check_cancelled: Callable[[], None]
) -> None:
    venv = [sys.executable, "-m", "venv", "--without-pip"]
    if base == "worker":
        venv.append("--system-site-packages")
    _run([*venv, str(target)], log, check_cancelled, "python -m venv")
    if base == "worker":
        # A worker that itself runs in a virtual environment: --system-site-packages reaches the base
        # interpreter's packages, not the worker's; name the worker's own site-packages as well (a .pth
        # entry comes after the environment's own site-packages, so its packages win).
        paths = sysconfig.get_paths()
        own = [paths[k] for k in ("purelib", "platlib") if k in paths]
        site = _site_packages(target)
        (site / "_tessera_worker_packages.pth").write_text("\n".join(dict.fromkeys(own)) + "\n", encoding="utf-8")
    if not requirements:
        return
    pip = [
        sys.executable,
        "-m",
        "pip",
        "--python",
        str(_python(target)),
        "--disable-pip-version-check",
        "--no-input",
        "--no-cache-dir",
        "--isolated",
        "install",
        "--only-binary=:all:",
        "--index-url",
        index_url(),
        "--progress-bar",
        "off",
        *requirements,
    ]
    output = _run(pip, log, check_cancelled, "pip install", failing=True)
    if output is not None:
        raise BuildFailed(_explain(output, requirements))


def _site_packages(root: Path) -> Path:
    found = sorted(root.glob("lib/python*/site-packages"))
    if not found:
        raise BuildFailed(f"the new environment has no site-packages under {root}")
    return found[0]


def _environment(home: Path) -> dict[str, str]:
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": str(home),
        "TMPDIR": str(home),
        "LANG": "C.UTF-8",
        "PIP_CONFIG_FILE": os.devnull,
        "PYTHONNOUSERSITE": "1",
    }
    env.update({k: os.environ[k] for k in PASSED_THROUGH if k in os.environ})
    return env


def _run(
    argv: list[str], log: Callable[[str], None], check_cancelled: Callable[[], None], what: str, failing: bool = False
) -> list[str] | None:
    """Run one build step, its output line by line into the node's log. On failure: the output when
    ``failing`` (the caller explains it), else ``BuildFailed``."""
    home = Path(tempfile.mkdtemp(prefix="tessera-envbuild-", dir=host_temp_dir()))
    lines: list[str] = []
    try:
        proc = subprocess.Popen(
            argv,
            env=_environment(home),
            cwd=home,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            start_new_session=True,
        )
        started = time.monotonic()
        assert proc.stdout is not None
        try:
            for raw in proc.stdout:
                line = raw.rstrip()
                lines.append(line)
                if len(lines) <= MAX_LOG_LINES:
                    log(f"  {line}")
                if time.monotonic() - started > BUILD_TIMEOUT_S:
                    raise BuildFailed(f"{what} took longer than {BUILD_TIMEOUT_S} s")
                check_cancelled()
            code = proc.wait()
        finally:
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, 9)
                proc.wait()
    finally:
        shutil.rmtree(home, ignore_errors=True)
    if code == 0:
        return None
    if failing:
        return lines
    tail = "; ".join(lines[-3:])
    raise BuildFailed(f"{what} failed (exit {code}): {tail}")


_NO_VERSION = re.compile(r"(?:satisfies the requirement|No matching distribution found for)\s+(\S+)")


def _explain(output: list[str], requirements: list[str]) -> str:
    """pip's failure, naming the requirement line at fault where pip named a package."""
    for text in output:
        match = _NO_VERSION.search(text)
        if match:
            where = _requirements.line_for(requirements, match.group(1))
            if where is not None:
                number, line = where
                return (
                    f"requirement line {number} ({line!r}) cannot be installed: the package index "
                    f"{index_url()} has no wheel that matches it for this worker's Python"
                )
            return f"pip could not install {match.group(1)}: the package index {index_url()} has no matching wheel"
    errors = [line for line in output if line.startswith("ERROR")]
    return "pip install failed: " + ("; ".join(errors[-3:]) if errors else "; ".join(output[-3:]))
