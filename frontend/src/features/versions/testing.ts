/** Two versions of a small pipeline and the server's diff between them, for the tests of this feature. */
import type { PipelineDocument } from "../../api/types";
import type { PipelineDiff } from "./queries";

const node = (id: string, module: string, params: Record<string, unknown> = {}) => ({ id, module, version: 1, params, regenerate: false });
const edge = (s: string, sp: string, t: string, tp: string) => ({ source: { node: s, port: sp }, target: { node: t, port: tp } });

export const OLD_DOC: PipelineDocument = {
  schema_version: 1,
  nodes: [node("ds", "dataset", { dataset: { dataset_id: 1 } }), node("split", "split_data", { fraction: 0.5, seed: 0 }), node("split2", "split_data", { fraction: 0.9 }), node("lr", "two_class_logistic_regression"), node("train", "train_model")],
  edges: [edge("ds", "dataset", "split", "dataset"), edge("split", "results_dataset2", "split2", "dataset"), edge("lr", "untrained_model", "train", "untrained_model"), edge("split", "results_dataset1", "train", "dataset")],
  parameters: { target: "diagnosis" },
  layout: { ds: { x: 0, y: 0 }, split: { x: 0, y: 160 }, split2: { x: 300, y: 320 }, lr: { x: 300, y: 0 }, train: { x: 0, y: 320 } },
};

export const NEW_DOC: PipelineDocument = {
  schema_version: 1,
  nodes: [node("ds", "dataset", { dataset: { dataset_id: 1 } }), node("split", "split_data", { fraction: 0.7, stratify_by: "label" }), node("lr", "two_class_logistic_regression"), node("train", "train_model"), node("score", "score_model")],
  edges: [edge("ds", "dataset", "split", "dataset"), edge("lr", "untrained_model", "train", "untrained_model"), edge("split", "results_dataset1", "train", "dataset"), edge("train", "trained_model", "score", "trained_model"), edge("split", "results_dataset2", "score", "dataset")],
  parameters: { target: "label" },
  layout: { ds: { x: 0, y: 0 }, split: { x: 0, y: 160 }, lr: { x: 340, y: 0 }, train: { x: 0, y: 320 }, score: { x: 0, y: 480 } },
};

export const DIFF: PipelineDiff = {
  format: 1,
  summary: { nodes_added: 1, nodes_removed: 1, nodes_changed: 1, edges_added: 2, edges_removed: 1, parameters_changed: 1, layout_changed: 1, semantic: true, layout_only: false, empty: false },
  semantic: {
    nodes_added: [{ index: 4, node: node("score", "score_model") }],
    nodes_removed: [node("split2", "split_data", { fraction: 0.9 })],
    nodes_changed: [
      {
        id: "split",
        module: null,
        version: null,
        regenerate: null,
        params: [
          { name: "fraction", change: "changed", old: 0.5, new: 0.7 },
          { name: "seed", change: "removed", old: 0 },
          { name: "stratify_by", change: "added", new: "label" },
        ],
      },
    ],
    edges_added: [
      { index: 3, edge: edge("train", "trained_model", "score", "trained_model") },
      { index: 4, edge: edge("split", "results_dataset2", "score", "dataset") },
    ],
    edges_removed: [edge("split", "results_dataset2", "split2", "dataset")],
    parameters: [{ name: "target", change: "changed", old: "diagnosis", new: "label" }],
  },
  layout: { nodes: [{ node: "lr", old: { x: 300, y: 0 }, new: { x: 340, y: 0 } }], node_order: null, edge_order: null },
};

export const LAYOUT_ONLY: PipelineDiff = {
  format: 1,
  summary: { nodes_added: 0, nodes_removed: 0, nodes_changed: 0, edges_added: 0, edges_removed: 0, parameters_changed: 0, layout_changed: 2, semantic: false, layout_only: true, empty: false },
  semantic: { nodes_added: [], nodes_removed: [], nodes_changed: [], edges_added: [], edges_removed: [], parameters: [] },
  layout: {
    nodes: [
      { node: "lr", old: { x: 300, y: 0 }, new: { x: 340, y: 0 } },
      { node: "split", old: { x: 0, y: 160 }, new: { x: 0, y: 160, comment: "80/20" } },
    ],
    node_order: null,
    edge_order: null,
  },
};

export function versionSummary(number: number, partial: Record<string, unknown> = {}) {
  return {
    number,
    message: `Change ${number}`,
    author: "olivia",
    created_at: "2026-11-20T10:00:00Z",
    base_number: number > 1 ? number - 1 : null,
    restored_from: null,
    ...partial,
  };
}

export function versionDetail(pipeline: number, number: number, document: PipelineDocument, partial: Record<string, unknown> = {}) {
  return { ...versionSummary(number, partial), pipeline, document };
}
