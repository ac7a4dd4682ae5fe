import { beforeEach, describe, expect, it } from "vitest";
import type { PipelineDocument } from "../../api/types";
import { fromDocument, toDocument } from "./document";
import { useGraph, type GraphState } from "./graphStore";
import { footprint, overlapping } from "./placement";

const doc: PipelineDocument = {
  schema_version: 1,
  nodes: [
    { id: "ds", module: "dataset", version: 1, params: { dataset: { dataset_id: 1 } }, regenerate: false },
    { id: "split", module: "split_data", version: 1, params: { fraction_of_rows_in_first_output_dataset: 0.7 }, regenerate: false },
  ],
  edges: [{ source: { node: "ds", port: "dataset" }, target: { node: "split", port: "dataset" } }],
  parameters: {},
  layout: { ds: { x: 0, y: 0, comment: "the raw data" }, split: { x: 0, y: 140 } },
};

const g = () => useGraph.getState();

describe("the pipeline document", () => {
  it("round-trips through the canvas unchanged, comments and positions kept in layout", () => {
    const { nodes, edges } = fromDocument(doc);
    expect(nodes[0]?.data.comment).toBe("the raw data");
    expect(edges[0]).toMatchObject({ source: "ds", sourceHandle: "dataset", target: "split", targetHandle: "dataset" });
    expect(toDocument(nodes, edges)).toEqual(doc);
  });
});

describe("the graph store", () => {
  beforeEach(() => g().load(doc));

  it("adds a node with a valid id and selects it", () => {
    const id = g().addNode({ id: "train_model", version: 1 }, { x: 10, y: 20 });
    expect(id).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    expect(g().nodes.find((n) => n.id === id)?.selected).toBe(true);
    expect(g().document().nodes.map((n) => n.module)).toEqual(["dataset", "split_data", "train_model"]);
  });

  it("undoes and redoes edits, connections and deletions", () => {
    g().updateNodeData("split", { params: { fraction_of_rows_in_first_output_dataset: 0.5 } });
    g().selectOnly(["ds"]);
    g().removeSelected();
    expect(g().nodes.map((n) => n.id)).toEqual(["split"]);
    expect(g().edges).toHaveLength(0);

    g().undo();
    expect(g().nodes.map((n) => n.id)).toEqual(["ds", "split"]);
    expect(g().edges).toHaveLength(1);
    g().undo();
    expect(g().document().nodes[1]?.params).toEqual({ fraction_of_rows_in_first_output_dataset: 0.7 });
    g().redo();
    expect(g().document().nodes[1]?.params).toEqual({ fraction_of_rows_in_first_output_dataset: 0.5 });
  });

  it("merges keystrokes in one field into one undo step", () => {
    for (const v of [0.1, 0.15, 0.155]) g().updateNodeData("split", { params: { fraction_of_rows_in_first_output_dataset: v } }, "param:fraction");
    expect(g().past).toHaveLength(1);
    g().undo();
    expect(g().document().nodes[1]?.params).toEqual({ fraction_of_rows_in_first_output_dataset: 0.7 });
  });

  it("copies and pastes a selection with its inner edges under new ids", () => {
    g().selectOnly(["ds", "split"]);
    const clip = g().copySelection();
    expect(clip?.nodes).toHaveLength(2);
    g().paste(clip as NonNullable<typeof clip>);
    expect(g().nodes).toHaveLength(4);
    expect(g().edges).toHaveLength(2);
    const pasted = g().nodes.slice(2);
    expect(pasted.every((n) => n.selected && !["ds", "split"].includes(n.id))).toBe(true);
    // Just below the copied pair: its box ends at 140 + 70 (a one-line card), then a 32-px gap.
    expect(pasted.map((n) => n.position)).toEqual([{ x: 0, y: 242 }, { x: 0, y: 382 }]);
    const edge = g().edges[1];
    expect([edge?.source, edge?.target]).toEqual(pasted.map((n) => n.id));
  });

  it("pastes the same copy again clear of the first copy and of the originals", () => {
    g().selectOnly(["ds", "split"]);
    const clip = g().copySelection() as NonNullable<ReturnType<GraphState["copySelection"]>>;
    g().paste(clip);
    g().paste(clip);
    expect(g().nodes).toHaveLength(6);
    expect(overlapping(g().nodes.map(footprint))).toEqual([]);
  });

  it("moves several nodes in one undoable step, counted as a change to save but not to validate", () => {
    const { revision, semanticRevision } = g();
    g().moveNodes(new Map([["ds", { x: 300, y: 10 }], ["split", { x: 300, y: 200 }]]));
    expect(g().nodes.map((n) => n.position)).toEqual([{ x: 300, y: 10 }, { x: 300, y: 200 }]);
    expect([g().revision, g().semanticRevision, g().past.length]).toEqual([revision + 1, semanticRevision, 1]);
    g().undo();
    expect(g().nodes.map((n) => n.position)).toEqual([{ x: 0, y: 0 }, { x: 0, y: 140 }]);
  });

  it("records nothing when the nodes are already where they are asked to go", () => {
    const { revision } = g();
    g().moveNodes(new Map([["ds", { x: 0, y: 0 }]]));
    expect([g().revision, g().past.length]).toEqual([revision, 0]);
  });

  it("counts moves as changes to save but not to validate", () => {
    const { revision, semanticRevision } = g();
    g().onNodesChange([{ type: "position", id: "ds", position: { x: 5, y: 5 }, dragging: true }]);
    g().onNodesChange([{ type: "position", id: "ds", position: { x: 9, y: 9 }, dragging: false }]);
    expect(g().revision).toBe(revision + 1);
    expect(g().semanticRevision).toBe(semanticRevision);
    expect(g().past).toHaveLength(1);
    g().connect({ source: "ds", sourceHandle: "dataset", target: "split", targetHandle: "dataset" });
    expect(g().semanticRevision).toBe(semanticRevision + 1);
  });

  it("ignores edits when read-only", () => {
    g().load(doc, { readOnly: true });
    g().selectOnly(["ds"]);
    g().removeSelected();
    g().updateNodeData("split", { params: {} });
    expect(g().document()).toEqual(doc);
  });
});
