"""Every sample pipeline, run on real workers, exported from the run, and its script run in a fresh process
without the server: every metrics output and every table output equals the run's.

The comparison is exact: metrics with ``==``, tables with ``assert_frame_equal`` (values, dtypes, column
order, row order). No sample needs a tolerance: the script runs every node with the run's seeds and
parameter values on the run's pinned data, LightGBM deterministically, and Train PyTorch Model on one
thread, as workers do.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from designer.artifacts import artifact_store
from designer.pipelines.samples import SAMPLE_PIPELINES
from designer.runs.models import NodeRun
from modules.sdk import MetricsPort, Table
from tests.designer.runs.conftest import wait_for_run

pytestmark = [pytest.mark.workers, pytest.mark.django_db(transaction=True)]

#: What the script's process may not see: the server's settings, database, broker and Tessera settings.
HIDDEN = ("DJANGO", "DATABASE", "REDIS", "CELERY", "TESSERA")


def _run_outputs(run_id: int) -> dict[str, Any]:
    """'<node>__<port>' -> the run's stored table (DataFrame) or metrics values, read from the artifact store."""
    store = artifact_store()
    found: dict[str, Any] = {}
    for node in NodeRun.objects.filter(run_id=run_id):
        for port, out in node.outputs.items():
            if out["type"] == Table.name:
                found[f"{node.node_id}__{port}"] = Table.deserialize(store.get(out["digest"])).df
            elif out["type"] == MetricsPort.name:
                found[f"{node.node_id}__{port}"] = MetricsPort.deserialize(store.get(out["digest"])).values
    return found


def _script_outputs(folder: Path) -> dict[str, Any]:
    return {
        path.stem: pd.read_parquet(path) if path.suffix == ".parquet" else json.loads(path.read_text())
        for path in sorted((folder / "outputs").iterdir())
    }


@pytest.mark.parametrize("slug", [s.slug for s in SAMPLE_PIPELINES])
def test_the_exported_script_of_a_sample_run_reproduces_its_outputs(slug, workers, server, http, lab, tmp_path):
    # given a sample opened in a fresh workspace and run to completion on the workers
    opened = http.post(f"/api/sample-pipelines/{slug}/open/", json={"workspace": lab.pk})
    assert opened.status_code == 201, opened.text
    submitted = http.post("/api/runs/", json={"pipeline": opened.json()["id"]})
    assert submitted.status_code == 201, submitted.text
    run = wait_for_run(http, submitted.json()["id"], timeout=120)
    assert run["status"] == "completed", run

    # when the run is exported as code and its script runs in a fresh process, without the server
    started = time.monotonic()
    response = http.get(f"/api/runs/{run['id']}/export-script/")
    exported_s = time.monotonic() - started
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    zipfile.ZipFile(io.BytesIO(response.content)).extractall(tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith(HIDDEN)}
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "pipeline.py"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
    )
    ran_s = time.monotonic() - started
    assert done.returncode == 0, done.stderr[-4000:]
    headings = re.findall(
        r"^# ── .* \((.+?)\)( · Tessera module library)? ──$", (tmp_path / "pipeline.py").read_text(), re.M
    )
    library = [node for node, marked in headings if marked]
    print(f"{slug}: exported in {exported_s:.2f} s, ran in {ran_s:.1f} s; library sections: {library or 'none'}")

    # then every table and metrics output of the run comes out of the script, equal
    expected, got = _run_outputs(run["id"]), _script_outputs(tmp_path)
    assert sorted(got) == sorted(expected)
    for name, value in expected.items():
        if isinstance(value, pd.DataFrame):
            pd.testing.assert_frame_equal(got[name], value, obj=name)
        else:
            assert got[name] == value, name
