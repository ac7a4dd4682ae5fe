import { describe, expect, it } from "vitest";
import type { PipelineDocument } from "../../api/types";
import { applyAll, applyOp, diffOps, OpRefused } from "./ops";

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
    after.layout!.a = { x: 0, y: 0, colour: "#c2255c" };
    expect(diffOps(base, after)).toEqual([]);
  });
});

describe("pipeline parameters as ops", () => {
  const fraction = { type: "number", default: 0.5, description: "" };

  it("declares a parameter before binding a field to it, so the server never sees a dangling binding", () => {
    const after = structuredClone(base);
    after.parameters = { fraction };
    after.nodes[0]!.params = { k: { $param: "fraction" }, drop: true };
    const ops = diffOps(base, after);
    expect(ops).toEqual([
      { kind: "add_parameter", name: "fraction", parameter: fraction },
      { kind: "set_param", node: "a", param: "k", value: { $param: "fraction" } },
    ]);
    expect(applyAll(base, ops)).toEqual({ ...after, parameters: { fraction } });
  });

  it("updates only the fields of a declaration that changed, and says when the default went", () => {
    const before: PipelineDocument = { ...structuredClone(base), parameters: { fraction, seed: { type: "integer", default: 1, description: "" } } };
    const after: PipelineDocument = { ...before, parameters: { fraction: { ...fraction, default: 0.8 }, seed: { type: "integer", description: "" } } };
    expect(diffOps(before, after)).toEqual([
      { kind: "update_parameter", name: "fraction", changes: { default: 0.8 } },
      { kind: "update_parameter", name: "seed", changes: {}, remove_default: true },
    ]);
  });

  it("removes a parameter after the fields it drove got their values, as the server leaves them", () => {
    const before = structuredClone(base);
    before.parameters = { fraction };
    before.nodes[1]!.params = { k: { $param: "fraction" } };
    const removed = applyOp(before, { kind: "remove_parameter", name: "fraction" });
    expect(removed.parameters).toEqual({});
    expect(removed.nodes[1]!.params).toEqual({ k: 0.5 });
    expect(diffOps(before, removed)).toEqual([
      { kind: "set_param", node: "b", param: "k", value: 0.5 },
      { kind: "remove_parameter", name: "fraction" },
    ]);
  });

  it("refuses a binding to a parameter someone removed, and removing a required one that drives a field", () => {
    expect(() => applyOp(base, { kind: "set_param", node: "a", param: "k", value: { $param: "gone" } })).toThrow(
      "no pipeline parameter 'gone' to bind to",
    );
    const required = { ...structuredClone(base), parameters: { seed: { type: "integer", description: "" } } };
    required.nodes[0]!.params = { k: { $param: "seed" } };
    expect(() => applyOp(required, { kind: "remove_parameter", name: "seed" })).toThrow("no default to leave in the fields it drives (a.k)");
    expect(() => applyOp(base, { kind: "add_parameter", name: "x", parameter: fraction })).not.toThrow();
    expect(() => applyOp({ ...base, parameters: { x: fraction } }, { kind: "add_parameter", name: "x", parameter: fraction })).toThrow("already exists");
  });
});

describe("component nodes", () => {
  const withComponent: PipelineDocument = {
    nodes: [{ id: "prep", module: "component:7", version: 1, params: { k: 1, gone: 2 }, link: "latest" }],
    edges: [],
    parameters: {},
    layout: { prep: { x: 0, y: 0 } },
  };

  it("moves to another version or link with one op (edges kept), then the parameters that changed", () => {
    const after: PipelineDocument = {
      ...withComponent,
      nodes: [{ id: "prep", module: "component:7", version: 2, params: { k: 1 }, link: "latest" }],
    };
    const ops = diffOps(withComponent, after);
    expect(ops).toEqual([
      { kind: "set_component_version", node: "prep", version: 2, link: "latest" },
      { kind: "set_param", node: "prep", param: "gone", reset: true },
    ]);
    expect(applyAll(withComponent, ops).nodes).toEqual(after.nodes);
    const pinned = { ...withComponent, nodes: [{ ...withComponent.nodes[0]!, link: "pinned" as const }] };
    expect(diffOps(withComponent, pinned)).toEqual([{ kind: "set_component_version", node: "prep", version: 1, link: "pinned" }]);
  });

  it("refuses to move a module node as a component", () => {
    expect(() => applyOp(base, { kind: "set_component_version", node: "a", version: 2 })).toThrow(OpRefused);
  });
});
