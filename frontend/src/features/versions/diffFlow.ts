/** The nodes and edges of a version canvas, with a diff's marks: pure, so it is tested without a browser. */
import type { Edge } from "@xyflow/react";
import type { PipelineDocument } from "../../api/types";
import { fromDocument } from "../canvas/document";
import { diffMarks, edgeKey } from "./diffModel";
import type { ModuleIndex } from "./modules";
import type { PipelineDiff } from "./queries";
import type { VersionFlowNode } from "./VersionNode";

interface Input {
  document: PipelineDocument;
  oldDocument?: PipelineDocument;
  diff?: PipelineDiff;
  index: ModuleIndex;
  focus?: string | null;
}

export function buildDiffFlow({ document, oldDocument, diff, index, focus }: Input): { nodes: VersionFlowNode[]; edges: Edge[] } {
  const marks = diff ? diffMarks(diff) : undefined;
  const shown = fromDocument(document);
  const nodes: VersionFlowNode[] = shown.nodes.map((n) => ({
    id: n.id,
    type: "version",
    position: n.position,
    selected: n.id === focus,
    draggable: false,
    data: {
      module: n.data.module,
      version: n.data.version,
      info: index.get(n.data.module, n.data.version),
      mark: marks?.nodes.get(n.id),
      changedParams: marks?.changedParams.get(n.id),
      comment: n.data.comment,
    },
  }));
  if (diff) {
    const old = oldDocument ? fromDocument(oldDocument).nodes : [];
    diff.semantic.nodes_removed.forEach((r, i) => {
      const was = old.find((n) => n.id === r.id)?.position ?? { x: -320, y: i * 140 };
      nodes.push({
        id: r.id,
        type: "version",
        position: freeSpot(was, nodes),
        selected: r.id === focus,
        draggable: false,
        data: { module: r.module, version: r.version, info: index.get(r.module, r.version), mark: "removed" },
      });
    });
  }
  const present = new Set(nodes.map((n) => n.id));
  const edges: Edge[] = shown.edges.map((e) => ({
    ...e,
    className: marks?.edgesAdded.has(e.id) ? "diff-edge diff-edge--added" : "diff-edge",
    selectable: false,
  }));
  for (const r of marks?.edgesRemoved ?? []) {
    if (!present.has(r.source.node) || !present.has(r.target.node)) continue;
    edges.push({
      id: `removed:${edgeKey(r)}`,
      source: r.source.node,
      sourceHandle: r.source.port,
      target: r.target.node,
      targetHandle: r.target.port,
      className: "diff-edge diff-edge--removed",
      selectable: false,
    });
  }
  return { nodes, edges };
}

const BOX = { width: 232 + 24, height: 90 };

/** Where a ghost can stand without covering a node of the newer version: where it was, else nearby. */
export function freeSpot(at: { x: number; y: number }, taken: readonly { position: { x: number; y: number } }[]): { x: number; y: number } {
  const clear = (p: { x: number; y: number }) =>
    taken.every((n) => Math.abs(n.position.x - p.x) >= BOX.width || Math.abs(n.position.y - p.y) >= BOX.height);
  for (let step = 0; step < 12; step++) {
    for (const p of [
      { x: at.x + step * BOX.width, y: at.y },
      { x: at.x, y: at.y - step * BOX.height },
      { x: at.x - step * BOX.width, y: at.y },
    ]) {
      if (clear(p)) return p;
    }
  }
  return { x: at.x + 12 * BOX.width, y: at.y };
}
