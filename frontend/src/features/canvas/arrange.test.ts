import { describe, expect, it } from "vitest";
import type { PipelineDocument } from "../../api/types";
import { modules } from "../../test/fixtures";
import { arrange } from "./arrange";
import { moduleKey } from "./catalogueStore";
import { fromDocument, type DesignerNode } from "./document";
import { footprint, overlapping } from "./placement";

const byKey = new Map(modules.map((m) => [moduleKey(m.id, m.version), m]));
const moduleOf = (n: DesignerNode) => byKey.get(moduleKey(n.data.module, n.data.version));

// Every node on one spot, as an imported file without positions (or a careless derivation) may have them.
const jammed: PipelineDocument = {
  schema_version: 1,
  nodes: [
    { id: "ds", module: "dataset", version: 1, params: {} },
    { id: "split", module: "split_data", version: 1, params: {} },
    { id: "lr", module: "two_class_logistic_regression", version: 1, params: {} },
    { id: "train", module: "train_model", version: 1, params: {} },
    { id: "score", module: "score_model", version: 1, params: {} },
  ],
  edges: [
    { source: { node: "ds", port: "dataset" }, target: { node: "split", port: "dataset" } },
    { source: { node: "lr", port: "untrained_model" }, target: { node: "train", port: "untrained_model" } },
    { source: { node: "split", port: "results_dataset1" }, target: { node: "train", port: "dataset" } },
    { source: { node: "train", port: "trained_model" }, target: { node: "score", port: "trained_model" } },
    { source: { node: "split", port: "results_dataset2" }, target: { node: "score", port: "dataset" } },
  ],
  parameters: {},
  layout: {
    ds: { x: 100, y: 50, comment: "the raw rows" },
    split: { x: 110, y: 60 },
    lr: { x: 120, y: 70 },
    train: { x: 130, y: 80 },
    score: { x: 140, y: 90 },
  },
};

describe("Arrange", () => {
  it("lays the pipeline out top to bottom with no card (or comment) over another, from where it was", async () => {
    const { nodes, edges } = fromDocument(jammed);
    expect(overlapping(nodes.map(footprint))).not.toEqual([]);
    const positions = await arrange(nodes, edges, moduleOf);
    const placed = nodes.map((n) => ({ ...n, position: positions.get(n.id) as { x: number; y: number } }));
    expect(overlapping(placed.map(footprint))).toEqual([]);
    const at = Object.fromEntries(placed.map((n) => [n.id, n.position]));
    // Each edge points down: a node's inputs come from a layer above.
    for (const e of edges) expect(at[e.target]!.y, `${e.source} -> ${e.target}`).toBeGreaterThan(at[e.source]!.y);
    // Ports are where the cards draw them: the learner feeds Train Model's left input, the split its right one.
    expect(at.lr!.x).toBeLessThan(at.split!.x);
    // The drawing starts where the nodes were, so the view does not jump.
    expect(Math.min(...placed.map((n) => n.position.x))).toBe(100);
    expect(Math.min(...placed.map((n) => n.position.y))).toBe(50);
  });

  it("gives the same positions every time (two co-editors arranging at once agree)", async () => {
    const { nodes, edges } = fromDocument(jammed);
    const first = await arrange(nodes, edges, moduleOf);
    const second = await arrange(nodes, edges, moduleOf);
    expect([...second]).toEqual([...first]);
  });

  it("places nodes of modules it does not know, and nodes without edges, clear of the rest", async () => {
    const doc: PipelineDocument = {
      ...jammed,
      nodes: [...jammed.nodes, { id: "ghost", module: "not_installed", version: 3, params: {} }],
      edges: [...jammed.edges, { source: { node: "score", port: "scored_dataset" }, target: { node: "ghost", port: "x" } }],
    };
    const { nodes, edges } = fromDocument(doc);
    const positions = await arrange(nodes, edges, moduleOf);
    const placed = nodes.map((n) => ({ ...n, position: positions.get(n.id) as { x: number; y: number } }));
    expect(overlapping(placed.map(footprint))).toEqual([]);
  });
});
