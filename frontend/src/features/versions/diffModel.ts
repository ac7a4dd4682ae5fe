/**
 * Reading the server's diff (designer/engine/diff.py's JSON form) for people: which nodes and edges
 * to mark on the canvas, values written compactly, and the layout-only part put into words.
 */
import type { Module } from "../../api/types";
import { edgeId } from "../canvas/document";
import { referenceOf } from "../parameters/model";
import type { DiffEdge, PipelineDiff, ValueChange } from "./queries";

export type NodeMark = "added" | "changed" | "removed";

/** The canvas id of a diff edge (the same id the designer gives that edge). */
export function edgeKey(e: DiffEdge): string {
  return edgeId(e.source.node, e.source.port, e.target.node, e.target.port);
}

export interface DiffMarks {
  nodes: Map<string, NodeMark>;
  /** Names of the parameters that changed, per changed node. */
  changedParams: Map<string, string[]>;
  edgesAdded: Set<string>;
  edgesRemoved: DiffEdge[];
}

export function diffMarks(diff: PipelineDiff): DiffMarks {
  const nodes = new Map<string, NodeMark>();
  const changedParams = new Map<string, string[]>();
  for (const a of diff.semantic.nodes_added) nodes.set(a.node.id, "added");
  for (const r of diff.semantic.nodes_removed) nodes.set(r.id, "removed");
  for (const c of diff.semantic.nodes_changed) {
    nodes.set(c.id, "changed");
    changedParams.set(c.id, c.params.map((p) => p.name));
  }
  return {
    nodes,
    changedParams,
    edgesAdded: new Set(diff.semantic.edges_added.map((a) => edgeKey(a.edge))),
    edgesRemoved: diff.semantic.edges_removed,
  };
}

