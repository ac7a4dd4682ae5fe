"""Arrange, placement and the context menu on the canvas, in Chromium against a live server, with the mouse.

The check that matters is on what the browser drew: no two module cards' boxes overlap, and no port
(a handle's centre) lies under another card or its comment, for every sample pipeline and for a derived
inference pipeline."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from designer.pipelines.models import Pipeline
from designer.pipelines.samples import available, open_sample
from designer.pipelines.services import create_pipeline
from designer.runs import services as runs
from designer.runs.models import Run
from tests.support.pipelines import train_score_evaluate

from . import canvas as ui
from .conftest import Account

pytestmark = pytest.mark.e2e

# Every card with its box, its comment's box and the centres of its ports, in page pixels.
DRAWN = """() => [...document.querySelectorAll('.react-flow__node-module')].map((n) => {
  const box = (el) => { const r = el.getBoundingClientRect(); return {x: r.x, y: r.y, w: r.width, h: r.height}; };
  const comment = n.querySelector('.mnode__comment');
  return {
    id: n.dataset.id,
    card: box(n),
    comment: comment ? box(comment) : null,
    ports: [...n.querySelectorAll('.react-flow__handle')].map((h) => {
      const b = box(h);
      return {name: h.dataset.handleid, x: b.x + b.w / 2, y: b.y + b.h / 2};
    }),
  };
})"""


def _inside(x: float, y: float, b: dict[str, float]) -> bool:
    return b["x"] < x < b["x"] + b["w"] and b["y"] < y < b["y"] + b["h"]


def _overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return (
        a["x"] < b["x"] + b["w"] and b["x"] < a["x"] + a["w"] and a["y"] < b["y"] + b["h"] and b["y"] < a["y"] + a["h"]
    )


def faults(page: Page) -> list[str]:
    """What covers what on the canvas as drawn: overlapping cards, and ports under another card or comment."""
    drawn: list[dict[str, Any]] = page.evaluate(DRAWN)
    found = []
    for i, a in enumerate(drawn):
        for b in drawn[i + 1 :]:
            if _overlap(a["card"], b["card"]):
                found.append(f"{a['id']} overlaps {b['id']}")
        for other in drawn:
            if other is a:
                continue
            covers = [other["card"], *([other["comment"]] if other["comment"] else [])]
            found += [
                f"{a['id']}.{p['name']} under {other['id']}"
                for p in a["ports"]
                if any(_inside(p["x"], p["y"], c) for c in covers)
            ]
    return found


def settled(page: Page) -> list[dict[str, Any]]:
    """The drawn cards once they stop moving (Arrange animates the view to fit)."""
    previous: list[dict[str, Any]] | None = None
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        current = page.evaluate(DRAWN)
        if current == previous:
            return current
        previous = current
        page.wait_for_timeout(300)
    raise AssertionError("the canvas kept moving")


def open_canvas(page: Page, base_url: str, pipeline_id: int) -> None:
    page.goto(f"{base_url}/pipelines/{pipeline_id}")
    expect(ui.node(page, None).first).to_be_visible(timeout=20_000)


def arrange(page: Page) -> None:
    page.get_by_role("button", name="Arrange", exact=True).click()
    expect(page.get_by_role("button", name="Arrange", exact=True)).to_be_enabled(timeout=15_000)
    settled(page)
    ui.wait_saved(page)


def wait_completed(run: Run, timeout: float = 180) -> Run:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if run.is_terminal:
            break
        time.sleep(0.3)
    assert run.status == Run.Status.COMPLETED, f"run ended {run.status}: {run.error}"
    return run


def test_every_sample_pipeline_arranged_has_no_card_over_another_and_no_port_under_a_card(
    page: Page, live_server_e2e, account: Account
) -> None:
    ui.sign_in(page, live_server_e2e.url, account.username, account.password)
    samples = available()
    assert len(samples) >= 8
    for sample in samples:
        # Given a sample pipeline opened on the canvas
        pipeline = open_sample(account.user, account.workspace, sample.slug).pipeline
        open_canvas(page, live_server_e2e.url, pipeline.pk)
        count = ui.node(page, None).count()

        # When Arrange is pressed
        arrange(page)

        # Then every module is still there, and nothing covers anything
        assert ui.node(page, None).count() == count
        assert faults(page) == [], sample.slug
        # And the arranged positions are what was saved
        saved = Pipeline.objects.get(pk=pipeline.pk).draft or {}
        assert len(saved.get("layout", {})) == count
        if sample.slug == samples[0].slug:
            ui.shot(page, "e2e-canvas-arranged-sample")

    # And Ctrl+Z takes the last Arrange back as one step
    before = page.evaluate(DRAWN)
    page.keyboard.press("Control+z")
    assert settled(page) != before


def test_a_derived_inference_pipeline_opens_laid_out_and_a_second_click_opens_the_same_one(
    page: Page, live_server_e2e, workers, account: Account
) -> None:
    # Given a training run that finished on the real workers
    training = create_pipeline(
        account.user, account.workspace, "Cancer", document=train_score_evaluate(account.dataset_id, "diagnosis")
    )
    run = wait_completed(runs.submit_run(user=account.user, pipeline=training))
    ui.sign_in(page, live_server_e2e.url, account.username, account.password)

    # When "Create inference pipeline" is clicked on the run page
    page.goto(f"{live_server_e2e.url}/runs/{run.pk}")
    page.get_by_role("button", name="Create inference pipeline").click()
    page.wait_for_url(re.compile(r"/pipelines/\d+$"), timeout=30_000)
    first = page.url
    expect(ui.card(page, "web_service_output")).to_be_visible(timeout=20_000)

    # Then it opens laid out as the server placed it: nothing covers anything, and the notes use titles
    settled(page)
    assert faults(page) == []
    notes = page.get_by_test_id("inference-notes")
    expect(notes).to_contain_text("Split Data removed: scoring uses every row it is sent.")
    expect(notes).not_to_contain_text("Node '")
    ui.shot(page, "e2e-canvas-derived-inference")

    # And after Arrange still nothing does
    arrange(page)
    assert faults(page) == []
    ui.shot(page, "e2e-canvas-derived-inference-arranged")

    # When the button is clicked again for the same run
    count = Pipeline.objects.filter(workspace=account.workspace).count()
    page.goto(f"{live_server_e2e.url}/runs/{run.pk}")
    page.get_by_role("button", name="Create inference pipeline").click()

    # Then the same pipeline opens, saying so, and no copy was made
    page.wait_for_url(re.compile(r"/pipelines/\d+$"), timeout=30_000)
    assert page.url == first
    expect(page.get_by_test_id("inference-notes")).to_contain_text("made from run")
    assert Pipeline.objects.filter(workspace=account.workspace).count() == count

    # And on the run page, a module's context menu opens its log
    page.goto(f"{live_server_e2e.url}/runs/{run.pk}")
    expect(ui.card(page, "train_model")).to_have_attribute(
        "data-status", re.compile("completed|reused"), timeout=20_000
    )
    ui.card(page, "train_model").locator(".mnode__title").click(button="right")
    menu = page.get_by_role("menu", name="Module Train Model")
    expect(menu).to_be_visible()
    menu.get_by_role("menuitem", name="View log").click()
    expect(page.get_by_role("dialog", name=re.compile("Log of Train Model"))).to_be_visible(timeout=10_000)


def test_the_context_menu_copies_pastes_clear_of_the_rest_and_deletes_and_question_mark_shows_the_shortcuts(
    page: Page, live_server_e2e, account: Account
) -> None:
    pipeline = open_sample(account.user, account.workspace, available()[0].slug).pipeline
    ui.sign_in(page, live_server_e2e.url, account.username, account.password)
    open_canvas(page, live_server_e2e.url, pipeline.pk)
    count = ui.node(page, None).count()
    target = ui.node(page, None).nth(1)
    module = target.locator('[data-testid="node"]').get_attribute("data-module")

    # When a module is right-clicked
    target.locator(".mnode__title").click(button="right")
    menu = page.get_by_role("menu")
    expect(menu).to_be_visible()
    expect(menu.get_by_role("menuitem").first).to_be_focused()
    ui.shot(page, "e2e-canvas-context-menu")

    # Then Copy, and Paste from the canvas's own menu, add a copy that covers nothing
    menu.get_by_role("menuitem", name=re.compile("^Copy")).click()
    expect(menu).to_be_hidden()
    x, y = ui.canvas_point(page, 30, 30)
    page.mouse.click(x, y, button="right")
    page.get_by_role("menu", name="Canvas").get_by_role("menuitem", name=re.compile("^Paste")).click()
    expect(ui.node(page, None)).to_have_count(count + 1)
    assert ui.node(page, module).count() >= 2
    settled(page)
    assert faults(page) == []

    # And Escape closes a menu without doing anything
    target.locator(".mnode__title").click(button="right")
    expect(page.get_by_role("menu")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("menu")).to_be_hidden()
    expect(ui.node(page, None)).to_have_count(count + 1)

    # And Delete from the menu removes the module it was opened on
    target.locator(".mnode__title").click(button="right")
    page.get_by_role("menu").get_by_role("menuitem", name=re.compile("^Delete")).click()
    expect(ui.node(page, None)).to_have_count(count)
    # The modules it fed now have a problem each, said on the card's second line: the cards keep their size
    expect(page.locator('[data-testid="node"][data-problems="1"]').first).to_be_visible(timeout=10_000)
    assert faults(page) == []
    ui.shot(page, "e2e-canvas-problems-on-cards")

    # When ? is pressed on the canvas, the shortcuts are listed; Escape closes them
    page.mouse.click(x, y)
    page.keyboard.press("?")
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("row", name=re.compile("Undo"))).to_be_visible()
    ui.shot(page, "e2e-canvas-shortcut-help")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()


def test_modules_added_from_the_palette_by_double_click_do_not_stack(
    page: Page, live_server_e2e, account: Account
) -> None:
    ui.sign_in(page, live_server_e2e.url, account.username, account.password)
    ui.create_pipeline(page, "Palette")
    entry = page.get_by_role("button", name="Module Split Data", exact=True)
    for _ in range(4):
        entry.dblclick()
    expect(ui.node(page, None)).to_have_count(4)
    settled(page)
    assert faults(page) == []


VIEWPORT = """() => {
  const m = document.querySelector('.react-flow__viewport').style.transform
    .match(/translate\\(([-\\d.]+)px, ([-\\d.]+)px\\) scale\\(([\\d.]+)\\)/);
  return {x: Number(m[1]), y: Number(m[2]), zoom: Number(m[3])};
}"""

# How many of the minimap's pixels are drawn in the module colour (no run yet: grey boxes), and in total.
MINIMAP_PIXELS = """() => {
  const c = document.querySelector('.status-minimap canvas');
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let boxes = 0, drawn = 0;
  for (let i = 0; i < d.length; i += 4) {
    if (d[i + 3] > 0) drawn++;
    if (d[i] === 0xcf && d[i + 1] === 0xd6 && d[i + 2] === 0xe2) boxes++;
  }
  return {boxes, drawn};
}"""


def test_the_minimap_draws_every_module_and_a_click_or_drag_in_it_moves_the_view_there(
    page: Page, live_server_e2e, account: Account
) -> None:
    # given a sample pipeline, zoomed in so that the view holds part of it
    ui.sign_in(page, live_server_e2e.url, account.username, account.password)
    pipeline = open_sample(account.user, account.workspace, available()[0].slug).pipeline
    open_canvas(page, live_server_e2e.url, pipeline.pk)
    minimap = page.locator(".status-minimap canvas")
    expect(minimap).to_be_visible()
    for _ in range(4):
        page.get_by_role("button", name="Zoom In").click()
    page.wait_for_timeout(400)

    # then the minimap shows the modules as boxes and veils what is out of view
    pixels = page.evaluate(MINIMAP_PIXELS)
    assert pixels["boxes"] > 50 and pixels["drawn"] > pixels["boxes"]
    before = page.evaluate(VIEWPORT)

    # when the minimap's top-left and then bottom-right corners are clicked
    box = minimap.bounding_box()
    assert box is not None
    minimap.click(position={"x": 10, "y": 10})
    page.wait_for_timeout(300)
    top_left = page.evaluate(VIEWPORT)
    minimap.click(position={"x": box["width"] - 10, "y": box["height"] - 10})
    page.wait_for_timeout(300)
    bottom_right = page.evaluate(VIEWPORT)

    # then the view moved to each corner at the same zoom: towards the bottom right, the pipeline moves up and left
    assert top_left["zoom"] == bottom_right["zoom"] == before["zoom"]
    assert bottom_right["x"] < top_left["x"] and bottom_right["y"] < top_left["y"]

    # and dragging across it follows the pointer
    page.mouse.move(box["x"] + box["width"] - 10, box["y"] + box["height"] - 10)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, steps=5)
    page.mouse.up()
    page.wait_for_timeout(300)
    middle = page.evaluate(VIEWPORT)
    assert top_left["x"] > middle["x"] > bottom_right["x"]
    ui.shot(page, "e2e-minimap")
