"""The small things a new user met (issue 17, item 7), looked at in Chromium against a live server:
palette names, port tooltips with columns, the threshold chart's title, the version diff's old values,
the Consume tab's key placeholder and the Monitoring charts. Each step leaves a screenshot."""

from __future__ import annotations

import copy
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from designer.pipelines.services import create_pipeline, save_version
from designer.runs import services as runs
from designer.runs.models import Run
from tests.support.pipelines import train_score_evaluate

from . import canvas as ui
from .conftest import Account
from .test_endpoints import wait_completed

pytestmark = pytest.mark.e2e


def test_the_pages_a_new_user_met_read_in_full(page: Page, live_server_e2e, workers, account: Account) -> None:
    # Given a trained pipeline, and a second version that sets a parameter the first left to its default
    first = train_score_evaluate(account.dataset_id, "diagnosis")
    pipeline = create_pipeline(account.user, account.workspace, "Cancer", document=first)
    run = wait_completed(runs.submit_run(user=account.user, pipeline=pipeline))
    second = copy.deepcopy(first)
    learner = next(n for n in second["nodes"] if n["id"] == "learner")
    learner["params"]["optimization_tolerance"] = 0.0001
    save_version(account.user, pipeline, second, message="tighter tolerance")
    page.set_viewport_size({"width": 1440, "height": 900})
    ui.sign_in(page, live_server_e2e.url, account.username, account.password)

    # The canvas: a port's tooltip names it, its type and the columns that flow through it
    page.goto(f"{live_server_e2e.url}/pipelines/{pipeline.pk}")
    ui.wait_ready(page)
    port = ui.port(page, "split_data", "results_dataset1")
    tip = re.compile(r"^Results dataset1 · Data table[^\n]*\n31 columns: mean_radius \(number\), ")
    expect(port).to_have_attribute("data-tip", tip, timeout=20_000)
    label = ui.card(page, "train_model").locator(".mnode__portlabel", has_text="Dataset")
    expect(label).to_have_attribute("title", re.compile(r"^Dataset · Data table\n31 columns: mean_radius \(number\), "))
    port.hover()
    ui.shot(page, "polish-canvas-port-tooltip")
    # and the palette's long names are whole (wrapped, not cut)
    name = page.locator(".palette__name", has_text="Two-Class Logistic Regression").first
    assert name.evaluate("e => e.scrollWidth <= e.clientWidth && e.scrollHeight <= e.clientHeight + 1")
    page.locator(".palette").screenshot(path=str(ui.SCREENSHOTS / "polish-palette.png"))

    # The evaluation charts: the threshold chart's title is whole
    page.goto(f"{live_server_e2e.url}/runs/{run.pk}")
    ui.select(page, "evaluate_model")
    page.get_by_role("tab", name="Outputs + logs").click()
    page.get_by_role("button", name="Inspect").first.click()
    inspector = page.get_by_test_id("output-inspector")
    expect(inspector).to_be_visible()
    title = inspector.locator(".gtitle", has_text=re.compile(r"^At threshold 0.50"))
    expect(title).to_be_visible(timeout=20_000)
    title.scroll_into_view_if_needed()
    chart = title.locator("xpath=ancestor::*[contains(@class,'js-plotly-plot')]").first
    chart_box, title_box = chart.bounding_box(), title.bounding_box()
    assert chart_box is not None and title_box is not None
    assert title_box["x"] + title_box["width"] <= chart_box["x"] + chart_box["width"], (title_box, chart_box)
    ui.shot(page, "polish-threshold-chart")
    page.keyboard.press("Escape")

    # The version diff: a parameter the old version left out shows the default it ran with
    page.goto(f"{live_server_e2e.url}/pipelines/{pipeline.pk}/compare?from=1&to=2")
    expect(page.get_by_text("1e-7 (default) → 0.0001")).to_be_visible(timeout=20_000)
    ui.shot(page, "polish-version-diff")

    # An endpoint: the Consume tab's code has a placeholder until the key is asked for
    page.goto(f"{live_server_e2e.url}/runs/{run.pk}")
    page.get_by_role("button", name="Create inference pipeline").click()
    page.wait_for_url(re.compile(r"/pipelines/\d+$"), timeout=30_000)
    page.get_by_role("button", name="Deploy", exact=True).click()
    dialog = page.get_by_role("dialog", name="Deploy a real-time endpoint")
    dialog.locator("#deploy-name").fill("cancer-polish")
    dialog.get_by_role("button", name="Deploy", exact=True).click()
    page.wait_for_url(re.compile(r"/w/\d+/endpoints/\d+$"), timeout=30_000)
    page.get_by_role("tab", name="Test").click()
    for _ in range(3):
        page.get_by_role("button", name="Send").click()
        expect(page.get_by_text(re.compile(r"HTTP 200"))).to_be_visible(timeout=30_000)
    page.get_by_role("tab", name="Consume").click()
    expect(page.get_by_test_id("snippet-curl")).to_contain_text("Bearer <your-endpoint-key>")
    ui.shot(page, "polish-consume")
    page.get_by_role("checkbox", name=re.compile("Put the primary key in the code below")).check()
    expect(page.get_by_test_id("snippet-curl")).not_to_contain_text("<your-endpoint-key>")

    # The Monitoring charts: the app's look (white plot), the card's title only
    page.get_by_role("tab", name="Monitoring").click()
    traffic = page.get_by_role("region", name="Traffic")
    expect(traffic.locator(".js-plotly-plot")).to_be_visible(timeout=20_000)
    expect(traffic.locator(".gtitle")).to_have_count(0)
    assert traffic.locator(".main-svg .bg").first.get_attribute("style") is not None
    assert "rgb(255, 255, 255)" in (traffic.locator(".main-svg .bg").first.get_attribute("style") or "")
    ui.shot(page, "polish-monitoring")


