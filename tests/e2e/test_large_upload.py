"""A large CSV in a real browser: the dialog uploads it and says it waits for a worker; closed, the list says so,
and shows the dataset once a worker has registered it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from playwright.sync_api import Page, expect

from designer.datasets.models import DatasetRegistration

from . import canvas as ui
from .conftest import Account

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True), pytest.mark.timeout(300)]


def _large_csv(path: Path, rows: int = 420_000) -> Path:
    rng = np.random.default_rng(0)
    df = pd.DataFrame({f"x{i}": rng.normal(size=rows).round(6) for i in range(4)})
    df["label"] = rng.choice(["yes", "no"], size=rows)
    df.to_csv(path, index=False)
    assert path.stat().st_size >= 16 * 1024 * 1024  # the size from which the dialog asks for a worker
    return path


def test_a_large_csv_waits_for_a_worker_then_is_listed_as_a_dataset(
    page: Page, live_server_e2e, workers, account: Account, tmp_path: Path
) -> None:
    # Given no worker running, a signed-in owner uploads a 17 MB CSV
    workers.stop()
    ui.sign_in(page, live_server_e2e.url, account.username, account.password)
    page.goto(f"{live_server_e2e.url}/datasets")
    page.get_by_role("button", name="Upload dataset").click()
    dialog = page.get_by_role("dialog", name="Upload a dataset to Lab")
    dialog.get_by_label("File").set_input_files(str(_large_csv(tmp_path / "sensor_log.csv")))
    dialog.get_by_role("textbox", name="Name").fill("Sensor log")
    dialog.get_by_role("button", name="Upload").click()

    # Then the dialog says the file is on the server, waiting for a worker
    expect(dialog.get_by_test_id("upload-stage")).to_contain_text("waiting for a worker", timeout=30_000)
    expect(dialog.get_by_role("button", name="Registering…")).to_be_disabled()
    ui.shot(page, "e2e-large-upload-waiting")
    assert DatasetRegistration.objects.get().status == "queued"

    # When she closes the dialog, the list says the upload waits for a worker
    dialog.get_by_role("button", name="Cancel").click()
    uploads = page.get_by_role("region", name="Uploads being registered")
    expect(uploads).to_contain_text("Sensor log")
    expect(uploads).to_contain_text("waiting for a worker")
    ui.shot(page, "e2e-large-upload-listed")

    # Then, once a worker starts and registers it, the list shows the dataset, which opens with every row
    workers.ensure()
    expect(uploads).to_have_count(0, timeout=60_000)
    page.get_by_role("link", name="Sensor log").click()
    expect(page.get_by_role("heading", name="Sensor log")).to_be_visible()
    expect(page.get_by_text("420,000", exact=False).first).to_be_visible()
    # its distinct counts and top values come from a sample, and the profile says so
    expect(page.get_by_role("note")).to_contain_text("from 100,000 rows spread over the table's 420,000")
    ui.shot(page, "e2e-large-upload-done")
    registration = DatasetRegistration.objects.get()
    assert registration.status == "completed" and registration.version.rows == 420_000
