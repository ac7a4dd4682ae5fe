/**
 * Bring the canvas in line with a document while touching as little as possible: unchanged nodes
 * keep their objects (no re-render), selection and measured sizes stay, a node being dragged keeps
 * its position, and what ops cannot carry (the `regenerate` flag, colours) stays as it is locally.
 * Pipeline parameters come from the document as they are.
 */
import type { PipelineDocument } from "../../api/types";
import { edgeId, fromDocument, type DesignerEdge, type DesignerNode } from "../canvas/document";
import { same } from "./ops";

export interface Graph {
  nodes: DesignerNode[];
  edges: DesignerEdge[];
  parameters: Record<string, unknown>;
}

function withCompute(data: DesignerNode["data"], compute: string | undefined): DesignerNode["data"] {
  const { compute: _old, ...rest } = data;
  return compute ? { ...rest, compute } : rest;
}

export function reconcile(view: Graph, doc: PipelineDocument): Graph {
  const fresh = fromDocument(doc);
  const expected = new Map(fresh.nodes.map((n) => [n.id, n]));
  let changed = false;

  const nodes: DesignerNode[] = [];
  for (const node of view.nodes) {
    const want = expected.get(node.id);
    if (!want) {
      changed = true;
      continue;
    }
    expected.delete(node.id);
    const place = doc.layout?.[node.id];
    const moved =
      !node.dragging &&
      place?.x !== undefined &&
      place.y !== undefined &&
      (Math.round(node.position.x) !== place.x || Math.round(node.position.y) !== place.y);
    const d = node.data;
    const w = want.data;
    const dataChanged =
      d.module !== w.module || d.version !== w.version || d.comment !== w.comment || d.compute !== w.compute || !same(d.params, w.params);
    if (!moved && !dataChanged) {
      nodes.push(node);
      continue;
    }
    changed = true;
    nodes.push({
      ...node,
      position: moved ? want.position : node.position,
      data: dataChanged ? withCompute({ ...d, module: w.module, version: w.version, params: w.params, comment: w.comment }, w.compute) : d,
    });
  }
  for (const node of expected.values()) {
    changed = true;
    nodes.push(node);
  }

  const wantedEdges = new Map(fresh.edges.map((e) => [e.id, e]));
  const edges: DesignerEdge[] = [];
  for (const edge of view.edges) {
    const id = edgeId(edge.source, edge.sourceHandle ?? "", edge.target, edge.targetHandle ?? "");
    if (wantedEdges.has(id)) {
      wantedEdges.delete(id);
      edges.push(edge);
    } else {
      changed = true;
    }
  }
  for (const edge of wantedEdges.values()) {
    changed = true;
    edges.push(edge);
  }
  const wanted = doc.parameters ?? {};
  const parameters = same(view.parameters, wanted) ? view.parameters : wanted;
  if (changed) return { nodes, edges, parameters };
  return parameters === view.parameters ? view : { ...view, parameters };
}
