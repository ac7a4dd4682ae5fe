"""Pipeline parameters in a real browser: promote a field on the canvas, submit with a value the field
refuses and then with a good one, watch the run complete on workers, and see the value on the run page.

Written in steps that a longer journey reuses (promote, publish, schedule, see the triggered run):
``_parameterized_pipeline`` and ``_promote_and_run`` leave a completed run of a pipeline with a
pipeline parameter, for the published-pipeline and schedule steps to continue from."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from designer.pipelines.services import create_pipeline
from designer.runs.models import Run
from modules.sdk import default_registry
from tests.support.pipelines import document

from . import canvas as ui
from .conftest import Account

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True), pytest.mark.timeout(600)]

FIELD = "fraction_of_rows_in_first_output_dataset"


def _parameterized_pipeline(account: Account) -> int:
    """Dataset → Split Data → Select Columns in Dataset (no parameters yet), saved as version 1."""
    doc = document(
        [
            ("data", "dataset", {"dataset": {"dataset_id": account.dataset_id}}),
            ("split", "split_data", {FIELD: 0.7, "random_seed": 42}),
            ("select", "select_columns", {"columns": ["diagnosis"]}),
        ],
        ["data.dataset -> split.dataset", "split.results_dataset1 -> select.dataset"],
    )
    for node in doc["nodes"]:  # the versions the palette offers (the canvas shows the catalogue's latest)
        node["version"] = default_registry().latest_version(node["module"])
    doc["layout"] = {"data": {"x": 200, "y": 60}, "split": {"x": 200, "y": 220}, "select": {"x": 200, "y": 380}}
    return create_pipeline(account.user, account.workspace, "Tunable split", document=doc).pk


def _promote_and_run(page: Page, base_url: str, pipeline_id: int) -> dict[str, Any]:
    """Promote the split fraction to 'train_fraction', submit 1.5 (refused) then 0.25; the finished run."""
    page.goto(f"{base_url}/pipelines/{pipeline_id}")
    expect(ui.node(page, None)).to_have_count(3, timeout=20_000)

    # When she promotes Split Data's fraction to a pipeline parameter
    dialog = ui.open_promote_dialog(page, "split_data", FIELD)
    expect(dialog.get_by_label("Name")).to_have_value(FIELD)
    expect(dialog.get_by_label("Type")).to_have_value("number")
    expect(dialog.get_by_label("Default value")).to_have_value("0.7")
    dialog.get_by_label("Name").fill("train_fraction")
    dialog.get_by_label("Description").fill("Share of the rows used for training.")
    ui.shot(page, "e2e-parameters-promote-dialog")
    dialog.get_by_role("button", name="Add and bind").click()

    # Then the field shows the parameter as a chip instead of its input
    chip = page.locator(f'aside.panel [data-param="{FIELD}"] [data-testid="bound-chip"]')
    expect(chip).to_contain_text("train_fraction")
    expect(chip).to_contain_text("= 0.7")
    ui.shot(page, "e2e-parameters-bound-chip")

    # And the pipeline's parameters panel lists it with the field it drives
    chip.get_by_role("button", name="train_fraction", exact=True).click()
    panel = page.get_by_test_id("parameters-panel")
    row = panel.locator('[data-parameter="train_fraction"]')
    expect(row).to_contain_text("Number")
    expect(row.get_by_label("Default of train_fraction")).to_have_value("0.7")
    expect(row).to_contain_text("Split Data › Fraction of rows in the first output dataset")
    ui.wait_saved(page)
    ui.shot(page, "e2e-parameters-panel")

    # When she submits with a fraction the field cannot take, the server refuses it against the parameter
    submit = ui.open_submit_dialog(page)
    expect(submit.get_by_label("train_fraction", exact=True)).to_have_value("0.7")
    ui.submit_values(page, submit, {"train_fraction": "1.5"})
    refused = submit.locator('[data-parameter="train_fraction"] .field__error')
    expect(refused).to_have_text(
        "Does not fit “Fraction of rows in the first output dataset” of Split Data: "
        "input should be less than or equal to 1.",
        timeout=15_000,
    )
    expect(page.get_by_test_id("run-chip")).to_have_count(0)
    ui.shot(page, "e2e-parameters-submit-refused")

    # And with 0.25 the run starts, and every node completes on the workers
    ui.submit_values(page, submit, {"train_fraction": "0.25"})
    expect(submit).to_be_hidden(timeout=20_000)
    expect(page.get_by_test_id("run-chip")).to_be_visible(timeout=20_000)
    finished = ui.wait_run_finished(page)
    assert finished == {"dataset": "completed", "split_data": "completed", "select_columns": "completed"}, finished
    run_id = int(page.get_by_test_id("run-chip").get_attribute("data-run-id") or 0)
    return {"run": run_id, "statuses": finished}


def test_promote_a_field_and_submit_with_a_value(page: Page, live_server_e2e, workers, account: Account) -> None:
    # Given a signed-in owner with a pipeline of three modules
    pipeline_id = _parameterized_pipeline(account)
    ui.sign_in(page, live_server_e2e.url, account.username, account.password)

    result = _promote_and_run(page, live_server_e2e.url, pipeline_id)

    # Then the run kept the value and why it ran, and its run page shows them
    run = Run.objects.get(pk=result["run"])
    assert run.parameter_values == {"train_fraction": 0.25}
    assert run.trigger == {"kind": "manual"}
    assert run.pipeline_version.document["parameters"] == {
        "train_fraction": {"type": "number", "default": 0.7, "description": "Share of the rows used for training."}
    }
    page.get_by_test_id("run-chip").get_by_role("link").click()
    page.wait_for_url(re.compile(rf"/runs/{run.pk}$"), timeout=20_000)
    strip = page.get_by_test_id("run-parameters")
    expect(strip.locator('[data-parameter="train_fraction"]')).to_have_text(re.compile(r"train_fraction\s*0\.25"))
    expect(page.get_by_test_id("run-trigger")).to_have_text(re.compile("Trigger\\s*Manual"))
    expect(page.get_by_test_id("run-chip")).to_have_attribute("data-status", "completed")
    ui.shot(page, "e2e-parameters-run-page")


def test_promote_publish_schedule_and_see_the_triggered_run(
    page: Page, live_server_e2e, workers, account: Account
) -> None:
    """The issue's journey: a parameter promoted on the canvas, the run published with its value, scheduled
    every minute, and the run the schedule fired seen on the pipeline endpoint's page."""
    from designer.published.models import PipelineEndpoint, PublishedRun
    from tests.support.processes import Beat

    pipeline_id = _parameterized_pipeline(account)
    ui.sign_in(page, live_server_e2e.url, account.username, account.password)
    first = _promote_and_run(page, live_server_e2e.url, pipeline_id)

    # When she publishes that run from its page, as a new pipeline endpoint with the run's value as default
    page.goto(f"{live_server_e2e.url}/runs/{first['run']}")
    page.get_by_test_id("publish-from-run").click()
    dialog = page.get_by_role("dialog", name=f"Publish from run #{first['run']}")
    expect(dialog.get_by_test_id("publish-defaults")).to_contain_text("train_fraction = 0.25")
    dialog.locator("#publish-name").fill("tunable-split")
    dialog.get_by_role("button", name="Publish", exact=True).click()
    page.wait_for_url(re.compile(r"/w/\d+/pipeline-endpoints/\d+$"), timeout=30_000)
    endpoint = PipelineEndpoint.objects.get(name="tunable-split")

    # And schedules it every minute from the run's page, with a beat process running
    beat = Beat("journey")
    try:
        beat.wait_ready()
        page.goto(f"{live_server_e2e.url}/runs/{first['run']}")
        page.get_by_test_id("schedule-run").click()
        schedule = page.get_by_role("dialog", name=f"Schedule run #{first['run']}")
        schedule.locator("#schedule-run-cron").fill("* * * * *")
        expect(schedule.get_by_test_id("timing-preview")).to_contain_text("Every minute", timeout=15_000)
        ui.shot(page, "e2e-journey-schedule-dialog")
        schedule.get_by_role("button", name="Create schedule").click()
        expect(schedule).to_be_hidden(timeout=20_000)

        # Then within the next minute the schedule fires a run, which the endpoint's page lists as a
        # scheduled run with the published value, and which completes on the workers
        page.goto(f"{live_server_e2e.url}/w/{account.workspace.pk}/pipeline-endpoints/{endpoint.pk}")
        fired = _wait_for(lambda: PublishedRun.objects.filter(endpoint=endpoint, kind="schedule").first(), 150)
        row = page.get_by_test_id(f"pe-run-{fired.run_id}")
        expect(row).to_contain_text("Schedule", timeout=30_000)
        expect(row).to_contain_text("Finished", timeout=120_000)
        ui.shot(page, "e2e-journey-scheduled-run")
    finally:
        beat.stop()
    run = Run.objects.get(pk=fired.run_id)
    assert run.status == "completed"
    assert run.parameter_values == {"train_fraction": 0.25}
    assert run.trigger["kind"] == "schedule" and run.trigger["endpoint"] == endpoint.pk


def _wait_for(probe: Any, timeout: float) -> Any:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = probe()
        if found is not None:
            return found
        time.sleep(1)
    raise TimeoutError("nothing appeared in time")
