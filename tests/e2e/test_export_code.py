"""Export as code in a real browser: from the designer's toolbar (the version on the canvas) and from a
run's page (that run), each download a zip whose script names what it was exported from."""

from __future__ import annotations

import re
import zipfile

import pytest
from playwright.sync_api import Page, expect

from designer.pipelines.samples import open_sample
from designer.runs.services import submit_run

from . import canvas as ui
from .conftest import Account

pytestmark = pytest.mark.e2e


def test_export_a_pipeline_and_a_run_as_code(page: Page, live_server_e2e, workers, account: Account) -> None:
    # Given a sample pipeline and a completed run of it
    opened = open_sample(account.user, account.workspace, "multiclass-penguins")
    pipeline = opened.pipeline
    run = submit_run(user=account.user, pipeline=pipeline)
    ui.sign_in(page, live_server_e2e.url, account.username, account.password)

    # When the owner opens the pipeline and clicks Export as code in the toolbar's Share menu
    page.goto(f"{live_server_e2e.url}/pipelines/{pipeline.pk}")
    toolbar = page.get_by_role("toolbar", name="Pipeline")
    share = toolbar.get_by_role("button", name="Share")
    expect(share).to_be_visible(timeout=20_000)
    share.click()
    button = toolbar.get_by_role("menu", name="Share").get_by_role("menuitem", name="Export as code")
    expect(button).to_be_visible()
    ui.shot(page, "e2e-export-code-toolbar")
    with page.expect_download() as download:
        button.click()
    expect(button).to_be_hidden()  # the menu closes; the download goes on

    # Then the browser saves the version as a zip holding the script, the notebook and the data
    saved = download.value
    assert saved.suggested_filename == "multiclass-classification-penguin-species-v1.zip"
    archive = zipfile.ZipFile(saved.path())
    assert {"pipeline.py", "pipeline.ipynb", "data/data.parquet"} <= set(archive.namelist())
    assert f"Version 1 of pipeline {pipeline.pk}, exported" in archive.read("pipeline.py").decode()

    # When the run has completed and its page's Export as code is clicked
    page.goto(f"{live_server_e2e.url}/runs/{run.pk}")
    expect(page.get_by_test_id("run-chip")).to_have_attribute("data-status", "completed", timeout=60_000)
    run_button = page.get_by_role("toolbar", name="Run").get_by_role("button", name="Export as code")
    ui.shot(page, "e2e-export-code-run-page")
    with page.expect_download() as download:
        run_button.click()

    # Then the zip is the run's, named after it
    saved = download.value
    assert re.fullmatch(rf"multiclass-classification-penguin-species-run{run.pk}\.zip", saved.suggested_filename)
    script = zipfile.ZipFile(saved.path()).read("pipeline.py").decode()
    assert f"Run {run.pk} (version 1 of pipeline {pipeline.pk}), exported" in script
