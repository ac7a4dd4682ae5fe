import { json, resetApi, route } from "../inspector/testing/fakeApi"; // first: replaces fetch
import { screen, waitFor } from "@testing-library/react";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { modules } from "../../test/fixtures";
import { mockReactFlow } from "../../test/reactflow";
import { renderWithProviders } from "../inspector/testing/render";
import { DiffCanvas } from "./DiffCanvas";
import { buildDiffFlow, freeSpot } from "./diffFlow";
import { DIFF, NEW_DOC, OLD_DOC } from "./testing";

beforeAll(() => mockReactFlow());
beforeEach(() => {
  resetApi();
  route("GET", "/api/modules/", () => json(modules));
});

const card = (container: HTMLElement, id: string) => container.querySelector(`[data-testid="version-node"][data-node-id="${id}"]`);

describe("the diff on the canvas of the newer version", () => {
  it("marks added nodes green, changed ones amber with their parameters, unchanged ones plain", async () => {
    const { container } = renderWithProviders(<DiffCanvas document={NEW_DOC} oldDocument={OLD_DOC} diff={DIFF} />);
    await waitFor(() => expect(card(container, "score")).toHaveTextContent("Score Model"));

    expect(card(container, "score")).toHaveClass("vnode--added");
    expect(card(container, "score")).toHaveTextContent("Added");
    expect(card(container, "split")).toHaveClass("vnode--changed");
    expect(card(container, "split")).toHaveTextContent("fraction, seed, stratify_by");
    expect(card(container, "train")).toHaveClass("vnode");
    expect(card(container, "train")?.className).not.toMatch(/vnode--/);
    expect(card(container, "lr")?.getAttribute("data-mark")).toBe("same"); // moved only: layout is not marked
  });

  it("shows a removed node as a ghost where it stood, with its ports", async () => {
    const { container } = renderWithProviders(<DiffCanvas document={NEW_DOC} oldDocument={OLD_DOC} diff={DIFF} />);
    await waitFor(() => expect(card(container, "split2")).toHaveTextContent("Split Data"));
    expect(card(container, "split2")).toHaveClass("vnode--removed");
    expect(card(container, "split2")).toHaveTextContent("Removed");
    const ghost = container.querySelector('.react-flow__node[data-id="split2"]') as HTMLElement;
    expect(ghost.style.transform.replace(/\s/g, "")).toContain("translate(300px,320px)");
  });

  it("highlights added edges and draws removed ones dashed between the nodes that remain", () => {
    const { edges } = buildDiffFlow({ document: NEW_DOC, oldDocument: OLD_DOC, diff: DIFF, index: { get: () => undefined } });
    const cls = Object.fromEntries(edges.map((e) => [e.id, e.className]));
    expect(cls).toEqual({
      "ds:dataset->split:dataset": "diff-edge",
      "lr:untrained_model->train:untrained_model": "diff-edge",
      "split:results_dataset1->train:dataset": "diff-edge",
      "train:trained_model->score:trained_model": "diff-edge diff-edge--added",
      "split:results_dataset2->score:dataset": "diff-edge diff-edge--added",
      "removed:split:results_dataset2->split2:dataset": "diff-edge diff-edge--removed",
    });
  });

  it("draws the legend only when something changed", async () => {
    renderWithProviders(<DiffCanvas document={NEW_DOC} oldDocument={OLD_DOC} diff={DIFF} />);
    expect(await screen.findByLabelText("Legend")).toHaveTextContent("AddedChangedRemoved");
  });

  it("shows a version without marks when there is nothing to compare", async () => {
    const { container } = renderWithProviders(<DiffCanvas document={OLD_DOC} />);
    await waitFor(() => expect(card(container, "split2")).toHaveTextContent("Split Data"));
    expect(container.querySelectorAll(".vnode--added, .vnode--changed, .vnode--removed")).toHaveLength(0);
    expect(screen.queryByLabelText("Legend")).not.toBeInTheDocument();
  });

  it("moves a ghost aside when a node of the newer version stands where it was", () => {
    const taken = [{ position: { x: 380, y: 150 } }, { position: { x: 636, y: 150 } }];
    expect(freeSpot({ x: 340, y: 150 }, taken)).toEqual({ x: 340, y: 60 });
    expect(freeSpot({ x: 0, y: 400 }, taken)).toEqual({ x: 0, y: 400 });
  });
});
