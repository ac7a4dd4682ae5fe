"""Live co-editing in two real browsers: an owner and an editor open the same pipeline, see each other,
see each other's selection and edits as they happen, and the version one of them saves holds both."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from designer.collab.services import colour_of
from designer.pipelines.services import create_pipeline
from tests.support.pipelines import document

from . import canvas as ui
from .conftest import Account

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True), pytest.mark.timeout(300)]

FRACTION = "fraction_of_rows_in_first_output_dataset"


@pytest.fixture
def second_page(browser: Browser, browser_context_args: dict[str, Any]) -> Iterator[Page]:
    """A second browser context: its own cookies, so its own signed-in user."""
    context = browser.new_context(**browser_context_args)
    try:
        yield context.new_page()
    finally:
        context.close()


def rgb(hex_colour: str) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


def expect_outlined(page: Page, node_id: str, by: Account) -> None:
    """The node wears a teammate's colour (an outline on React Flow's wrapper, a name tag above it)."""
    wrapper = page.locator(f'.react-flow__node[data-id="{node_id}"]')
    expect(wrapper).to_have_css("outline-style", "solid", timeout=10_000)
    expect(wrapper).to_have_css("outline-color", rgb(colour_of(by.user)))


def field(page: Page, module: str, param: str):
    return ui.select(page, module).locator(f'[data-param="{param}"] input')


def test_two_teammates_edit_one_pipeline_live_and_save_both_changes(
    page: Page, second_page: Page, live_server_e2e, account: Account, teammate: Account
) -> None:
    # Given a dataset and Split Data on a pipeline of Grace's workspace, where Hopper is an editor
    doc = document(
        [
            ("data", "dataset", {"dataset": {"dataset_id": account.dataset_id}}),
            ("split", "split_data", {FRACTION: 0.7, "random_seed": 0}),
        ],
        ["data.dataset -> split.dataset"],
        data={"x": 240, "y": 40},
        split={"x": 240, "y": 240},
    )
    doc["nodes"][1]["version"] = 2  # the Split Data the palette offers
    pipeline = create_pipeline(account.user, account.workspace, "Shared classifier", document=doc).pk
    grace, hopper = page, second_page

    # When both open it, each in their own browser
    for who, user in ((grace, account), (hopper, teammate)):
        ui.sign_in(who, live_server_e2e.url, user.username, user.password)
        who.goto(f"{live_server_e2e.url}/pipelines/{pipeline}")
        expect(ui.node(who, None)).to_have_count(2, timeout=20_000)

    # Then each sees the other in the toolbar, in the colour the server gave them
    for who, other in ((grace, teammate), (hopper, account)):
        avatar = who.get_by_test_id("presence").locator(f'[data-username="{other.username}"]')
        expect(avatar).to_be_visible(timeout=10_000)
        expect(avatar).to_have_css("background-color", rgb(colour_of(other.user)))

    # When Hopper selects Split Data, Grace sees it outlined in Hopper's colour
    hopper_field = field(hopper, "split_data", "random_seed")
    expect(grace.get_by_test_id("teammate-selection")).to_be_attached(timeout=10_000)
    expect_outlined(grace, "split", teammate)

    # When Grace sets the random seed, Hopper's open panel shows it as it happens
    ui.set_number(grace, "split_data", "random_seed", 7)
    expect(hopper_field).to_have_value("7", timeout=10_000)
    expect_outlined(hopper, "split", account)

    # When both set the split fraction a moment apart, the later edit (Hopper's) wins for both,
    # and Grace is told who overwrote her value
    ui.set_number(grace, "split_data", FRACTION, 0.55)
    hopper_fraction = hopper.locator(f'aside.panel [data-param="{FRACTION}"] input')
    expect(hopper_fraction).to_have_value("0.55", timeout=10_000)
    hopper_fraction.fill("0.8")
    expect(grace.locator(f'aside.panel [data-param="{FRACTION}"] input')).to_have_value("0.8", timeout=10_000)
    notice = grace.locator(
        ".toast__text", has_text="hopper changed Fraction of rows in the first output dataset on Split Data"
    )
    expect(notice).to_be_visible(timeout=5_000)
    ui.shot(grace, "e2e-coediting-grace-notice")

    # When Hopper adds Two-Class Logistic Regression and moves the dataset to the right
    ui.drag_module(hopper, "Two-Class Logistic Regression", 150, 470)
    title = ui.card(hopper, "dataset").locator(".mnode__title")
    box = title.bounding_box()
    assert box is not None
    hopper.mouse.move(box["x"] + 20, box["y"] + box["height"] / 2)
    hopper.mouse.down()
    hopper.mouse.move(box["x"] + 220, box["y"] + box["height"] / 2 + 16, steps=12)
    hopper.mouse.up()
    hopper_data = hopper.locator('.react-flow__node[data-id="data"]').get_attribute("style") or ""

    # Then Grace sees the new module and the dataset where Hopper put it
    expect(ui.node(grace, "two_class_logistic_regression")).to_have_count(1, timeout=10_000)
    expect(grace.locator('.react-flow__node[data-id="data"]')).to_have_attribute(
        "style", re.compile(re.escape(transform_of(hopper_data))), timeout=10_000
    )
    ui.wait_saved(grace)
    ui.wait_saved(hopper)
    ui.shot(hopper, "e2e-coediting-hopper")
    ui.shot(grace, "e2e-coediting-grace")

    # When Grace saves a version
    grace.get_by_role("button", name="Save version").click()
    grace.get_by_role("dialog").get_by_label("What changed?").fill("seed from Grace, learner from Hopper")
    grace.get_by_role("dialog").get_by_role("button", name="Save version").click()
    expect(grace.get_by_test_id("save-state")).to_have_text("Version 2", timeout=10_000)

    # Then the saved version (read through the API) holds both people's changes
    response = grace.request.get(f"{live_server_e2e.url}/api/pipelines/{pipeline}/versions/2/")
    assert response.ok, response.text()
    saved = response.json()["document"]
    nodes = {n["id"]: n for n in saved["nodes"]}
    assert nodes["split"]["params"]["random_seed"] == 7  # Grace's
    assert nodes["split"]["params"][FRACTION] == 0.8  # Hopper's, numbered after Grace's
    assert [n["module"] for n in saved["nodes"]].count("two_class_logistic_regression") == 1  # Hopper's
    assert saved["layout"]["data"]["x"] > 240 + 100  # Hopper moved it
    assert len(saved["edges"]) == 1


def transform_of(style: str) -> str:
    """React Flow places a node with `transform: translate(x, y)`."""
    match = re.search(r"transform: (translate\([^)]*\))", style)
    assert match, style
    return match.group(1)