def test_the_pipeline_name_stays_readable_beside_a_live_run_and_a_problem(
    page: Page, live_server_e2e, account: Account
) -> None:
    # Given a pipeline with a long name and a run in progress
    document = train_score_evaluate(account.dataset_id, "diagnosis")
    name = "Breast cancer screening, logistic baseline"
    pipeline = create_pipeline(account.user, account.workspace, name, document=document)
    # A run in progress, as the designer shows it: recorded, not sent (a worker of another test would finish it)
    Run.objects.create(
        workspace=account.workspace,
        pipeline=pipeline,
        pipeline_version=pipeline.versions.get(),
        created_by=account.user,
        status=Run.Status.RUNNING,
        started_at=timezone.now(),
    )
    page.set_viewport_size({"width": 1440, "height": 900})
    ui.sign_in(page, live_server_e2e.url, account.username, account.password)
    page.goto(f"{live_server_e2e.url}/pipelines/{pipeline.pk}")
    expect(ui.node(page, None)).to_have_count(len(document["nodes"]), timeout=20_000)
    chip = page.get_by_test_id("run-chip")
    expect(chip.get_by_role("button", name="Cancel")).to_be_visible(timeout=20_000)

    # When she deletes Score Model, so Evaluate Model misses its input: a problem shows beside the run
    ui.select(page, "score_model")
    page.keyboard.press("Delete")
    expect(page.get_by_test_id("checks")).to_have_text(re.compile("problem"), timeout=15_000)

    # Then, from 1440 px up, the toolbar stays one row, nothing leaves the window, and the name keeps room
    title = page.locator(".toolbar__name")
    toolbar = page.get_by_role("toolbar", name="Pipeline")
    for width in (1440, 1680, 1920):
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(200)  # the bar fits itself to the new width
        box, submit = title.bounding_box(), page.get_by_test_id("submit").bounding_box()
        assert box is not None and box["width"] >= 120, f"the name is squeezed to {box} in a {width} px window"
        assert submit is not None and submit["x"] + submit["width"] <= width, f"Submit is out of a {width} px window"
        assert toolbar.evaluate("e => e.scrollWidth <= e.clientWidth"), f"the toolbar is wider than a {width} px window"
        assert toolbar.evaluate("e => e.getBoundingClientRect().height") == 52  # one row: the canvas never jumps
        if width == 1440:
            ui.shot(page, "e2e-toolbar-run-and-problem")
    expect(title).to_have_text(name)
    assert title.evaluate("e => e.scrollWidth <= e.clientWidth"), "the pipeline name is cut at 1920 px"

    # And with room to spare every word is back: the workspace, what the run and the problems say, the save state
    page.set_viewport_size({"width": 2400, "height": 900})
    for words in (".toolbar__crumb", ".runchip__when", ".checks__more", ".save-state"):
        expect(page.locator(words)).to_be_visible()
    ui.shot(page, "e2e-toolbar-run-and-problem-wide")
