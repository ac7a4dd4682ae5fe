"""Git provenance of a run submitted from a working copy: repository URL (credentials stripped), branch, commit, dirty.

Read with the ``git`` command, so it sees what the user's own git sees. Outside a working copy, without
``git`` installed, or when git fails for any reason, nothing is recorded and nothing is raised: a run is
never refused for want of provenance.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

GIT_TIMEOUT_S = 10


def git_provenance(path: str | Path | None = None) -> dict[str, Any] | None:
    """``{"repository", "branch", "commit", "dirty"}`` of the working copy holding ``path`` (default: the
    current directory), or ``None`` when it is not in one (or git is missing)."""
    where = str(path) if path is not None else None
    commit = _git(where, "rev-parse", "--verify", "HEAD")
    if not commit:
        return None  # not a working copy, no commit yet, or no git
    branch = _git(where, "symbolic-ref", "--quiet", "--short", "HEAD")  # None on a detached HEAD
    remote = _git(where, "config", "--get", "remote.origin.url")
    status = _git(where, "status", "--porcelain", "--untracked-files=normal", keep_empty=True)
    return {
        "repository": strip_credentials(remote) if remote else None,
        "branch": branch or None,
        "commit": commit,
        "dirty": bool(status),
    }


def strip_credentials(url: str) -> str:
    """``https://user:token@host/path`` → ``https://host/path``; ssh (``git@host:path``, ``ssh://git@host``)
    keeps its user, which is an account name, not a secret; a query or fragment is dropped."""
    parts = urlsplit(url)
    if parts.scheme in ("http", "https") and (parts.username or parts.password):
        host = parts.hostname or ""
        netloc = f"{host}:{parts.port}" if parts.port else host
        return urlunsplit((parts.scheme, netloc, parts.path, "", ""))
    if parts.scheme in ("http", "https"):
        return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
    return url


def _git(where: str | None, *args: str, keep_empty: bool = False) -> str | None:
    try:
        done = subprocess.run(
            ["git", *args],
            cwd=where,
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    out = done.stdout.strip()
    return out if out or keep_empty else None
