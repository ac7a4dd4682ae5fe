/**
 * Components as the front end sees them (the contract in issue 19): a component node is an ordinary
 * node whose module is `component:<id>`, and a component's catalogue entry has exactly the shape of a
 * module's, plus what it is. The version documents are typed "any" by the OpenAPI schema (like the
 * pipeline document), so their shape is written out here.
 */
import type { Module, PipelineDocument, PortRef } from "../../api/types";

export const COMPONENT_PREFIX = "component:";

/** "latest" follows the component (an update is offered, the user accepts it); "pinned" stays put. */
export type ComponentLink = "latest" | "pinned";

export interface ComponentInfo {
  id: number;
  kind: "graph" | "script";
  latest_version: number;
}

/** A catalogue entry of a component: a module entry plus `component`. */
export type ComponentEntry = Module & { component: ComponentInfo };

export interface InputBinding {
  name: string;
  description?: string;
  targets: PortRef[];
}

export interface OutputBinding {
  name: string;
  description?: string;
  source: PortRef;
}

export interface ParameterTarget {
  node: string;
  param: string;
}

export interface ParameterBinding {
  name: string;
  description?: string;
  default?: unknown;
  targets: ParameterTarget[];
}

export interface GraphComponentDocument {
  kind: "graph";
  graph: PipelineDocument;
  inputs: InputBinding[];
  outputs: OutputBinding[];
  parameters: ParameterBinding[];
}

export interface ScriptComponentDocument {
  kind: "script";
  script: string;
  spec: Record<string, unknown>;
}

export type ComponentDocument = GraphComponentDocument | ScriptComponentDocument;

export const isComponentModule = (module: string): boolean => module.startsWith(COMPONENT_PREFIX);

/** The component id of a node's module (`component:12` → 12), or null for a built-in module. */
export function componentIdOf(module: string): number | null {
  if (!isComponentModule(module)) return null;
  const id = Number(module.slice(COMPONENT_PREFIX.length));
  return Number.isInteger(id) && id > 0 ? id : null;
}

export const componentModule = (id: number): string => `${COMPONENT_PREFIX}${id}`;

export function isComponentEntry(module: Module): module is ComponentEntry {
  const info = (module as Partial<ComponentEntry>).component;
  return Boolean(info && typeof info === "object" && typeof info.id === "number");
}

/**
 * The name a run stores an output under. A script component's node runs one hidden module whose outputs
 * are positional (`output_1`..`output_4`, the spec's outputs in order); every other module keeps its names.
 */
export function runOutputPort(module: Module, port: string): string {
  const info = (module as Partial<ComponentEntry>).component;
  if (info?.kind !== "script") return port;
  const i = module.outputs.findIndex((p) => p.name === port);
  return i < 0 ? port : `output_${i + 1}`;
}
