import { act, fireEvent, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { ReactFlowProvider } from "@xyflow/react";
import { beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { PipelineDocument } from "../../api/types";
import { modules, portTypes } from "../../test/fixtures";
import { mockReactFlow } from "../../test/reactflow";
import { useRunDialogs } from "../runs/dialogStore";
import { useRunStatus } from "../runs/runStore";
import { clearClipboard, SHORTCUTS } from "./actions";
import { Canvas } from "./Canvas";
import { useCatalogue } from "./catalogueStore";
import { useGraph } from "./graphStore";
import { estimateNodeSize } from "./nodeSize";
import { usePanel } from "./panelStore";
import { footprint, GAP, intersects } from "./placement";
import type { DesignerNode } from "./document";
import { useValidation } from "./validationStore";

beforeAll(() => {
  mockReactFlow();
  useCatalogue.getState().setModules(modules);
  useCatalogue.getState().setPortTypes(portTypes);
});

const doc: PipelineDocument = {
  schema_version: 1,
  nodes: [
    { id: "ds", module: "dataset", version: 1, params: { dataset: { dataset_id: 1 } } },
    { id: "split", module: "split_data", version: 1, params: {} },
    { id: "lr", module: "two_class_logistic_regression", version: 1, params: {} },
    { id: "train", module: "train_model", version: 1, params: {} },
  ],
  edges: [
    { source: { node: "ds", port: "dataset" }, target: { node: "split", port: "dataset" } },
    { source: { node: "split", port: "results_dataset1" }, target: { node: "train", port: "dataset" } },
    { source: { node: "lr", port: "untrained_model" }, target: { node: "train", port: "untrained_model" } },
  ],
  parameters: {},
  layout: { ds: { x: 0, y: 0 }, split: { x: 0, y: 150 }, lr: { x: 300, y: 150 }, train: { x: 150, y: 300 } },
};

function show(props: Partial<Parameters<typeof Canvas>[0]> = {}) {
  return render(
    <ReactFlowProvider>
      <div style={{ width: 1200, height: 800 }}>
        <Canvas readOnly={false} {...props} />
      </div>
    </ReactFlowProvider>,
  );
}

const nodeElement = (container: HTMLElement, id: string) => container.querySelector(`.react-flow__node[data-id="${id}"]`) as HTMLElement;
const menu = () => screen.getByRole("menu");
const item = (name: string | RegExp) => within(menu()).getByRole("menuitem", { name });
const items = () => [...menu().querySelectorAll<HTMLButtonElement>('[role^="menuitem"]')];

const sized = { modules: useCatalogue.getState().modules, datasets: new Map(), textWidth: () => 60, devicePixelRatio: 1 };

beforeEach(() => {
  useGraph.getState().load(doc);
  // Sized and with ports up front (nodeSize.ts), as the designer does: jsdom measures nothing, and
  // React Flow draws an edge only once it knows its ports.
  useGraph.getState().presize((n) => estimateNodeSize(n, { ...sized, modules: useCatalogue.getState().modules }));
  useRunStatus.getState().clear();
  useRunDialogs.getState().close();
  useValidation.getState().reset();
  clearClipboard();
});

describe("the canvas's context menu", () => {
  it("opens on a module with its actions as menu items, the first one focused, and Escape closes it", async () => {
    const { container } = show({ onRunFrom: () => undefined });
    fireEvent.contextMenu(nodeElement(container, "split"), { clientX: 200, clientY: 120 });
    expect(menu().getAttribute("aria-label")).toBe("Module Split Data");
    expect(items().map((b) => b.textContent)).toEqual([
      "Run from here",
      "Regenerate output",
      "Create component…",
      "CopyCtrl+C",
      "DeleteDelete",
      "Add comment",
      "View outputs",
      "View log",
    ]);
    expect(document.activeElement).toBe(item("Run from here"));
    expect(useGraph.getState().nodes.filter((n) => n.selected).map((n) => n.id)).toEqual(["split"]); // acts on it
    await userEvent.keyboard("{ArrowDown}");
    expect(document.activeElement?.textContent).toBe("Regenerate output");
    await userEvent.keyboard("{Escape}");
    expect(screen.queryByRole("menu")).toBeNull();
    expect(useGraph.getState().nodes).toHaveLength(4); // Escape did nothing else
  });

  it("deletes the module it was opened on, and Ctrl+Z brings it back", async () => {
    const { container } = show();
    fireEvent.contextMenu(nodeElement(container, "lr"), { clientX: 10, clientY: 10 });
    await userEvent.click(item(/^Delete/));
    expect(useGraph.getState().nodes.map((n) => n.id)).toEqual(["ds", "split", "train"]);
    expect(useGraph.getState().edges.map((e) => e.source)).toEqual(["ds", "split"]);
    expect(screen.queryByRole("menu")).toBeNull();
    act(() => useGraph.getState().undo());
    expect(useGraph.getState().nodes.map((n) => n.id)).toEqual(["ds", "split", "lr", "train"]);
  });

  it("copies a module, and the canvas's Paste puts the copy where it covers nothing", async () => {
    const { container } = show();
    fireEvent.contextMenu(container.querySelector(".react-flow__pane") as HTMLElement, { clientX: 900, clientY: 700 });
    expect(item(/^Paste/).hasAttribute("disabled")).toBe(true); // nothing copied yet
    await userEvent.keyboard("{Escape}");

    fireEvent.contextMenu(nodeElement(container, "split"), { clientX: 10, clientY: 10 });
    await userEvent.click(item(/^Copy/));
    fireEvent.contextMenu(container.querySelector(".react-flow__pane") as HTMLElement, { clientX: 900, clientY: 700 });
    await userEvent.click(item(/^Paste/));
    const nodes = useGraph.getState().nodes;
    expect(nodes.map((n) => n.data.module)).toEqual(["dataset", "split_data", "two_class_logistic_regression", "train_model", "split_data"]);
    // Below Split Data would cover Train Model (y 300): the nearest free spot instead, a gap from everything.
    const copy = footprint(nodes[4] as DesignerNode);
    expect(copy.y).toBeGreaterThan(150);
    expect(nodes.slice(0, 4).filter((other) => intersects(copy, footprint(other), GAP)).map((n) => n.id)).toEqual([]);
  });

  it("asks the designer to run from a module, and says why it cannot while problems are marked", async () => {
    const runFrom = vi.fn();
    const { container } = show({ onRunFrom: runFrom });
    fireEvent.contextMenu(nodeElement(container, "split"), { clientX: 10, clientY: 10 });
    await userEvent.click(item("Run from here"));
    expect(runFrom).toHaveBeenCalledWith("split");

    act(() => useValidation.getState().setProblems([{ code: "missing_input", message: "Connect it.", node: "train", port: "dataset", param: null, column: null, path: null }]));
    fireEvent.contextMenu(nodeElement(container, "split"), { clientX: 10, clientY: 10 });
    expect(item("Run from here").hasAttribute("disabled")).toBe(true);
    expect(item("Run from here").getAttribute("title")).toBe("Fix the problems marked on the canvas first.");
  });

  it("opens the log and the outputs of a module that has run, and not before", async () => {
    const { container } = show();
    fireEvent.contextMenu(nodeElement(container, "split"), { clientX: 10, clientY: 10 });
    expect(item("View log").hasAttribute("disabled")).toBe(true);
    expect(item("View outputs").hasAttribute("disabled")).toBe(true);
    await userEvent.keyboard("{Escape}");

    act(() =>
      useRunStatus.getState().attach({
        run: { id: 7, pipeline: 1, version: 1, status: "completed", error: "", elapsed: 3 },
        nodes: [{ node: "split", status: "completed" as const }],
        last_seq: 0,
      }),
    );
    fireEvent.contextMenu(nodeElement(container, "split"), { clientX: 10, clientY: 10 });
    await userEvent.click(item("View log"));
    expect(useRunDialogs.getState().log).toEqual({ runId: 7, nodeId: "split", title: "Log of Split Data" });

    act(() => usePanel.getState().setTab("params"));
    fireEvent.contextMenu(nodeElement(container, "split"), { clientX: 10, clientY: 10 });
    await userEvent.click(item("View outputs"));
    expect(usePanel.getState().tab).toBe("outputs");
  });

  it("ticks Regenerate output as the node's flag, and asks for its comment in the panel", async () => {
    const { container } = show();
    fireEvent.contextMenu(nodeElement(container, "split"), { clientX: 10, clientY: 10 });
    await userEvent.click(within(menu()).getByRole("menuitemcheckbox", { name: "Regenerate output" }));
    expect(useGraph.getState().nodes.find((n) => n.id === "split")?.data.regenerate).toBe(true);
    fireEvent.contextMenu(nodeElement(container, "split"), { clientX: 10, clientY: 10 });
    expect(within(menu()).getByRole("menuitemcheckbox", { name: "Regenerate output" }).getAttribute("aria-checked")).toBe("true");
    await userEvent.click(item("Add comment"));
    expect(usePanel.getState()).toMatchObject({ tab: "params", focusComment: "split" });
  });

  it("deletes a connection from its own menu", async () => {
    const { container } = show();
    const edge = container.querySelector('.react-flow__edge[data-id="lr:untrained_model->train:untrained_model"]') as HTMLElement;
    fireEvent.contextMenu(edge, { clientX: 10, clientY: 10 });
    expect(menu().getAttribute("aria-label")).toBe("Connection");
    await userEvent.click(item(/Delete connection/));
    expect(useGraph.getState().edges.map((e) => e.id)).toEqual(["ds:dataset->split:dataset", "split:results_dataset1->train:dataset"]);
  });

  it("offers no edits in a read-only canvas", () => {
    useGraph.getState().load(doc, { readOnly: true });
    const { container } = show({ readOnly: true });
    fireEvent.contextMenu(nodeElement(container, "split"), { clientX: 10, clientY: 10 });
    const enabled = items().filter((b) => !b.hasAttribute("disabled")).map((b) => b.textContent);
    expect(enabled).toEqual(["CopyCtrl+C"]);
  });
});

describe("the shortcut help", () => {
  it("opens with ? and lists every shortcut, and Escape closes it", async () => {
    show();
    await userEvent.keyboard("?");
    const dialog = screen.getByRole("dialog", { name: "Keyboard shortcuts" });
    const rows = within(dialog).getAllByRole("row").map((r) => within(r).getByRole("cell").textContent);
    expect(rows).toEqual(SHORTCUTS.map((s) => s.does));
    expect(within(dialog).getByRole("rowheader", { name: "Ctrl+Shift+Z" })).toBeTruthy();
    await userEvent.keyboard("{Escape}");
    expect(screen.queryByRole("dialog")).toBeNull();
  });

  it("does not open while typing in a field", async () => {
    render(<input aria-label="Name" />);
    show();
    await userEvent.type(screen.getByLabelText("Name"), "?");
    expect(screen.queryByRole("dialog")).toBeNull();
  });
});
