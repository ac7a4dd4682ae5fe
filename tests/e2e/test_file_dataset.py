"""A zip in a real browser: uploaded on the Datasets page and listed by its files, dragged onto the canvas as a
File Dataset, wired to Execute Python Script's Script bundle (and refused on a table input), run on workers."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import Page, expect

from . import canvas as ui
from .conftest import BREAST_CANCER, Account

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True), pytest.mark.timeout(600)]

SCRIPT = """\
from cancer.features import with_ratio

def azureml_main(dataframe1 = None, dataframe2 = None):
    return with_ratio(dataframe1),
"""


def _bundle(folder: Path) -> Path:
    path = folder / "cancer_helpers.zip"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("cancer/__init__.py", "")
        zf.writestr("cancer/features.py", "def with_ratio(df):\n    return df.assign(ratio=df.iloc[:, 0] / 2)\n")
    path.write_bytes(buf.getvalue())
    return path


def test_a_zip_uploaded_and_dragged_onto_the_canvas_feeds_the_script_bundle(
    page: Page, live_server_e2e, workers, account: Account, tmp_path: Path
) -> None:
    # Given a signed-in owner who uploads a zip of helpers on the Datasets page
    ui.sign_in(page, live_server_e2e.url, account.username, account.password)
    page.goto(f"{live_server_e2e.url}/datasets")
    page.get_by_role("button", name="Upload dataset").click()
    dialog = page.get_by_role("dialog", name="Upload a dataset to Lab")
    dialog.get_by_label("File").set_input_files(str(_bundle(tmp_path)))
    dialog.get_by_label("Name").fill("Cancer helpers")
    dialog.get_by_role("button", name="Upload").click()

    # Then it is a file dataset, listed by its files
    files = page.get_by_role("table", name="Files in the zip")
    expect(files).to_contain_text("2 files")
    expect(files.get_by_role("rowheader")).to_have_text(["cancer/__init__.py", "cancer/features.py"])
    ui.shot(page, "e2e-file-dataset")

    # When she drags the table and the zip onto a new pipeline, and Execute Python Script below them
    page.goto(live_server_e2e.url)
    ui.create_pipeline(page, "Script bundle")
    ui.drag_dataset(page, BREAST_CANCER, 200, 80)
    ui.drag_dataset(page, "Cancer helpers", 520, 80)
    ui.drag_module(page, "Execute Python Script", 360, 260)

    # Then the zip became a File Dataset node, which cannot feed a table input
    expect(ui.card(page, "file_dataset")).to_have_count(1)
    ui.connect(page, ("file_dataset", "files"), ("execute_python_script", "dataset2"), expect_edge=False)
    expect(page.locator(".react-flow__edge")).to_have_count(0)

    # When she wires it to the Script bundle, with the table on Dataset1, and runs a script importing from it
    ui.connect(page, ("dataset", "dataset"), ("execute_python_script", "dataset1"))
    ui.connect(page, ("file_dataset", "files"), ("execute_python_script", "script_bundle"))
    ui.select(page, "execute_python_script").locator('[data-param="python_script"] textarea').fill(SCRIPT)
    ui.shot(page, "e2e-file-dataset-wired")
    ui.submit(page)

    # Then every node finishes and the script's result has the column the bundle's module added
    assert ui.wait_run_finished(page) == {
        "dataset": "completed",
        "file_dataset": "completed",
        "execute_python_script": "completed",
    }
    run_id = page.get_by_test_id("run-chip").get_attribute("data-run-id")
    nodes = page.request.get(f"{live_server_e2e.url}/api/runs/{run_id}/").json()["nodes"]
    script_node = next(n["node"] for n in nodes if n["node"].startswith("execute_python_script"))
    result = page.request.get(
        f"{live_server_e2e.url}/api/runs/{run_id}/nodes/{script_node}/outputs/result_dataset/download/"
    )
    table = pd.read_csv(io.BytesIO(result.body()))
    assert list(table.columns)[-1] == "ratio"
    assert table["ratio"].tolist() == (table.iloc[:, 0] / 2).tolist()
