"""The sandbox escape probes: one Execute Python Script that tries what a hostile editor would try.

The same script runs as a pipeline node on a worker, behind a deployed endpoint, and straight through
the module under each confinement tier. It returns one row per probe (``probe``, ``outcome``,
``detail``); ``outcome`` is ``contained`` or ``ESCAPED``. What the script writes outside cannot be
judged from inside (a private ``/tmp`` accepts writes that the host never sees), so the tests also
check the host side with :func:`host_escapes`.
"""

from __future__ import annotations

import json
import os
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
#: How many processes the script tries to start; the sandbox caps it well below.
FORK_BOMB = 600

SCRIPT = r"""
import json, os, socket, subprocess, time
import pandas as pd

TARGETS = json.loads(__TARGETS__)


def azureml_main(dataframe1=None, dataframe2=None):
    rows = []

    def record(probe, escaped, detail=""):
        rows.append({"probe": probe, "outcome": "ESCAPED" if escaped else "contained", "detail": str(detail)[:300]})

    for name, path in TARGETS["read"].items():
        try:
            with open(path, "rb") as fh:
                record(f"read {name}", True, fh.read(40))
        except OSError as exc:
            record(f"read {name}", False, type(exc).__name__)
    for name, (path, allowed) in TARGETS["list"].items():
        try:
            extra = sorted(set(os.listdir(path)) - set(allowed))
            record(f"list {name}", bool(extra), extra[:10] or "only the read-only interpreter paths")
        except OSError as exc:
            record(f"list {name}", False, type(exc).__name__)
    for name, path in TARGETS["write"].items():
        try:
            with open(path, "w") as fh:
                fh.write("escaped")
            record(f"write {name}", False, "written inside the sandbox; the host side is checked by the test")
        except OSError as exc:
            record(f"write {name}", False, type(exc).__name__)
    for name, port in TARGETS["ports"].items():
        for host in ("127.0.0.1", "::1"):
            try:
                socket.create_connection((host, port), timeout=1).close()
                record(f"connect {name} {host}:{port}", True, "connected")
            except OSError as exc:
                record(f"connect {name} {host}:{port}", False, type(exc).__name__)
    for path in TARGETS["unix_sockets"]:
        try:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.settimeout(1)
            s.connect(path)
            s.close()
            record(f"connect {path}", True, "connected")
        except OSError as exc:
            record(f"connect {path}", False, type(exc).__name__)
    for pid in TARGETS["pids"]:
        for part in ("environ", "mem", "cmdline"):
            try:
                with open(f"/proc/{pid}/{part}", "rb") as fh:
                    data = fh.read(200)
                record(f"read /proc/{pid}/{part}", part != "cmdline" or bool(data), data[:40])
            except OSError as exc:
                record(f"read /proc/{pid}/{part}", False, type(exc).__name__)
    # Every environment this process can read (its own sandbox's processes included): none may hold
    # what Tessera's processes were started with.
    try:
        pids = [p for p in os.listdir("/proc") if p.isdigit()]
    except OSError:
        pids = []
    seen = []
    for pid in pids:
        try:
            with open(f"/proc/{pid}/environ", "rb") as fh:
                environ = fh.read().decode("utf-8", "replace")
        except OSError:
            continue
        seen += [f"{pid}: {c.split('=')[0]}" for c in TARGETS["canaries"] if c in environ]
    record("Tessera's environment in any readable /proc/*/environ", bool(seen), seen or f"{len(pids)} pids visible")
    record("uid is not 0", os.getuid() == 0 or os.geteuid() == 0, f"uid {os.getuid()}")
    try:  # before the fork bomb, which uses up the process cap
        subprocess.Popen(["setsid", "sleep", TARGETS["sleep"]])
        record("detached process", False, "started; the test checks it is gone after the run")
    except OSError as exc:
        record("detached process", False, type(exc).__name__)
    started = []
    try:
        for _ in range(TARGETS["fork_bomb"]):
            started.append(subprocess.Popen(["sleep", TARGETS["sleep"]]))
    except OSError as exc:
        error = type(exc).__name__
    else:
        error = "none"
    record("process cap", len(started) >= TARGETS["fork_bomb"], f"{len(started)} started, then {error}")
    return pd.DataFrame(rows),
"""


