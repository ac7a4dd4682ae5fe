/**
 * Edit ops on a pipeline document, pure: applying one the way the server does (designer/engine/ops.py),
 * and turning a local change of the canvas (before -> after) into the ops that make it.
 */
import type { DocLayout, DocNode, PipelineDocument, PortRef } from "../../api/types";
import { bindingsOf, referenceOf, REF, withoutParameter } from "../parameters/model";
import type { Op } from "./protocol";

/** The op does not fit the document (its node is gone, the edge is not there...). */
export class OpRefused extends Error {}

/** JSON equality, key order ignored. */
export function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => same(x, b[i]));
  const ka = Object.keys(a as object).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b as object).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

const sameEnd = (a: PortRef, b: PortRef) => a.node === b.node && a.port === b.port;

function clone(
  doc: PipelineDocument,
): Required<Pick<PipelineDocument, "nodes" | "edges" | "layout" | "parameters">> & PipelineDocument {
  return {
    ...doc,
    nodes: doc.nodes.map((n) => ({ ...n })),
    edges: [...doc.edges],
    layout: { ...(doc.layout ?? {}) },
    parameters: { ...(doc.parameters ?? {}) },
  };
}

/** A field may be bound only to a declared parameter (someone may have removed it meanwhile). */
function checkReferences(doc: PipelineDocument, values: Iterable<unknown>): void {
  for (const value of values) {
    const name = referenceOf(value);
    if (name === undefined && value && typeof value === "object" && REF in value) {
      throw new OpRefused(`a binding must be {'${REF}': <parameter name>} and nothing else`);
    }
    if (name !== undefined && !(name in (doc.parameters ?? {}))) {
      throw new OpRefused(`there is no pipeline parameter '${name}' to bind to (it may have been removed by someone else)`);
    }
  }
}

function declared(doc: PipelineDocument, name: string): Record<string, unknown> {
  const spec = doc.parameters?.[name];
  if (!spec || typeof spec !== "object") {
    throw new OpRefused(`there is no pipeline parameter '${name}' (it may have been removed by someone else)`);
  }
  return spec as Record<string, unknown>;
}

function nodeOf(doc: PipelineDocument, id: string): DocNode {
  const node = doc.nodes.find((n) => n.id === id);
  if (!node) throw new OpRefused(`node '${id}' is not in the pipeline (it may have been removed by someone else)`);
  return node;
}

