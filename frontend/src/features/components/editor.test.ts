import { beforeEach, describe, expect, it } from "vitest";
import type { PipelineDocument } from "../../api/types";
import { useGraph, type Snapshot } from "../canvas/graphStore";
import { closeFrame, hasUnsavedEdits, markSaved, openFrame, outerSourceOf, resetEditor, useComponentEditor } from "./editor";
import { insideComponent, outerGraph, useScope } from "./scopeStore";
import type { GraphComponentDocument } from "./types";

const pipeline: PipelineDocument = {
  schema_version: 1,
  nodes: [
    { id: "ds", module: "dataset", version: 1, params: {}, regenerate: false },
    { id: "prep", module: "component:7", version: 2, params: {}, regenerate: false, link: "latest" },
  ],
  edges: [{ source: { node: "ds", port: "dataset" }, target: { node: "prep", port: "dataset" } }],
  parameters: {},
  layout: { ds: { x: 0, y: 0 }, prep: { x: 0, y: 160 } },
};

const component: GraphComponentDocument = {
  kind: "graph",
  graph: {
    schema_version: 1,
    nodes: [{ id: "clean", module: "clean_missing_data", version: 1, params: {}, regenerate: false }],
    edges: [],
    parameters: {},
    layout: { clean: { x: 0, y: 0 } },
  },
  inputs: [{ name: "dataset", targets: [{ node: "clean", port: "dataset" }] }],
  outputs: [{ name: "cleaned", source: { node: "clean", port: "cleaned_dataset" } }],
  parameters: [],
};

const g = () => useGraph.getState();
const open = () => openFrame({ nodeId: "prep", title: "Prepare", component: 7, version: 2, openedVersion: 2, document: component });

describe("opening a component on the canvas", () => {
  beforeEach(() => {
    resetEditor();
    g().load(pipeline);
    g().updateNodeData("ds", { comment: "raw" }); // an undoable edit of the pipeline
  });

  it("shows the inner graph, keeps the pipeline behind it, and brings it back as it was", () => {
    open();
    expect(insideComponent()).toBe(true);
    expect(useScope.getState().frames).toEqual([{ nodeId: "prep", title: "Prepare" }]);
    expect(g().nodes.map((n) => n.id)).toEqual(["clean"]);
    expect(outerGraph()?.document()).toMatchObject({ nodes: [{ id: "ds" }, { id: "prep", link: "latest" }] });
    expect(hasUnsavedEdits()).toBe(false);
    g().updateNodeData("clean", { params: { method: "median" } });
    expect(hasUnsavedEdits()).toBe(true);

    expect(closeFrame()).toBeNull(); // nothing saved inside: the node keeps its version
    expect(insideComponent()).toBe(false);
    expect(outerGraph()).toBeNull();
    expect(g().document().nodes.map((n) => n.id)).toEqual(["ds", "prep"]);
    expect(g().nodes.find((n) => n.id === "prep")?.selected).toBe(true);
    g().undo(); // the pipeline's own history came back with it
    expect(g().nodes.find((n) => n.id === "ds")?.data.comment).toBe("");
  });

  it("moves the node to the version saved inside when going back", () => {
    open();
    g().updateNodeData("clean", { params: { method: "median" } });
    markSaved(3, { ...component, graph: g().document() });
    expect(hasUnsavedEdits()).toBe(false);
    expect(useComponentEditor.getState().frames[0]?.version).toBe(3);
    expect(closeFrame()).toEqual({ nodeId: "prep", version: 3 });
  });

  it("applies a teammate's edit of the pipeline to the pipeline behind the component, not to the inner graph", () => {
    open();
    const outer = outerGraph();
    const before = outer?.snapshot();
    if (!outer || !before) throw new Error("no outer graph");
    const nodes = (before as Snapshot).nodes.map((n) => (n.id === "ds" ? { ...n, position: { x: 400, y: 0 } } : n));
    const moved: Snapshot = { ...(before as Snapshot), nodes };
    outer.applyRemote(moved, (s) => s, false);
    expect(g().nodes.map((n) => n.id)).toEqual(["clean"]);
    closeFrame();
    expect(g().nodes.find((n) => n.id === "ds")?.position).toEqual({ x: 400, y: 0 });
  });
});

describe("inside an open component, an inner input fed from the pipeline", () => {
  it("is traced to the output wired into the component's input, one level up", () => {
    resetEditor();
    useGraph.getState().load(pipeline);
    open();
    expect(outerSourceOf("clean", "dataset")).toEqual({ node: "ds", port: "dataset" });
    expect(outerSourceOf("clean", "other")).toBeNull();
    resetEditor();
  });
});
