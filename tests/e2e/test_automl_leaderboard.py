"""An AutoML search watched in the browser: the node's panel lists its trials as rounds finish, with the best
metric over time and per algorithm, and keeps the whole leaderboard once the node has finished; in Chromium
against a live server and real workers."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from designer.pipelines.services import create_pipeline
from tests.support.pipelines import document

from . import canvas as ui
from .conftest import Account

pytestmark = pytest.mark.e2e
BUDGET = 8


def test_the_automl_node_shows_its_leaderboard_while_it_searches(
    page: Page, live_server_e2e, workers, account: Account
) -> None:
    # Given an AutoML Classification pipeline on the breast-cancer sample: 8 trials, 2 at a time
    pipeline = create_pipeline(
        account.user,
        account.workspace,
        "AutoML",
        document=document(
            [
                ("data", "dataset", {"dataset": {"dataset_id": account.dataset_id}}),
                (
                    "automl",
                    "automl_classification",
                    {
                        "label_column": "diagnosis",
                        "maximum_number_of_trials": BUDGET,
                        "maximum_concurrent_trials": 2,
                        "random_seed": 4,
                    },
                ),
            ],
            ["data.dataset -> automl.training_dataset"],
        ),
    )
    ui.sign_in(page, live_server_e2e.url, account.username, account.password)
    page.goto(f"{live_server_e2e.url}/pipelines/{pipeline.pk}")
    expect(ui.card(page, "automl_classification")).to_be_visible(timeout=20_000)

    # When it is submitted and the AutoML node's panel is opened
    ui.submit(page)
    panel = ui.select(page, "automl_classification")
    panel.get_by_role("tab", name="Outputs + logs").click()

    # Then its leaderboard lists trials as rounds finish, and draws the two charts
    board = panel.get_by_label("AutoML leaderboard")
    expect(board).to_be_visible(timeout=60_000)
    summary = board.get_by_label("AutoML summary")
    expect(summary).to_have_text(
        re.compile(rf"^[1-8] of {BUDGET} trials done, best AUC 0\.9\d{{3}} \(trial \d+, .+\)$"), timeout=90_000
    )
    table = board.get_by_role("table", name="AutoML trials")
    expect(table.locator("tbody tr").first).to_be_visible()
    expect(board.locator(".js-plotly-plot")).to_have_count(2, timeout=30_000)
    expect(board.locator(".js-plotly-plot").first).to_contain_text("Best AUC so far")
    ui.shot(page, "e2e-automl-leaderboard-live")

    # When the search has finished
    ui.wait_run_finished(page, timeout=240)

    # Then every trial is listed with its worker and status, the best first, and the node's progress bar is full
    expect(summary).to_have_text(re.compile(rf"^{BUDGET} of {BUDGET} trials done, best AUC"), timeout=30_000)
    expect(board.get_by_text("AutoML leaderboard", exact=True)).to_be_visible()
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(BUDGET)
    statuses = [rows.nth(i).locator("td").nth(5).inner_text() for i in range(BUDGET)]
    assert set(statuses) <= {"completed", "failed"}, statuses
    workers_seen = {rows.nth(i).locator("td").nth(4).inner_text() for i in range(BUDGET)}
    assert all(re.fullmatch(r".+:\d+", w) for w in workers_seen), workers_seen
    metric = [rows.nth(i).locator("td").nth(2).inner_text() for i in range(BUDGET)]
    scored = [float(m) for m in metric if m != "—"]
    assert scored == sorted(scored, reverse=True)
    board.get_by_role("button", name="Trial").click()
    trials = [int(rows.nth(i).locator("td").nth(0).inner_text()) for i in range(BUDGET)]
    assert trials == list(range(1, BUDGET + 1))
    ui.shot(page, "e2e-automl-leaderboard-finished")


def test_a_version_3_automl_node_offers_automatic_validation_and_greedy_ensemble_selection(
    page: Page, live_server_e2e, account: Account
) -> None:
    # Given an AutoML Classification node at the latest version, its parameters left at their defaults
    doc = document(
        [
            ("data", "dataset", {"dataset": {"dataset_id": account.dataset_id}}),
            ("automl", "automl_classification", {"label_column": "diagnosis"}),
        ],
        ["data.dataset -> automl.training_dataset"],
    )
    doc["nodes"][1]["version"] = 3
    pipeline = create_pipeline(account.user, account.workspace, "AutoML v3", document=doc)
    ui.sign_in(page, live_server_e2e.url, account.username, account.password)
    page.goto(f"{live_server_e2e.url}/pipelines/{pipeline.pk}")
    expect(ui.card(page, "automl_classification")).to_be_visible(timeout=20_000)

    # When its panel is opened
    panel = ui.select(page, "automl_classification")

    # Then validation is Automatic (5 folds) and the ensemble is chosen by greedy selection, each with its choices
    validation = panel.locator('[data-param="validation_type"] select')
    expect(validation).to_have_value("Automatic")
    expect(validation.locator("option")).to_have_text(["Automatic", "Holdout", "Cross-validation"])
    expect(panel.locator('[data-param="number_of_folds"] input')).to_have_value("5")
    method = panel.locator('[data-param="ensemble_method"] select')
    expect(method).to_have_value("Greedy selection")
    expect(method.locator("option")).to_have_text(["Greedy selection", "Average of the best"])
    expect(panel.locator('[data-param="ensemble_method"]')).to_contain_text("Ensemble method")
    panel.locator('[data-param="ensemble_method"]').scroll_into_view_if_needed()
    ui.shot(page, "e2e-automl-v3-parameters")
