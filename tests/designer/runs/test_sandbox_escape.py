"""The sandbox escape suite on a real deployment: a hostile script as a pipeline node on Celery workers and
behind a deployed endpoint on a gunicorn scoring server, every process started as this suite's user (root
in CI, as on many home servers). Every probe must be contained; nothing may be left on the host.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import httpx
import pandas as pd
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from designer.datasets.services import create_dataset
from designer.endpoints import services as endpoints
from designer.pipelines.services import create_pipeline
from designer.workspaces.models import Workspace
from tests.support.escape import Targets, escapes, host_escapes, host_targets
from tests.support.pipelines import document
from tests.support.processes import ScoringServer, service_env

from .conftest import node_status, output_table, wait_for_run

pytestmark = [pytest.mark.workers, pytest.mark.django_db(transaction=True)]


def _targets(others: Workspace, user: Any, pids: list[int], app_port: int) -> Targets:
    """Probes aimed at this deployment: its data directory, another workspace's upload, its services."""
    theirs = create_dataset(user, others, "Their data", SimpleUploadedFile("theirs.csv", b"secret,value\n1,2\n"))
    digest = theirs.versions.get().digest
    artifact = Path(settings.TESSERA_ARTIFACT_STORE) / digest[:2] / digest
    assert artifact.is_file()
    database_url = service_env()["DATABASE_URL"]
    targets = host_targets(
        Path(settings.DATA_DIR), artifact, pids=pids, canaries=[f"DATABASE_URL={database_url}", "TESSERA_DATA_DIR="]
    )
    targets.ports["the Tessera web app"] = app_port
    return targets


def _assert_contained(answer: pd.DataFrame, targets: Targets) -> None:
    assert escapes(answer) == []
    assert host_escapes(targets) == []
    artifact = Path(targets.read["another workspace's artifact"])
    assert hashlib.sha256(artifact.read_bytes()).hexdigest() == artifact.name  # untouched


def test_a_hostile_script_node_on_the_workers_reaches_nothing(workers, server, http, ada, lab) -> None:
    others = Workspace.objects.create(name="Another team", created_by=ada)
    targets = _targets(others, ada, [w.proc.pid for w in workers.ensure()], server.port)
    doc = document(
        [("probe", "execute_python_script", {"python_script": targets.script(), "timeout_seconds": 120})], []
    )
    pipeline = create_pipeline(ada, lab, "Escape probes", document=doc)

    submitted = http.post("/api/runs/", json={"pipeline": pipeline.pk})
    assert submitted.status_code == 201, submitted.text
    finished = wait_for_run(http, submitted.json()["id"], timeout=240)

    assert node_status(finished) == {"probe": "completed"}, finished
    _assert_contained(output_table(http, finished["id"], "probe", "result_dataset"), targets)
    log = http.get(f"/api/runs/{finished['id']}/nodes/probe/log/").text
    assert "sandbox: bubblewrap: runs as an unprivileged uid of its own" in str(log)


def test_a_hostile_script_behind_an_endpoint_reaches_nothing(ada, lab) -> None:
    others = Workspace.objects.create(name="Another team", created_by=ada)
    scoring = ScoringServer(workers=1, TESSERA_ROOT_URLCONF="designer.endpoints.scoring_urls")
    try:
        targets = _targets(others, ada, [scoring.proc.pid, *_children(scoring.proc.pid)], scoring.port)
        doc = document(
            [
                (
                    "input",
                    "web_service_input",
                    {"columns": [{"name": "x", "type": "number"}], "example": [{"x": 1.0}]},
                ),
                ("probe", "execute_python_script", {"python_script": targets.script(), "timeout_seconds": 120}),
                ("output", "web_service_output", {}),
            ],
            ["input.request -> probe.dataset1", "probe.result_dataset -> output.dataset"],
        )
        pipeline = create_pipeline(ada, lab, "Escape probes behind an endpoint", document=doc)
        endpoint = endpoints.create_endpoint(workspace=lab, user=ada, name="probes", pipeline=pipeline)

        answer = httpx.post(
            f"{scoring.url}/endpoints/probes/score",
            json={"Inputs": {"WebServiceInput0": [{"x": 1.0}]}, "GlobalParameters": {}},
            headers={"Authorization": f"Bearer {endpoint.primary_key}"},
            timeout=240,
        )
    finally:
        scoring.stop()

    assert answer.status_code == 200, answer.text
    rows = pd.DataFrame(answer.json()["Results"]["WebServiceOutput0"])
    _assert_contained(rows, targets)


def _children(pid: int) -> list[int]:
    """The pids whose parent is ``pid`` (a gunicorn master's workers)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int(entry.joinpath("stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
            except (OSError, ValueError, IndexError):
                continue
    return found