/** The document after `op`, as the server computes it; throws OpRefused when it does not fit. */
export function applyOp(document: PipelineDocument, op: Op): PipelineDocument {
  const doc = clone(document);
  const layoutOf = (id: string): DocLayout => ({ ...(doc.layout[id] ?? {}) });
  switch (op.kind) {
    case "add_node":
      if (doc.nodes.some((n) => n.id === op.node.id)) throw new OpRefused(`node '${op.node.id}' already exists`);
      checkReferences(doc, Object.values(op.node.params ?? {}));
      doc.nodes.push({ ...op.node });
      if (op.position) doc.layout[op.node.id] = { x: op.position.x, y: op.position.y };
      break;
    case "remove_node": {
      const node = nodeOf(doc, op.node);
      doc.nodes = doc.nodes.filter((n) => n !== node);
      doc.edges = doc.edges.filter((e) => e.source.node !== node.id && e.target.node !== node.id);
      delete doc.layout[node.id];
      break;
    }
    case "set_param": {
      const node = nodeOf(doc, op.node);
      const params = { ...(node.params ?? {}) };
      if (op.reset) delete params[op.param];
      else {
        checkReferences(doc, [op.value]);
        params[op.param] = op.value;
      }
      node.params = params;
      break;
    }
    case "set_params":
      checkReferences(doc, Object.values(op.params));
      nodeOf(doc, op.node).params = { ...op.params };
      break;
    case "set_regenerate":
      nodeOf(doc, op.node).regenerate = op.value;
      break;
    case "set_compute": {
      const node = nodeOf(doc, op.node);
      if (op.value) node.compute = op.value;
      else delete node.compute;
      break;
    }
    case "set_component_version": {
      const node = nodeOf(doc, op.node);
      if (!node.module.startsWith("component:")) throw new OpRefused(`node '${node.id}' is not a component node`);
      node.version = op.version;
      if (op.link) node.link = op.link;
      break;
    }
    case "move_node":
      nodeOf(doc, op.node);
      doc.layout[op.node] = { ...layoutOf(op.node), x: op.x, y: op.y };
      break;
    case "set_comment":
      nodeOf(doc, op.node);
      doc.layout[op.node] = { ...layoutOf(op.node), comment: op.comment };
      break;
    case "add_edge":
      nodeOf(doc, op.source.node);
      nodeOf(doc, op.target.node);
      // An input port takes one edge: connecting to an occupied port replaces what was there.
      doc.edges = [...doc.edges.filter((e) => !sameEnd(e.target, op.target)), { source: op.source, target: op.target }];
      break;
    case "remove_edge": {
      const index = doc.edges.findIndex((e) => sameEnd(e.source, op.source) && sameEnd(e.target, op.target));
      if (index < 0) throw new OpRefused(`no edge ${op.source.node}.${op.source.port} -> ${op.target.node}.${op.target.port}`);
      doc.edges = doc.edges.filter((_, i) => i !== index);
      break;
    }
    case "add_parameter":
      if (op.name in doc.parameters) throw new OpRefused(`pipeline parameter '${op.name}' already exists`);
      doc.parameters[op.name] = { description: "", ...op.parameter };
      break;
    case "update_parameter": {
      const spec: Record<string, unknown> = { ...declared(doc, op.name), ...op.changes };
      if (op.remove_default) delete spec.default;
      doc.parameters[op.name] = spec;
      break;
    }
    case "remove_parameter": {
      declared(doc, op.name);
      const after = withoutParameter(doc, op.name);
      if (!after) {
        const fields = (bindingsOf(doc.nodes).get(op.name) ?? []).map((b) => `${b.node}.${b.field}`).join(", ");
        throw new OpRefused(`pipeline parameter '${op.name}' has no default to leave in the fields it drives (${fields})`);
      }
      return after;
    }
  }
  return doc;
}

/** Apply ops in order, skipping those that no longer fit (the server refuses them too). */
export function applyAll(doc: PipelineDocument, ops: readonly Op[]): PipelineDocument {
  let result = doc;
  for (const op of ops) {
    try {
      result = applyOp(result, op);
    } catch (error) {
      if (!(error instanceof OpRefused)) throw error;
    }
  }
  return result;
}

const edgeKey = (e: { source: PortRef; target: PortRef }) =>
  `${e.source.node}\u0000${e.source.port}\u0000${e.target.node}\u0000${e.target.port}`;

/**
 * The ops that turn `before` into `after`, smallest first so teammates' concurrent edits of other
 * things survive: one set_param per changed parameter, a move per moved node. Node removals come
 * before edges (removing a node removes its edges), node additions before the edges that use them.
 * Pipeline parameters: declarations added or changed come first (a binding needs its parameter),
 * one update per parameter with only the fields that changed; removals come last, after the fields
 * they drove have been given their values.
 */
