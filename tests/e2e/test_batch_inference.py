"""From a finished training run to a batch job in the browser: "Create batch inference pipeline" on the run
page, the derived pipeline on the canvas, a smaller mini-batch set in the panel, and the running Parallel
Run node counting rows done out of the total; in Chromium against a live server and real workers."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from designer.datasets.models import Dataset
from designer.datasets.services import create_dataset_from_frame
from designer.pipelines.services import create_pipeline
from designer.runs import services as runs
from tests.designer.batch.test_on_workers import frame
from tests.support.pipelines import document

from . import canvas as ui
from .conftest import Account
from .test_endpoints import wait_completed

pytestmark = pytest.mark.e2e
ROWS = 150_000


def test_create_a_batch_inference_pipeline_and_watch_it_count_rows(
    page: Page, live_server_e2e, workers, account: Account
) -> None:
    # Given a training run on the workers whose Score Model scored a 150,000-row dataset
    data = create_dataset_from_frame(account.user, account.workspace, "Customers", frame(ROWS))
    training = create_pipeline(
        account.user,
        account.workspace,
        "Churn",
        document=document(
            [
                ("data", "dataset", {"dataset": {"dataset_id": data.pk}}),
                ("split", "split_data", {"fraction_of_rows_in_first_output_dataset": 0.1, "random_seed": 3}),
                ("learner", "two_class_logistic_regression", {}),
                ("train", "train_model", {"label_column": "label"}),
                ("score", "score_model", {}),
            ],
            [
                "data.dataset -> split.dataset",
                "split.results_dataset1 -> train.dataset",
                "learner.untrained_model -> train.untrained_model",
                "train.trained_model -> score.trained_model",
                "split.results_dataset2 -> score.dataset",
            ],
        ),
    )
    run = wait_completed(runs.submit_run(user=account.user, pipeline=training))
    ui.sign_in(page, live_server_e2e.url, account.username, account.password)

    # When the run page's "Create batch inference pipeline" is clicked
    page.goto(f"{live_server_e2e.url}/runs/{run.pk}")
    expect(page.get_by_role("button", name="Create inference pipeline")).to_be_visible()
    page.get_by_role("button", name="Create batch inference pipeline").click()

    # Then the batch pipeline opens: the dataset, Parallel Run and Register Dataset, with the notes
    page.wait_for_url(re.compile(r"/pipelines/\d+$"), timeout=30_000)
    expect(ui.card(page, "parallel_run")).to_be_visible(timeout=20_000)
    expect(ui.card(page, "register_dataset")).to_be_visible()
    expect(ui.card(page, "dataset")).to_be_visible()
    expect(page.get_by_test_id("inference-notes")).to_contain_text("kept as the batch input")
    ui.select(page, "parallel_run")
    ui.shot(page, "e2e-batch-inference-pipeline")

    # When mini-batches of 1,000 rows are set in the panel and the pipeline is submitted
    ui.set_number(page, "parallel_run", "mini_batch_size", 1000)
    dialog = ui.open_submit_dialog(page)  # the input is the dataset parameter input_data: its default, the data
    expect(dialog.locator('[data-parameter="input_data"]')).to_contain_text("Customers")
    ui.shot(page, "e2e-batch-submit-dialog")
    ui.submit_values(page, dialog, {})
    expect(dialog).to_be_hidden(timeout=20_000)

    # Then the running Parallel Run node counts the rows done out of the total
    progress = ui.card(page, "parallel_run").get_by_test_id("node-progress")
    expect(progress).to_have_text(re.compile(r"^[1-9][\d,]* / 150,000 rows$"), timeout=60_000)
    ui.shot(page, "e2e-batch-running")
    assert ui.wait_run_finished(page)["parallel_run"] == "completed"
    ui.shot(page, "e2e-batch-finished")
    scored = Dataset.objects.get(workspace=account.workspace, name="Churn - scored")
    assert scored.versions.get().rows == ROWS
