"""Components in a real browser (issue 19): select modules with the mouse, group them into a component,
open it, edit inside and save a version, go back out, submit, and the run completes with the component
node showing its inner nodes' statuses together; opened in the run, the inner nodes show their own.
A second copy of the component, still on the old version, offers the update and its diff. A script
component created from the palette's dialog is dragged in, wired, run, and its output checked."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from . import canvas as ui
from .conftest import BREAST_CANCER, Account

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True), pytest.mark.timeout(600)]

GROUPED = ("split_data", "two_class_logistic_regression", "train_model")


def component_card(page: Page):
    return page.locator('[data-testid="node"][data-module^="component:"]')


def select_with_box(page: Page, top_left: tuple[float, float], bottom_right: tuple[float, float]) -> None:
    """Shift-drag a selection box over the canvas (React Flow's selection with the mouse)."""
    page.keyboard.down("Shift")
    page.mouse.move(*ui.canvas_point(page, *top_left))
    page.mouse.down()
    page.mouse.move(*ui.canvas_point(page, *bottom_right), steps=12)
    page.mouse.up()
    page.keyboard.up("Shift")


def test_group_open_edit_back_out_and_run(page: Page, live_server_e2e, workers, account: Account) -> None:
    # Given the classic training pipeline, built with the mouse
    ui.sign_in(page, live_server_e2e.url, account.username, account.password)
    ui.create_pipeline(page, "Components")
    ui.build_classic_pipeline(page, BREAST_CANCER, label="diagnosis")
    ui.wait_saved(page)
    ui.wait_ready(page)

    # When she draws a selection box around Split Data, the learner and Train Model
    select_with_box(page, (60, 140), (900, 410))
    selected = page.locator(".react-flow__node-module.selected")
    expect(selected).to_have_count(3)
    picked = [selected.nth(i).locator("[data-module]").get_attribute("data-module") or "" for i in range(3)]
    assert sorted(picked) == sorted(GROUPED), picked
    ui.shot(page, "components-1-selected")

    # And chooses "Create component" on the selection's context menu
    page.locator(".react-flow__nodesselection-rect").click(button="right")
    page.get_by_role("menuitem", name=re.compile(r"Create component from 3 modules")).click()
    dialog = page.get_by_role("dialog", name=re.compile("Create a component"))
    expect(dialog).to_be_visible()
    # the ports are proposed from the edges crossing the selection: Dataset in; the second half and the model out
    expect(dialog.get_by_test_id("component-input")).to_have_count(1)
    expect(dialog.get_by_test_id("component-output")).to_have_count(2)
    dialog.get_by_label("Component name").fill("Split and train")
    dialog.get_by_label("Output 2 name").fill("model")
    dialog.get_by_role("checkbox").first.check()  # expose Split Data's first parameter
    ui.shot(page, "components-2-create-dialog")
    dialog.get_by_role("button", name="Create component").click()
    expect(dialog).to_be_hidden(timeout=20_000)

    # Then the three modules became one component node, wired in their place
    expect(component_card(page)).to_have_count(1, timeout=10_000)
    expect(ui.node(page, None)).to_have_count(4)
    expect(page.locator(".react-flow__edge")).to_have_count(4)
    expect(component_card(page)).to_have_attribute("data-version", "1")
    expect(component_card(page)).to_contain_text("Split and train")
    ui.wait_saved(page)
    ui.wait_ready(page)
    ui.shot(page, "components-3-grouped")

    # And Ctrl+Z takes the grouping back, Ctrl+Y does it again (an ordinary edit)
    page.locator(".designer__canvas").click(position={"x": 20, "y": 20})
    page.keyboard.press("Control+z")
    expect(ui.node(page, None)).to_have_count(6)
    page.keyboard.press("Control+y")
    expect(ui.node(page, None)).to_have_count(4)
    ui.wait_saved(page)

    # When she double-clicks the component, its inner graph opens with a breadcrumb back
    component_card(page).locator(".mnode__title").dblclick()
    crumb = page.get_by_test_id("component-breadcrumb")
    expect(crumb).to_be_visible(timeout=10_000)
    expect(crumb).to_contain_text("Components")
    expect(crumb).to_contain_text("Split and train")
    expect(ui.node(page, None)).to_have_count(3)
    ui.shot(page, "components-4-opened")

    # And edits a parameter inside and saves a version; a column picker inside offers the columns that
    # flow in from the pipeline through the component's input
    ui.set_number(page, "split_data", "fraction_of_rows_in_first_output_dataset", 0.6)
    column = page.locator('aside.panel [data-param="stratification_key_column"] option[value="diagnosis"]')
    expect(column).to_have_count(1, timeout=15_000)
    expect(crumb).to_contain_text("Unsaved changes")
    crumb.get_by_role("button", name="Save version…").click()
    save = page.get_by_role("dialog", name=re.compile("as a new version"))
    save.get_by_label("Version message").fill("Train on 60 %")
    ui.shot(page, "components-5-save-version")
    save.get_by_role("button", name="Save version").click()
    expect(save).to_be_hidden(timeout=10_000)
    expect(crumb).to_contain_text("v2")
    expect(crumb).not_to_contain_text("Unsaved changes")

    # And goes back out with the breadcrumb: the node now uses version 2
    crumb.get_by_role("button", name=re.compile("Components")).click()
    expect(crumb).to_be_hidden()
    expect(ui.node(page, None)).to_have_count(4)
    expect(component_card(page)).to_have_attribute("data-version", "2")
    ui.wait_saved(page)
    ui.wait_ready(page)

    # When she submits, the run completes; the component node shows its inner nodes' status together
    ui.submit(page)
    done = ui.wait_run_finished(page)
    assert set(done.values()) == {"completed"}, done
    expect(component_card(page)).to_have_attribute("data-status", "completed")
    ui.shot(page, "components-6-run-finished")

    # And opened, its inner nodes show their own statuses, outputs and logs
    component_card(page).locator(".mnode__title").dblclick()
    expect(page.get_by_test_id("component-breadcrumb")).to_be_visible(timeout=10_000)
    inner = page.locator('[data-testid="node"]')
    expect(inner).to_have_count(3)
    for i in range(3):
        expect(inner.nth(i)).to_have_attribute("data-status", "completed")
    panel = ui.select(page, "train_model")
    page.get_by_role("tab", name="Outputs + logs").click()
    panel.get_by_role("button", name="View log").click()
    expect(page.get_by_role("dialog", name=re.compile("Log of"))).to_be_visible()
    ui.shot(page, "components-7-inner-log")
    page.keyboard.press("Escape")
    page.get_by_test_id("component-breadcrumb").get_by_role("button", name=re.compile("Components")).click()
    expect(ui.node(page, None)).to_have_count(4)

    # And the run's own page shows the same: the component node's status, and inside, the inner nodes'
    run_id = page.get_by_test_id("run-chip").get_attribute("data-run-id")
    page.goto(f"{live_server_e2e.url}/runs/{run_id}")
    expect(component_card(page)).to_have_attribute("data-status", "completed", timeout=20_000)
    component_card(page).click()
    expect(page.get_by_test_id("component-run-summary")).to_contain_text("3 of 3 done")
    ui.shot(page, "components-11-run-page")
    component_card(page).locator(".mnode__title").dblclick()
    expect(page.get_by_test_id("component-breadcrumb")).to_contain_text(f"Run #{run_id}")
    expect(page.locator('[data-testid="node"][data-status="completed"]')).to_have_count(3)
    ui.shot(page, "components-12-run-page-inside")


def test_a_linked_copy_offers_the_update_with_its_diff(page: Page, live_server_e2e, account: Account) -> None:
    # Given a pipeline with a component made of Split Data alone
    ui.sign_in(page, live_server_e2e.url, account.username, account.password)
    ui.create_pipeline(page, "Two copies")
    ui.drag_dataset(page, BREAST_CANCER, 230, 60)
    ui.drag_module(page, "Split Data", 230, 200)
    ui.connect(page, ("dataset", "dataset"), ("split_data", "dataset"))
    ui.card(page, "split_data").click(button="right")
    page.get_by_role("menuitem", name="Create component…").click()
    dialog = page.get_by_role("dialog", name=re.compile("Create a component"))
    dialog.get_by_label("Component name").fill("Halves")
    dialog.get_by_role("button", name="Create component").click()
    expect(component_card(page)).to_have_count(1, timeout=10_000)

    # And a second copy dragged from the palette's Components section
    palette_entry = page.get_by_role("button", name="Component Halves", exact=True)
    expect(palette_entry).to_be_visible(timeout=10_000)
    palette_entry.scroll_into_view_if_needed()
    ui.shot(page, "components-8-palette")
    before = ui.node(page, None).count()
    ui._drag(page, palette_entry, ui.canvas_point(page, 640, 220))
    expect(ui.node(page, None)).to_have_count(before + 1)
    expect(component_card(page)).to_have_count(2)

    # When she opens the first copy, changes it and saves version 2
    first = component_card(page).nth(0)
    first_id = first.get_attribute("data-node-id")
    first.locator(".mnode__title").dblclick()
    crumb = page.get_by_test_id("component-breadcrumb")
    expect(crumb).to_be_visible(timeout=10_000)
    ui.set_number(page, "split_data", "fraction_of_rows_in_first_output_dataset", 0.7)
    # going back with the edit unsaved asks first; she saves it from there
    crumb.get_by_role("button", name=re.compile("Two copies")).click()
    leave = page.get_by_role("dialog", name="Unsaved changes in the component")
    expect(leave).to_be_visible()
    ui.shot(page, "components-8b-leave-unsaved")
    leave.get_by_role("button", name="Save as new version…").click()
    save = page.get_by_role("dialog", name=re.compile("as a new version"))
    save.get_by_label("Version message").fill("70/30")
    save.get_by_role("button", name="Save version").click()
    expect(save).to_be_hidden(timeout=10_000)
    expect(crumb).to_be_hidden(timeout=10_000)  # and it went on back to the pipeline

    # Then the copy she edited is on version 2, and the other one offers the update
    expect(page.locator(f'[data-testid="node"][data-node-id="{first_id}"]')).to_have_attribute("data-version", "2")
    other = page.locator(f'[data-testid="node"][data-module^="component:"]:not([data-node-id="{first_id}"])')
    expect(other).to_have_attribute("data-version", "1")
    badge = other.get_by_test_id("component-update")
    expect(badge).to_have_text("Update v2")
    ui.shot(page, "components-9-update-available")

    # And the update shows what changed; accepting moves the node to version 2
    badge.click()
    update = page.get_by_role("dialog", name=re.compile("version 2 is available"))
    expect(update.get_by_test_id("component-diff")).to_be_visible(timeout=10_000)
    expect(update).to_contain_text("Fraction of rows in the first output dataset: 0.5 (default) → 0.7")
    ui.shot(page, "components-10-update-diff")
    update.get_by_role("button", name="Accept version 2").click()
    expect(other).to_have_attribute("data-version", "2")
    expect(other.get_by_test_id("component-update")).to_have_count(0)

    # And Ungroup on its context menu puts Split Data back in its place, wired as before
    nodes_before = ui.node(page, None).count()
    other.locator(".mnode__title").click(button="right")
    page.get_by_role("menuitem", name="Ungroup").click()
    expect(component_card(page)).to_have_count(1, timeout=10_000)
    expect(ui.node(page, None)).to_have_count(nodes_before)
    expect(ui.card(page, "split_data")).to_have_count(1)
    ui.shot(page, "components-11b-ungrouped")


SCRIPT = """def run(inputs, params):
    df = inputs["dataset"]
    return {"top": df.head(params["rows"])}
"""


def test_script_component_from_the_palette_runs(page: Page, live_server_e2e, workers, account: Account) -> None:
    # Given an empty pipeline
    ui.sign_in(page, live_server_e2e.url, account.username, account.password)
    ui.create_pipeline(page, "Script component")

    # When she opens "New script component…" from the palette's Components section
    page.get_by_test_id("new-script-component").click()
    dialog = page.get_by_role("dialog", name="New script component")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("Script", exact=True)).to_have_value(re.compile(r"def run\(inputs, params\)"))
    # and gives a name, one table input, one output, an integer parameter and the script
    dialog.get_by_label("Name", exact=True).fill("First rows")
    dialog.get_by_label("Category").fill("My scripts")
    dialog.get_by_label("Output 1 name").fill("top")
    dialog.get_by_role("button", name="+ Parameter").click()
    dialog.get_by_label("Parameter 1 name").fill("rows")
    expect(dialog.get_by_label("Parameter 1 type")).to_have_value("integer")
    dialog.get_by_label("Script", exact=True).fill(SCRIPT)
    # a default that is not an integer is refused by the server, shown at that parameter
    dialog.get_by_label("Parameter 1 default").fill("many")
    dialog.get_by_role("button", name="Create", exact=True).click()
    expect(dialog.get_by_test_id("script-parameter")).to_contain_text("many", timeout=10_000)
    expect(dialog.get_by_test_id("script-parameter").get_by_test_id("field-error")).to_be_visible()
    ui.shot(page, "components-13a-script-dialog-refused")
    dialog.get_by_label("Parameter 1 default").fill("7")
    ui.shot(page, "components-13-script-dialog")
    dialog.get_by_role("button", name="Create", exact=True).click()
    expect(dialog).to_be_hidden(timeout=20_000)

    # Then it is in the palette at once, under its category
    entry = page.get_by_role("button", name="Component First rows", exact=True)
    expect(entry).to_be_visible(timeout=10_000)
    expect(page.locator(".palette__group", has=entry).locator(".palette__header")).to_contain_text("My scripts")
    entry.scroll_into_view_if_needed()
    ui.shot(page, "components-14-script-in-palette")

    # When she drags it onto the canvas and wires the dataset into it
    ui.drag_dataset(page, BREAST_CANCER, 230, 60)
    before = ui.node(page, None).count()
    ui._drag(page, entry, ui.canvas_point(page, 230, 240))
    expect(ui.node(page, None)).to_have_count(before + 1)
    script_card = component_card(page)
    expect(script_card).to_have_count(1)
    module = script_card.get_attribute("data-module") or ""
    ui.connect(page, ("dataset", "dataset"), (module, "dataset"))
    panel = ui.select(page, module)
    expect(panel.locator('[data-param="rows"] input')).to_have_value("7")
    ui.wait_saved(page)

    # And submits: the run completes
    ui.submit(page)
    done = ui.wait_run_finished(page)
    assert set(done.values()) == {"completed"}, done
    expect(script_card).to_have_attribute("data-status", "completed")
    ui.shot(page, "components-15-script-run")

    # And its output holds the first 7 rows, as the parameter's default asked
    ui.select(page, module)
    page.get_by_role("tab", name="Outputs + logs").click()
    page.get_by_role("button", name="Inspect").first.click()
    inspector = page.get_by_test_id("output-inspector")
    expect(inspector).to_be_visible()
    expect(inspector.locator(".inspector__shape")).to_contain_text("7 rows × 31 columns", timeout=15_000)
