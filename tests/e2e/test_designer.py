"""The designer in a real browser: build the classic training pipeline with the mouse, run it on real
workers, watch the statuses arrive, change one parameter and see only what depends on it re-run;
refused connections and validation problems shown where they belong."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from . import canvas as ui
from .conftest import BREAST_CANCER, Account

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True), pytest.mark.timeout(600)]

SIX = ["dataset", "split_data", "two_class_logistic_regression", "train_model", "score_model", "evaluate_model"]


def test_build_run_and_rerun_only_what_changed(page: Page, live_server_e2e, workers, account: Account) -> None:
    # Given a signed-in owner on a new pipeline
    ui.sign_in(page, live_server_e2e.url, account.username, account.password)
    ui.shot(page, "e2e-workspace-home")
    ui.create_pipeline(page, "Breast cancer classifier")

    # When she drags the six modules onto the canvas, wires them and picks the label column
    ui.build_classic_pipeline(page, BREAST_CANCER, label="diagnosis")
    ui.wait_saved(page)
    ui.wait_ready(page)
    ui.shot(page, "e2e-designer-built")

    # And submits
    ui.watch_statuses(page)
    ui.submit(page)
    running_shot = False
    for _ in range(200):
        now = ui.statuses(page)
        if "running" in now.values() and not running_shot:
            page.screenshot(path=str(ui.SCREENSHOTS / "e2e-designer-running.png"))  # now, not after settling
            running_shot = True
        if page.get_by_test_id("run-chip").get_attribute("data-status") in ("completed", "failed"):
            break
        page.wait_for_timeout(100)
    first = ui.wait_run_finished(page)

    # Then every node turns finished, with statuses that arrived live
    assert first == {m: "completed" for m in SIX}, first
    seen_running = {m for m, s in ui.seen_statuses(page) if s in ("queued", "running")}
    assert seen_running, "no node was ever seen queued or running"
    expect(page.get_by_test_id("run-chip")).to_have_attribute("data-status", "completed")
    expect(page.get_by_test_id("run-elapsed")).to_have_text(re.compile(r"\d"))
    ui.shot(page, "e2e-designer-finished")

    # When she changes the split fraction and submits again
    ui.set_number(page, "split_data", "fraction_of_rows_in_first_output_dataset", 0.6)
    ui.wait_saved(page)
    ui.wait_ready(page)
    first_run = page.get_by_test_id("run-chip").get_attribute("data-run-id")
    ui.submit(page)
    expect(page.get_by_test_id("run-chip")).not_to_have_attribute("data-run-id", first_run or "")
    second = ui.wait_run_finished(page)

    # Then only Split Data and what depends on it ran again; the rest came from the cache
    assert second == {
        "dataset": "reused",
        "two_class_logistic_regression": "reused",
        "split_data": "completed",
        "train_model": "completed",
        "score_model": "completed",
        "evaluate_model": "completed",
    }, second
    ui.shot(page, "e2e-designer-rerun")

    # And the outputs of a finished node are one click away
    ui.select(page, "evaluate_model")
    page.get_by_role("tab", name="Outputs + logs").click()
    page.get_by_role("button", name="Inspect").first.click()
    expect(page.get_by_test_id("output-inspector")).to_be_visible()
    page.keyboard.press("Escape")

    # And the draft survives a reload, with the new fraction in it
    page.reload()
    expect(ui.node(page, None)).to_have_count(6, timeout=20_000)
    expect(page.locator(".react-flow__edge")).to_have_count(6)
    field = ui.select(page, "split_data").locator('[data-param="fraction_of_rows_in_first_output_dataset"] input')
    expect(field).to_have_value("0.6")

    # And both runs are listed for the pipeline with their metrics
    page.get_by_role("button", name="Runs", exact=True).click()
    rows = page.get_by_test_id("runs-table").locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(page.get_by_test_id("runs-table")).to_contain_text("Accuracy", ignore_case=True)
    ui.shot(page, "e2e-runs-list")


def test_refused_connection_and_pinned_validation_problem(page: Page, live_server_e2e, account: Account) -> None:
    # Given the six modules wired, but Train Model without a label column
    ui.sign_in(page, live_server_e2e.url, account.username, account.password)
    ui.create_pipeline(page, "Unfinished classifier")
    ui.build_classic_pipeline(page, BREAST_CANCER, label="")
    edges = page.locator(".react-flow__edge")
    expect(edges).to_have_count(6)

    # When she drags the untrained model onto Score Model's dataset input
    ui.drag_connection_and_hover(page, ("two_class_logistic_regression", "untrained_model"), ("score_model", "dataset"))

    # Then the refusal and its reason show while dragging, and again once she lets go
    reason = "Untrained model can't connect to Dataset (expects Data table)"
    expect(page.get_by_test_id("connection-hint")).to_have_text(reason)
    ui.shot(page, "e2e-refused-connection")
    page.mouse.up()
    expect(page.get_by_role("alert").filter(has_text=reason)).to_be_visible()
    expect(edges).to_have_count(6)

    # And the missing label column is pinned on Train Model, and blocks submitting
    train = ui.card(page, "train_model")
    expect(train).to_have_attribute("data-problems", "1", timeout=15_000)
    expect(train).to_contain_text("“Label column” is required")
    expect(page.get_by_test_id("checks")).to_have_text(re.compile("1 problem to fix before submitting"))
    expect(page.get_by_test_id("submit")).to_be_disabled()
    for other in ("dataset", "split_data", "score_model", "evaluate_model"):
        expect(ui.card(page, other)).to_have_attribute("data-problems", "0")

    # And the field at fault says so in the panel
    panel = ui.select(page, "train_model")
    expect(panel.locator('[data-param="label_column"] .field__error')).to_have_text(re.compile("required"))
    ui.shot(page, "e2e-validation-problem")

    # When she picks the label column, the problem goes and submitting is allowed
    ui.set_column(page, "train_model", "label_column", "diagnosis")
    expect(train).to_have_attribute("data-problems", "0", timeout=15_000)
    expect(page.get_by_test_id("submit")).to_be_enabled()


def test_editing_with_the_keyboard_and_a_stale_save(page: Page, live_server_e2e, account: Account) -> None:
    # Given two modules on a new pipeline, wired
    ui.sign_in(page, live_server_e2e.url, account.username, account.password)
    pipeline_id = ui.create_pipeline(page, "Shortcuts")
    ui.drag_dataset(page, BREAST_CANCER, 230, 60)
    ui.drag_module(page, "Split Data", 230, 220)
    ui.connect(page, ("dataset", "dataset"), ("split_data", "dataset"))
    nodes, edges = ui.node(page, None), page.locator(".react-flow__edge")

    # When both are selected (click, then Ctrl-click), copied and pasted
    ui.card(page, "dataset").locator(".mnode__title").click()
    ui.card(page, "split_data").locator(".mnode__title").click(modifiers=["Control"])
    expect(page.get_by_role("heading", name="2 modules selected")).to_be_visible()
    page.keyboard.press("Control+c")
    page.keyboard.press("Control+v")

    # Then the copies come with the edge between them
    expect(nodes).to_have_count(4)
    expect(edges).to_have_count(2)

    # And undo, redo and delete work from the keyboard
    page.keyboard.press("Control+z")
    expect(nodes).to_have_count(2)
    page.keyboard.press("Control+Shift+z")
    expect(nodes).to_have_count(4)
    page.keyboard.press("Delete")
    expect(nodes).to_have_count(2)
    expect(edges).to_have_count(1)
    ui.wait_saved(page)

    # When a teammate saves a version meanwhile, saving mine is refused with a choice, not overwritten
    page.evaluate(
        """async (id) => {
            const token = document.cookie.match(/csrftoken=([^;]+)/)[1];
            const draft = await (await fetch(`/api/pipelines/${id}/draft/`)).json();
            await fetch(`/api/pipelines/${id}/versions/`, {
                method: "POST",
                headers: {"Content-Type": "application/json", "X-CSRFToken": token},
                body: JSON.stringify({document: draft.document, message: "teammate", base_version: 1}),
            });
        }""",
        pipeline_id,
    )
    page.get_by_role("button", name="Save version").click()
    page.get_by_role("dialog").get_by_label("What changed?").fill("mine")
    page.get_by_role("dialog").get_by_role("button", name="Save version").click()
    conflict = page.get_by_role("dialog", name="Someone saved a newer version")
    expect(conflict).to_contain_text("version 2 was saved by grace")
    ui.shot(page, "e2e-stale-save")
    conflict.get_by_role("button", name="Save mine as version 3").click()
    expect(page.get_by_test_id("save-state")).to_have_text("Version 3")


def test_failed_node_log_cancel_and_clone(page: Page, live_server_e2e, workers, account: Account) -> None:
    from designer.pipelines.services import create_pipeline
    from tests.support.pipelines import document

    # Given a pipeline with a slow branch and a failing one (test modules), made by a teammate's script
    doc = document(
        [
            ("data", "dataset", {"dataset": {"dataset_id": account.dataset_id}}),
            ("slow", "test_sleep", {"seconds": 30}),
            ("boom", "test_fail", {"message": "the column 'mean_area' is negative"}),
        ],
        ["data.dataset -> slow.dataset", "data.dataset -> boom.dataset"],
        data={"x": 240, "y": 40},
        slow={"x": 80, "y": 220, "comment": "takes half a minute"},
        boom={"x": 400, "y": 220},
    )
    pipeline = create_pipeline(account.user, account.workspace, "Slow and failing", document=doc)
    ui.sign_in(page, live_server_e2e.url, account.username, account.password)
    page.goto(f"{live_server_e2e.url}/pipelines/{pipeline.pk}")
    expect(ui.node(page, None)).to_have_count(3, timeout=20_000)
    expect(ui.card(page, "test_sleep")).to_contain_text("takes half a minute")

    # When it is submitted
    ui.submit(page)

    # Then the failing node shows its error, and its log is one click away
    boom = ui.card(page, "test_fail")
    expect(boom).to_have_attribute("data-status", "failed", timeout=60_000)
    expect(boom).to_contain_text("the column 'mean_area' is negative")
    expect(ui.card(page, "test_sleep")).to_have_attribute("data-status", "running", timeout=30_000)
    expect(page.get_by_test_id("run-chip")).to_have_attribute("data-status", "running")
    boom.get_by_role("button", name="View log").click()
    expect(page.get_by_test_id("node-log")).to_contain_text("failing on purpose")
    ui.shot(page, "e2e-failed-node-log")
    page.keyboard.press("Escape")

    # When the run is cancelled while the slow node still runs
    page.get_by_test_id("run-chip").get_by_role("button", name="Cancel").click()

    # Then the run and the slow node end cancelled
    chip = page.get_by_test_id("run-chip")
    expect(chip).to_have_attribute("data-status", re.compile("cancelled|failed"), timeout=30_000)
    expect(ui.card(page, "test_sleep")).to_have_attribute("data-status", "cancelled", timeout=30_000)

    # And the run opens read-only, and can be cloned into a new, editable draft
    page.get_by_test_id("run-chip").get_by_role("link").click()
    expect(page.get_by_text("Read-only")).to_be_visible(timeout=20_000)
    expect(ui.node(page, None)).to_have_count(3)
    page.get_by_role("button", name="Clone into new draft").click()
    page.wait_for_url(re.compile(r"/pipelines/\d+$"), timeout=20_000)
    assert not page.url.endswith(f"/pipelines/{pipeline.pk}")
    expect(ui.node(page, None)).to_have_count(3, timeout=20_000)
    expect(page.locator(".toolbar__name")).to_contain_text("Slow and failing (from run #")
