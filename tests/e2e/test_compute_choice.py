"""A node's compute target chosen in a real browser: the Compute field of the node's panel lists the server's
declared targets and what each means for the module; a node sent to a Dask target runs partition-parallel on a
real cluster (scheduler + 2 worker processes) from a Celery worker on that target's queue, and its panel then
says where it ran, beside a node that stayed on pandas."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.support.dask_cluster import local_cluster
from tests.support.processes import Server, Worker

from . import canvas as ui
from .conftest import BREAST_CANCER, Account

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True), pytest.mark.timeout(600)]

QUEUE = "dask-e2e"


@pytest.fixture(scope="module")
def declared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Two targets, as an operator declares them: the default without a cluster, and one always on Dask."""
    with local_cluster(tmp_path_factory.mktemp("dask")) as cluster:
        yield json.dumps(
            [
                {"name": "cpu", "dask": None, "description": "the default workers"},
                {"name": "big", "queue": QUEUE, "dask": cluster.address, "path": "dask", "partition_rows": 100},
            ]
        )


@pytest.fixture
def server_with_targets(declared: str, frontend_build: Any, workers: Any) -> Iterator[Server]:
    """A server and a Celery worker on the Dask target's queue that know the declared targets (the pool's
    workers take the default queue's nodes)."""
    server = Server(TESSERA_COMPUTE_TARGETS=declared)
    worker = Worker("dask-e2e", queues=QUEUE, TESSERA_COMPUTE_TARGETS=declared)
    try:
        worker.wait_ready()
        yield server
    finally:
        worker.stop()
        server.stop()


def test_a_node_sent_to_a_dask_target_in_its_panel_runs_there_and_says_so(
    page: Page, server_with_targets: Server, account: Account
) -> None:
    base = server_with_targets.url
    # Given a pipeline of the breast-cancer table normalized, on a server with a Dask target declared
    ui.sign_in(page, base, account.username, account.password)
    ui.create_pipeline(page, "On the cluster")
    ui.drag_dataset(page, BREAST_CANCER, 260, 80)
    ui.drag_module(page, "Normalize Data", 260, 260)
    ui.connect(page, ("dataset", "dataset"), ("normalize_data", "dataset"))

    # When she opens Normalize Data's panel, its Compute field offers the server's targets
    panel = ui.select(page, "normalize_data")
    field = panel.get_by_label("Compute")
    expect(field.locator("option")).to_have_text(
        ["Default (cpu: pandas only)", "cpu: pandas only", "big: Dask cluster, always"]
    )
    expect(panel.get_by_text("Runs with pandas on a worker of this target's queue.")).to_be_visible()

    # and she chooses the Dask target: the panel says what that means for this module
    field.select_option("big")
    expect(panel.get_by_text("Runs partition-parallel on the Dask cluster.")).to_be_visible()
    ui.shot(page, "e2e-compute-choice")

    # Then the choice is kept in the pipeline's draft document
    ui.wait_saved(page)
    pipeline_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
    document = page.request.get(f"{base}/api/pipelines/{pipeline_id}/draft/").json()["document"]
    computes = {n["module"]: n.get("compute") for n in document["nodes"]}
    assert computes == {"dataset": None, "normalize_data": "big"}, computes

    # When she submits it, both nodes complete
    ui.submit(page)
    assert ui.wait_run_finished(page) == {"dataset": "completed", "normalize_data": "completed"}

    # Then Normalize Data's panel says it ran on the cluster, in partitions, and links its dashboard
    panel = ui.select(page, "normalize_data")
    panel.get_by_role("tab", name="Outputs + logs").click()
    ran = panel.locator("dt", has_text="Compute").locator("xpath=following-sibling::dd[1]")
    expect(ran).to_contain_text(re.compile(r"^big · Dask, 6 partitions on tcp://127\.0\.0\.1:\d+"))
    expect(ran.get_by_role("link", name="Dask dashboard")).to_have_attribute(
        "href", re.compile(r"^http://127\.0\.0\.1:\d+/status$")
    )
    ui.shot(page, "e2e-compute-ran")

    # and the dataset node, which has no Dask path and no choice, ran with pandas on the default target
    panel = ui.select(page, "dataset")
    panel.get_by_role("tab", name="Outputs + logs").click()
    expect(panel.locator("dt", has_text="Compute").locator("xpath=following-sibling::dd[1]")).to_have_text(
        "cpu · pandas"
    )
