import { Position } from "@xyflow/react";
import { beforeEach, describe, expect, it } from "vitest";
import type { Dataset, PipelineDocument } from "../../api/types";
import { modules } from "../../test/fixtures";
import { moduleKey } from "./catalogueStore";
import { fromDocument } from "./document";
import { useGraph } from "./graphStore";
import { estimateNodeSize, type SizeContext } from "./nodeSize";

// 7 px a character: "Split Data" fits the 168 px beside the icon on one line, a 30-character title does not.
const context = (datasets: Dataset[] = [], dpr = 1): SizeContext => ({
  modules: new Map(modules.map((m) => [moduleKey(m.id, m.version), m])),
  datasets: new Map(datasets.map((d) => [d.id, d])),
  textWidth: (text) => text.length * 7,
  devicePixelRatio: dpr,
});

const doc: PipelineDocument = {
  schema_version: 1,
  nodes: [
    { id: "ds", module: "dataset", version: 1, params: { dataset: { dataset_id: 4 } }, regenerate: false },
    { id: "split", module: "split_data", version: 1, params: {}, regenerate: false },
    { id: "train", module: "train_model", version: 1, params: {}, regenerate: false },
  ],
  edges: [],
  parameters: {},
  layout: {},
};
const node = (id: string) => fromDocument(doc).nodes.find((n) => n.id === id)!;

describe("a module card's size before it is drawn", () => {
  it("is what Chromium draws: 69 px for one title line, ports centred in equal slots", () => {
    // Figures read from the designer in headless Chromium: Split Data is 232 x 69, its input at (110.5, -4.5)
    // and its outputs at (53, 62.4) and (168, 62.4), each 11 x 11.
    const size = estimateNodeSize(node("split"), context())!;
    expect(size.measured).toEqual({ width: 232, height: 69 });
    const at = size.handles.map((h) => [h.id, h.type, h.position, h.x, Math.round(h.y * 10) / 10, h.width, h.height]);
    expect(at).toEqual([
      ["dataset", "target", Position.Top, 110.5, -4.5, 11, 11],
      ["results_dataset1", "source", Position.Bottom, 53, 62.4, 11, 11],
      ["results_dataset2", "source", Position.Bottom, 168, 62.4, 11, 11],
    ]);
  });

  it("grows by a line for a title that wraps, and takes a dataset's name as its title", () => {
    const long = { name: "A dataset with a rather long name", latest_version: { kind: "table" } } as Dataset;
    expect(estimateNodeSize(node("ds"), context())!.measured.height).toBe(69); // "Dataset #4" until the list is in
    expect(estimateNodeSize(node("ds"), context([{ ...long, id: 4 }]))!.measured.height).toBe(85);
  });

  it("follows the border Chromium draws at the device pixel ratio", () => {
    expect(estimateNodeSize(node("train"), context([], 2))!.measured.height).toBe(70); // 1.5 px borders
  });

  it("is left to React Flow for a module the catalogue does not have, or where text cannot be measured", () => {
    const unknown = { ...node("split"), data: { ...node("split").data, version: 9 } };
    expect(estimateNodeSize(unknown, context())).toBeUndefined();
    expect(estimateNodeSize(node("split"), { ...context(), textWidth: () => undefined })).toBeUndefined();
  });
});

describe("presizing the graph", () => {
  const g = () => useGraph.getState();
  beforeEach(() => g().load(doc));

  it("sizes every node or none", () => {
    const before = g().document();
    expect(g().presize((n) => (n.id === "train" ? undefined : estimateNodeSize(n, context())))).toBe(false);
    expect(g().nodes.some((n) => n.measured || n.handles)).toBe(false);
    expect(g().presize((n) => estimateNodeSize(n, context()))).toBe(true);
    expect(g().nodes.every((n) => n.measured && n.handles?.length)).toBe(true);
    expect(g().document()).toEqual(before); // sizes are the canvas's business, not the document's
  });

  it("drops a node's estimated ports once React Flow measures another size, and keeps none in history", () => {
    g().presize((n) => estimateNodeSize(n, context()));
    g().onNodesChange([{ type: "dimensions", id: "split", dimensions: { width: 232, height: 101 } }]);
    const split = g().nodes.find((n) => n.id === "split")!;
    expect(split.measured).toEqual({ width: 232, height: 101 });
    expect(split.handles).toBeUndefined();
    expect(g().nodes.find((n) => n.id === "train")?.handles).toBeDefined();
    g().updateNodeData("train", { comment: "checked" });
    g().undo();
    expect(g().nodes.every((n) => n.handles === undefined)).toBe(true);
  });
});
