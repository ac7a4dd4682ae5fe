"""Upload options in a real browser: a ';'-separated, decimal-comma, latin-1 file is previewed as text with a
hint, re-read with the options set (typed numbers in the preview, before anything is saved), then saved, and
the dataset's profile shows the numeric columns."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from designer.datasets.models import Dataset

from . import canvas as ui
from .conftest import Account

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True), pytest.mark.timeout(300)]

PRICES = "Stadt;Preis;Menge\nKöln;1,5;3\nMünchen;-2,25;4\nZürich;7,5;-\n"


def test_a_semicolon_decimal_comma_file_is_previewed_typed_with_options_and_saved_numeric(
    page: Page, live_server_e2e, account: Account, tmp_path: Path
) -> None:
    path = tmp_path / "preise.csv"
    path.write_bytes(PRICES.encode("latin-1"))
    datasets = Dataset.objects.count()  # the account's samples

    # Given a signed-in owner who picks a latin-1 file of prices in the upload dialog
    ui.sign_in(page, live_server_e2e.url, account.username, account.password)
    page.goto(f"{live_server_e2e.url}/datasets")
    page.get_by_role("button", name="Upload dataset").click()
    dialog = page.get_by_role("dialog", name="Upload a dataset to Lab")
    dialog.get_by_label("File").set_input_files(str(path))

    # Then the preview says it is not UTF-8, naming the line, before anything is saved
    expect(dialog.get_by_test_id("preview-error")).to_contain_text("the file is not UTF-8 text: byte 0xf6 at line 2")
    ui.shot(page, "e2e-upload-options-not-utf8")

    # When she opens the options and sets the encoding: the preview reads it, prices still text, with a hint
    dialog.get_by_role("button", name="More options").click()
    dialog.get_by_label("Encoding").fill("latin-1")
    table = dialog.get_by_role("table", name="Preview")
    expect(table.get_by_role("row")).to_have_count(4)
    expect(dialog.get_by_test_id("preview-used")).to_contain_text("semicolon-separated, latin-1, decimal point")
    expect(dialog.get_by_label("Type of Preis")).to_have_value("")
    expect(dialog.get_by_label("Type of Preis").locator("option:checked")).to_have_text("text (guessed)")
    expect(dialog.get_by_test_id("preview-problems")).to_contain_text("set the decimal separator to ','")

    # When she sets the decimal comma and '-' as the missing marker
    dialog.get_by_label("Decimal separator").select_option(",")
    dialog.get_by_label("Missing-value markers").fill("-")

    # Then the preview shows typed numbers, and the quantity column is integer with one missing value
    expect(table.get_by_role("row").nth(1)).to_have_text("Köln1.53")
    expect(table.get_by_role("row").nth(3)).to_have_text("Zürich7.5missing")
    expect(dialog.get_by_label("Type of Preis").locator("option:checked")).to_have_text("number (guessed)")
    expect(dialog.get_by_label("Type of Menge").locator("option:checked")).to_have_text("integer (guessed)")
    expect(dialog.get_by_test_id("preview-problems")).to_have_count(0)
    assert Dataset.objects.count() == datasets  # previewing stores nothing
    ui.shot(page, "e2e-upload-options-preview")

    # When she overrides the quantity as a number and saves
    dialog.get_by_label("Type of Menge").select_option("number")
    expect(dialog.get_by_label("Type of Menge").locator("option:checked")).to_have_text("number")
    expect(table.get_by_role("row").nth(1)).to_have_text("Köln1.53")
    dialog.get_by_label("Name", exact=True).fill("Preise")
    dialog.get_by_role("button", name="Upload").click()

    # Then the dataset's profile lists the prices and quantities as numbers
    expect(page.get_by_role("heading", name="Preise")).to_be_visible()
    stats = page.locator("table.stats")
    expect(stats.get_by_role("row", name=re.compile(r"^Preis "))).to_contain_text("number")
    expect(stats.get_by_role("row", name=re.compile(r"^Menge "))).to_contain_text("number")
    expect(stats.get_by_role("row", name=re.compile(r"^Stadt "))).to_contain_text("string")
    ui.shot(page, "e2e-upload-options-saved")
    columns = Dataset.objects.get(name="Preise").versions.get().schema["columns"]
    assert [(c["name"], c["type"]) for c in columns] == [("Stadt", "string"), ("Preis", "number"), ("Menge", "number")]
