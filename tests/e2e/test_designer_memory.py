"""The designer remembers: a reopened pipeline shows its last run; a node saved with an older module version
renders and upgrades after a preview; both models of a two-input Evaluate Model are shown and compared.

Real Chromium, the mouse, the live server and real workers (issue 17, items 1, 2 and 6).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from designer.pipelines.models import Pipeline
from designer.pipelines.services import create_pipeline
from designer.runs.models import Run
from tests.support.pipelines import document

from . import canvas as ui
from .conftest import Account

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True), pytest.mark.timeout(600)]


def _split_v1_pipeline(account: Account) -> Pipeline:
    """Dataset → Split Data (version 1, as the README's example saves it) → Select Columns."""
    doc = document(
        [
            ("data", "dataset", {"dataset": {"dataset_id": account.dataset_id}}),
            ("split", "split_data", {"fraction_of_rows_in_first_output_dataset": 0.7, "random_seed": 42}),
            ("select", "select_columns", {"columns": ["diagnosis"]}),
        ],
        ["data.dataset -> split.dataset", "split.results_dataset1 -> select.dataset"],
    )
    doc["layout"] = {"data": {"x": 200, "y": 60}, "split": {"x": 200, "y": 230}, "select": {"x": 200, "y": 400}}
    assert [n["version"] for n in doc["nodes"]] == [1, 1, 1]
    return create_pipeline(account.user, account.workspace, "Split v1", document=doc)


def test_reopening_a_pipeline_shows_its_last_run(page: Page, live_server_e2e, workers, account: Account) -> None:
    # Given a pipeline she ran to the end
    pipeline = _split_v1_pipeline(account)
    ui.sign_in(page, live_server_e2e.url, account.username, account.password)
    page.goto(f"{live_server_e2e.url}/pipelines/{pipeline.pk}")
    expect(ui.node(page, None)).to_have_count(3, timeout=20_000)
    ui.submit(page)
    finished = ui.wait_run_finished(page)
    assert finished == {"dataset": "completed", "split_data": "completed", "select_columns": "completed"}, finished
    run_id = int(page.get_by_test_id("run-chip").get_attribute("data-run-id") or 0)

    # When she leaves and opens the pipeline again
    page.goto(f"{live_server_e2e.url}/w/{account.workspace.pk}")
    expect(page.get_by_test_id("workspace-home")).to_be_visible()
    page.goto(f"{live_server_e2e.url}/pipelines/{pipeline.pk}")
    expect(ui.node(page, None)).to_have_count(3, timeout=20_000)

    # Then every node keeps the last run's status, and the toolbar says which run and of which version
    chip = page.get_by_test_id("run-chip")
    expect(chip).to_have_attribute("data-run-id", str(run_id), timeout=20_000)
    expect(chip).to_contain_text(f"Last run #{run_id}")
    expect(page.get_by_test_id("last-run")).to_have_text(re.compile(r"^\(version 1\), (just now|\d+ min ago)$"))
    expect(chip).to_have_attribute("data-status", "completed")
    expect(chip).to_contain_text("Finished")
    assert ui.statuses(page) == finished

    # And the Outputs tab of a node shows that run's outputs, one click from the table
    panel = ui.select(page, "split_data")
    page.get_by_role("tab", name="Outputs + logs").click()
    expect(panel).not_to_contain_text("Nothing to show yet")
    expect(panel.get_by_role("button", name="Inspect")).to_have_count(2)
    ui.shot(page, "e2e-reopen-last-run")
    panel.get_by_role("button", name="Inspect").first.click()
    inspector = page.get_by_test_id("output-inspector")
    expect(inspector).to_be_visible()
    expect(inspector).to_contain_text("diagnosis")
    ui.shot(page, "e2e-reopen-last-run-output")


def _draft_node(page: Page, base_url: str, pipeline_id: int, node_id: str) -> dict[str, Any]:
    """The node as the server holds it in the pipeline's draft (asked with her browser session)."""
    draft = page.request.get(f"{base_url}/api/pipelines/{pipeline_id}/draft/").json()
    return next(n for n in draft["document"]["nodes"] if n["id"] == node_id)


def test_a_split_data_v1_node_renders_and_upgrades_after_a_preview(
    page: Page, live_server_e2e, account: Account
) -> None:
    # Given a pipeline saved with Split Data version 1
    pipeline = _split_v1_pipeline(account)
    ui.sign_in(page, live_server_e2e.url, account.username, account.password)

    # When she opens it
    page.goto(f"{live_server_e2e.url}/pipelines/{pipeline.pk}")
    expect(ui.node(page, None)).to_have_count(3, timeout=20_000)

    # Then the node renders with its ports and both edges, flagged as an older version
    split = ui.card(page, "split_data")
    expect(split).not_to_contain_text("Not in the catalogue")
    expect(split.locator(".mnode__title")).to_have_text("Split Data")
    expect(page.locator(".react-flow__edge")).to_have_count(2)
    expect(ui.port(page, "split_data", "results_dataset2")).to_have_count(1)
    flag = split.get_by_test_id("node-version")
    expect(flag).to_have_text("v1 · upgrade to v2")
    ui.wait_ready(page)
    ui.shot(page, "e2e-split-v1-node")

    # When she asks to upgrade, she sees what changes before anything does
    flag.get_by_role("button", name="upgrade to v2").click()
    dialog = page.get_by_role("dialog", name="Upgrade Split Data from version 1")
    preview = dialog.get_by_test_id("upgrade-preview")
    expect(preview.locator('tr[data-change="added"]')).to_have_count(2)
    expect(preview).to_contain_text("Regular expression (new)")
    expect(preview).to_contain_text("Relational expression (new)")
    ui.shot(page, "e2e-split-upgrade-preview")
    assert _draft_node(page, live_server_e2e.url, pipeline.pk, "split")["version"] == 1

    # And when she upgrades, the node is at version 2 with its values and edges kept, and the draft saved so
    dialog.get_by_role("button", name="Upgrade to version 2").click()
    expect(dialog).to_be_hidden()
    expect(split.get_by_test_id("node-version")).to_have_count(0)
    expect(page.locator(".react-flow__edge")).to_have_count(2)
    ui.wait_saved(page)
    ui.wait_ready(page)
    fraction = ui.select(page, "split_data").locator('[data-param="fraction_of_rows_in_first_output_dataset"] input')
    expect(fraction).to_have_value("0.7")
    ui.shot(page, "e2e-split-upgraded")
    node = _draft_node(page, live_server_e2e.url, pipeline.pk, "split")
    assert (node["version"], node["params"]["fraction_of_rows_in_first_output_dataset"]) == (2, 0.7)


# -- Evaluate Model comparing two models --------------------------------------------------------------


def _two_models(account: Account, passes: int) -> dict[str, Any]:
    """Logistic regression and an averaged perceptron trained on one split, scored into one Evaluate Model."""
    doc = document(
        [
            ("data", "dataset", {"dataset": {"dataset_id": account.dataset_id}}),
            ("split", "split_data", {"fraction_of_rows_in_first_output_dataset": 0.7, "random_seed": 42}),
            ("logistic", "two_class_logistic_regression", {"l2_regularization_weight": 1.0}),
            ("perceptron", "two_class_averaged_perceptron", {"maximum_number_of_iterations": passes}),
            ("train_a", "train_model", {"label_column": "diagnosis"}),
            ("train_b", "train_model", {"label_column": "diagnosis"}),
            ("score_a", "score_model", {}),
            ("score_b", "score_model", {}),
            ("evaluate", "evaluate_model", {}),
        ],
        [
            "data.dataset -> split.dataset",
            "logistic.untrained_model -> train_a.untrained_model",
            "perceptron.untrained_model -> train_b.untrained_model",
            "split.results_dataset1 -> train_a.dataset",
            "split.results_dataset1 -> train_b.dataset",
            "train_a.trained_model -> score_a.trained_model",
            "train_b.trained_model -> score_b.trained_model",
            "split.results_dataset2 -> score_a.dataset",
            "split.results_dataset2 -> score_b.dataset",
            "score_a.scored_dataset -> evaluate.scored_dataset",
            "score_b.scored_dataset -> evaluate.scored_dataset_to_compare",
        ],
    )
    doc["layout"] = {
        "data": {"x": 330, "y": 20},
        "split": {"x": 330, "y": 150},
        "logistic": {"x": 20, "y": 150},
        "perceptron": {"x": 640, "y": 150},
        "train_a": {"x": 120, "y": 290},
        "train_b": {"x": 540, "y": 290},
        "score_a": {"x": 120, "y": 430},
        "score_b": {"x": 540, "y": 430},
        "evaluate": {"x": 330, "y": 570},
    }
    return doc


def _run_from_the_designer(page: Page, previous: int | None = None) -> int:
    ui.submit(page)
    if previous is not None:  # the chip showed the last run until the new one is attached
        expect(page.get_by_test_id("run-chip")).not_to_have_attribute("data-run-id", str(previous), timeout=20_000)
    finished = ui.wait_run_finished(page, timeout=300)
    assert set(finished.values()) <= {"completed", "reused"}, finished
    return int(page.get_by_test_id("run-chip").get_attribute("data-run-id") or 0)


def test_both_models_of_evaluate_model_in_the_evaluation_view_runs_table_and_comparison(
    page: Page, live_server_e2e, workers, account: Account
) -> None:
    # Given a pipeline that trains two models and evaluates them side by side, run once
    pipeline = create_pipeline(account.user, account.workspace, "Two models", document=_two_models(account, 10))
    ui.sign_in(page, live_server_e2e.url, account.username, account.password)
    page.goto(f"{live_server_e2e.url}/pipelines/{pipeline.pk}")
    expect(ui.node(page, None)).to_have_count(9, timeout=20_000)
    first = _run_from_the_designer(page)

    # When she opens Evaluate Model's results
    ui.port(page, "evaluate_model", "evaluation_results").click()
    inspector = page.get_by_test_id("output-inspector")
    table = inspector.get_by_test_id("evaluation-metrics")
    # Then both models' metrics stand side by side, each headed by its learner
    expect(table.locator("thead th")).to_have_text(
        ["Metric", "Two-Class Logistic Regression", "Two-Class Averaged Perceptron"], timeout=20_000
    )
    expect(table.locator("tbody tr").filter(has_text="AUC").locator("td")).to_have_count(2)
    expect(inspector.locator(".chart-card").first).to_be_visible(timeout=20_000)
    ui.shot(page, "e2e-two-models-evaluation")
    page.keyboard.press("Escape")

    # When only the second model changes (one pass of the perceptron, set in its panel) and she runs again
    page.goto(f"{live_server_e2e.url}/pipelines/{pipeline.pk}")
    expect(ui.node(page, None)).to_have_count(9, timeout=20_000)
    expect(page.get_by_test_id("run-chip")).to_contain_text(f"Last run #{first}")
    ui.set_number(page, "two_class_averaged_perceptron", "maximum_number_of_iterations", 1)
    second = _run_from_the_designer(page, previous=first)
    assert Run.objects.get(pk=second).pipeline_version.number == 2

    # Then the runs table shows the main metric, AUC, of each model, named by its learner
    page.goto(f"{live_server_e2e.url}/pipelines/{pipeline.pk}/runs")
    runs = page.get_by_test_id("runs-table")
    heads = runs.locator("thead th[data-metric]")
    expect(heads).to_have_count(2, timeout=20_000)
    expect(heads.nth(0)).to_have_text("AUCTwo-Class Logistic Regression")
    expect(heads.nth(1)).to_have_text("AUCTwo-Class Averaged Perceptron")
    expect(runs.locator(f'tr[data-run-id="{second}"] td.num')).to_have_count(3)  # duration + two AUCs
    ui.shot(page, "e2e-two-models-runs-table")

    # And comparing the runs shows both models, the first unchanged and the second with non-zero deltas
    page.goto(f"{live_server_e2e.url}/runs/compare?a={first}&b={second}")
    metrics = page.get_by_test_id("metric-table")
    expect(metrics.locator("th[data-model]")).to_have_text(
        ["Two-Class Logistic Regression", "Two-Class Averaged Perceptron"], timeout=20_000
    )
    first_deltas = metrics.locator('td[data-model="scored_dataset"]')
    second_deltas = metrics.locator('td[data-model="scored_dataset_to_compare"]')
    expect(first_deltas).to_have_count(6)
    assert set(first_deltas.all_inner_texts()) == {"0"}
    changed = [t for t in second_deltas.all_inner_texts() if t.strip() not in ("0", "—")]
    assert changed, second_deltas.all_inner_texts()
    ui.shot(page, "e2e-two-models-compare")