@dataclass
class Targets:
    """What the probes aim at; ``token`` marks the processes and files this run may leave behind."""

    read: dict[str, str]
    write: dict[str, str]
    ports: dict[str, int]
    pids: list[int]
    listed: dict[str, str] = field(default_factory=dict)
    unix_sockets: list[str] = field(default_factory=list)
    canaries: list[str] = field(default_factory=list)
    token: str = field(default_factory=lambda: f"31.{secrets.randbelow(10**6):06d}")

    def script(self) -> str:
        payload = {
            "read": self.read,
            "list": {name: [path, _interpreter_entries(path)] for name, path in self.listed.items()},
            "write": self.write,
            "ports": self.ports,
            "unix_sockets": self.unix_sockets,
            "pids": self.pids,
            "canaries": self.canaries,
            "fork_bomb": FORK_BOMB,
            "sleep": self.token,
        }
        return SCRIPT.replace("__TARGETS__", repr(json.dumps(payload)))


def host_targets(
    data_dir: Path, artifact_path: Path | None = None, pids: list[int] | None = None, canaries: list[str] | None = None
) -> Targets:
    """The probes for a Tessera whose state lives in ``data_dir``: its secrets, database, artifacts and code."""
    secret = data_dir / "first-user.txt"
    if not secret.exists():
        secret.write_text("username: admin\npassword: not-for-scripts\n")
        secret.chmod(0o600)
    database = data_dir / "tessera.sqlite3"
    if not database.exists():
        database.write_bytes(b"SQLite format 3\x00 (a stand-in for the embedded database)")
    read = {
        "first-user password": str(secret),
        "database file": str(database),
        "settings.py": str(ROOT / "designer" / "settings.py"),
        "/etc/shadow": "/etc/shadow",
        "PostgreSQL data": _postgres_version_file(),
    }
    if artifact_path is not None:
        read["another workspace's artifact"] = str(artifact_path)
    token = f"escape-{secrets.token_hex(4)}.txt"
    write = {
        "data dir": str(data_dir / token),
        "artifact store": str((artifact_path.parent if artifact_path else data_dir) / token),
        "project tree": str(ROOT / token),
        "/root": f"/root/{token}",
        "host /tmp": f"/tmp/{token}",
    }
    return Targets(
        read=read,
        write=write,
        ports={"PostgreSQL": 5432, "Redis": 6379},
        pids=[os.getpid(), *(pids or [])],
        listed={"project tree": str(ROOT), "data dir": str(data_dir), "/root": "/root"},
        unix_sockets=["/var/run/postgresql/.s.PGSQL.5432", "/run/postgresql/.s.PGSQL.5432"],
        canaries=canaries or own_environment_canaries(),
    )


def own_environment_canaries() -> list[str]:
    """``NAME=value`` entries this process was started with that no sandboxed child is given."""
    from modules.library.python_language._sandbox import child_environment

    given = set(child_environment(Path("/unused")))
    entries = Path("/proc/self/environ").read_bytes().decode("utf-8", "replace").split("\0")
    found = [e for e in entries if "=" in e and e.split("=", 1)[0] not in given and len(e.split("=", 1)[1]) >= 8]
    assert found, "this process has no environment of its own to look for"
    return found[:5]


def _interpreter_entries(directory: str) -> list[str]:
    """Names in ``directory`` that the sandbox shows on purpose: the first step towards a Python path."""
    from modules.library.python_language._confinement import interpreter_paths

    prefix = directory.rstrip("/") + "/"
    return sorted({p[len(prefix) :].split("/")[0] for p in interpreter_paths() if p.startswith(prefix)})


def _postgres_version_file() -> str:
    found = sorted(Path("/var/lib/postgresql").glob("*/main/PG_VERSION"))
    return str(found[0]) if found else "/var/lib/postgresql/PG_VERSION"


def escapes(answer: pd.DataFrame) -> list[str]:
    """The probes that got out, with what they saw (an empty list: everything was contained)."""
    assert {"probe", "outcome", "detail"} <= set(answer.columns), answer.columns
    assert len(answer) >= 20, "the probe script returned too few rows"
    return [f"{r.probe}: {r.detail}" for r in answer.itertuples() if r.outcome != "contained"]


def host_escapes(targets: Targets, wait_s: float = 10) -> list[str]:
    """What the run left on the host: files written outside, processes still alive."""
    left = [f"file {path}" for path in targets.write.values() if not path.startswith("/tmp/") and Path(path).exists()]
    left += [
        f"file {path} (host /tmp)"
        for path in targets.write.values()
        if path.startswith("/tmp/") and Path(path).exists()
    ]
    deadline = time.monotonic() + wait_s
    while (alive := processes_mentioning(targets.token)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left + [f"process {pid} still alive after the run" for pid in alive]


def processes_mentioning(text: str) -> list[int]:
    """Live host pids whose command line contains ``text``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = entry.joinpath("cmdline").read_bytes().decode("utf-8", "replace")
            state = entry.joinpath("stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if text in cmdline and state not in ("Z", "X"):
            found.append(int(entry.name))
    return found
