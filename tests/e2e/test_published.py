"""Publish a parameterized pipeline from the designer, start it over REST with a file as a client would,
see the run on the endpoint's page, and publish a finished run's values as a new version; in Chromium
against a live server and real workers."""

from __future__ import annotations

import re
import time

import httpx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import Page, expect

from designer.datasets.services import create_dataset
from designer.pipelines.services import create_pipeline
from designer.published.models import PipelineEndpoint
from designer.runs import services as runs
from tests.designer.published.conftest import numbers_csv, parameterized_document

from . import canvas as ui
from .conftest import Account
from .test_endpoints import wait_completed

pytestmark = pytest.mark.e2e


def test_publish_trigger_over_rest_and_publish_from_a_run(
    page: Page, live_server_e2e, workers, account: Account
) -> None:
    # Given a parameterized pipeline (a dataset and a fraction) that already ran once with fraction 0.25
    numbers = create_dataset(account.user, account.workspace, "Numbers", SimpleUploadedFile("n.csv", numbers_csv(40)))
    pipeline = create_pipeline(
        account.user, account.workspace, "Nightly split", document=parameterized_document(numbers.pk)
    )
    earlier = wait_completed(runs.submit_run(user=account.user, pipeline=pipeline, values={"fraction": 0.25}))
    ui.sign_in(page, live_server_e2e.url, account.username, account.password)

    # When the designer's Publish publishes the saved version as a new pipeline endpoint
    page.goto(f"{live_server_e2e.url}/pipelines/{pipeline.pk}")
    page.get_by_test_id("publish").click()
    dialog = page.get_by_role("dialog", name="Publish as a pipeline endpoint")
    dialog.locator("#publish-name").fill("nightly-split")
    dialog.locator("#publish-description").fill("Splits the newest numbers every night")
    ui.shot(page, "e2e-publish-dialog")
    dialog.get_by_role("button", name="Publish", exact=True).click()

    # Then its page opens with version 1 as the default and the parameters listed
    page.wait_for_url(re.compile(r"/w/\d+/pipeline-endpoints/\d+$"), timeout=30_000)
    expect(page.get_by_test_id("pe-version-1")).to_contain_text("DEFAULT")
    expect(page.get_by_test_id("pe-parameters")).to_contain_text("fraction")
    endpoint = PipelineEndpoint.objects.get(name="nightly-split")

    # When a client starts it over REST with the key, a CSV for the dataset parameter and a fraction
    key = {"Authorization": f"Bearer {endpoint.primary_key}"}
    started = httpx.post(
        f"{live_server_e2e.url}/pipeline-endpoints/nightly-split/runs",
        headers=key,
        data={"fraction": "0.75"},
        files={"training_data": ("fresh.csv", numbers_csv(120), "text/csv")},
    )
    assert started.status_code == 202, started.text
    status_url = started.json()["urls"]["status"]
    deadline = time.monotonic() + 180
    while (state := httpx.get(status_url, headers=key).json())["status"] not in ("completed", "failed"):
        assert time.monotonic() < deadline, state
        time.sleep(0.3)
    assert state["status"] == "completed", state
    [first] = [o for o in state["outputs"] if (o["node"], o["port"]) == ("split", "results_dataset1")]
    assert first["rows"] == 90  # 0.75 of the 120 uploaded rows, not of the default's 40

    # Then the endpoint's page lists the run: a REST call, finished, with its values and the uploaded file
    page.reload()
    run_row = page.get_by_test_id(f"pe-run-{started.json()['id']}")
    expect(run_row).to_contain_text("REST call", timeout=20_000)
    expect(run_row).to_contain_text("Finished")
    expect(run_row).to_contain_text("(uploaded)")
    page.get_by_role("tab", name="File for a dataset").click()
    ui.shot(page, "e2e-pipeline-endpoint")
    page.get_by_test_id("pe-run-now").scroll_into_view_if_needed()
    ui.shot(page, "e2e-pipeline-endpoint-run-now")

    # And the workspace's list shows the endpoint and its last run
    page.get_by_role("link", name="Pipeline endpoints", exact=True).first.click()
    expect(page.get_by_test_id("pipeline-endpoints-table")).to_contain_text("nightly-split")
    ui.shot(page, "e2e-pipeline-endpoints")

    # When the earlier run is published from its page as a new, default version of the endpoint
    page.goto(f"{live_server_e2e.url}/runs/{earlier.pk}")
    page.get_by_test_id("publish-from-run").click()
    dialog = page.get_by_role("dialog", name=f"Publish from run #{earlier.pk}")
    expect(dialog.get_by_test_id("publish-defaults")).to_contain_text("fraction = 0.25")
    dialog.get_by_role("radio", name=re.compile("new version of an existing one")).check()
    ui.shot(page, "e2e-publish-from-run")
    dialog.get_by_role("button", name="Publish", exact=True).click()

    # Then version 2 is the default, from that run, and runs with its values when a caller gives none
    page.wait_for_url(re.compile(rf"/pipeline-endpoints/{endpoint.pk}$"), timeout=30_000)
    expect(page.get_by_test_id("pe-version-2")).to_contain_text("DEFAULT")
    expect(page.get_by_test_id("pe-version-2")).to_contain_text(f"from run #{earlier.pk}")
    version = endpoint.versions.get(number=2)
    assert version.defaults == earlier.parameter_values and version.from_run_id == earlier.pk
    again = httpx.post(f"{live_server_e2e.url}/pipeline-endpoints/nightly-split/runs", headers=key, json={})
    assert again.status_code == 202 and again.json()["version"] == 2
    assert again.json()["parameters"]["fraction"] == 0.25
