import { describe, expect, it } from "vitest";
import type { PipelineDocument } from "../../api/types";
import { applyOp, diffOps, OpRefused } from "./ops";

const base: PipelineDocument = {
  schema_version: 1,
  nodes: [
    { id: "a", module: "m", version: 1, params: { k: 1, drop: true }, regenerate: false },
    { id: "b", module: "m", version: 1, params: {}, regenerate: false },
  ],
  edges: [{ source: { node: "a", port: "out" }, target: { node: "b", port: "in" } }],
  parameters: {},
  layout: { a: { x: 0, y: 0 }, b: { x: 0, y: 100, comment: "old" } },
};

describe("applying an op", () => {
  it("replaces what was connected to an input port, like the server", () => {
    const doc = applyOp(base, { kind: "add_edge", source: { node: "b", port: "out" }, target: { node: "b", port: "in" } });
    expect(doc.edges).toEqual([{ source: { node: "b", port: "out" }, target: { node: "b", port: "in" } }]);
    expect(base.edges).toHaveLength(1);
  });

  it("refuses an op on a node that is gone", () => {
    expect(() => applyOp(base, { kind: "set_param", node: "zz", param: "k", value: 2 })).toThrow(OpRefused);
  });

  it("removes a node with its edges and layout", () => {
    const doc = applyOp(base, { kind: "remove_node", node: "a" });
    expect(doc.nodes.map((n) => n.id)).toEqual(["b"]);
    expect(doc.edges).toEqual([]);
    expect(doc.layout).toEqual({ b: { x: 0, y: 100, comment: "old" } });
  });
});

describe("diffing a local change into ops", () => {
  it("sends one set_param per changed parameter and resets a removed one", () => {
    const after = structuredClone(base);
    after.nodes[0]!.params = { k: 2 };
    expect(diffOps(base, after)).toEqual([
      { kind: "set_param", node: "a", param: "k", value: 2 },
      { kind: "set_param", node: "a", param: "drop", reset: true },
    ]);
  });

  it("moves, comments, and rewires", () => {
    const after = structuredClone(base);
    after.layout = { a: { x: 16, y: 8 }, b: { x: 0, y: 100 } };
    after.edges = [{ source: { node: "b", port: "out" }, target: { node: "a", port: "in" } }];
    expect(diffOps(base, after)).toEqual([
      { kind: "move_node", node: "a", x: 16, y: 8 },
      { kind: "set_comment", node: "b", comment: "" },
      { kind: "remove_edge", source: { node: "a", port: "out" }, target: { node: "b", port: "in" } },
      { kind: "add_edge", source: { node: "b", port: "out" }, target: { node: "a", port: "in" } },
    ]);
  });

  it("removes a node without removing its edges one by one, and adds a pasted one with its comment", () => {
    const after: PipelineDocument = {
      ...base,
      nodes: [base.nodes[1]!, { id: "c", module: "m", version: 1, params: { k: 5 }, regenerate: false }],
      edges: [],
      layout: { b: { x: 0, y: 100, comment: "old" }, c: { x: 40, y: 40, comment: "copy" } },
    };
    expect(diffOps(base, after)).toEqual([
      { kind: "remove_node", node: "a" },
      { kind: "add_node", node: after.nodes[1], position: { x: 40, y: 40 } },
      { kind: "set_comment", node: "c", comment: "copy" },
    ]);
  });

  it("sends a ticked Regenerate output box, which applies like the server", () => {
    const after = structuredClone(base);
    after.nodes[1]!.regenerate = true;
    const ops = diffOps(base, after);
    expect(ops).toEqual([{ kind: "set_regenerate", node: "b", value: true }]);
    expect(applyOp(base, ops[0]!).nodes[1]).toMatchObject({ id: "b", regenerate: true });
  });

  it("finds nothing to send when nothing ops can carry changed", () => {
    const after = structuredClone(base);
    after.parameters = { seed: 3 };
    expect(diffOps(base, after)).toEqual([]);
  });
});
