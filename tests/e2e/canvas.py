"""What a user does on the designer, written once for the browser tests (and for taking screenshots).

Everything goes through the mouse and the visible UI: palette entries are dragged onto the canvas,
ports are wired by dragging from an output dot to an input dot, parameters are set in the panel.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
FINAL = ("completed", "reused", "failed", "skipped", "cancelled")


def shot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.wait_for_timeout(300)  # let the 150 ms selection and status transitions settle
    page.screenshot(path=str(path))
    return path


def sign_in(page: Page, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("workspace-home")).to_be_visible(timeout=20_000)


def create_pipeline(page: Page, name: str) -> int:
    page.get_by_role("button", name="+ New pipeline").click()
    dialog = page.get_by_role("dialog", name="New pipeline")
    dialog.get_by_label("Name").fill(name)
    dialog.get_by_role("button", name="Create and open").click()
    page.wait_for_url(re.compile(r"/pipelines/\d+$"), timeout=20_000)
    expect(page.locator(".canvas")).to_be_visible()
    expect(page.get_by_test_id("save-state")).to_be_visible()
    return int(page.url.rstrip("/").rsplit("/", 1)[1])


def canvas_point(page: Page, x: float, y: float) -> tuple[float, float]:
    """A point on the canvas, in pixels from its top-left corner."""
    box = page.locator(".designer__canvas").bounding_box()
    assert box is not None
    return box["x"] + x, box["y"] + y


def _drag(page: Page, source: Locator, to: tuple[float, float]) -> None:
    source.scroll_into_view_if_needed()
    box = source.bounding_box()
    assert box is not None, "nothing to drag"
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(*to, steps=15)
    page.mouse.up()


def drag_module(page: Page, module_name: str, x: float, y: float) -> Locator:
    """Drag a module from the palette to (x, y) on the canvas; returns the new node."""
    before = node(page, None).count()
    _drag(page, page.get_by_role("button", name=f"Module {module_name}", exact=True), canvas_point(page, x, y))
    expect(node(page, None)).to_have_count(before + 1, timeout=5_000)
    return node(page, None).nth(before)


def drag_dataset(page: Page, dataset_name: str, x: float, y: float) -> Locator:
    before = node(page, None).count()
    _drag(page, page.get_by_role("button", name=f"Dataset {dataset_name}", exact=True), canvas_point(page, x, y))
    expect(node(page, None)).to_have_count(before + 1, timeout=5_000)
    return node(page, None).nth(before)


def node(page: Page, module: str | None) -> Locator:
    """React Flow's wrapper of the node(s) of a module (all module nodes when None)."""
    if module is None:
        return page.locator(".react-flow__node-module")
    return page.locator(f'.react-flow__node-module:has([data-module="{module}"])')


def card(page: Page, module: str) -> Locator:
    return page.locator(f'[data-testid="node"][data-module="{module}"]')


def port(page: Page, module: str, name: str) -> Locator:
    return node(page, module).locator(f'.react-flow__handle[data-handleid="{name}"]')


def connect(page: Page, source: tuple[str, str], target: tuple[str, str], expect_edge: bool = True) -> None:
    """Drag from an output port (module, port) to an input port (module, port)."""
    edges = page.locator(".react-flow__edge")
    before = edges.count()
    to = port(page, *target).bounding_box()
    assert to is not None, f"no input port {target}"
    _drag(page, port(page, *source), (to["x"] + to["width"] / 2, to["y"] + to["height"] / 2))
    if expect_edge:
        expect(edges).to_have_count(before + 1, timeout=5_000)


def drag_connection_and_hover(page: Page, source: tuple[str, str], target: tuple[str, str]) -> None:
    """Start a connection and hold it over the target port (the refusal reason shows while dragging)."""
    start = port(page, *source).bounding_box()
    to = port(page, *target).bounding_box()
    assert start and to
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(to["x"] + to["width"] / 2, to["y"] + to["height"] / 2, steps=15)


def select(page: Page, module: str) -> Locator:
    """Click a node's title to open its panel; returns the panel."""
    card(page, module).locator(".mnode__title").click()
    panel = page.locator("aside.panel[data-node-id]")
    expect(panel).to_be_visible()
    return panel


def set_column(page: Page, module: str, param: str, column: str) -> None:
    """Pick a column in a single-column picker (its options are the columns reaching the port)."""
    panel = select(page, module)
    picker = panel.locator(f'[data-param="{param}"] select[data-widget="column"]')
    expect(picker.locator(f'option[value="{column}"]')).to_have_count(1, timeout=15_000)
    picker.select_option(column)


def set_number(page: Page, module: str, param: str, value: float) -> None:
    panel = select(page, module)
    field = panel.locator(f'[data-param="{param}"] input')
    field.fill(str(value))


def wait_saved(page: Page, timeout: float = 15_000) -> None:
    expect(page.get_by_test_id("save-state")).not_to_have_text(re.compile("Saving"), timeout=timeout)


def wait_ready(page: Page, timeout: float = 20_000) -> None:
    expect(page.get_by_test_id("checks")).to_have_text(re.compile("Ready to submit"), timeout=timeout)


def submit(page: Page) -> None:
    wait_saved(page)
    wait_ready(page)
    button = page.get_by_test_id("submit")
    expect(button).to_be_enabled(timeout=10_000)
    button.click()
    expect(page.get_by_test_id("run-chip")).to_be_visible(timeout=20_000)


