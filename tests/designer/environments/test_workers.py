"""Environments on real Celery workers, with no internet: a wheel made here, served by a local PEP 503 index.

One environment holding a package the worker does not have is built once, by the first worker; a
second run on another worker finds it built on this host and imports the package inside the sandbox,
where the environment is read-only. A requirement the index lacks fails the node naming the line.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from designer.environments.services import create_environment
from designer.pipelines.services import create_pipeline
from designer.runs.models import NodeRun, Run
from designer.runs.services import submit_run
from tests.designer.conftest import _purge_queues
from tests.support.package_index import serve, write_index, write_wheel
from tests.support.pipelines import document
from tests.support.processes import Worker

pytestmark = [pytest.mark.workers, pytest.mark.django_db(transaction=True)]

SCRIPT = """\
import os, sys
import pandas as pd
import tessera_probe_pkg

def azureml_main(dataframe1=None, dataframe2=None):
    assert tessera_probe_pkg.ANSWER == 42
    print("environment prefix:", sys.prefix)
    try:
        open(os.path.join(os.path.dirname(tessera_probe_pkg.__file__), "planted.py"), "w").close()
    except OSError as exc:
        print("the environment is read-only here:", type(exc).__name__)
    else:
        raise AssertionError("the script could write into its environment")
    return pd.DataFrame({"answer": [tessera_probe_pkg.ANSWER]}),
"""


def _finished(run: Run, timeout: float = 120) -> Run:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if run.is_terminal:
            return run
        time.sleep(0.2)
    raise TimeoutError(f"run {run.pk} did not finish in {timeout} s")


def _node(run: Run, node_id: str) -> NodeRun:
    return run.nodes.get(node_id=node_id)


def test_an_environment_is_built_once_and_reused_by_another_worker_inside_the_sandbox(
    ada: Any, lab: Any, tmp_path: Path
) -> None:
    wheel = write_wheel(tmp_path, "tessera_probe_pkg", "1.0", "ANSWER = 42\n")
    write_index(tmp_path / "index", [wheel])
    cache = tmp_path / "environments"
    probe = create_environment(ada, lab, name="probe", requirements=["tessera-probe-pkg==1.0"])
    missing = create_environment(ada, lab, name="missing", requirements=["pandas", "tessera-absent-pkg==2.0"])
    uses = create_pipeline(
        ada,
        lab,
        "Uses probe",
        document=document(
            [("py", "execute_python_script", {"python_script": SCRIPT, "environment": probe.versions.get().choice()})],
            [],
        ),
    )
    lacks = create_pipeline(
        ada,
        lab,
        "Lacks a package",
        document=document([("py", "execute_python_script", {"environment": missing.versions.get().choice()})], []),
    )
    _purge_queues()
    with serve(tmp_path / "index") as url:
        pair = [Worker(name, TESSERA_PACKAGE_INDEX_URL=url, TESSERA_ENVIRONMENTS_DIR=str(cache)) for name in "ab"]
        try:
            for worker in pair:  # started together: both boot at once
                worker.wait_ready()
            first = _finished(submit_run(user=ada, pipeline=uses))
            builder = next(w for w in pair if w.hostname == _node(first, "py").worker)
            builder.stop()  # the next runs go to the other worker
            second = _finished(submit_run(user=ada, pipeline=uses, regenerate=["py"]))
            failed = _finished(submit_run(user=ada, pipeline=lacks))
        finally:
            for worker in pair:
                worker.stop()

    built, reused = _node(first, "py"), _node(second, "py")
    assert first.status == "completed", (first.error, built.error, built.log[-3000:])
    assert second.status == "completed", (second.error, reused.error, reused.log[-3000:])
    assert reused.worker != built.worker and reused.worker in {w.hostname for w in pair}
    [env_dir] = [p for p in cache.iterdir() if not p.name.startswith(".")]  # one build, published once
    assert env_dir.name == probe.versions.get().content_hash
    assert "building" in built.log and "Successfully installed tessera-probe-pkg-1.0" in built.log
    assert "using the one already built on this host" in reused.log and "building" not in reused.log
    for log in (built.log, reused.log):
        assert f"environment prefix: {env_dir}" in log and "the environment is read-only here" in log
    assert built.cache_key == reused.cache_key
    assert failed.status == "failed"
    message = _node(failed, "py").error["message"]
    assert "environment 'missing' version 1: requirement line 2 ('tessera-absent-pkg==2.0') cannot be installed" in (
        message
    ), message
