"""User code is confined whichever OS user Tessera runs as: the escape probes under every tier.

The suite runs as root (as CI does), so these tests start the module as root, and also as an
unprivileged uid (in a throwaway mount namespace where that uid can reach this Python) to check the
other branch of each tier.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from modules.library.python_language import _confinement
from modules.library.python_language.execute_python_script import ExecutePythonScript
from modules.sdk import LocalContext, ModuleError
from tests.support.escape import ROOT, Targets, escapes, host_escapes, host_targets, processes_mentioning

UNPRIVILEGED = 1_500_000_001


@pytest.fixture
def tier(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """``tier("landlock")`` forces a tier for this test; the choice is probed afresh."""

    def force(name: str) -> _confinement.Confinement:
        monkeypatch.setenv("TESSERA_SANDBOX", name)
        _confinement.current.cache_clear()
        return _confinement.current()

    _confinement.current.cache_clear()
    yield force
    monkeypatch.delenv("TESSERA_SANDBOX", raising=False)
    _confinement.current.cache_clear()


@pytest.fixture
def targets(tmp_path: Path) -> Targets:
    data = tmp_path / "var"
    data.mkdir()
    artifact = data / "artifacts" / "ab" / ("ab" + "0" * 62)
    artifact.parent.mkdir(parents=True)
    artifact.write_bytes(b"another workspace's trained model")
    return host_targets(data, artifact)


def _run(script: str, ctx: LocalContext) -> pd.DataFrame:
    module = ExecutePythonScript()
    params = module.Params(python_script=script, timeout_seconds=120, memory_limit_mb=1024)
    return module.run({}, params, ctx)["result_dataset"].df


def test_as_root_bubblewrap_contains_every_probe(tier: Any, targets: Targets) -> None:
    confinement = tier("bubblewrap")
    ctx = LocalContext()

    answer = _run(targets.script(), ctx)

    assert confinement.kind == "bubblewrap" and confinement.as_root
    assert escapes(answer) == []
    assert host_escapes(targets) == []
    cap = answer.set_index("probe").loc["process cap", "detail"]
    assert int(cap.split()[0]) < 200, cap  # 128 more tasks, not 600: the cap holds although Tessera is root
    assert any(line.startswith("sandbox: bubblewrap: runs as an unprivileged uid") for line in ctx.logs)


def test_the_child_gets_a_uid_of_its_own_each_time(tier: Any) -> None:
    tier("bubblewrap")
    script = (
        "import os, pandas as pd\n"
        "def azureml_main(dataframe1=None, dataframe2=None):\n"
        "    return pd.DataFrame({'uid': [os.getuid()]}),\n"
    )

    uids = {int(_run(script, LocalContext())["uid"].iloc[0]) for _ in range(3)}

    assert 0 not in uids and len(uids) == 3
    assert all(uid >= 1_000_000_000 for uid in uids)


def test_without_confinement_user_code_is_refused_unless_the_operator_accepts_the_risk(
    tier: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    marker = tmp_path / "ran"
    script = (
        "import pandas as pd\n"
        "def azureml_main(dataframe1=None, dataframe2=None):\n"
        f"    open({str(marker)!r}, 'w').write('ran')\n"
        "    return pd.DataFrame({'a': [1]}),\n"
    )
    monkeypatch.delenv(_confinement.OPT_IN, raising=False)
    tier("unconfined")

    with pytest.raises(ModuleError, match="TESSERA_UNSAFE_UNCONFINED_USER_CODE=true"):
        _run(script, LocalContext())
    assert not marker.exists()

    monkeypatch.setenv(_confinement.OPT_IN, "true")
    ctx = LocalContext()
    assert list(_run(script, ctx)["a"]) == [1]
    assert marker.read_text() == "ran"  # what the operator accepted: the host's files are open to it
    assert any(line.startswith("sandbox: UNCONFINED") for line in ctx.logs)


def test_a_forced_tier_that_does_not_work_refuses_rather_than_falls_back(
    tier: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")  # no bwrap to be found
    monkeypatch.delenv(_confinement.OPT_IN, raising=False)
    confinement = tier("bubblewrap")

    with pytest.raises(ModuleError, match="no confinement is available here .*bubblewrap: not available"):
        _run("def azureml_main(dataframe1=None, dataframe2=None):\n    return None,\n", LocalContext())

    assert confinement.kind == "unconfined"


# -- Tessera as an unprivileged user ------------------------------------------------------------------

HARNESS = """
import json, sys
from modules.library.python_language.execute_python_script import ExecutePythonScript
from modules.sdk import LocalContext
module, ctx = ExecutePythonScript(), LocalContext()
params = module.Params(python_script=sys.stdin.read(), timeout_seconds=120, memory_limit_mb=1024)
df = module.run({}, params, ctx)["result_dataset"].df
print(json.dumps({"rows": df.to_dict("records"), "logs": ctx.logs}))
"""


def _in_host_view(targets: Targets, sandbox: str, home: Path, uid: int | None) -> dict[str, Any]:
    """Run the module as ``uid`` (root when ``None``) on a host whose Python others can reach.

    This machine's Python lies under /root (mode 0700): a throwaway mount namespace shows /root as a
    searchable directory holding only that Python, as a system or container Python would be.
    """
    outer = [shutil.which("bwrap") or "bwrap", "--dev-bind", "/", "/", "--perms", "0755", "--tmpfs", "/root"]
    made: set[str] = {"/root"}
    for path in _confinement.interpreter_paths():
        if path.startswith("/root/"):
            for parent in reversed(Path(path).parents):
                if str(parent).startswith("/root/") and str(parent) not in made:
                    made.add(str(parent))
                    outer += ["--perms", "0755", "--dir", str(parent)]
            outer += ["--ro-bind", path, path]
    if uid is None:
        outer += ["--cap-add", "ALL", "--"]
    else:
        outer += [
            "--cap-add",
            "CAP_SETUID",
            "--cap-add",
            "CAP_SETGID",
            "--cap-add",
            "CAP_SETPCAP",
            "--",
            "/usr/bin/setpriv",
            f"--reuid={uid}",
            f"--regid={uid}",
            "--clear-groups",
            "--inh-caps=-all",
            "--bounding-set=-all",
            "--",
        ]
    env = {"PATH": os.environ["PATH"], "HOME": str(home), "TESSERA_SANDBOX": sandbox, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [*outer, sys.executable, "-c", HARNESS],
        input=targets.script(),
        capture_output=True,
        text=True,
        env=env,
        cwd=home,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_as_root_landlock_contains_every_probe(targets: Targets, tmp_path: Path) -> None:
    seen = _in_host_view(targets, "landlock", tmp_path, uid=None)

    answer = pd.DataFrame(seen["rows"])
    assert escapes(answer) == []
    assert host_escapes(targets) == []
    cap = answer.set_index("probe").loc["process cap", "detail"]
    assert int(cap.split()[0]) < 200, cap
    assert any(line.startswith("sandbox: landlock") and "an unprivileged uid" in line for line in seen["logs"])


@pytest.fixture
def unprivileged_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Targets]]:
    """A data directory that belongs to the unprivileged Tessera, with its own secret in it."""
    home = Path(tmp_path_factory.mktemp("tessera-user"))
    home.chmod(0o755)
    data = home / "var"
    data.mkdir()
    targets = host_targets(data, None)
    for path in (home, data, *data.iterdir()):
        os.chown(path, UNPRIVILEGED, UNPRIVILEGED)
    yield home, targets
    shutil.rmtree(home, ignore_errors=True)


@pytest.mark.parametrize("sandbox", ["bubblewrap", "landlock"])
def test_as_an_unprivileged_user_every_probe_is_contained(
    sandbox: str, unprivileged_home: tuple[Path, Targets]
) -> None:
    home, targets = unprivileged_home
    # Files this Tessera's own OS user can read: only the sandbox stands between them and the script.
    assert os.stat(targets.read["first-user password"]).st_uid == UNPRIVILEGED

    seen = _in_host_view(targets, sandbox, home, uid=UNPRIVILEGED)

    answer = pd.DataFrame(seen["rows"])
    assert escapes(answer) == []
    left = processes_mentioning(targets.token)
    try:
        if sandbox == "landlock":
            # Known gap (README, "Not done yet"): without a PID namespace or a uid of its own, a process
            # that left its process group outlives the run, but it stays confined.
            assert len(left) == 1, left
            status = Path(f"/proc/{left[0]}/status").read_text()
            assert "\nSeccomp:\t2\n" in status and "\nNoNewPrivs:\t1\n" in status
        else:
            assert left == []
    finally:
        for pid in left:
            os.kill(pid, signal.SIGKILL)
    assert host_escapes(targets) == []
    assert any(line.startswith(f"sandbox: {sandbox}") and "Tessera's uid" in line for line in seen["logs"])


def test_a_childs_folder_is_made_in_the_systems_temporary_folder_not_in_the_data_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tessera's web process points ``tempfile`` at the scratch folder inside its data folder (request bodies
    go there); a child's folder, bound into its view with the folders above it, must not show that layout."""
    import tempfile

    from modules.library.python_language._sandbox import Sandbox

    scratch = tmp_path / "data" / "scratch"
    scratch.mkdir(parents=True)
    system = tmp_path / "system-tmp"
    system.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    monkeypatch.setenv("TMPDIR", str(system))

    with Sandbox() as sandbox:
        assert sandbox.root.parent == system
    assert list(scratch.iterdir()) == []