/** A value as it would be typed: strings quoted, JSON for the rest, long ones shortened; a binding by its parameter. */
export function formatValue(value: unknown, max = 80): string {
  let text: string;
  const parameter = referenceOf(value);
  if (parameter !== undefined) text = `pipeline parameter ${parameter}`;
  else if (value === undefined) text = "—";
  else if (typeof value === "string") text = `“${value}”`;
  else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * One parameter change as a sentence fragment: "0.5 → 0.7", "0.5 (default) → 0.8", "0 → 1 (default)",
 * "bound to pipeline parameter x". A parameter absent from a saved version ran with the module's default, so
 * an added or removed key shows that default as its other side when the catalogue gives one.
 */
export function describeChange(change: ValueChange, moduleDefault?: { value: unknown }): { kind: ValueChange["change"]; text: string } {
  const bound = referenceOf(change.new);
  const was = referenceOf(change.old);
  const implicit = moduleDefault ? `${formatValue(moduleDefault.value)} (default)` : undefined;
  if (bound !== undefined && was === undefined) {
    const old = change.change !== "added" ? formatValue(change.old) : moduleDefault ? `the default ${formatValue(moduleDefault.value)}` : undefined;
    return { kind: change.change, text: `bound to pipeline parameter ${bound}${old ? ` (was ${old})` : ""}` };
  }
  if (was !== undefined && bound === undefined) {
    const after = change.change === "removed" ? (implicit ?? "module default") : formatValue(change.new);
    return { kind: change.change, text: `unbound from pipeline parameter ${was}, now ${after}` };
  }
  if (change.change === "added") {
    return { kind: "added", text: implicit ? `${implicit} → ${formatValue(change.new)}` : `set to ${formatValue(change.new)} (was unset)` };
  }
  if (change.change === "removed") {
    return { kind: "removed", text: implicit ? `${formatValue(change.old)} → ${implicit}` : `removed (was ${formatValue(change.old)})` };
  }
  return { kind: "changed", text: `${formatValue(change.old)} → ${formatValue(change.new)}` };
}

/** The default a module's schema declares for a parameter, when it declares one. */
export function paramDefault(module: Module | undefined, name: string): { value: unknown } | undefined {
  const props = (module?.params_schema as { properties?: Record<string, Record<string, unknown>> } | undefined)?.properties;
  const spec = props?.[name];
  return spec && "default" in spec ? { value: spec.default } : undefined;
}

/** A pipeline parameter's declaration change: "declared: number, default 0.5", "default 0.5 → 0.8", "removed". */
export function describeDeclaration(change: ValueChange): { kind: ValueChange["change"]; text: string } {
  const spec = (v: unknown) => (v && typeof v === "object" ? (v as Record<string, unknown>) : {});
  const declared = (v: Record<string, unknown>) =>
    [String(v.type ?? "?"), "default" in v ? `default ${formatValue(v.default)}` : "no default"].join(", ");
  if (change.change === "added") return { kind: "added", text: `declared: ${declared(spec(change.new))}` };
  if (change.change === "removed") return { kind: "removed", text: `removed (was ${declared(spec(change.old))})` };
  const a = spec(change.old);
  const b = spec(change.new);
  const parts: string[] = [];
  if (a.type !== b.type) parts.push(`type ${formatValue(a.type)} → ${formatValue(b.type)}`);
  if (!("default" in b) && "default" in a) parts.push(`default removed (was ${formatValue(a.default)})`);
  else if ("default" in b && !("default" in a)) parts.push(`default set to ${formatValue(b.default)}`);
  else if (JSON.stringify(a.default) !== JSON.stringify(b.default)) parts.push(`default ${formatValue(a.default)} → ${formatValue(b.default)}`);
  if ((a.description ?? "") !== (b.description ?? "")) parts.push("description changed");
  return { kind: "changed", text: parts.join(", ") || `${formatValue(change.old)} → ${formatValue(change.new)}` };
}

/** The title a module's schema gives a parameter, else its name. */
export function paramTitle(module: Module | undefined, name: string): string {
  const props = (module?.params_schema as { properties?: Record<string, { title?: unknown }> } | undefined)?.properties;
  const title = props?.[name]?.title;
  return typeof title === "string" && title ? title : name;
}

type LayoutEntry = Record<string, unknown> | null;

/** What a layout-only change did to one node: "moved", "comment changed", "recoloured". */
export function describeLayout(old: LayoutEntry, next: LayoutEntry): string {
  const a = old ?? {};
  const b = next ?? {};
  const parts: string[] = [];
  if (a.x !== b.x || a.y !== b.y) parts.push("moved");
  if ((a.comment ?? "") !== (b.comment ?? "")) parts.push(b.comment ? (a.comment ? "comment changed" : "comment added") : "comment removed");
  if ((a.colour ?? "") !== (b.colour ?? "")) parts.push("recoloured");
  return parts.length ? parts.join(", ") : "canvas entry changed";
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The summary in a line: "1 node added · 2 changed · 1 edge rewired", or why there is nothing. */
export function summaryText(diff: PipelineDiff): string {
  const s = diff.summary;
  if (s.empty) return "No differences: the two versions are identical.";
  const parts: string[] = [];
  if (s.nodes_added) parts.push(`${plural(s.nodes_added, "node")} added`);
  if (s.nodes_removed) parts.push(`${plural(s.nodes_removed, "node")} removed`);
  if (s.nodes_changed) parts.push(`${plural(s.nodes_changed, "node")} changed`);
  const edges = s.edges_added + s.edges_removed;
  if (edges) parts.push(`${plural(edges, "edge")} rewired`);
  if (s.parameters_changed) parts.push(`${plural(s.parameters_changed, "pipeline parameter")} changed`);
  if (s.layout_only) parts.push(`layout only (${plural(s.layout_changed, "node")} moved or restyled)`);
  else if (s.layout_changed) parts.push(`layout of ${plural(s.layout_changed, "node")}`);
  return parts.join(" · ");
}
