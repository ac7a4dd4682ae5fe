/**
 * What the "Create component" dialog proposes, from the selection alone: an input for every outside
 * output that feeds the selection (one input even when it feeds several inner ports) and for every
 * required inner input left unconnected; an output for every inner output used outside (when none is,
 * as at the end of a pipeline: every inner output that nothing inside uses); and every
 * inner parameter as a candidate to expose (none exposed by default: the inner values stay fixed).
 * Names come from the ports and parameters, made unique.
 */
import type { DocNode, Module, PipelineDocument, PortRef } from "../../api/types";
import { fieldsOf, type JsonSchema } from "../params";
import type { InputBinding, OutputBinding, ParameterBinding } from "./types";

export interface InputDraft extends InputBinding {
  /** Where it is fed from today (null: not connected), for the dialog to say. */
  from: PortRef | null;
}

export interface OutputDraft extends OutputBinding {
  /** How many outside ports use it today. */
  consumers: number;
}

export interface ParameterCandidate {
  node: string;
  param: string;
  /** "Clean Missing Data · Method": what the user reads. */
  label: string;
  value: unknown;
}

export interface InterfaceDraft {
  inputs: InputDraft[];
  outputs: OutputDraft[];
  parameters: ParameterCandidate[];
}

/** `name`, else `name_2`, `name_3`... the first not taken; the taken set learns it. */
export function uniqueName(name: string, taken: Set<string>): string {
  const stem = name.replace(/[^A-Za-z0-9_]/g, "_") || "port";
  let candidate = stem;
  for (let i = 2; taken.has(candidate); i++) candidate = `${stem}_${i}`;
  taken.add(candidate);
  return candidate;
}

const refKey = (r: PortRef) => `${r.node}\u0000${r.port}`;

export function defaultInterface(
  doc: PipelineDocument,
  selection: ReadonlySet<string>,
  moduleOf: (node: DocNode) => Module | undefined,
): InterfaceDraft {
  const inside = doc.nodes.filter((n) => selection.has(n.id));
  const inputs: InputDraft[] = [];
  const inputNames = new Set<string>();
  const bySource = new Map<string, InputDraft>();
  for (const node of inside) {
    const module = moduleOf(node);
    for (const port of module?.inputs ?? []) {
      const edge = doc.edges.find((e) => e.target.node === node.id && e.target.port === port.name);
      const target = { node: node.id, port: port.name };
      if (edge && selection.has(edge.source.node)) continue; // fed from inside: stays inside
      if (!edge && port.optional) continue;
      const shared = edge ? bySource.get(refKey(edge.source)) : undefined;
      if (shared) {
        shared.targets.push(target);
        continue;
      }
      const draft: InputDraft = { name: uniqueName(port.name, inputNames), targets: [target], from: edge ? { ...edge.source } : null };
      if (edge) bySource.set(refKey(edge.source), draft);
      inputs.push(draft);
    }
  }

  const outputs: OutputDraft[] = [];
  const outputNames = new Set<string>();
  const seen = new Map<string, OutputDraft>();
  for (const e of doc.edges) {
    if (!selection.has(e.source.node) || selection.has(e.target.node)) continue;
    const known = seen.get(refKey(e.source));
    if (known) {
      known.consumers += 1;
      continue;
    }
    const draft: OutputDraft = { name: uniqueName(e.source.port, outputNames), source: { ...e.source }, consumers: 1 };
    seen.set(refKey(e.source), draft);
    outputs.push(draft);
  }
  // Nothing outside uses the selection yet (it ends the pipeline): its outputs that nothing inside uses.
  if (!outputs.length) {
    for (const node of inside) {
      for (const port of moduleOf(node)?.outputs ?? []) {
        if (doc.edges.some((e) => e.source.node === node.id && e.source.port === port.name)) continue;
        outputs.push({ name: uniqueName(port.name, outputNames), source: { node: node.id, port: port.name }, consumers: 0 });
      }
    }
  }
  // In the order the nodes are listed, so the ports read top to bottom as the graph does.
  const order = new Map(inside.map((n, i) => [n.id, i]));
  outputs.sort((a, b) => (order.get(a.source.node) ?? 0) - (order.get(b.source.node) ?? 0));

  const parameters: ParameterCandidate[] = [];
  for (const node of inside) {
    const module = moduleOf(node);
    if (!module) continue;
    for (const field of fieldsOf(module.params_schema as JsonSchema)) {
      parameters.push({
        node: node.id,
        param: field.name,
        label: `${module.name} · ${field.title}`,
        value: node.params?.[field.name] ?? field.default,
      });
    }
  }
  return { inputs, outputs, parameters };
}

/** The exposed parameters as the group request names them: unique names, one target each. */
export function exposedParameters(chosen: readonly (ParameterCandidate & { name: string; description?: string })[]): ParameterBinding[] {
  return chosen.map((c) => ({ name: c.name, description: c.description ?? "", targets: [{ node: c.node, param: c.param }] }));
}
