/**
 * Auto-layout with elkjs's layered (Sugiyama) algorithm, which knows about ports: each card's inputs sit
 * on its top edge and its outputs on its bottom edge, left to right in declaration order, exactly where
 * ModuleNode draws them, so ELK orders nodes to keep edges short and uncrossed and never puts one card
 * over another (each node's box includes the comment hanging below it, placement.ts footprint).
 *
 * elkjs is about 1.5 MB: it is imported here, on first use, never on the way to the first paint.
 */
import type { XYPosition } from "@xyflow/react";
import type { ElkExtendedEdge, ElkNode, ElkPort } from "elkjs/lib/elk-api";
import type { Module } from "../../api/types";
import type { DesignerEdge, DesignerNode } from "./document";
import { bounds, cardBox, footprint } from "./placement";

const HANDLE = 11;

/** ELK's options: top to bottom, ports fixed where the cards draw them, room for edges between layers. */
const OPTIONS: Record<string, string> = {
  "elk.algorithm": "layered",
  "elk.direction": "DOWN",
  "elk.edgeRouting": "SPLINES",
  "elk.layered.spacing.nodeNodeBetweenLayers": "64",
  "elk.spacing.nodeNode": "48",
  "elk.spacing.componentComponent": "72",
  "elk.layered.spacing.edgeNodeBetweenLayers": "24",
  "elk.layered.nodePlacement.strategy": "NETWORK_SIMPLEX",
  "elk.separateConnectedComponents": "true",
};

type Elk = { layout(graph: ElkNode): Promise<ElkNode> };
let elk: Promise<Elk> | null = null;
function loadElk(): Promise<Elk> {
  elk ??= import("elkjs/lib/elk.bundled.js").then(({ default: ELK }) => new ELK() as unknown as Elk);
  return elk;
}

const portId = (node: string, side: "in" | "out", port: string) => `${node}\u0000${side}\u0000${port}`;

/** One ELK port per module port, at the x where ModuleNode draws its handle. */
function portsOf(node: DesignerNode, module: Module | undefined, width: number, height: number): ElkPort[] {
  if (!module) return [];
  const place = (names: string[], side: "in" | "out"): ElkPort[] =>
    names.map((name, i) => ({
      id: portId(node.id, side, name),
      width: HANDLE,
      height: HANDLE,
      x: ((i + 0.5) / names.length) * width - HANDLE / 2,
      y: side === "in" ? -HANDLE : height,
      layoutOptions: { "elk.port.side": side === "in" ? "NORTH" : "SOUTH", "elk.port.index": String(i) },
    }));
  return [...place(module.inputs.map((p) => p.name), "in"), ...place(module.outputs.map((p) => p.name), "out")];
}

/**
 * Positions (top-left corners) for every node, laid out layer by layer, the whole drawing keeping the
 * top-left corner the nodes had so the view does not jump. `moduleOf` gives a node's module (its ports).
 */
export async function arrange(
  nodes: readonly DesignerNode[],
  edges: readonly DesignerEdge[],
  moduleOf: (node: DesignerNode) => Module | undefined,
): Promise<Map<string, XYPosition>> {
  if (!nodes.length) return new Map();
  const known = new Set<string>();
  const children: ElkNode[] = nodes.map((node) => {
    const card = cardBox(node);
    const room = footprint(node);
    const module = moduleOf(node);
    const ports = portsOf(node, module, card.width, room.height);
    for (const p of ports) known.add(p.id);
    return {
      id: node.id,
      width: room.width,
      height: room.height,
      ports,
      layoutOptions: { "elk.portConstraints": module ? "FIXED_POS" : "FREE" },
    };
  });
  const ids = new Set(nodes.map((n) => n.id));
  const elkEdges: ElkExtendedEdge[] = edges
    .filter((e) => ids.has(e.source) && ids.has(e.target) && e.source !== e.target)
    .map((e) => {
      const from = portId(e.source, "out", e.sourceHandle ?? "");
      const to = portId(e.target, "in", e.targetHandle ?? "");
      return { id: e.id, sources: [known.has(from) ? from : e.source], targets: [known.has(to) ? to : e.target] };
    });
  const layout = await (await loadElk()).layout({ id: "root", layoutOptions: OPTIONS, children, edges: elkEdges });
  const before = bounds(nodes.map(cardBox));
  const placed = (layout.children ?? []).map((c) => ({ id: c.id, x: c.x ?? 0, y: c.y ?? 0 }));
  const left = Math.min(...placed.map((p) => p.x));
  const top = Math.min(...placed.map((p) => p.y));
  const dx = (before?.x ?? 0) - left;
  const dy = (before?.y ?? 0) - top;
  return new Map(placed.map((p) => [p.id, { x: Math.round(p.x + dx), y: Math.round(p.y + dy) }]));
}
