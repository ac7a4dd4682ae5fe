"""The endpoint page's Retraining tab in Chromium: a pending challenger measured on the workers, approved from
the tab, and the endpoint serving it afterwards."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Page, expect

from designer.datasets.models import Dataset
from designer.endpoints import services as endpoints
from designer.endpoints.models import Endpoint
from designer.published.services import start_run
from designer.retraining import services as retraining
from designer.retraining.models import Challenger
from tests.support.retraining import published_retrainer, upload_drifted_version

from . import canvas as ui
from .conftest import Account
from .test_endpoints import wait_completed

pytestmark = pytest.mark.e2e


def shot(page: Page, name: str) -> None:
    """The whole tab, below the fold too (the challengers, the policy and the alarm)."""
    ui.SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1440, "height": 1500})  # the app scrolls inside its frame, not the page
    page.wait_for_timeout(500)
    page.screenshot(path=str(ui.SCREENSHOTS / f"{name}.png"), full_page=True)


def test_a_pending_challenger_is_compared_and_approved_from_the_retraining_tab(
    page: Page, live_server_e2e, workers, account: Account
) -> None:
    # Given an endpoint serving a model its published retraining pipeline trained, and a policy on it
    dataset = Dataset.objects.get(pk=account.dataset_id)
    retrainer = published_retrainer(account.user, account.workspace, dataset, "cancer-retrain")
    first = wait_completed(start_run(retrainer, kind="manual", user=account.user))
    inference, _ = endpoints.create_inference_pipeline(account.user, first)
    endpoint = endpoints.create_endpoint(
        workspace=account.workspace, user=account.user, name="cancer", pipeline=inference
    )
    body = {"pipeline_endpoint": retrainer.pk, "metric": "Accuracy", "margin": 0.02}
    retraining.save_policy(endpoint, account.user, body)
    # ... and a retraining run on new data, whose challenger has been evaluated on the workers
    upload_drifted_version(account.user, dataset)
    run = wait_completed(start_run(retrainer, kind="data"))
    challenger = None
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        retraining.tick()
        challenger = Challenger.objects.filter(run=run).first()
        if challenger is not None and challenger.status != Challenger.Status.EVALUATING:
            break
        time.sleep(0.5)
    assert challenger is not None and challenger.status == Challenger.Status.PENDING, challenger

    # When the Retraining tab is opened
    ui.sign_in(page, live_server_e2e.url, account.username, account.password)
    page.goto(f"{live_server_e2e.url}/w/{account.workspace.pk}/endpoints/{endpoint.pk}?tab=retraining")

    # Then the policy, the pending challenger and both models' metrics and curves are shown
    expect(page.get_by_label("Deciding metric")).to_have_value("Accuracy", timeout=20_000)
    expect(page.get_by_role("table", name="Challengers")).to_contain_text("Awaiting approval")
    metrics = page.get_by_role("table", name="Metrics of both models")
    expect(metrics).to_contain_text("deciding", timeout=30_000)  # the first figures import Plotly on the server
    expect(page.locator(".rt-figures .js-plotly-plot").first).to_be_visible(timeout=30_000)
    shot(page, "e2e-retraining-pending")

    # When it is approved
    page.get_by_role("button", name="Approve and deploy").click()
    dialog = page.get_by_role("dialog", name=f"Approve the challenger from run #{run.pk}?")
    dialog.get_by_label("Note (optional)").fill("better on the new data")
    dialog.get_by_role("button", name="Approve and deploy").click()

    # Then it is promoted and the endpoint serves it
    expect(page.get_by_role("table", name="Challengers")).to_contain_text("Promoted", timeout=60_000)
    expect(page.get_by_text("registered as cancer v1")).to_be_visible()
    shot(page, "e2e-retraining-promoted")
    served = Endpoint.objects.get(pk=endpoint.pk)
    assert served.revision == endpoint.revision + 1
    assert Challenger.objects.get(pk=challenger.pk).note == "better on the new data"
