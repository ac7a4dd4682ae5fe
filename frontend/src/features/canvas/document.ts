/** Pipeline document <-> React Flow nodes and edges. Layout (x, y, comment, colour) is canvas-only. */
import type { Edge, Node } from "@xyflow/react";
import type { DocLayout, PipelineDocument } from "../../api/types";

export interface ModuleNodeData extends Record<string, unknown> {
  module: string;
  version: number;
  params: Record<string, unknown>;
  regenerate: boolean;
  comment: string;
  colour?: string;
  /** Component nodes only (module `component:<id>`): follow the latest version or stay pinned. */
  link?: "latest" | "pinned";
  /** The compute target chosen for it; absent: the default target. */
  compute?: string;
}

export type DesignerNode = Node<ModuleNodeData, "module">;
export type DesignerEdge = Edge;

export const edgeId = (source: string, sourceHandle: string, target: string, targetHandle: string) =>
  `${source}:${sourceHandle}->${target}:${targetHandle}`;

export function fromDocument(doc: PipelineDocument): { nodes: DesignerNode[]; edges: DesignerEdge[] } {
  const layout = doc.layout ?? {};
  const nodes: DesignerNode[] = doc.nodes.map((n, i) => {
    const place: DocLayout = layout[n.id] ?? {};
    return {
      id: n.id,
      type: "module",
      position: { x: place.x ?? (i % 4) * 280, y: place.y ?? Math.floor(i / 4) * 160 },
      data: {
        module: n.module,
        version: n.version,
        params: n.params ?? {},
        regenerate: Boolean(n.regenerate),
        ...(n.link ? { link: n.link } : {}),
        ...(n.compute ? { compute: n.compute } : {}),
        comment: place.comment ?? "",
        ...(place.colour ? { colour: place.colour } : {}),
      },
    };
  });
  const edges: DesignerEdge[] = doc.edges.map((e) => ({
    id: edgeId(e.source.node, e.source.port, e.target.node, e.target.port),
    source: e.source.node,
    sourceHandle: e.source.port,
    target: e.target.node,
    targetHandle: e.target.port,
  }));
  return { nodes, edges };
}

export function toDocument(
  nodes: readonly DesignerNode[],
  edges: readonly DesignerEdge[],
  parameters: Record<string, unknown> = {},
): PipelineDocument {
  const layout: Record<string, DocLayout> = {};
  for (const n of nodes) {
    const place: DocLayout = { x: Math.round(n.position.x), y: Math.round(n.position.y) };
    if (n.data.comment) place.comment = n.data.comment;
    if (n.data.colour) place.colour = n.data.colour;
    layout[n.id] = place;
  }
  return {
    schema_version: 1,
    nodes: nodes.map((n) => ({
      id: n.id,
      module: n.data.module,
      version: n.data.version,
      params: n.data.params,
      regenerate: n.data.regenerate,
      ...(n.data.link ? { link: n.data.link } : {}),
      ...(n.data.compute ? { compute: n.data.compute } : {}),
    })),
    edges: edges.map((e) => ({
      source: { node: e.source, port: e.sourceHandle ?? "" },
      target: { node: e.target, port: e.targetHandle ?? "" },
    })),
    parameters,
    layout,
  };
}

/** A fresh node id that matches the server's pattern and is not taken yet. */
export function newNodeId(moduleId: string, taken: ReadonlySet<string>): string {
  const stem = moduleId.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 40) || "node";
  for (;;) {
    const id = `${stem}-${Math.random().toString(36).slice(2, 6)}`;
    if (!taken.has(id)) return id;
  }
}
