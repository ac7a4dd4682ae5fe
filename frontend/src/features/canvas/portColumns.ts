/**
 * The columns that flow through a port, once the validator has inferred them: an output port's own table
 * schema, an input port's is the schema of the output wired into it. Port tooltips show them.
 *
 * Each card subscribes with a selector that returns a string (equal strings, no re-render), so a new
 * validation result re-renders only the cards whose columns changed.
 */
import { useMemo } from "react";
import type { ColumnSchema, TableSchema } from "../../api/types";
import type { DesignerEdge } from "./document";
import { useGraph } from "./graphStore";
import { useValidation } from "./validationStore";
import { scopedId, useScope } from "../components/scopeStore";

/** Columns named in a tooltip before "and N more". */
export const COLUMNS_SHOWN = 8;

/** Every node's wiring, by the edges array it was read from: each card's selector runs on every store update
 * (a node drag updates it every frame), so the edges are gone through once per edit, not once per card. */
const wirings = new WeakMap<DesignerEdge[], Map<string, string>>();

/** `port\tsourceNode\tsourcePort` per input edge of `nodeId`, one a line: what feeds each input port. */
export function inputWiring(edges: DesignerEdge[], nodeId: string): string {
  let byTarget = wirings.get(edges);
  if (!byTarget) {
    byTarget = new Map();
    for (const e of edges) {
      const line = `${e.targetHandle ?? ""}\t${e.source}\t${e.sourceHandle ?? ""}`;
      const before = byTarget.get(e.target);
      byTarget.set(e.target, before === undefined ? line : `${before}\n${line}`);
    }
    wirings.set(edges, byTarget);
  }
  return byTarget.get(nodeId) ?? "";
}

/** "3 columns: age (integer), income (number), city (string)", the first few then "and N more". */
export function describeColumns(columns: ColumnSchema[]): string {
  const named = columns.slice(0, COLUMNS_SHOWN).map((c) => `${c.name} (${c.type})`);
  const more = columns.length > COLUMNS_SHOWN ? `, and ${columns.length - COLUMNS_SHOWN} more` : "";
  return `${columns.length} column${columns.length === 1 ? "" : "s"}: ${named.join(", ")}${more}`;
}

type Schemas = Record<string, Record<string, TableSchema | null>>;

/** `port\tdescription` a line, for every port of `nodeId` whose columns are known. */
export function portColumnsText(schemas: Schemas, nodeId: string, kind: "in" | "out", wiring: string, prefix = ""): string {
  const lines: string[] = [];
  if (kind === "out") {
    for (const [port, schema] of Object.entries(schemas[prefix + nodeId] ?? {})) {
      if (schema?.columns?.length) lines.push(`${port}\t${describeColumns(schema.columns)}`);
    }
  } else {
    for (const line of wiring ? wiring.split("\n") : []) {
      const [port, source, sourcePort] = line.split("\t") as [string, string, string];
      const schema = schemas[prefix + source]?.[sourcePort];
      if (schema?.columns?.length) lines.push(`${port}\t${describeColumns(schema.columns)}`);
    }
  }
  return lines.join("\n");
}

/** The column description of each port of a node whose columns are known, by port name. */
export function usePortColumns(nodeId: string, kind: "in" | "out"): Record<string, string> {
  const wiring = useGraph((s) => (kind === "in" ? inputWiring(s.edges, nodeId) : ""));
  // Inside an open component, schemas are named by the expanded ids (`outer/inner`).
  const prefix = useScope((s) => scopedId(s.frames, ""));
  const text = useValidation((s) => portColumnsText(s.schemas, nodeId, kind, wiring, prefix));
  return useMemo(() => Object.fromEntries(text ? text.split("\n").map((l) => l.split("\t") as [string, string]) : []), [text]);
}
