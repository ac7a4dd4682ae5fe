"""`tessera run submit` from inside a Git working copy records where the code stood: the repository URL without
its credentials, the branch, the commit and whether the copy had uncommitted changes; outside one, nothing."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from designer.pipelines.services import create_pipeline
from designer.runs.models import Run
from tests.support.pipelines import document

from .conftest import Tessera


def _git(repo: Path, *args: str) -> str:
    env = {"GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(repo), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True, env=env)
    return done.stdout.strip()


def test_a_run_submitted_from_a_git_working_copy_records_its_commit_and_dirty_flag(
    tessera: Tessera, tmp_path: Path, ada: Any, lab: Any
) -> None:
    doc = document([("wait", "test_sleep", {"seconds": 0})], [])
    create_pipeline(ada, lab, "Tiny", document=doc)
    repo = tmp_path / "project"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "experiment")
    _git(repo, "config", "user.email", "ada@example.com")
    _git(repo, "config", "user.name", "Ada")
    _git(repo, "remote", "add", "origin", "https://ada:ghp_s3cret@git.example.com/lab/models.git")
    (repo / "train.py").write_text("print('v1')\n")
    _git(repo, "add", "train.py")
    _git(repo, "commit", "-q", "-m", "first")
    commit = _git(repo, "rev-parse", "HEAD")

    clean = tessera("run", "submit", "Tiny", cwd=repo)
    (repo / "train.py").write_text("print('v2, not committed')\n")  # now the copy is dirty
    dirty = tessera("run", "submit", "Tiny", cwd=repo / ".")
    outside = tessera("run", "submit", "Tiny", cwd=tmp_path)  # not a working copy: nothing recorded, no error

    for result in (clean, dirty, outside):
        assert result.code == 0, result.stderr
    assert f"Recorded commit {commit[:12]} (with uncommitted changes)." in dirty.stderr
    runs = list(Run.objects.order_by("id"))
    expected = {"repository": "https://git.example.com/lab/models.git", "branch": "experiment", "commit": commit}
    assert runs[0].git == {**expected, "dirty": False}
    assert runs[1].git == {**expected, "dirty": True}
    assert runs[2].git == {}
    assert "ghp_s3cret" not in str([r.git for r in runs])