def watch_statuses(page: Page) -> None:
    """Record in the page every status a node card shows from now on, however briefly: a poll from the
    test can miss a node that was queued and running between two looks when the machine is busy."""
    page.evaluate(
        """() => {
          window.__seenStatuses = [];
          const note = (el) => window.__seenStatuses.push([el.dataset.module || "", el.dataset.status || ""]);
          new MutationObserver((changes) => {
            for (const c of changes) {
              if (c.target instanceof HTMLElement && c.target.dataset.testid === "node") note(c.target);
            }
          }).observe(document.body, {subtree: true, attributes: true, attributeFilter: ["data-status"]});
        }"""
    )


def seen_statuses(page: Page) -> set[tuple[str, str]]:
    """Every (module, status) a card showed since :func:`watch_statuses`."""
    return {(m, s) for m, s in page.evaluate("() => window.__seenStatuses || []")}


def statuses(page: Page) -> dict[str, str]:
    cards = page.locator('[data-testid="node"]')
    return {
        cards.nth(i).get_attribute("data-module") or "": cards.nth(i).get_attribute("data-status") or ""
        for i in range(cards.count())
    }


def wait_run_finished(page: Page, timeout: float = 180) -> dict[str, str]:
    """Wait until the run chip says finished/failed/cancelled; returns module -> status."""
    chip = page.get_by_test_id("run-chip")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        # The last node events may land a moment after the run's own.
        finished = chip.get_attribute("data-status") in ("completed", "failed", "cancelled")
        if finished and all(s in FINAL for s in statuses(page).values()):
            return statuses(page)
        page.wait_for_timeout(250)
    raise AssertionError(f"run did not finish in {timeout} s: {statuses(page)}")


# Where the six nodes of the classic training pipeline go, like Azure's samples: top to bottom.
CLASSIC_LAYOUT = {
    "dataset": (230, 60),
    "split_data": (230, 190),
    "two_class_logistic_regression": (560, 190),
    "train_model": (400, 320),
    "score_model": (230, 450),
    "evaluate_model": (230, 580),
}


def build_classic_pipeline(page: Page, dataset_name: str, label: str = "diagnosis") -> None:
    """Dataset → Split Data → Two-Class LR → Train → Score → Evaluate, all with the mouse."""
    pos = CLASSIC_LAYOUT
    drag_dataset(page, dataset_name, *pos["dataset"])
    drag_module(page, "Split Data", *pos["split_data"])
    drag_module(page, "Two-Class Logistic Regression", *pos["two_class_logistic_regression"])
    drag_module(page, "Train Model", *pos["train_model"])
    drag_module(page, "Score Model", *pos["score_model"])
    drag_module(page, "Evaluate Model", *pos["evaluate_model"])
    connect(page, ("dataset", "dataset"), ("split_data", "dataset"))
    connect(page, ("two_class_logistic_regression", "untrained_model"), ("train_model", "untrained_model"))
    connect(page, ("split_data", "results_dataset1"), ("train_model", "dataset"))
    connect(page, ("train_model", "trained_model"), ("score_model", "trained_model"))
    connect(page, ("split_data", "results_dataset2"), ("score_model", "dataset"))
    connect(page, ("score_model", "scored_dataset"), ("evaluate_model", "scored_dataset"))
    if label:
        set_column(page, "train_model", "label_column", label)


# -- pipeline parameters --------------------------------------------------------------------------


def open_promote_dialog(page: Page, module: str, field: str) -> Locator:
    """'Add to pipeline parameter' from the ⋯ next to a field of a module's panel; returns the dialog."""
    panel = select(page, module)
    panel.locator(f'[data-param="{field}"]').get_by_role(
        "button", name=re.compile("Pipeline parameter actions")
    ).click()
    page.get_by_role("menuitem", name="Add to pipeline parameter").click()
    dialog = page.get_by_role("dialog", name="Add to pipeline parameter")
    expect(dialog).to_be_visible()
    return dialog


def promote(page: Page, module: str, field: str, name: str, default: str | None = None) -> Locator:
    """Promote a field to a pipeline parameter named ``name``; returns the bound field's chip."""
    dialog = open_promote_dialog(page, module, field)
    dialog.get_by_label("Name").fill(name)
    if default is not None:
        dialog.get_by_label("Default value").fill(default)
    dialog.get_by_role("button", name="Add and bind").click()
    expect(dialog).to_be_hidden()
    chip = page.locator(f'aside.panel [data-param="{field}"] [data-testid="bound-chip"]')
    expect(chip).to_have_attribute("data-parameter", name)
    return chip


def parameters_panel(page: Page) -> Locator:
    """The pipeline's panel (nothing selected) and its Pipeline parameters section."""
    page.keyboard.press("Escape")
    x, y = canvas_point(page, 20, 20)
    page.mouse.click(x, y)  # an empty spot: nothing selected
    section = page.get_by_test_id("parameters-panel")
    expect(section).to_be_visible()
    return section


def open_submit_dialog(page: Page) -> Locator:
    """Submit a pipeline that has parameters: the dialog with one input per parameter."""
    wait_saved(page)
    wait_ready(page)
    button = page.get_by_test_id("submit")
    expect(button).to_be_enabled(timeout=10_000)
    button.click()
    dialog = page.get_by_test_id("submit-dialog")
    expect(dialog).to_be_visible()
    return dialog


def submit_values(page: Page, dialog: Locator, values: dict[str, str]) -> None:
    """Type each value into its parameter's input and press Submit (the run may still be refused)."""
    for name, value in values.items():
        dialog.get_by_label(name, exact=True).fill(value)
    page.get_by_test_id("submit-run").click()
