"""From a finished training run to an answer on the endpoint's Test tab, in Chromium against a live server."""

from __future__ import annotations

import json
import re
import tarfile
import time

import pytest
from playwright.sync_api import Page, expect

from designer.endpoints.models import Endpoint, EndpointCall
from designer.pipelines.services import create_pipeline
from designer.runs import services as runs
from designer.runs.models import Run
from tests.support.pipelines import train_score_evaluate

from . import canvas as ui
from .conftest import Account

pytestmark = pytest.mark.e2e


def wait_completed(run: Run, timeout: float = 180) -> Run:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if run.is_terminal:
            break
        time.sleep(0.3)
    assert run.status == Run.Status.COMPLETED, f"run ended {run.status}: {run.error}"
    return run


def test_create_inference_pipeline_deploy_and_score_from_the_test_tab(
    page: Page, live_server_e2e, workers, account: Account
) -> None:
    # Given a training run that finished on the real workers
    pipeline = create_pipeline(
        account.user, account.workspace, "Cancer", document=train_score_evaluate(account.dataset_id, "diagnosis")
    )
    run = wait_completed(runs.submit_run(user=account.user, pipeline=pipeline))
    ui.sign_in(page, live_server_e2e.url, account.username, account.password)

    # When the run page's "Create inference pipeline" is clicked
    page.goto(f"{live_server_e2e.url}/runs/{run.pk}")
    page.get_by_role("button", name="Create inference pipeline").click()

    # Then the derived pipeline opens on the canvas with its web service ports and the notes
    page.wait_for_url(re.compile(r"/pipelines/\d+$"), timeout=30_000)
    expect(ui.card(page, "web_service_input")).to_be_visible(timeout=20_000)
    expect(ui.card(page, "web_service_output")).to_be_visible()
    expect(ui.card(page, "saved_trained_model")).to_be_visible()
    expect(page.get_by_text("Split Data removed: scoring uses every row it is sent.")).to_be_visible()
    ui.shot(page, "e2e-inference-pipeline")

    # When it is deployed from the toolbar
    page.get_by_role("button", name="Deploy", exact=True).click()
    dialog = page.get_by_role("dialog", name="Deploy a real-time endpoint")
    dialog.locator("#deploy-name").fill("cancer-e2e")
    dialog.get_by_role("button", name="Deploy", exact=True).click()

    # Then the endpoint page opens; the Test tab sends the example with the key and shows the answer
    page.wait_for_url(re.compile(r"/w/\d+/endpoints/\d+$"), timeout=30_000)
    page.get_by_role("tab", name="Test").click()
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text(re.compile(r"HTTP 200"))).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Scored Probabilities").first).to_be_visible()
    ui.shot(page, "e2e-endpoint-test-tab")

    # And the call was scored by the deployed endpoint and recorded
    endpoint = Endpoint.objects.get(name="cancer-e2e")
    assert endpoint.workspace_id == account.workspace.pk
    deadline = time.monotonic() + 10
    while not EndpointCall.objects.filter(endpoint=endpoint).exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert list(EndpointCall.objects.filter(endpoint=endpoint).values_list("status", "rows")) == [(200, 3)]

    # And the page's "Download scoring bundle" saves the endpoint as a bundle the runner can serve
    with page.expect_download(timeout=120_000) as download:
        page.get_by_role("button", name="Download scoring bundle").click()
    expect(page.get_by_text("see its README.md to run it with gunicorn or Docker")).to_be_visible(timeout=10_000)
    ui.shot(page, "e2e-endpoint-bundle")
    assert download.value.suggested_filename == "cancer-e2e-scoring-bundle.tar.gz"
    with tarfile.open(download.value.path(), mode="r:gz") as tar:
        manifest = json.load(tar.extractfile("cancer-e2e-scoring-bundle/bundle.json"))  # type: ignore[arg-type]
    assert (manifest["endpoint"], manifest["inputs"]) == ("cancer-e2e", endpoint.inputs)