export function diffOps(before: PipelineDocument, after: PipelineDocument): Op[] {
  const ops: Op[] = [];
  const was = new Map(before.nodes.map((n) => [n.id, n]));
  const now = new Map(after.nodes.map((n) => [n.id, n]));
  const place = (doc: PipelineDocument, id: string): DocLayout => doc.layout?.[id] ?? {};
  let working = before;
  const push = (op: Op) => {
    ops.push(op);
    working = applyAll(working, [op]);
  };

  const oldParameters = before.parameters ?? {};
  const newParameters = after.parameters ?? {};
  for (const [name, spec] of Object.entries(newParameters)) {
    const old = oldParameters[name];
    if (old === undefined) {
      push({ kind: "add_parameter", name, parameter: { ...(spec as Record<string, unknown>) } });
    } else if (!same(old, spec)) {
      const a = old as Record<string, unknown>;
      const b = spec as Record<string, unknown>;
      const changes: Record<string, unknown> = {};
      for (const key of Object.keys(b)) if (!same(a[key], b[key])) changes[key] = b[key];
      const removeDefault = "default" in a && !("default" in b);
      push({ kind: "update_parameter", name, changes, ...(removeDefault ? { remove_default: true } : {}) });
    }
  }

  for (const [id, node] of was) {
    const next = now.get(id);
    // A component node moving to another version or link is one op; any other module or version change is a new node.
    const component = next !== undefined && next.module === node.module && node.module.startsWith("component:");
    if (component && (next.version !== node.version || (next.link ?? "latest") !== (node.link ?? "latest"))) {
      push({ kind: "set_component_version", node: id, version: next.version, ...(next.link ? { link: next.link } : {}) });
    } else if (!next || next.module !== node.module || next.version !== node.version) {
      push({ kind: "remove_node", node: id });
    }
  }
  for (const node of after.nodes) {
    const old = working.nodes.find((n) => n.id === node.id);
    const at = place(after, node.id);
    if (!old) {
      const position = at.x !== undefined && at.y !== undefined ? { x: at.x, y: at.y } : undefined;
      push({ kind: "add_node", node: { ...node, params: { ...(node.params ?? {}) } }, ...(position ? { position } : {}) });
      if (at.comment) push({ kind: "set_comment", node: node.id, comment: at.comment });
      continue;
    }
    const oldParams = old.params ?? {};
    const newParams = node.params ?? {};
    for (const name of new Set([...Object.keys(oldParams), ...Object.keys(newParams)])) {
      if (!(name in newParams) || newParams[name] === undefined) {
        if (name in oldParams) push({ kind: "set_param", node: node.id, param: name, reset: true });
      } else if (!same(oldParams[name], newParams[name])) {
        push({ kind: "set_param", node: node.id, param: name, value: newParams[name] });
      }
    }
    if (Boolean(old.regenerate) !== Boolean(node.regenerate)) {
      push({ kind: "set_regenerate", node: node.id, value: Boolean(node.regenerate) });
    }
    if ((old.compute ?? null) !== (node.compute ?? null)) {
      push({ kind: "set_compute", node: node.id, value: node.compute ?? null });
    }
    const from = place(working, node.id);
    if (at.x !== undefined && at.y !== undefined && (at.x !== from.x || at.y !== from.y)) {
      push({ kind: "move_node", node: node.id, x: at.x, y: at.y });
    }
    if ((at.comment ?? "") !== (from.comment ?? "")) push({ kind: "set_comment", node: node.id, comment: at.comment ?? "" });
  }

  const wanted = new Set(after.edges.map(edgeKey));
  for (const e of working.edges) {
    if (!wanted.has(edgeKey(e))) push({ kind: "remove_edge", source: { ...e.source }, target: { ...e.target } });
  }
  const have = new Set(working.edges.map(edgeKey));
  for (const e of after.edges) {
    if (!have.has(edgeKey(e))) push({ kind: "add_edge", source: { ...e.source }, target: { ...e.target } });
  }
  for (const name of Object.keys(oldParameters)) {
    if (!(name in newParameters)) push({ kind: "remove_parameter", name });
  }
  return ops;
}

/** Ops that change what validation sees (not positions, not comments). */
export const isSemantic = (op: Op) => op.kind !== "move_node" && op.kind !== "set_comment";

/** What a set_param writes, as one key ("node\u0000param"), for noticing overwrites. */
export const paramKey = (node: string, param: string) => `${node}\u0000${param}`;
